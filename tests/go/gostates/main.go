// gostates: goroutines parked in known states, for the goroutine reader's
// tests.
//
//	gostates OUT [EXTRA]
//
// Starts 5 goroutines in main.receiver (blocked on a channel receive), 3
// in main.selecter (a select on two channels), 2 in main.mutexWaiter
// (blocked on a sync.Mutex that main holds), 1 in main.sleeper
// (time.Sleep), 1 in main.spin (a busy loop, always running) and 1 in
// main.lockedWaiter (runtime.LockOSThread, then a channel receive), plus
// EXTRA more receivers (default 0) for measurements on many goroutines.
// Four more goroutines have run and returned: their gs stay in the
// runtime's list, dead, and a reader must leave them out.
//
// It then takes its own goroutine dump (runtime/pprof "goroutine",
// debug=2) until every one of them is in position in it: all present,
// and none but main and the spinner running or runnable.  That dump is
// written to OUT, "ready" is printed on stdout, and main blocks for
// good.  The dump lists user goroutines only: runtime.Stack, which it
// uses, forces traceback level 1 whatever GOTRACEBACK says, so system
// goroutines (started at a runtime.* function other than runtime.main)
// are never in it.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	never   = make(chan int)
	never2  = make(chan int)
	held    sync.Mutex
	spinned uint64
)

//go:noinline
func receiver() { <-never }

//go:noinline
func selecter() {
	select {
	case <-never:
	case <-never2:
	}
}

//go:noinline
func mutexWaiter() {
	held.Lock()
	held.Unlock()
}

//go:noinline
func sleeper() { time.Sleep(24 * time.Hour) }

//go:noinline
func spin() {
	for {
		spinned++
	}
}

//go:noinline
func lockedWaiter() {
	runtime.LockOSThread()
	<-never
}

// The goroutines of a debug=2 dump: the first item in brackets and the
// main.* functions of each one's stack.
type gor struct {
	state string
	funcs []string
}

func parse(dump []byte) []gor {
	var gs []gor
	sc := bufio.NewScanner(bytes.NewReader(dump))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "goroutine ") {
			st := ""
			if i := strings.IndexByte(line, '['); i >= 0 {
				st = line[i+1:]
				if j := strings.IndexAny(st, ",]"); j >= 0 {
					st = st[:j]
				}
			}
			gs = append(gs, gor{state: st})
		} else if len(gs) > 0 && strings.HasPrefix(line, "main.") {
			if i := strings.IndexByte(line, '('); i >= 0 {
				g := &gs[len(gs)-1]
				g.funcs = append(g.funcs, line[:i])
			}
		}
	}
	return gs
}

// In position: every expected goroutine is there, and all but the
// dumper (listed first) and the spinner are parked.
func inPosition(gs []gor, want map[string]int) bool {
	seen := map[string]int{}
	for i, g := range gs {
		for _, f := range g.funcs {
			seen[f]++
		}
		if i == 0 || has(g.funcs, "main.spin") {
			continue
		}
		switch g.state {
		case "idle", "runnable", "running", "syscall", "copystack", "preempted":
			return false
		}
	}
	for f, n := range want {
		if seen[f] != n {
			return false
		}
	}
	return true
}

func has(fs []string, f string) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: gostates OUT [EXTRA]")
		os.Exit(64)
	}
	extra := 0
	if len(os.Args) == 3 {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil || n < 0 {
			fmt.Fprintln(os.Stderr, "gostates: bad EXTRA:", os.Args[2])
			os.Exit(64)
		}
		extra = n
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gostates:", err)
		os.Exit(1)
	}

	held.Lock()
	start := func(fn func(), n int) {
		for i := 0; i < n; i++ {
			go fn()
		}
	}
	start(receiver, 5+extra)
	start(selecter, 3)
	start(mutexWaiter, 2)
	start(sleeper, 1)
	start(spin, 1)
	start(lockedWaiter, 1)
	want := map[string]int{
		"main.receiver": 5 + extra, "main.selecter": 3, "main.mutexWaiter": 2,
		"main.sleeper": 1, "main.spin": 1, "main.lockedWaiter": 1,
	}
	// The GC's workers are started by the first collection: have them
	// exist before the dump, so none appears after it.
	runtime.GC()
	// Last, so that no goroutine started later reuses their gs.
	var done sync.WaitGroup
	for i := 0; i < 4; i++ {
		done.Add(1)
		go func() { done.Done() }()
	}
	done.Wait()

	var buf bytes.Buffer
	for {
		buf.Reset()
		if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
			fmt.Fprintln(os.Stderr, "gostates:", err)
			os.Exit(1)
		}
		if inPosition(parse(buf.Bytes()), want) {
			break
		}
		runtime.Gosched()
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		fmt.Fprintln(os.Stderr, "gostates:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gostates:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	select {}
}
