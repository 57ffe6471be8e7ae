// goheap: memory, mutex and block profile data made by known functions,
// and the program's own profiles of that moment, for the tests of reading
// a Go program's profile buckets from outside.
//
//	go-goheap [-rate N] [-dir DIR]
//
// -rate N sets runtime.MemProfileRate to N as the first statement of main
// (1 records every allocation), in a way that also makes every processor
// sample at N from then on (see setMemProfileRate); without it Go's
// default (512 KiB) stays.
// It then, in this order:
//
//   - main.retainer keeps 4000 small objects (500 each of the size classes
//     512, 640, ..., 1408 bytes: 3840000 bytes) and 16 objects of 256 KiB
//     (4 MiB) in a global slice;
//   - main.churner allocates 16 batches of 4096 objects of 1 KiB (plus the
//     32 KiB slice holding each batch), each batch garbage at once: 64.5 MiB;
//   - with runtime.SetMutexProfileFraction(1) and SetBlockProfileRate(1),
//     8 goroutines on main.mutexContender take turns on one sync.Mutex,
//     yielding while they hold it (so the others wait even on one CPU),
//     and 4 goroutines on main.blocker receive from an unbuffered channel
//     that main.delayedSender feeds after a 1 ms sleep per value; all of
//     them are joined before going on;
//   - runs runtime.GC() twice, then debug.FreeOSMemory() twice (two more
//     collections, see "Quiet" below), then turns the collector off with
//     debug.SetGCPercent(-1): no collection starts by itself any more, not
//     even the forced one every two minutes.
//
// With -dir DIR it then writes, each to a temporary name in DIR renamed
// when complete and in this order: heap.pb.gz, heap.txt (debug=1),
// allocs.pb.gz, mutex.pb.gz, mutex.txt (debug=1), block.pb.gz and
// block.txt (debug=1).  Then it prints on stderr one line
//
//	goheap: rate=R mem_records=N block_records=N mutex_records=N
//
// (runtime.MemProfileRate, and how many records runtime.MemProfile(nil,
// true), BlockProfile and MutexProfile return now), then "ready" on
// stdout, and reads its stdin until end of file.  At end of file it prints
// on stderr
//
//	goheap: since ready: mallocs=N collections=N mem_records=+N
//
// (all 0 when it kept its promise below) and exits with status 0.
//
// Quiet: from the stderr line on, the program allocates nothing, starts
// no collection and runs no goroutine but the main one, waiting on stdin
// (a pipe or socket is read through the runtime's poller, so the wait
// parks the goroutine and does not make the runtime start a thread,
// which would allocate).  The runtime's own background scavenger is
// quiet too: it returns memory to the system after each collection,
// sleeping on a timer between rounds, and a round cut short by the next
// collection leaves a re-armed timer that runtime.adjusttimers later
// moves into a slice it allocates, at any time, "ready" included.  After
// FreeOSMemory has returned all memory, the next collection's wake-up
// finds no work and the scavenger parks without re-arming its timer;
// hence the two FreeOSMemory calls.  So a reader of the profile buckets
// after "ready" sees what the files describe (the heap profile as
// MemProfile gives it: allocations after the last collection do not
// show), with one difference: writing the files allocates, and an
// allocation sampled from a stack the heap profile had not seen makes a
// new bucket whose counts stay pending until a next collection, which
// never comes.  MemProfile reports such a bucket as a record of zeros
// (0: 0 [0: 0]), so a reader finds more all-zero records than heap.pb.gz
// holds (heap.txt, written later, has some of them too; mem_records counts
// them all).  At the default rate there are a few; at -rate 1, hundreds.
// The records with a nonzero count are the same everywhere.  Writing blocks
// on nothing, so the block and mutex profiles do not change; the program
// checks that and says so on its stderr line if they did.
//
// Protocol (the same rule for every program in tests/go): exactly one line
// "ready" on stdout when in position, then it stays until its stdin reaches
// end of file or it is killed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	nSmall      = 4000
	nLarge      = 16
	largeSize   = 256 << 10
	churnRounds = 16
	churnBatch  = 4096
	churnSize   = 1024
	nContenders = 8
	contentions = 200 // lock/unlock pairs per contender
	nBlockers   = 4
	receives    = 25 // values each blocker receives
)

var (
	rateSink  *[64]byte // see setMemProfileRate
	retained  [][]byte
	churnSink [][]byte
	contended sync.Mutex
	holds     int
	blockCh   = make(chan int)
	received  int64

	// Made beforehand, so that nothing allocates once the profiles are
	// written: stdin to wait on, its buffer, the stderr lines, room for
	// the block and mutex records, and the statistics at "ready" and at
	// end of file.
	stdin    *os.File
	atReady  runtime.MemStats
	atEOF    runtime.MemStats
	stdinBuf [4096]byte
	line     = make([]byte, 0, 256)
	blockRec = make([]runtime.BlockProfileRecord, 64)
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
		case a == "dir":
			i++
		}
	}
	return 0, false
}

//go:noinline
func retainer() {
	retained = make([][]byte, 0, nSmall+nLarge)
	for i := 0; i < nSmall; i++ {
		retained = append(retained, make([]byte, 512+(i%8)*128))
	}
	for i := 0; i < nLarge; i++ {
		retained = append(retained, make([]byte, largeSize))
	}
}

