// basic is the fixture for target handling and `memlens info`: a handful of goroutines in known
// states and nothing else.
package main

import (
	"sync"

	"memlens.test/programs/fixture"
)

// parked goroutines wait on this channel forever.
var never = make(chan struct{})

func main() {
	const parked = 3
	var started sync.WaitGroup
	started.Add(parked)
	for i := 0; i < parked; i++ {
		go func() {
			started.Done()
			<-never
		}()
	}
	started.Wait()
	fixture.Report("parked", parked)
	fixture.Ready()
}
