// syncs is the fixture for `memlens syncmap` and `memlens mutex`: sync.Maps in known states and
// mutexes unlocked, locked, contended, starving, and an RWMutex with readers inside, a pending
// writer and queued goroutines. Everything lives in package-level variables (main.seqMap, ...).
//
// The program runs with GOMAXPROCS=1 (set at the start of main) so that the mutex states are
// reproducible: no spinning, and a woken waiter runs only when main lets it.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"memlens.test/programs/fixture"
)

var (
	// seqMap is driven through the sequence in buildSeqMap.
	seqMap sync.Map
	// emptyMap is never used.
	emptyMap sync.Map
	// bigMap holds bigMapLen entries: int key i -> string value "v<i>".
	bigMap sync.Map

	muUnlocked  sync.Mutex // never locked
	muLocked    sync.Mutex // locked by main, nobody waits
	muContended sync.Mutex // locked by main, three goroutines wait (ids in report key contended)
	muStarving  sync.Mutex // locked, in starvation mode, one goroutine waits (report key starver)
	rw          sync.RWMutex
)

const bigMapLen = 3000

// never blocks forever the goroutines that hold read locks.
var never = make(chan struct{})

func main() {
	runtime.GOMAXPROCS(1)
	buildSeqMap()
	// Reporting its address keeps the never-used emptyMap in the binary.
	fixture.Report("emptyMap.addr", fmt.Sprintf("%p", &emptyMap))
	buildBigMap()

	muLocked.Lock()
	fixture.Report("muLocked.state", mutexState(&muLocked))
	fixture.Report("muUnlocked.state", mutexState(&muUnlocked))

	buildContended()
	buildStarving()
	buildRWMutex()

	// Let the garbage collector see the parked goroutines: it records g.waitsince. (One
	// collection was not always enough in a young program with Go 1.26: waitsince stayed 0.)
	runtime.GC()
	runtime.GC()
	fixture.Ready()
}

// buildSeqMap drives seqMap through a known sequence. With the read/dirty implementation
// (Go <= 1.23) it ends as:
//
//	read (amended): "a" live 10 (shared with dirty), "b" expunged, "c" deleted (shared), "d" live 4 (shared)
//	dirty: "a" 10, "c" deleted, "d" 4, "e" 5;  misses 1
//
// and with either implementation its live contents are a=10 d=4 e=5.
func buildSeqMap() {
	drive(&seqMap)
	// Range would promote seqMap's dirty map to read, so the live contents are taken from a twin
	// driven through the same sequence.
	var twin sync.Map
	drive(&twin)
	var live []interface{}
	twin.Range(func(k, v interface{}) bool {
		live = append(live, fmt.Sprintf("%v=%v", k, v))
		return true
	})
	fixture.Report("seqMap.live", sortedList(live))
}

func drive(m *sync.Map) {
	for i, k := range []string{"a", "b", "c", "d"} {
		m.Store(k, i+1) // dirty: a b c d (read empty, amended)
	}
	for i := 0; i < 4; i++ {
		m.Load("a") // 4 misses = len(dirty): dirty is promoted to read
	}
	m.Delete("b")    // read's entry for b -> nil (deleted)
	m.Store("e", 5)  // rebuilds dirty from read: b's nil entry becomes expunged, not copied
	m.Store("a", 10) // updates the entry read and dirty share
	m.Delete("c")    // read and dirty share c's entry -> nil
	m.Load("e")      // one miss
}

// buildBigMap stores bigMapLen entries; Range (which promotes dirty to read in read/dirty maps)
// counts them.
func buildBigMap() {
	for i := 0; i < bigMapLen; i++ {
		bigMap.Store(i, fmt.Sprintf("v%d", i))
	}
	n := 0
	bigMap.Range(func(k, v interface{}) bool {
		if v.(string) == fmt.Sprintf("v%d", k.(int)) {
			n++
		}
		return true
	})
	fixture.Report("bigMap.len", n)
}

// buildContended locks muContended and queues three goroutines on it one at a time, so the
// queue order is the start order.
func buildContended() {
	muContended.Lock()
	var ids []interface{}
	for i := 0; i < 3; i++ {
		id := make(chan int64)
		go func() {
			id <- fixture.GoID()
			muContended.Lock()
		}()
		gid := <-id
		waitParked(gid)
		ids = append(ids, gid)
	}
	fixture.Report("contended", fixture.List(ids...))
	fixture.Report("muContended.state", mutexState(&muContended))
}

// buildStarving makes muStarving starve: a waiter blocks for more than starvationThresholdNs (1
// ms), then main unlocks (waking it) and locks again before it runs. The woken waiter finds the
// lock taken after waiting too long, sets mutexStarving and queues again at the head.
func buildStarving() {
	muStarving.Lock()
	id := make(chan int64)
	go func() {
		id <- fixture.GoID()
		muStarving.Lock()
	}()
	gid := <-id
	waitParked(gid)
	time.Sleep(5 * time.Millisecond) // well over the 1 ms starvation threshold
	muStarving.Unlock()              // wakes the waiter; with GOMAXPROCS=1 it cannot run yet
	muStarving.Lock()                // main takes the lock back first
	for mutexState(&muStarving)&4 == 0 {
		time.Sleep(time.Millisecond) // let the waiter run, see it starved, and park again
	}
	waitParked(gid)
	fixture.Report("starver", gid)
	fixture.Report("muStarving.state", mutexState(&muStarving))
}

// buildRWMutex puts two readers inside rw, then a writer that waits for them to leave (on
// writerSem), a second writer queued on the writer mutex rw.w, and a reader queued behind the
// pending writer (on readerSem).
func buildRWMutex() {
	var readers []interface{}
	for i := 0; i < 2; i++ {
		id := make(chan int64)
		go func() {
			rw.RLock()
			id <- fixture.GoID()
			<-never
		}()
		readers = append(readers, <-id)
	}
	start := func(f func()) int64 {
		id := make(chan int64)
		go func() {
			id <- fixture.GoID()
			f()
		}()
		gid := <-id
		waitParked(gid)
		return gid
	}
	writer := start(rw.Lock)
	writer2 := start(rw.Lock)
	reader := start(rw.RLock)
	fixture.Report("rw.readers", fixture.List(readers...))
	fixture.Report("rw.writer", writer)
	fixture.Report("rw.writer2", writer2)
	fixture.Report("rw.queuedReader", reader)
}

// mutexState reads a mutex's state word: the first 4 bytes of sync.Mutex in every Go version
// (sync.Mutex.state up to 1.23, sync.Mutex.mu.state from 1.24).
func mutexState(m *sync.Mutex) int32 {
	return atomic.LoadInt32((*int32)(unsafe.Pointer(m)))
}

// waitParked returns once goroutine id is parked on a semaphore, as runtime.Stack reports it
// ("goroutine 7 [sync.Mutex.Lock]:"; "[semacquire]" in Go 1.19).
func waitParked(id int64) {
	prefix := fmt.Sprintf("goroutine %d [", id)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			if !strings.HasPrefix(line, prefix) {
				continue
			}
			reason := strings.TrimPrefix(line, prefix)
			for _, r := range []string{"semacquire", "sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock"} {
				if strings.HasPrefix(reason, r) {
					return
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
}

func sortedList(items []interface{}) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = fmt.Sprint(it)
	}
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return strings.Join(s, " ")
}
