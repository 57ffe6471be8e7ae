// heapwrite: a Go heap profile of a known shape, for `ptprof report` tests.
//
//	heapwrite OUT
//
// Records every allocation (runtime.MemProfileRate = 1), allocates from
// two functions kept out of line, so each is a function of its own in the
// profile: main.allocBig 64 blocks of 64 KiB, main.allocSmall 1000 blocks
// of 1 KiB (both sizes exact size classes: 4194304 and 1024000 bytes,
// plus whatever the runtime allocates while they run), keeps them all
// alive, collects garbage (a heap profile is as of the last collection)
// and writes the heap profile to OUT.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

var keep [][]byte

//go:noinline
func allocBig() {
	for i := 0; i < 64; i++ {
		keep = append(keep, make([]byte, 64<<10))
	}
}

//go:noinline
func allocSmall() {
	for i := 0; i < 1000; i++ {
		keep = append(keep, make([]byte, 1<<10))
	}
}

func main() {
	runtime.MemProfileRate = 1
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: heapwrite OUT")
		os.Exit(2)
	}
	keep = make([][]byte, 0, 2000)
	allocBig()
	allocSmall()
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.KeepAlive(keep)
}
