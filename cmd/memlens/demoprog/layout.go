package main

import "unsafe"

// layoutSession is the demo's struct with padding: declared in an order that takes 32 bytes on
// 64-bit targets, 16 of them padding; ordered id, weight, retries, active, closed it takes 16.
type layoutSession struct {
	active  bool
	id      int64
	retries uint16
	weight  float32
	closed  bool
}

// layoutDemo is what `memlens layout main.layoutDemo` shows in the demo.
var layoutDemo = layoutSession{active: true, id: 42, retries: 3, weight: 0.5}

func init() {
	setups = append(setups, func() {
		report("layout.size", unsafe.Sizeof(layoutDemo))
		report("layout.id", layoutDemo.id)
	})
}
