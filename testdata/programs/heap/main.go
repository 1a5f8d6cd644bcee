// heap is the fixture for `memlens heap`, `memlens spans` and `memlens span`: objects of known
// size classes at known addresses, a large object, and objects freed and collected, with the
// runtime's own count of in-use heap bytes read just before the program is inspected.
package main

import (
	"fmt"
	"runtime"
	"unsafe"

	"memlens.test/programs/fixture"
)

// noscan48 has no pointers: it is allocated in the 48-byte size class with the noscan bit set.
type noscan48 [6]uint64

// scan48 has a pointer: the same 48-byte size class, noscan bit clear.
type scan48 struct {
	p   *int
	pad [5]uint64
}

// scan1k has pointers and is larger than 512 bytes: from Go 1.22 its slot starts with an 8-byte
// malloc header and the object itself 8 bytes in.
type scan1k struct {
	p   *int
	pad [127]uint64
}

// freedSize is a size class of its own (6784 bytes, 6 objects in a 5-page span in every Go
// release 1.19-1.27) that nothing else in the program allocates, so that slots freed by the GC are
// not reused by other allocations before the program is inspected.
const freedSize = 6784

type freedObject [freedSize]byte

// largeSize is 1 MiB + 1 byte: a large object, in a span of its own.
const largeSize = 1<<20 + 1

// pageSize is the runtime's heap page size (_PageSize), 8 KiB on every platform memlens supports.
const pageSize = 8192

var (
	noscans []*noscan48
	scans   []*scan48
	large   []byte
	big     *scan1k
	bulk    []*noscan48
	kept    []*freedObject
	target  int
	parked  = make(chan struct{})
)

func hex(p unsafe.Pointer) string { return fmt.Sprintf("%#x", uintptr(p)) }

func main() {
	// Two spans' worth of objects in the private size class; every other one is dropped and the
	// GC frees it. The kept ones hold the spans in use.
	var all []*freedObject
	for i := 0; i < 12; i++ {
		all = append(all, new(freedObject))
	}
	var freed []interface{}
	var keptAddrs []interface{}
	for i, o := range all {
		if i%2 == 0 {
			kept = append(kept, o)
			keptAddrs = append(keptAddrs, hex(unsafe.Pointer(o)))
		} else {
			freed = append(freed, hex(unsafe.Pointer(o)))
		}
	}
	all = nil
	runtime.GC()
	runtime.GC()

	for i := 0; i < 200; i++ {
		noscans = append(noscans, new(noscan48))
		scans = append(scans, &scan48{p: &target})
	}
	large = make([]byte, largeSize)
	big = &scan1k{p: &target}
	// Bulk: about 4 MiB in 80000 more small objects, so that the few spans the program's last
	// lines (after it reads MemStats) take are a small fraction of heapInuse.
	for i := 0; i < 80000; i++ {
		bulk = append(bulk, new(noscan48))
	}
	// Collect once more: every object above is live, so this frees nothing, but it leaves
	// every span swept with freeindex back at 0, so allocation is read from the alloc bits.
	runtime.GC()

	fixture.Report("noscan48", hex(unsafe.Pointer(noscans[100])))
	fixture.Report("scan48", hex(unsafe.Pointer(scans[100])))
	// interior points 24 bytes into the object reported as scan48.
	fixture.Report("interior", hex(unsafe.Pointer(&scans[100].pad[2])))
	fixture.Report("interiorOffset", uintptr(unsafe.Pointer(&scans[100].pad[2]))-uintptr(unsafe.Pointer(scans[100])))
	fixture.Report("scan1k", hex(unsafe.Pointer(big)))
	fixture.Report("large", hex(unsafe.Pointer(&large[0])))
	fixture.Report("largeSize", largeSize)
	fixture.Report("largePages", (largeSize+pageSize-1)/pageSize)
	fixture.Report("freedSize", freedSize)
	fixture.Report("freed", fixture.List(freed...))
	fixture.Report("kept", fixture.List(keptAddrs...))
	global := &target
	fixture.Report("global", hex(unsafe.Pointer(global)))
	// A goroutine parks with a local variable on its (minimum-size, so never shrunk) stack.
	stackAddr := make(chan string)
	goids := make(chan int64)
	go func() {
		var local [4]int
		goids <- fixture.GoID()
		stackAddr <- hex(unsafe.Pointer(&local[1]))
		<-parked
	}()
	fixture.Report("stackGoroutine", <-goids)
	fixture.Report("stack", <-stackAddr)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// The runtime's own count of bytes in in-use spans, read as late as possible.
	fixture.Report("heapInuse", ms.HeapInuse)
	fixture.Ready()
}
