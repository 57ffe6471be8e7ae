# bash completion for ptprof                               -*- shell-script -*-
#
# Installed as <datadir>/bash-completion/completions/ptprof, or sourced
# directly.  Works with or without the bash-completion package.
# tests/check-docs.sh compares the options here with `ptprof --list-options`.

_ptprof_subcommands='record dump top heap allocs mutex block report serve help'
_ptprof_global_opts='--help --version'
_ptprof_record_opts='-p --pid -t --tid -d --duration -r --rate -F --freq
	-m --mode -o --output -f --format --threads --processes --children --no-children
	--no-inline --no-lines --stack-bytes --max-frames --debug-dir --debuginfod --debuginfod-timeout
	-q --quiet -v --verbose -h --help --'
_ptprof_dump_opts='-p --pid --children -t --tid -f --format -o --output -g --group --locks
	--system --os-threads --stop-all
	--no-inline --no-lines --stack-bytes --max-frames --debug-dir --debuginfod --debuginfod-timeout
	-q --quiet -v --verbose -h --help'
_ptprof_top_opts='-p --pid -t --tid -r --rate -m --mode -d --duration
	--interval --top --children --no-children
	--no-inline --no-lines --stack-bytes --max-frames --debug-dir --debuginfod --debuginfod-timeout
	-q --quiet -v --verbose -h --help --'
_ptprof_goprof_opts='-p --pid -o --output -f --format --top --watch -d --duration
	--debuginfod --debuginfod-timeout -q --quiet -v --verbose -h --help'
_ptprof_serve_opts='-p --pid --children --listen --token-file --max-seconds
	--no-inline --no-lines --stack-bytes --max-frames --debug-dir --debuginfod --debuginfod-timeout
	-q --quiet -v --verbose -h --help'
_ptprof_report_opts='-f --format -o --output --top --threads --sample-index --diff-base
	-q --quiet -h --help'
# Sample types of Go's profiles and of CPU profiles, for --sample-index.
_ptprof_sample_types='alloc_objects alloc_space inuse_objects inuse_space contentions delay
	samples cpu'

# COMPREPLY = the output of compgen ARGS..., one candidate per line.
_ptprof_compgen()
{
	mapfile -t COMPREPLY < <(compgen "$@")
}

# Process ids from /proc.
_ptprof_pids()
{
	local d pids=()
	for d in /proc/[0-9]*; do
		pids+=("${d#/proc/}")
	done
	_ptprof_compgen -W "${pids[*]}" -- "$1"
}

# After `ptprof record ... -- COMMAND`: complete COMMAND, then its
# arguments.  $1 is the index of COMMAND in COMP_WORDS.
_ptprof_command()
{
	local offset=$1
	# bash-completion completes the command's own arguments as if it
	# were typed alone.
	if declare -F _comp_command_offset >/dev/null; then
		_comp_command_offset "$offset"
		return
	fi
	if declare -F _command_offset >/dev/null; then
		_command_offset "$offset"
		return
	fi
	local cur=${COMP_WORDS[COMP_CWORD]}
	if ((COMP_CWORD == offset)); then
		# Commands, aliases, functions; once each.
		mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
	else
		compopt -o filenames 2>/dev/null
		_ptprof_compgen -f -- "$cur"
	fi
}

