// gocpu: one busy goroutine with a known split of its CPU between two
// frameless leaf functions, for CPU-profile tests of Go programs.
//
//	go-gocpu [-profile FILE] [-seconds N] [-rate HZ]
//
// The goroutine started on main.worker calls main.hashA and main.hashB in
// a loop.  Both run the same loop body, hashA for three times as many
// iterations as hashB, so hashA takes 3/4 and hashB 1/4 of the worker's
// CPU whatever the machine.  Both are leaves without a stack frame (no
// call, no local on the stack: the compiler gives them no prologue and no
// saved frame pointer), which is what unwinding a Go stack from a sampled
// thread finds hardest: a frame-pointer walk from inside them skips
// main.worker.  The program checks at start that the compiler kept them so
// (see frameless) and exits with status 1 if not: the tests would then test
// nothing.
//
// Protocol (the same rule for every program in tests/go): the program
// prints exactly one line "ready" on stdout once the worker has run, then
// serves its stdin and exits when stdin reaches end of file (or when
// killed).  Each line "start" makes it run Go's own CPU profiler
// (runtime/pprof.StartCPUProfile) for -seconds seconds, writing -profile
// FILE (replaced each time), and then print "profiled" on stdout; a
// failure prints "error: ..." instead.  Any other line prints
// "error: unknown command".
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"
	"unsafe"
)

// Iterations of hashB per round; hashA does three times as many.
const chunk = 1 << 16

var (
	sink    uint64
	running int32
)

//go:noinline
func hashA(h uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		h ^= h >> 29
		h = h*6364136223846793005 + uint64(i)
	}
	return h
}

//go:noinline
func hashB(h uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		h ^= h >> 29
		h = h*6364136223846793005 + uint64(i)
	}
	return h
}

//go:noinline
func worker() {
	h := uint64(1)
	for {
		h = hashA(h, 3*chunk)
		h = hashB(h, chunk)
		atomic.StoreUint64(&sink, h)
		atomic.StoreInt32(&running, 1)
	}
}

// Whether the machine code of fn (amd64) starts without setting up a
// frame: a function with a frame opens with its stack-bound check
// (CMPQ off(R14), SP; LEAQ -off(SP), R12 for a larger frame; MOVQ SP, R12
// for a huge one) or, when it need not check, with PUSHQ BP or SUBQ $n, SP.
func frameless(fn func(uint64, int) uint64) bool {
	code := (*[5]byte)(unsafe.Pointer(reflect.ValueOf(fn).Pointer()))[:]
	for _, prologue := range [][]byte{
		{0x49, 0x3b, 0x66},       // CMPQ off8(R14), SP
		{0x4c, 0x8d, 0x64, 0x24}, // LEAQ off8(SP), R12
		{0x4c, 0x8d, 0xa4, 0x24}, // LEAQ off32(SP), R12
		{0x49, 0x89, 0xe4},       // MOVQ SP, R12
		{0x55},                   // PUSHQ BP
		{0x48, 0x83, 0xec},       // SUBQ $imm8, SP
		{0x48, 0x81, 0xec},       // SUBQ $imm32, SP
	} {
		if bytes.HasPrefix(code, prologue) {
			return false
		}
	}
	return true
}

// One run of Go's CPU profiler at hz samples a second; "" when it went
// well.
func profile(file string, seconds int, hz int) string {
	if file == "" {
		return "no -profile FILE given"
	}
	f, err := os.Create(file)
	if err != nil {
		return err.Error()
	}
	// StartCPUProfile asks for 100 Hz, but keeps a rate set before it (and
	// says so on stderr): more samples make the shares the tests compare
	// less noisy.
	if hz != 100 {
		runtime.SetCPUProfileRate(hz)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err.Error()
	}
	time.Sleep(time.Duration(seconds) * time.Second)
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		return err.Error()
	}
	return ""
}

func main() {
	file := flag.String("profile", "", "where each `start` writes Go's CPU profile")
	seconds := flag.Int("seconds", 10, "length of Go's CPU profile, in seconds")
	hz := flag.Int("rate", 100, "samples per second of Go's CPU profile")
	flag.Parse()
	if flag.NArg() != 0 || *seconds < 1 || *hz < 1 {
		fmt.Fprintln(os.Stderr, "usage: gocpu [-profile FILE] [-seconds N] [-rate HZ]")
		os.Exit(64)
	}
	cgoTouch()
	if !frameless(hashA) || !frameless(hashB) {
		fmt.Fprintln(os.Stderr, "gocpu: main.hashA or main.hashB has a stack frame: this compiler does not make them frameless leaves")
		os.Exit(1)
	}

	go worker()
	for atomic.LoadInt32(&running) == 0 {
		time.Sleep(time.Millisecond)
	}
	fmt.Println("ready")

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "start":
			if msg := profile(*file, *seconds, *hz); msg != "" {
				fmt.Println("error:", msg)
			} else {
				fmt.Println("profiled")
			}
		default:
			fmt.Println("error: unknown command")
		}
	}
}
