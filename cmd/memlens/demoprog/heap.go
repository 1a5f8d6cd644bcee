package main

import (
	"fmt"
	"runtime"
	"unsafe"
)

// The heap demo: objects of a few size classes, a large object, and a span with freed slots.
var (
	heapSmall  []*[2]uint64  // 16-byte class, noscan
	heapMedium []*heapNode   // 48-byte class, with pointers
	heapBig    []*[128]byte  // 128-byte class
	heapKB     []*[1024]byte // 1 KiB class
	heapLarge  []byte        // a large object: a span of its own
)

type heapNode struct {
	next *heapNode
	val  [5]uint64
}

func init() { setups = append(setups, setupHeap) }

func setupHeap() {
	var nodes []*heapNode
	for i := 0; i < 400; i++ {
		nodes = append(nodes, &heapNode{})
	}
	// Keep two of every three nodes: the GC frees the rest and their slots show as free.
	for i, n := range nodes {
		if i%3 != 2 {
			heapMedium = append(heapMedium, n)
		}
	}
	nodes = nil
	for i := 0; i < 600; i++ {
		heapSmall = append(heapSmall, new([2]uint64))
	}
	for i := 0; i < 100; i++ {
		heapBig = append(heapBig, new([128]byte))
	}
	for i := 0; i < 20; i++ {
		heapKB = append(heapKB, new([1024]byte))
	}
	heapLarge = make([]byte, 3<<20)
	runtime.GC()
	report("heap.gridObject", fmt.Sprintf("%#x", uintptr(unsafe.Pointer(heapMedium[len(heapMedium)/2]))))
	report("heap.large", fmt.Sprintf("%#x", uintptr(unsafe.Pointer(&heapLarge[0]))))
}