//go:noinline
func churner() {
	for r := 0; r < churnRounds; r++ {
		batch := make([][]byte, churnBatch)
		for i := range batch {
			batch[i] = make([]byte, churnSize)
		}
		churnSink = batch
		churnSink = nil
	}
}

//go:noinline
func mutexContender(wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < contentions; i++ {
		contended.Lock()
		holds++
		runtime.Gosched() // let the others run into the held lock
		contended.Unlock()
	}
}

//go:noinline
func blocker(wg *sync.WaitGroup) {
	defer wg.Done()
	sum := 0
	for i := 0; i < receives; i++ {
		sum += <-blockCh
	}
	atomic.AddInt64(&received, int64(sum))
}

//go:noinline
func delayedSender(wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < nBlockers*receives; i++ {
		time.Sleep(time.Millisecond)
		blockCh <- i
	}
}

func contend() {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	var wg sync.WaitGroup
	wg.Add(nContenders + nBlockers + 1)
	for i := 0; i < nContenders; i++ {
		go mutexContender(&wg)
	}
	for i := 0; i < nBlockers; i++ {
		go blocker(&wg)
	}
	go delayedSender(&wg)
	wg.Wait()
}

func writeOne(dir, file, profile string, debug int) error {
	tmp := filepath.Join(dir, "."+file+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(profile).WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, file))
}

var files = []struct {
	file, profile string
	debug         int
}{
	{"heap.pb.gz", "heap", 0},
	{"heap.txt", "heap", 1},
	{"allocs.pb.gz", "allocs", 0},
	{"mutex.pb.gz", "mutex", 0},
	{"mutex.txt", "mutex", 1},
	{"block.pb.gz", "block", 0},
	{"block.txt", "block", 1},
}

func writeAll(dir string) error {
	for _, f := range files {
		if err := writeOne(dir, f.file, f.profile, f.debug); err != nil {
			return err
		}
	}
	return nil
}

// The block and mutex profiles in short: bucket counts and the sums of
// their counts and cycles.  Writing the profiles must not change them (it
// blocks on nothing); that is checked, allocating nothing.
type countCycles struct {
	block, mutex                   int
	blockCount, blockCycles        int64
	mutexCount, mutexCycles        int64
	blockTruncated, mutexTruncated bool
}

func sums(n int, ok bool) (count, cycles int64, truncated bool) {
	if !ok {
		return 0, 0, true
	}
	for _, r := range blockRec[:n] {
		count += r.Count
		cycles += r.Cycles
	}
	return count, cycles, false
}

func countCycleState() countCycles {
	var s countCycles
	s.block, _ = runtime.BlockProfile(nil)
	s.mutex, _ = runtime.MutexProfile(nil)
	s.blockCount, s.blockCycles, s.blockTruncated = sums(runtime.BlockProfile(blockRec))
	s.mutexCount, s.mutexCycles, s.mutexTruncated = sums(runtime.MutexProfile(blockRec))
	return s
}

func appendField(b []byte, name string, v int64) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, '=')
	return strconv.AppendInt(b, v, 10)
}

// Stdin, to wait on.  A pipe or a socket is made non-blocking and read
// through the runtime's poller: waiting then parks the goroutine and
// leaves its thread idle, while a read blocked in the kernel lets the
// runtime hand the thread's processor to another thread, which it may
// have to create, and creating one allocates (in runtime.allocm).
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
	if r, ok := earlyRate(); ok {
		setMemProfileRate(r)
	}
	flag.Int("rate", 0, "set runtime.MemProfileRate to `N` first (default: Go's)")
	dir := flag.String("dir", "", "write the profiles into `DIR`")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: goheap [-rate N] [-dir DIR]")
		os.Exit(64)
	}

	retainer()
	churner()
	contend()
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	debug.FreeOSMemory()
	debug.SetGCPercent(-1)

	stdin = waitableStdin()
	before := countCycleState()
	if *dir != "" {
		if err := writeAll(*dir); err != nil {
			fmt.Fprintln(os.Stderr, "goheap:", err)
			os.Exit(1)
		}
	}
	after := countCycleState()

	// From here on nothing allocates.
	nMem, _ := runtime.MemProfile(nil, true)
	line = append(line[:0], "goheap:"...)
	line = appendField(line, "rate", int64(runtime.MemProfileRate))
	line = appendField(line, "mem_records", int64(nMem))
	line = appendField(line, "block_records", int64(after.block))
	line = appendField(line, "mutex_records", int64(after.mutex))
	if before != after {
		line = append(line, " (the block or mutex profile changed while writing)"...)
	}
	line = append(line, '\n')
	os.Stderr.Write(line)
	runtime.ReadMemStats(&atReady)

	os.Stdout.Write(append(line[:0], "ready\n"...))
	for {
		_, err := stdin.Read(stdinBuf[:])
		if err == nil {
			continue
		}
		if err != io.EOF {
			fmt.Fprintln(os.Stderr, "goheap: reading stdin:", err)
			os.Exit(1)
		}
		break
	}

	runtime.ReadMemStats(&atEOF)
	nNow, _ := runtime.MemProfile(nil, true)
	line = append(line[:0], "goheap: since ready:"...)
	line = appendField(line, "mallocs", int64(atEOF.Mallocs-atReady.Mallocs))
	line = appendField(line, "collections", int64(atEOF.NumGC-atReady.NumGC))
	line = append(line, " mem_records=+"...)
	line = strconv.AppendInt(line, int64(nNow-nMem), 10)
	line = append(line, '\n')
	os.Stderr.Write(line)
}
