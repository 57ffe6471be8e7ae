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

# True if the subcommand (the first word after ptprof that is not an
# option) is $argv[1].
function __ptprof_using
    set -l words (commandline -opc)
    for w in $words[2..-1]
        string match -q -- '-*' $w; and continue
        test "$w" = "$argv[1]"
        return
    end
    return 1
end

# True after `ptprof record ... --` (or top): the rest is the command.
function __ptprof_after_dashdash
    __ptprof_using record; or __ptprof_using top; or return 1
    contains -- -- (commandline -opc)
end

# The command after "--" and its arguments, completed as if typed alone.
function __ptprof_record_command
    set -l words (commandline -opc)
    set -l i (contains -i -- -- $words)
    set -e words[1..$i]
    __fish_complete_subcommand --commandline $words (commandline -ct)
end

set -l subcommands record dump top heap allocs mutex block report serve help
set -l no_subcommand "not __fish_seen_subcommand_from $subcommands"
set -l in_record "__ptprof_using record; and not __ptprof_after_dashdash"
set -l in_dump "__ptprof_using dump"
set -l in_top "__ptprof_using top; and not __ptprof_after_dashdash"
set -l in_report "__ptprof_using report"
set -l in_serve "__ptprof_using serve"
set -l in_goprof "__ptprof_using heap; or __ptprof_using allocs; or __ptprof_using mutex; or __ptprof_using block"

# No file names unless an option asks for one.
complete -c ptprof -f

# Subcommands and global options.
complete -c ptprof -n $no_subcommand -a record -d 'Sample stacks over time into a CPU or wall-clock profile'
complete -c ptprof -n $no_subcommand -a dump -d 'Print the stack of every thread of a running process'
complete -c ptprof -n $no_subcommand -a top -d 'A live view of the hottest functions and thread states'
complete -c ptprof -n $no_subcommand -a heap -d 'A Go program\'s heap profile, read from outside'
complete -c ptprof -n $no_subcommand -a allocs -d 'A Go program\'s allocations since it started'
complete -c ptprof -n $no_subcommand -a mutex -d 'A Go program\'s mutex contention profile'
complete -c ptprof -n $no_subcommand -a block -d 'A Go program\'s blocking profile'
complete -c ptprof -n $no_subcommand -a report -d 'Read a pprof profile: top functions, or convert it'
complete -c ptprof -n $no_subcommand -a serve -d 'Serve Go\'s /debug/pprof endpoints for any process'
complete -c ptprof -n $no_subcommand -a help -d 'Print the help of a subcommand'
complete -c ptprof -n $no_subcommand -l help -d 'Print the subcommands'
complete -c ptprof -n $no_subcommand -l version -d 'Print the version'

# help SUBCOMMAND
complete -c ptprof -n "__ptprof_using help; and not __fish_seen_subcommand_from record dump top heap allocs mutex block report serve" -a record -d 'Sample stacks over time into a CPU or wall-clock profile'
complete -c ptprof -n "__ptprof_using help; and not __fish_seen_subcommand_from record dump top heap allocs mutex block report serve" -a dump -d 'Print the stack of every thread of a running process'
complete -c ptprof -n "__ptprof_using help; and not __fish_seen_subcommand_from record dump top heap allocs mutex block report serve" -a top -d 'A live view of the hottest functions and thread states'
complete -c ptprof -n "__ptprof_using help; and not __fish_seen_subcommand_from record dump top heap allocs mutex block report serve" -a report -d 'Read a pprof profile: top functions, or convert it'

