# fish completion for ptprof.
#
# Installed as <datadir>/fish/vendor_completions.d/ptprof.fish.
# tests/check-docs.sh compares the options here with `ptprof --list-options`.

# Process ids from /proc, with their command names.
function __ptprof_pids
    for d in /proc/*
        set -l pid (string replace /proc/ '' -- $d)
        string match -qr '^[0-9]+$' -- $pid; or continue
        set -l comm
        test -r $d/comm; and read comm <$d/comm
        printf '%s\t%s\n' $pid "$comm"
    end
end

# Thread ids of the process given with -p/--pid, completing the last item
# of a comma-separated list.
function __ptprof_tids
    set -l words (commandline -opc)
    set -l pid
    for i in (seq (count $words))
        switch $words[$i]
            case -p --pid
                set -q words[(math $i + 1)]; and set pid $words[(math $i + 1)]
            case '--pid=*'
                set pid (string replace -- --pid= '' $words[$i])
            case '-p*'
                set pid (string sub -s 3 -- $words[$i])
        end
    end
    string match -qr '^[0-9]+$' -- "$pid"; or return
    test -d /proc/$pid/task; or return
    set -l cur (commandline -ct)
    set -l prefix (string replace -r '[^,]*$' '' -- $cur)
    for d in /proc/$pid/task/*
        set -l tid (string replace -r '.*/' '' -- $d)
        # Leave out the ids already in the list.
        contains -- $tid (string split , -- (string replace -r '^--tid=' '' -- $prefix)); and continue
        set -l comm
        test -r $d/comm; and read comm <$d/comm
        printf '%s%s\t%s\n' "$prefix" $tid "$comm"
    end
end

set -l subcommands dump help
set -l no_subcommand "not __fish_seen_subcommand_from $subcommands"
set -l in_dump "__fish_seen_subcommand_from dump"

# No file names unless an option asks for one.
complete -c ptprof -f

# Subcommands and global options.
complete -c ptprof -n $no_subcommand -a dump -d 'Print the stack of every thread of a running process'
complete -c ptprof -n $no_subcommand -a help -d 'Print the help of a subcommand'
complete -c ptprof -n $no_subcommand -l help -d 'Print the subcommands'
complete -c ptprof -n $no_subcommand -l version -d 'Print the version'

# help SUBCOMMAND
complete -c ptprof -n "__fish_seen_subcommand_from help; and not __fish_seen_subcommand_from dump" -a dump -d 'Print the stack of every thread of a running process'

# dump
complete -c ptprof -n $in_dump -s p -l pid -x -a '(__ptprof_pids)' -d 'The process to dump (required)'
complete -c ptprof -n $in_dump -s t -l tid -x -a '(__ptprof_tids)' -d 'Only these threads (TID[,TID...])'
complete -c ptprof -n $in_dump -s f -l format -x -a 'text json pprof' -d 'Output format'
complete -c ptprof -n $in_dump -s o -l output -r -F -d 'Write to FILE instead of stdout'
complete -c ptprof -n $in_dump -s g -l group -d 'Print threads with identical stacks once'
complete -c ptprof -n $in_dump -l no-inline -d 'Do not expand inlined frames'
complete -c ptprof -n $in_dump -l no-lines -d 'Function names only, no file:line'
complete -c ptprof -n $in_dump -l stack-bytes -x -d 'Stack bytes copied per thread (default 64K)'
complete -c ptprof -n $in_dump -l max-frames -x -d 'Deepest stack unwound (default 256)'
complete -c ptprof -n $in_dump -l debug-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Also look for separate debug files here'
complete -c ptprof -n $in_dump -s q -l quiet -d 'No summary on stderr'
complete -c ptprof -n $in_dump -s v -l verbose -d 'Say why threads or frames were skipped'
complete -c ptprof -n $in_dump -s h -l help -d 'Print the options of dump'
