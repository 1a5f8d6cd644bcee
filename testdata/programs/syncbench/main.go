// syncbench is the benchmark fixture of `memlens syncmap` and `memlens mutex` (benchmarks only, never
// tests): a sync.Map of SYNCBENCH_ENTRIES entries (int key i -> string "v<i>"; default 0), and a
// mutex with three waiters while SYNCBENCH_PARKED other goroutines (default 0) are parked on
// SYNCBENCH_PARKED other mutexes, so their sudogs fill the same semaphore table.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"memlens.test/programs/fixture"
)

var (
	bigMap     sync.Map
	benchMutex sync.Mutex
	others     []sync.Mutex
)

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

func waiters(m *sync.Mutex) int32 {
	return atomic.LoadInt32((*int32)(unsafe.Pointer(m))) >> 3
}

func main() {
	entries := envInt("SYNCBENCH_ENTRIES")
	for i := 0; i < entries; i++ {
		bigMap.Store(i, fmt.Sprintf("v%d", i))
	}
	fixture.Report("entries", entries)

	parked := envInt("SYNCBENCH_PARKED")
	others = make([]sync.Mutex, parked)
	for i := range others {
		others[i].Lock()
		go func(m *sync.Mutex) { m.Lock() }(&others[i])
	}
	benchMutex.Lock()
	for i := 0; i < 3; i++ {
		go func() { benchMutex.Lock() }()
	}
	for waiters(&benchMutex) < 3 {
		time.Sleep(time.Millisecond)
	}
	for i := range others {
		for waiters(&others[i]) < 1 {
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(100 * time.Millisecond) // let the last waiters park in the semaphore table
	fixture.Report("parked", parked)
	fixture.Ready()
}
