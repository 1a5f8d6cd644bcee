// basic is the fixture for target handling and `memlens info`: a handful of goroutines in known
// states and nothing else.
package main

import "memlens.test/programs/fixture"

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
	fixture.Ready()
}
