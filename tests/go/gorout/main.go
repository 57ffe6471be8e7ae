// gorout: goroutines parked in known places, and the program's own
// goroutine profiles of that moment, for `ptprof dump` tests of Go programs.
//
//	go-gorout [-profile FILE]
//
// In position:
//
//	200 in main.receiver   blocked receiving from a channel   [chan receive]
//	 50 in main.selector   blocked in a two-case select       [select]
//	 30 in main.locker     blocked on a held sync.Mutex       [semacquire]
//	  1 in main.sleeper    in a 24-hour time.Sleep             [sleep]
//	  1 in main.spinner    a loop that never blocks            [running or runnable]
//	  1 main goroutine     (see below)
//
// Each of them is started by a `go` statement on the named function itself
// (no arguments, so no wrapper closure sits between it and runtime.goexit).
// The program knows they are in position when every one has told a
// WaitGroup it started, runtime.NumGoroutine() is 283, and its own
// goroutine dump (runtime.Stack of all goroutines) shows each named
// function in a goroutine with the expected wait reason, i.e. parked in its
// blocking call, not merely started: it polls that dump every millisecond
// (for at most a minute, then exits with status 1).
//
// Then, with -profile FILE, it writes its goroutine profile three ways:
// FILE.1 (debug=1 text), FILE.2 (debug=2 text, like a SIGQUIT dump) and
// FILE.pb.gz (the pprof proto, debug=0), one stop of the world each.  In
// those profiles the main goroutine is the one writing them, [running]
// inside runtime/pprof; after them it prints exactly one line "ready" on
// stdout and reads its stdin until end of file (a blocking read: [syscall]
// when stdin is a pipe or a file, [IO wait] when it is non-blocking), then
// exits.  So a later dump differs from the files only in the main
// goroutine's stack and state and in where the spinner is.
//
// Protocol (the same rule for every program in tests/go): exactly one line
// "ready" on stdout when in position, then it stays until its stdin reaches
// end of file or it is killed.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

const (
	nReceivers = 200
	nSelectors = 50
	nLockers   = 30
)

var (
	started  sync.WaitGroup
	recvCh   = make(chan int)
	selA     = make(chan int)
	selB     = make(chan int)
	held     sync.Mutex
	spins    uint64
	recvSink int
)

func receiver() {
	started.Done()
	recvSink += <-recvCh
}

func selector() {
	started.Done()
	select {
	case <-selA:
	case <-selB:
	}
}

func locker() {
	started.Done()
	held.Lock()
	held.Unlock()
}

func sleeper() {
	started.Done()
	time.Sleep(24 * time.Hour)
}

func spinner() {
	started.Done()
	for {
		atomic.AddUint64(&spins, 1)
	}
}

// One goroutine of the program's own dump: its wait reason (the first item
// in the brackets of its header) and whether function fn is on its stack.
type want struct {
	fn, reason string
	n          int
}

// How many goroutines of a runtime.Stack(all) dump run each wanted
// function with the wanted reason ("" = any reason).
func census(dump []byte, wants []want) []int {
	got := make([]int, len(wants))
	for _, block := range bytes.Split(dump, []byte("\n\n")) {
		open := bytes.IndexByte(block, '[')
		end := bytes.IndexAny(block, ",]")
		if !bytes.HasPrefix(block, []byte("goroutine ")) || open < 0 || end < open {
			continue
		}
		reason := string(block[open+1 : end])
		for i, w := range wants {
			if (w.reason == "" || w.reason == reason) &&
				bytes.Contains(block, []byte("\n"+w.fn+"(")) {
				got[i]++
			}
		}
	}
	return got
}

// Polls the program's own goroutine dump until every wanted count is
// there and the goroutine count is total.
func waitInPosition(wants []want, total int) error {
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(time.Minute)
	for {
		n := runtime.Stack(buf, true)
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		got := census(buf[:n], wants)
		ok := runtime.NumGoroutine() == total
		for i, w := range wants {
			ok = ok && got[i] == w.n
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not in position after a minute: %d goroutines (want %d), counts %v for %v",
				runtime.NumGoroutine(), total, got, wants)
		}
		time.Sleep(time.Millisecond)
	}
}

func writeProfile(file string, debug int) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func main() {
	prefix := flag.String("profile", "", "write the goroutine profiles to `FILE`.1, FILE.2 and FILE.pb.gz")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gorout [-profile FILE]")
		os.Exit(64)
	}

	held.Lock()
	started.Add(nReceivers + nSelectors + nLockers + 2)
	for i := 0; i < nReceivers; i++ {
		go receiver()
	}
	for i := 0; i < nSelectors; i++ {
		go selector()
	}
	for i := 0; i < nLockers; i++ {
		go locker()
	}
	go sleeper()
	go spinner()
	started.Wait()

	wants := []want{
		{"main.receiver", "chan receive", nReceivers},
		{"main.selector", "select", nSelectors},
		{"main.locker", "semacquire", nLockers},
		{"main.sleeper", "sleep", 1},
		{"main.spinner", "", 1},
	}
	if err := waitInPosition(wants, 1+nReceivers+nSelectors+nLockers+2); err != nil {
		fmt.Fprintln(os.Stderr, "gorout:", err)
		os.Exit(1)
	}
	if *prefix != "" {
		for _, p := range []struct {
			suffix string
			debug  int
		}{{".1", 1}, {".2", 2}, {".pb.gz", 0}} {
			if err := writeProfile(*prefix+p.suffix, p.debug); err != nil {
				fmt.Fprintln(os.Stderr, "gorout:", err)
				os.Exit(1)
			}
		}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
}
