// goworkload: a small Go service for `make demo` and the README: a pool
// of workers that encode, hash and sort orders (CPU), a batcher parked on
// a channel, sessions waiting on a mutex a janitor holds, and idle
// connections in select, and a cache of recent orders that keeps memory
// - what a goroutine dump, a CPU profile and a heap profile of a real Go
// service look like.
//
// It prints "ready" once every goroutine is started, and exits when its
// standard input ends.
package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
)

type order struct {
	ID    int      `json:"id"`
	Buyer string   `json:"buyer"`
	Items []string `json:"items"`
	Total float64  `json:"total"`
}

type sessionManager struct {
	mu       sync.Mutex
	sessions map[int]time.Time
}

// cleanup holds the lock for a long time: the sessions pile up behind it.
func (m *sessionManager) cleanup() {
	m.mu.Lock()
	defer m.mu.Unlock()
	time.Sleep(time.Hour)
}

func (m *sessionManager) touch(id int) {
	m.mu.Lock()
	m.sessions[id] = time.Now()
	m.mu.Unlock()
}

// orderCache keeps the last encoded orders: the memory a heap profile
// finds in main.(*orderCache).put.
type orderCache struct {
	mu   sync.Mutex
	ring [][]byte
	next int
}

//go:noinline
func (c *orderCache) put(b []byte) {
	kept := make([]byte, len(b))
	copy(kept, b)
	c.mu.Lock()
	c.ring[c.next] = kept
	c.next = (c.next + 1) % len(c.ring)
	c.mu.Unlock()
}

var recent = &orderCache{ring: make([][]byte, 50000)}

// heapProfile writes its own heap profile (on -heapprofile).  A service
// that serves /debug/pprof links the runtime's profile readers; this one
// links them the same way, so its runtime records allocations (in a
// program that never uses them the linker switches memory profiling off).
func heapProfile() {
	if len(os.Args) > 1 && os.Args[1] == "-heapprofile" {
		pprof.WriteHeapProfile(os.Stdout)
		os.Exit(0)
	}
}

//go:noinline
func encode(o *order) []byte {
	b, _ := json.Marshal(o)
	return b
}

//go:noinline
func checksum(b []byte) [32]byte {
	sum := sha256.Sum256(b)
	for i := 0; i < 20; i++ {
		sum = sha256.Sum256(sum[:])
	}
	return sum
}

//go:noinline
func rank(orders []order) {
	sort.Slice(orders, func(i, j int) bool {
		return strings.Compare(orders[i].Buyer, orders[j].Buyer) < 0
	})
}

func worker(id int, out chan<- [32]byte) {
	orders := make([]order, 64)
	for n := 0; ; n++ {
		for i := range orders {
			orders[i] = order{ID: n*64 + i, Buyer: fmt.Sprintf("buyer-%d", (n*7+i*13)%97),
				Items: []string{"apple", "pear"}, Total: float64(i) * 1.5}
		}
		rank(orders)
		var last [32]byte
		for i := range orders {
			b := encode(&orders[i])
			if i%8 == 0 {
				recent.put(b)
			}
			last = checksum(b)
		}
		select {
		case out <- last:
		default:
		}
	}
}

func batcher(in <-chan [32]byte, stop <-chan struct{}) {
	for {
		select {
		case <-in:
		case <-stop:
			return
		}
	}
}

func idleConn(id int, wake <-chan struct{}) {
	select {
	case <-wake:
	case <-time.After(time.Duration(24+id) * time.Hour):
	}
}

func main() {
	heapProfile()
	m := &sessionManager{sessions: map[int]time.Time{}}
	var started sync.WaitGroup
	started.Add(1)
	go func() { started.Done(); m.cleanup() }()
	started.Wait()
	results := make(chan [32]byte)
	stop := make(chan struct{})
	wake := make(chan struct{})
	for i := 0; i < 2; i++ {
		go worker(i, results)
	}
	go batcher(results, stop)
	for i := 0; i < 40; i++ {
		go idleConn(i, wake)
	}
	for i := 0; i < 12; i++ {
		go m.touch(i)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	close(stop)
}
