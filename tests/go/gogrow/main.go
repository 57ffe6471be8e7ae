// gogrow: a heap and a goroutine count that grow at known rates, for the
// tests of following a running Go program's profiles from outside.
//
//	go-gogrow [-rate N] [-bps BYTES_PER_SECOND]
//
// -rate N sets runtime.MemProfileRate to N as the first statement of main,
// in a way that also makes every processor sample at N from then on (see
// setMemProfileRate); without it Go's default (512 KiB) stays.  The
// program uses runtime/pprof (with -heapprofile it writes its heap profile
// and exits): a program that never calls into it has memory profiling
// switched off by the linker, and a blank import does not count.
//
// A goroutine on main.grower wakes every 50 ms (a time.Ticker) and keeps
// the heap it has allocated at -bps bytes (default 1 MiB) per second since
// it started: it adds chunks of 4096 bytes (one object each, allocated in
// main.grower, size class 4096 exactly, so the heap profile's in-use
// space of main.grower is 4096 times the chunks) to a global linked list
// while chunks*4096 <= bps*elapsed, writing one byte of each so the memory
// is touched.  Every 4th wake-up (200 ms) it runs runtime.GC(), so that
// the heap profile, which shows allocations only once a collection has
// run, follows within about 200 ms.  Once per second of elapsed time it
// starts a goroutine on main.parked, which blocks forever receiving from
// a channel: the goroutine count grows by one per second.
//
// Protocol (the same rule for every program in tests/go): exactly one line
// "ready" on stdout once the first chunk is allocated, nothing else on
// stdout, then it runs until its stdin reaches end of file (then exits
// with status 0) or it is killed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

const (
	chunkSize = 4096
	tick      = 50 * time.Millisecond
	gcEvery   = 4 // ticks
)

// One chunk of the growing heap: exactly one 4096-byte object.
type chunk struct {
	next *chunk
	pad  [chunkSize - 8]byte
}

var (
	rateSink *[64]byte // see setMemProfileRate
	head     *chunk
	parkCh   = make(chan struct{})
)

// Sets runtime.MemProfileRate so that every processor (P) samples at the
// new rate from now on.  Each P counts down the bytes to its next sample,
// a count drawn at the rate in force when it last sampled (at start, Go's
// default 512 KiB), and changing MemProfileRate leaves the counts alone:
// at a rate of 4096, the first half MiB or so allocated on each P would
// mostly go unsampled, and pprof's scaling, which assumes one rate
// throughout, would come out short.  A P draws again when it samples, and
// a P made by runtime.GOMAXPROCS starts with a fresh count.  So: shrink to
// one P (the first, the only one kept), make it sample once at rate 1
// (where its next count is 0), set the rate, and grow back.
//
//go:noinline
func setMemProfileRate(rate int) {
	if rate <= 1 {
		// 1 samples every allocation, 0 none: no count is consulted.
		runtime.MemProfileRate = rate
		return
	}
	procs := runtime.GOMAXPROCS(1)
	runtime.MemProfileRate = 1
	rateSink = new([64]byte)
	runtime.MemProfileRate = rate
	runtime.GOMAXPROCS(procs)
}

// The -rate value, read from os.Args before anything else allocates (the
// flag package does); ok is false when -rate is not given.
func earlyRate() (rate int, ok bool) {
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			return 0, false
		}
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		switch {
		case a == "rate" && i+1 < len(args):
			n, err := strconv.Atoi(args[i+1])
			return n, err == nil
		case strings.HasPrefix(a, "rate="):
			n, err := strconv.Atoi(a[len("rate="):])
			return n, err == nil
		case a == "bps":
			i++
		}
	}
	return 0, false
}

//go:noinline
func parked() {
	<-parkCh
}

//go:noinline
func grower(bps int64, started chan<- struct{}) {
	t := time.NewTicker(tick)
	start := time.Now()
	var chunks, spawned, ticks int64
	for {
		elapsed := time.Since(start)
		for (chunks+1)*chunkSize <= int64(float64(bps)*elapsed.Seconds()) {
			c := &chunk{next: head}
			c.pad[0] = 1
			head = c
			chunks++
		}
		for spawned < int64(elapsed/time.Second) {
			go parked()
			spawned++
		}
		if chunks > 0 && started != nil {
			close(started)
			started = nil
		}
		ticks++
		if ticks%gcEvery == 0 {
			runtime.GC()
		}
		<-t.C
	}
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-heapprofile" {
		pprof.WriteHeapProfile(os.Stdout)
		return
	}
	if r, ok := earlyRate(); ok {
		setMemProfileRate(r)
	}
	flag.Int("rate", 0, "set runtime.MemProfileRate to `N` first (default: Go's)")
	bps := flag.Int64("bps", 1<<20, "grow the heap by `BYTES` per second")
	flag.Parse()
	if flag.NArg() != 0 || *bps <= 0 {
		fmt.Fprintln(os.Stderr, "usage: gogrow [-rate N] [-bps BYTES_PER_SECOND>0]")
		os.Exit(64)
	}
	started := make(chan struct{})
	go grower(*bps, started)
	<-started
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
}
