package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

// The sync feature's demo state: a sync.Map whose entries are in every state the implementation
// has, a mutex with three goroutines queued on it, and an RWMutex with readers inside, a writer
// waiting for them and a reader queued behind the writer.
var (
	demoSyncMap sync.Map
	demoMutex   sync.Mutex
	demoRWMutex sync.RWMutex
)

func init() { setups = append(setups, setupSync) }

func setupSync() {
	// With the read/dirty sync.Map (Go <= 1.23) this leaves: read {a: live, b: expunged, c:
	// deleted, d: live} sharing a, c and d with dirty, and e..h only in dirty. With the hash-trie
	// (Go 1.24+) it leaves the live keys in a small trie.
	for i, k := range []string{"a", "b", "c", "d"} {
		demoSyncMap.Store(k, i+1)
	}
	for i := 0; i < 4; i++ {
		demoSyncMap.Load("a") // enough misses to promote dirty to read
	}
	demoSyncMap.Delete("b")
	demoSyncMap.Store("e", 5) // rebuilds dirty: b is expunged
	demoSyncMap.Store("a", 10)
	demoSyncMap.Delete("c")
	for i, k := range []string{"f", "g", "h"} {
		demoSyncMap.Store(k, fmt.Sprintf("value %d", i))
	}
	report("syncmap.len", 6)

	demoMutex.Lock()
	for i := 0; i < 3; i++ {
		go func() {
			demoMutex.Lock()
			demoMutex.Unlock()
		}()
		time.Sleep(5 * time.Millisecond) // queue them in a known order
	}

	for i := 0; i < 2; i++ {
		go func() {
			demoRWMutex.RLock()
			select {} // a reader that never leaves
		}()
	}
	time.Sleep(5 * time.Millisecond)
	go demoRWMutex.Lock() // waits for the two readers to leave
	time.Sleep(5 * time.Millisecond)
	go demoRWMutex.RLock() // queued behind the pending writer

	// Garbage collections after everyone has parked record when they were first seen waiting
	// (g.waitsince), so memlens can say how long they have waited. (One collection was not
	// always enough in a young program with Go 1.26: waitsince stayed 0.)
	go func() {
		time.Sleep(20 * time.Millisecond)
		runtime.GC()
		runtime.GC()
	}()
}
