// bigheap is the benchmark fixture for `memlens heap` at scale: about 1 GiB of live heap in
// millions of small objects (a linked list of 64-byte nodes, each holding a 32-byte pointer-free
// payload). It is used by benchmarks only, never by the normal test run.
package main

import (
	"runtime"
	"runtime/debug"

	"memlens.test/programs/fixture"
)

type payload [4]uint64 // 32 bytes, no pointers

type node struct {
	next *node
	data *payload
	pad  [5]uint64 // 56 bytes in all: the 64-byte size class
}

// nodes * (64 + 32) bytes = about 1 GiB.
const nodes = 11 << 20

var head *node

func main() {
	// Building a heap this size with the GC running would take many cycles; nothing here is
	// garbage, so collect once at the end instead.
	debug.SetGCPercent(-1)
	for i := 0; i < nodes; i++ {
		head = &node{next: head, data: new(payload)}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fixture.Report("objects", 2*nodes)
	fixture.Report("heapInuse", ms.HeapInuse)
	fixture.Report("heapAlloc", ms.HeapAlloc)
	fixture.Ready()
}
