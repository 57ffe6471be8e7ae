// cpuprof: a Go CPU profile of a known shape, for `ptprof report` tests.
//
//	cpuprof OUT
//
// Works under runtime/pprof's CPU profiler until it has used 1.2 s of
// CPU (at most 10 s, on a busy machine), so the profile always has about
// 120 samples, and writes it to OUT.  main.spinHot does most of the work (~85%) and
// main.spinCold the rest; both are kept out of line so each is a function
// of its own in the profile.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"syscall"
	"time"
)

var sink uint64

//go:noinline
func spinHot(n int) uint64 {
	h := sink
	for i := 0; i < n; i++ {
		h = h*6364136223846793005 + uint64(i)
	}
	return h
}

//go:noinline
func spinCold(n int) uint64 {
	h := sink
	for i := 0; i < n; i++ {
		h = h*6364136223846793005 + uint64(i)
	}
	return h
}

// The process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cpuprof OUT")
		os.Exit(64)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(1)
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && cpuTime() < 1200*time.Millisecond; {
		sink += spinHot(900000)
		sink += spinCold(100000)
	}
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(1)
	}
}
