// basic is the fixture for target handling and `memlens info`: a handful of goroutines in known
// states and nothing else.
package main

import (
	"runtime"

	"memlens.test/programs/fixture"
)

// parked goroutines wait on this channel forever.
var never = make(chan struct{})

func main() {
	const parked = 3
	ids := make(chan int64)
	for i := 0; i < parked; i++ {
		go func() {
			ids <- fixture.GoID()
			<-never
		}()
	}
	var parkedIDs []interface{}
	for i := 0; i < parked; i++ {
		parkedIDs = append(parkedIDs, <-ids)
	}
	// The ids of the goroutines blocked receiving from never.
	fixture.Report("parked", fixture.List(parkedIDs...))

	// A goroutine with a local variable whose value is known, for --goroutine/--frame scopes.
	go holder(4242, ids)
	holderID := <-ids
	fixture.Report("holder", holderID)
	fixture.Report("secret", 4242)
	fixture.AwaitBlocked(append(parkedIDs, holderID)...)
	fixture.Ready()
}

// holder parks with a live local variable, secret, in its frame.
//
//go:noinline
func holder(seed int64, ids chan<- int64) {
	secret := seed
	ids <- fixture.GoID()
	<-never
	runtime.KeepAlive(secret) // keeps secret's DWARF location valid while parked
}