# record
complete -c ptprof -n $in_record -s p -l pid -x -a '(__ptprof_pids)' -d 'The process to record'
complete -c ptprof -n $in_record -s t -l tid -x -a '(__ptprof_tids)' -d 'Only these threads (TID[,TID...])'
complete -c ptprof -n $in_record -s d -l duration -x -d 'Stop after TIME (30, 30s, 500ms, 2m)'
complete -c ptprof -n $in_record -s r -l rate -x -d 'Samples per second (default 99)'
complete -c ptprof -n $in_record -s F -l freq -x -d 'Samples per second (the same as --rate)'
complete -c ptprof -n $in_record -s m -l mode -x -a 'cpu\t"Threads on a CPU (default)" wall\t"Every thread, whatever its state"' -d 'What to sample'
complete -c ptprof -n $in_record -s o -l output -r -F -d 'Where to write (- for stdout)'
complete -c ptprof -n $in_record -s f -l format -x -a 'pprof folded flamegraph speedscope text' -d 'Output format (default from the -o suffix)'
complete -c ptprof -n $in_record -l threads -d 'Folded/flamegraph/text: a root frame per thread (name/tid)'
complete -c ptprof -n $in_record -l processes -d 'Folded/flamegraph/text: a root frame per process (name/pid)'
complete -c ptprof -n $in_record -l children -d 'Also every descendant, as they appear (default with -- COMMAND)'
complete -c ptprof -n $in_record -l no-children -d '-- COMMAND: its own process only'
complete -c ptprof -n $in_record -l no-inline -d 'Do not expand inlined frames'
complete -c ptprof -n $in_record -l no-lines -d 'Function names only, no file:line'
complete -c ptprof -n $in_record -l stack-bytes -x -d 'Stack bytes copied per thread-sample (default 64K)'
complete -c ptprof -n $in_record -l max-frames -x -d 'Deepest stack unwound (default 256)'
complete -c ptprof -n $in_record -l debug-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Also look for separate debug files here'
complete -c ptprof -n $in_record -l debuginfod -d 'Fetch missing debug info from the servers in DEBUGINFOD_URLS'
complete -c ptprof -n $in_record -l debuginfod-timeout -x -d 'Total time --debuginfod may spend (default 10s)'
complete -c ptprof -n $in_record -s q -l quiet -d 'No progress or summary on stderr'
complete -c ptprof -n $in_record -s v -l verbose -d 'Say why threads or frames were skipped'
complete -c ptprof -n $in_record -s h -l help -d 'Print the options of record'
# record -- COMMAND [ARG...]
complete -c ptprof -n __ptprof_after_dashdash -x -a '(__ptprof_record_command)'

# dump
complete -c ptprof -n $in_dump -s p -l pid -x -a '(__ptprof_pids)' -d 'The process(es) to dump (required; PID[,PID...])'
complete -c ptprof -n $in_dump -l children -d 'Also every descendant of each process'
complete -c ptprof -n $in_dump -s t -l tid -x -a '(__ptprof_tids)' -d 'Only these threads (TID[,TID...])'
complete -c ptprof -n $in_dump -s f -l format -x -a 'text json pprof' -d 'Output format'
complete -c ptprof -n $in_dump -s o -l output -r -F -d 'Write to FILE instead of stdout'
complete -c ptprof -n $in_dump -s g -l group -d 'Print threads with identical stacks once'
complete -c ptprof -n $in_dump -l locks -d 'Show lock waits, their owners and deadlocks'
complete -c ptprof -n $in_dump -l system -d 'Go programs: the runtime goroutines and frames too'
complete -c ptprof -n $in_dump -l os-threads -d 'Go programs: the threads instead of the goroutines'
complete -c ptprof -n $in_dump -l stop-all -d 'Stop every thread, even those asleep in the kernel'
complete -c ptprof -n $in_dump -l no-inline -d 'Do not expand inlined frames'
complete -c ptprof -n $in_dump -l no-lines -d 'Function names only, no file:line'
complete -c ptprof -n $in_dump -l stack-bytes -x -d 'Stack bytes copied per thread (default 64K)'
complete -c ptprof -n $in_dump -l max-frames -x -d 'Deepest stack unwound (default 256)'
complete -c ptprof -n $in_dump -l debug-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Also look for separate debug files here'
complete -c ptprof -n $in_dump -l debuginfod -d 'Fetch missing debug info from the servers in DEBUGINFOD_URLS'
complete -c ptprof -n $in_dump -l debuginfod-timeout -x -d 'Total time --debuginfod may spend (default 10s)'
complete -c ptprof -n $in_dump -s q -l quiet -d 'No summary on stderr'
complete -c ptprof -n $in_dump -s v -l verbose -d 'Say why threads or frames were skipped'
complete -c ptprof -n $in_dump -s h -l help -d 'Print the options of dump'

# top
complete -c ptprof -n $in_top -s p -l pid -x -a '(__ptprof_pids)' -d 'The process to watch'
complete -c ptprof -n $in_top -s t -l tid -x -a '(__ptprof_tids)' -d 'Only these threads (TID[,TID...])'
complete -c ptprof -n $in_top -l children -d 'Also every descendant, as they appear (default with -- COMMAND)'
complete -c ptprof -n $in_top -l no-children -d '-- COMMAND: its own process only'
complete -c ptprof -n $in_top -s r -l rate -x -d 'Samples per second (default 99)'
complete -c ptprof -n $in_top -s m -l mode -x -a 'cpu\t"Threads on a CPU (default)" wall\t"Every thread, whatever its state"' -d 'What to sample'
complete -c ptprof -n $in_top -s d -l duration -x -d 'Stop after TIME'
complete -c ptprof -n $in_top -l interval -x -d 'Time between refreshes (default 1s)'
complete -c ptprof -n $in_top -l top -x -d 'Functions shown (default: as many as fit)'
complete -c ptprof -n $in_top -l no-inline -d 'Do not expand inlined frames'
complete -c ptprof -n $in_top -l no-lines -d 'Function names only, no file:line'
complete -c ptprof -n $in_top -l stack-bytes -x -d 'Stack bytes copied per thread-sample (default 64K)'
complete -c ptprof -n $in_top -l max-frames -x -d 'Deepest stack unwound (default 256)'
complete -c ptprof -n $in_top -l debug-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Also look for separate debug files here'
complete -c ptprof -n $in_top -l debuginfod -d 'Fetch missing debug info from the servers in DEBUGINFOD_URLS'
complete -c ptprof -n $in_top -l debuginfod-timeout -x -d 'Total time --debuginfod may spend (default 10s)'
complete -c ptprof -n $in_top -s q -l quiet -d 'No summary on stderr'
complete -c ptprof -n $in_top -s v -l verbose -d 'Say why threads or frames were skipped'
complete -c ptprof -n $in_top -s h -l help -d 'Print the options of top'

