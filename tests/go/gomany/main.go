// gomany: many parked goroutines, for the goroutine-dump benchmark.
//
//	go-gomany [N]
//
// Starts N goroutines (default 10000): of every ten, eight block receiving
// from a channel in main.receiver [chan receive], one blocks in a two-case
// select in main.selector [select] and one sleeps for 24 hours in
// main.sleeper [sleep].  Each is started by a `go` statement on the named
// function itself.  The program knows they are in position when all of them
// have told a WaitGroup they started, runtime.NumGoroutine() is N+1, and its
// own goroutine dump (runtime.Stack of all goroutines) shows each named
// function with the expected wait reason as often as expected: it polls
// that dump every 10 ms, for at most two minutes (then exits with status 1).
//
// Protocol (the same rule for every program in tests/go): exactly one line
// "ready" on stdout when in position, then it stays until its stdin reaches
// end of file (the main goroutine blocks reading it) or it is killed.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

var (
	started sync.WaitGroup
	recvCh  = make(chan int)
	selA    = make(chan int)
	selB    = make(chan int)
	sink    int
)

func receiver() {
	started.Done()
	sink += <-recvCh
}

func selector() {
	started.Done()
	select {
	case <-selA:
	case <-selB:
	}
}

func sleeper() {
	started.Done()
	time.Sleep(24 * time.Hour)
}

type want struct {
	fn, reason string
	n          int
}

// How many goroutines of a runtime.Stack(all) dump run each wanted
// function with the wanted wait reason (the first item in the brackets of
// the goroutine's header).
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
			if w.reason == reason && bytes.Contains(block, []byte("\n"+w.fn+"(")) {
				got[i]++
			}
		}
	}
	return got
}

// Polls the program's own goroutine dump until every wanted count is
// there and the goroutine count is total.
func waitInPosition(wants []want, total int) error {
	buf := make([]byte, 4<<20)
	deadline := time.Now().Add(2 * time.Minute)
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
			return fmt.Errorf("not in position after two minutes: %d goroutines (want %d), counts %v for %v",
				runtime.NumGoroutine(), total, got, wants)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func main() {
	n := 10000
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: gomany [N]")
		os.Exit(64)
	}
	if len(os.Args) == 2 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 || v > 10000000 {
			fmt.Fprintln(os.Stderr, "gomany: N must be a number from 1 to 10000000, not", os.Args[1])
			os.Exit(64)
		}
		n = v
	}

	wants := []want{{"main.receiver", "chan receive", 0}, {"main.selector", "select", 0},
		{"main.sleeper", "sleep", 0}}
	started.Add(n)
	for i := 0; i < n; i++ {
		switch i % 10 {
		case 8:
			wants[1].n++
			go selector()
		case 9:
			wants[2].n++
			go sleeper()
		default:
			wants[0].n++
			go receiver()
		}
	}
	started.Wait()
	if err := waitInPosition(wants, n+1); err != nil {
		fmt.Fprintln(os.Stderr, "gomany:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
}
