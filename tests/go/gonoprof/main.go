// gonoprof: a Go program whose memory profiling is off, for the test that
// reading its heap profile from outside reports it disabled.
//
//	go-gonoprof
//
// Nothing in it refers to runtime.MemProfile (it imports neither
// runtime/pprof nor net/http/pprof, nor anything that does), so the linker
// sets runtime.disableMemoryProfiling and runtime.MemProfileRate starts at
// 0: no allocation is ever sampled and runtime.mbuckets stays empty.  The
// program checks that: it prints "gonoprof: MemProfileRate=N" on stderr
// and exits with status 1 if N is not 0 (the test would then test
// nothing).  main.allocator keeps 1000 objects of 1 KiB in a global slice,
// so there is a heap that would have been profiled.
//
// Protocol (the same rule for every program in tests/go): exactly one line
// "ready" on stdout when in position, then it stays until its stdin reaches
// end of file or it is killed.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

var kept [][]byte

//go:noinline
func allocator() {
	for i := 0; i < 1000; i++ {
		kept = append(kept, make([]byte, 1024))
	}
}

func main() {
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: gonoprof")
		os.Exit(64)
	}
	allocator()
	runtime.GC()
	fmt.Fprintf(os.Stderr, "gonoprof: MemProfileRate=%d\n", runtime.MemProfileRate)
	if runtime.MemProfileRate != 0 {
		fmt.Fprintln(os.Stderr, "gonoprof: memory profiling is on; something refers to runtime.MemProfile")
		os.Exit(1)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
}
