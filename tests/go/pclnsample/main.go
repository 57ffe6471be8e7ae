// pclnsample: a Go program of known shape, read from its file (never run
// for that) by the unit test of ptprof's .gopclntab reader.
//
//	pclnsample version   prints runtime.Version() and exits
//	pclnsample frames    prints, for PCs captured inside an inlined call
//	                     chain, what the runtime itself says of them:
//	                     "PC function file line" per frame, innermost
//	                     first, one blank-separated group per PC
//	pclnsample           runs the workload once and exits
//
// Shapes the test relies on: out-of-line functions (//go:noinline) with
// and without frames of their own, a chain of two inlined calls
// (chainOuter calls chainMid calls chainLeaf, both inlined), a method on
// a pointer receiver, a closure, and a goroutine started with arguments
// (`go worker(c, n)`), which the compiler wraps in a generated function.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

var sink int

type counter struct {
	n    int
	hits [4]int
}

// A leaf with no frame of its own.
//
//go:noinline
func leafAdd(a, b int) int {
	return a + b
}

// A function with a frame and calls.
//
//go:noinline
func sumTo(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s = leafAdd(s, i)
	}
	return s
}

// A method on a pointer receiver.
//
//go:noinline
func (c *counter) add(v int) {
	c.n += v
	c.hits[v&3]++
}

// capture records its caller's PCs: the one in chainOuter's code is
// inside two levels of inlined calls.
//
//go:noinline
func capture(pcs []uintptr) {
	runtime.Callers(2, pcs)
}

// chainLeaf and chainMid are small enough to be inlined; chainOuter is not,
// so its code holds both levels of the chain.
func chainLeaf(x int, pcs []uintptr) int {
	if pcs != nil {
		capture(pcs)
	}
	return x*7 + 3
}

func chainMid(x int, pcs []uintptr) int {
	return chainLeaf(x+1, pcs) * 5
}

//go:noinline
func chainOuter(x int, pcs []uintptr) int {
	y := chainMid(x, pcs)
	return y - 2
}

//go:noinline
func worker(c *counter, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		c.add(i)
	}
}

//go:noinline
func apply(f func(int) int, v int) int {
	return f(v)
}

func run() {
	c := &counter{}
	var wg sync.WaitGroup
	wg.Add(1)
	go worker(c, 10, &wg)
	wg.Wait()
	k := 3
	sink += apply(func(v int) int { return v*k + sumTo(v) }, c.n)
	sink += chainOuter(sink, nil)
}

func frames() {
	pcs := make([]uintptr, 8)
	chainOuter(1, pcs)
	for _, pc := range pcs {
		if pc == 0 {
			break
		}
		fr := runtime.CallersFrames([]uintptr{pc})
		for {
			f, more := fr.Next()
			fmt.Printf("%#x %s %s %d\n", pc, f.Function, f.File, f.Line)
			if !more {
				break
			}
		}
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println(runtime.Version())
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "frames" {
		frames()
		return
	}
	run()
}