# Thread ids of process $1, completing the last item of the comma-separated
# list $2.
_ptprof_tids()
{
	local pid=$1 cur=$2 prefix='' d tids=()
	[[ $pid =~ ^[0-9]+$ && -d /proc/$pid/task ]] || return
	if [[ $cur == *,* ]]; then
		prefix=${cur%,*},
		cur=${cur##*,}
	fi
	for d in /proc/"$pid"/task/[0-9]*; do
		# Leave out the ids already in the list.
		[[ ,$prefix == *,"${d##*/}",* ]] || tids+=("${d##*/}")
	done
	_ptprof_compgen -P "$prefix" -W "${tids[*]}" -- "$cur"
	# More ids may follow: do not end the word with a space.
	compopt -o nospace 2>/dev/null
}

_ptprof()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' cword=$COMP_CWORD
	local -a words=("${COMP_WORDS[@]}")
	COMPREPLY=()

	# COMP_WORDBREAKS splits "--format=js" into "--format" "=" "js".
	if [[ $cur == = ]]; then
		cur=
		prev=${words[cword - 1]}
	elif ((cword >= 2)) && [[ ${words[cword - 1]} == = ]]; then
		prev=${words[cword - 2]}
	elif ((cword >= 1)); then
		prev=${words[cword - 1]}
	fi

	# The subcommand: the first word that is not an option.
	local i sub='' subidx=0
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			sub=${words[i]}
			subidx=$i
			break
		fi
	done

	if [[ -z $sub ]]; then
		if [[ $cur == -* ]]; then
			_ptprof_compgen -W "$_ptprof_global_opts" -- "$cur"
		else
			_ptprof_compgen -W "$_ptprof_subcommands" -- "$cur"
		fi
		return
	fi

	case $sub in
	help)
		((cword == subidx + 1)) &&
			_ptprof_compgen -W "$_ptprof_subcommands" -- "$cur"
		return
		;;
	record | top)
		# Everything after "--" is the command to record.
		for ((i = subidx + 1; i < cword; i++)); do
			if [[ ${words[i]} == -- ]]; then
				_ptprof_command $((i + 1))
				return
			fi
		done
		;;
	dump) ;;
	heap | allocs | mutex | block)
		case $prev in
		-p | --pid) _ptprof_pids "$cur" ;;
		-f | --format) _ptprof_compgen -W 'pprof text' -- "$cur" ;;
		-o | --output)
			compopt -o filenames 2>/dev/null
			_ptprof_compgen -f -- "$cur"
			;;
		--top | --watch | -d | --duration) ;;
		*) [[ $cur == -* ]] && _ptprof_compgen -W "$_ptprof_goprof_opts" -- "$cur" ;;
		esac
		return
		;;
	serve)
		case $prev in
		-p | --pid) _ptprof_pids "$cur" ;;
		--token-file)
			compopt -o filenames 2>/dev/null
			_ptprof_compgen -f -- "$cur"
			;;
		--debug-dir)
			compopt -o filenames 2>/dev/null
			_ptprof_compgen -d -- "$cur"
			;;
		--listen) _ptprof_compgen -W '127.0.0.1:6060 [::1]:6060 0.0.0.0:6060' -- "$cur" ;;
		--max-seconds | --stack-bytes | --max-frames | -t | --tid) ;;
		*) [[ $cur == -* ]] && _ptprof_compgen -W "$_ptprof_serve_opts" -- "$cur" ;;
		esac
		return
		;;
	report)
		case $prev in
		-f | --format)
			_ptprof_compgen -W 'text folded flamegraph speedscope' -- "$cur"
			;;
		-o | --output | --diff-base)
			compopt -o filenames 2>/dev/null
			_ptprof_compgen -f -- "$cur"
			;;
		--sample-index)
			_ptprof_compgen -W "$_ptprof_sample_types" -- "$cur"
			;;
		--top) ;;
		*)
			if [[ $cur == -* ]]; then
				_ptprof_compgen -W "$_ptprof_report_opts" -- "$cur"
			else
				# The profile to read.
				compopt -o filenames 2>/dev/null
				_ptprof_compgen -f -- "$cur"
			fi
			;;
		esac
		return
		;;
	*) return ;;
	esac

	case $prev in
	-p | --pid)
		_ptprof_pids "$cur"
		return
		;;
	-t | --tid)
		# The process named earlier on the line, if any.
		local pid=''
		for ((i = subidx + 1; i < cword; i++)); do
			case ${words[i]} in
			-p | --pid)
				if [[ ${words[i + 1]} == = ]]; then
					pid=${words[i + 2]}
				else
					pid=${words[i + 1]}
				fi
				;;
			-p[0-9]*) pid=${words[i]#-p} ;;
			esac
		done
		_ptprof_tids "$pid" "$cur"
		return
		;;
	-f | --format)
		if [[ $sub == record ]]; then
			_ptprof_compgen -W 'pprof folded flamegraph speedscope text' -- "$cur"
		else
			_ptprof_compgen -W 'text json pprof' -- "$cur"
		fi
		return
		;;
	-m | --mode)
		[[ $sub == record || $sub == top ]] && _ptprof_compgen -W 'cpu wall' -- "$cur"
		return
		;;
	-o | --output)
		compopt -o filenames 2>/dev/null
		_ptprof_compgen -f -- "$cur"
		return
		;;
	--debug-dir)
		compopt -o filenames 2>/dev/null
		_ptprof_compgen -d -- "$cur"
		return
		;;
	--stack-bytes | --max-frames | --debuginfod-timeout)
		# A number or a time: nothing to offer.
		return
		;;
	-d | --duration | -r | --rate | -F | --freq | --interval | --top)
		# A time, a rate or a count: nothing to offer.
		[[ $sub == record || $sub == top ]] && return
		;;
	esac

	if [[ $cur == -* || -z $cur ]]; then
		if [[ $sub == record ]]; then
			_ptprof_compgen -W "$_ptprof_record_opts" -- "$cur"
		elif [[ $sub == top ]]; then
			_ptprof_compgen -W "$_ptprof_top_opts" -- "$cur"
		else
			_ptprof_compgen -W "$_ptprof_dump_opts" -- "$cur"
		fi
	fi
}

complete -F _ptprof ptprof
