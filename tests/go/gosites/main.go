// gosites: a heap profile of many buckets, for timing the reading of a Go
// program's heap profile from outside against Go's own writing of it.
//
//	go-gosites
//
// runtime.MemProfileRate is 1 (every allocation recorded).  For each of
// 20000 counters, main.descend walks down 15 levels of main.left and
// main.right, each level choosing by one bit of the counter, and the
// function at the bottom allocates 64 bytes, kept in a global slice: each
// counter is a distinct call stack, so the heap profile has 20000 buckets
// from these allocations, plus the program's other ones.  After
// runtime.GC() twice the program checks the count: runtime.MemProfile's
// records whose stack holds main.left or main.right must be 20000
// exactly (it prints "gosites: site_records=N records=N" on stderr and
// exits with status 1 otherwise).  It then times pprof.WriteHeapProfile
// into io.Discard five times, and prints on stdout
//
//	writeheap_ns N     the median of the five, in nanoseconds
//	buckets N          the records runtime.MemProfile returns after that
//	ready
//
// and reads its stdin until end of file; then it prints on stderr
//
//	gosites: since ready: mallocs=N collections=N mem_records=+N
//
// (all 0 when it kept its promise) and exits with status 0.  Before the
// count it has run two more collections with debug.FreeOSMemory() and
// turned the collector off (debug.SetGCPercent(-1)); after the count,
// nothing allocates, so a reader finds that many buckets (the five
// writes add some, with all-zero counts: their allocations show only
// after a collection, which never comes; see go-goheap).
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
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"syscall"
	"time"
)

const (
	nSites = 20000
	depth  = 15 // levels of left/right below descend: up to 32768 stacks
	object = 64 // bytes per allocation
)

var (
	kept = make([][]byte, nSites)

	// Made beforehand, so that nothing allocates after the count of
	// buckets: the output, stdin to wait on and its buffer, the
	// statistics at "ready" and at end of file.
	out      = make([]byte, 0, 128)
	stdin    *os.File
	stdinBuf [4096]byte
	atReady  runtime.MemStats
	atEOF    runtime.MemStats
)

//go:noinline
func left(level int, bits uint32, i int) {
	if level == 0 {
		kept[i] = make([]byte, object)
		return
	}
	if bits&1 != 0 {
		left(level-1, bits>>1, i)
	} else {
		right(level-1, bits>>1, i)
	}
}

//go:noinline
func right(level int, bits uint32, i int) {
	if level == 0 {
		kept[i] = make([]byte, object)
		return
	}
	if bits&1 != 0 {
		left(level-1, bits>>1, i)
	} else {
		right(level-1, bits>>1, i)
	}
}

// Counter i picks at each of the depth levels left (bit set) or right.
//
//go:noinline
func descend(i int) {
	bits := uint32(i)
	if bits&1 != 0 {
		left(depth-1, bits>>1, i)
	} else {
		right(depth-1, bits>>1, i)
	}
}

// The records of runtime.MemProfile with main.left or main.right on their
// stack, and all of them.
func countSites() (sites, all int) {
	n, _ := runtime.MemProfile(nil, true)
	var recs []runtime.MemProfileRecord
	for {
		recs = make([]runtime.MemProfileRecord, n+100)
		var ok bool
		if n, ok = runtime.MemProfile(recs, true); ok {
			break
		}
	}
	for _, r := range recs[:n] {
		for _, pc := range r.Stack() {
			f := runtime.FuncForPC(pc - 1)
			if f != nil && (f.Name() == "main.left" || f.Name() == "main.right") {
				sites++
				break
			}
		}
	}
	return sites, n
}

// Stdin, to wait on: a pipe or a socket is made non-blocking and read
// through the runtime's poller, so that waiting parks the goroutine
// instead of blocking its thread in the kernel (then the runtime may hand
// the thread's processor to another thread, which it may have to create:
// an allocation).
func waitableStdin() *os.File {
	var st syscall.Stat_t
	if syscall.Fstat(0, &st) != nil {
		return os.Stdin
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFIFO, syscall.S_IFSOCK:
		if syscall.SetNonblock(0, true) == nil {
			return os.NewFile(0, "/dev/stdin")
		}
	}
	return os.Stdin
}

func main() {
	runtime.MemProfileRate = 1
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: gosites")
		os.Exit(64)
	}
	for i := 0; i < nSites; i++ {
		descend(i)
	}
	runtime.GC()
	runtime.GC()
	// Two more collections that return all free memory to the system:
	// the runtime's scavenger then has nothing left to do and stops
	// (go-goheap explains why that matters); then no more collections.
	debug.FreeOSMemory()
	debug.FreeOSMemory()
	debug.SetGCPercent(-1)
	stdin = waitableStdin()

	sites, all := countSites()
	fmt.Fprintf(os.Stderr, "gosites: site_records=%d records=%d\n", sites, all)
	if sites != nSites {
		fmt.Fprintf(os.Stderr, "gosites: want %d records from main.left/main.right\n", nSites)
		os.Exit(1)
	}

	var times [5]time.Duration
	for i := range times {
		start := time.Now()
		if err := pprof.WriteHeapProfile(io.Discard); err != nil {
			fmt.Fprintln(os.Stderr, "gosites:", err)
			os.Exit(1)
		}
		times[i] = time.Since(start)
	}
	sort.Slice(times[:], func(i, j int) bool { return times[i] < times[j] })

	// From here on nothing allocates.
	buckets, _ := runtime.MemProfile(nil, true)
	out = append(out, "writeheap_ns "...)
	out = strconv.AppendInt(out, int64(times[len(times)/2]), 10)
	out = append(out, "\nbuckets "...)
	out = strconv.AppendInt(out, int64(buckets), 10)
	out = append(out, "\nready\n"...)
	runtime.ReadMemStats(&atReady)
	os.Stdout.Write(out)
	for {
		_, err := stdin.Read(stdinBuf[:])
		if err == nil {
			continue
		}
		if err != io.EOF {
			fmt.Fprintln(os.Stderr, "gosites: reading stdin:", err)
			os.Exit(1)
		}
		break
	}
	runtime.ReadMemStats(&atEOF)
	now, _ := runtime.MemProfile(nil, true)
	fmt.Fprintf(os.Stderr, "gosites: since ready: mallocs=%d collections=%d mem_records=+%d\n",
		atEOF.Mallocs-atReady.Mallocs, atEOF.NumGC-atReady.NumGC, now-buckets)
}