# heap, allocs, mutex, block
complete -c ptprof -n $in_goprof -s p -l pid -x -a '(__ptprof_pids)' -d 'The Go program to read (required)'
complete -c ptprof -n $in_goprof -s o -l output -r -F -d 'Where to write (- for stdout)'
complete -c ptprof -n $in_goprof -s f -l format -x -a 'pprof text' -d 'pprof (default) or text'
complete -c ptprof -n $in_goprof -l top -x -d 'Text: how many functions (default 20, 0 for all)'
complete -c ptprof -n $in_goprof -l watch -x -d 'Heap: a line per INTERVAL, then growth per minute'
complete -c ptprof -n $in_goprof -s d -l duration -x -d 'With --watch: stop after TIME'
complete -c ptprof -n $in_goprof -l debuginfod -d 'Fetch missing debug info from the servers in DEBUGINFOD_URLS'
complete -c ptprof -n $in_goprof -l debuginfod-timeout -x -d 'Total time --debuginfod may spend (default 10s)'
complete -c ptprof -n $in_goprof -s q -l quiet -d 'Nothing on stderr but errors'
complete -c ptprof -n $in_goprof -s v -l verbose -d 'Say how the records were read'
complete -c ptprof -n $in_goprof -s h -l help -d 'Print the options'
# report FILE
complete -c ptprof -n $in_report -F
complete -c ptprof -n $in_report -s f -l format -x -a 'text folded flamegraph speedscope' -d 'What to print'
complete -c ptprof -n $in_report -s o -l output -r -F -d 'Write to FILE instead of stdout'
complete -c ptprof -n $in_report -l top -x -d 'How many functions (default 20, 0 for all)'
complete -c ptprof -n $in_report -l threads -d 'Folded/flamegraph: a root frame per thread'
complete -c ptprof -n $in_report -l sample-index -x -a 'alloc_objects alloc_space inuse_objects inuse_space contentions delay samples cpu' -d 'Which sample type (a name, or its number from 0)'
complete -c ptprof -n $in_report -l diff-base -r -F -d 'Compare with this older profile, function by function'
complete -c ptprof -n $in_report -s q -l quiet -d 'Nothing on stderr but errors'
complete -c ptprof -n $in_report -s h -l help -d 'Print the options of report'

# serve
complete -c ptprof -n $in_serve -s p -l pid -x -a '(__ptprof_pids)' -d 'The process(es) to serve (required; PID,PID...)'
complete -c ptprof -n $in_serve -l children -d 'Also every descendant, as it is at each request'
complete -c ptprof -n $in_serve -l listen -x -a '127.0.0.1:6060 [::1]:6060 0.0.0.0:6060' -d 'Where to listen (default 127.0.0.1:6060)'
complete -c ptprof -n $in_serve -l token-file -r -F -d 'Require the token on the first line of FILE'
complete -c ptprof -n $in_serve -l max-seconds -x -d 'Longest profile a request may ask for (default 300)'
complete -c ptprof -n $in_serve -l no-inline -d 'Do not expand inlined frames'
complete -c ptprof -n $in_serve -l no-lines -d 'Function names only, no file:line'
complete -c ptprof -n $in_serve -l stack-bytes -x -d 'Stack bytes copied per thread-sample (default 64K)'
complete -c ptprof -n $in_serve -l max-frames -x -d 'Deepest stack unwound (default 256)'
complete -c ptprof -n $in_serve -l debug-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Also look for separate debug files here'
complete -c ptprof -n $in_serve -l debuginfod -d 'Fetch missing debug info from the servers in DEBUGINFOD_URLS'
complete -c ptprof -n $in_serve -l debuginfod-timeout -x -d 'Total time --debuginfod may spend (default 10s)'
complete -c ptprof -n $in_serve -s q -l quiet -d 'No access log on stderr'
complete -c ptprof -n $in_serve -s v -l verbose -d 'Say why threads or frames were skipped'
complete -c ptprof -n $in_serve -s h -l help -d 'Print the options of serve'
