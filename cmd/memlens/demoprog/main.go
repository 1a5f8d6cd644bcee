// Command demoprog is the program `memlens demo` builds, runs and inspects. Each feature of memlens
// adds a file here that builds an interesting runtime state in init-registered setup functions
// (channels in chan.go, and so on); main runs them, reports what they built as key=value lines,
// prints "ready" and sleeps until memlens is done with it.
//
// It is embedded in memlens and built with the local Go toolchain, so it must build with any
// supported Go release (1.19 and later) and import only the standard library.
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

// setups build the demo's state; feature files append to it from init.
var setups []func()

// report prints one key=value fact for memlens.
func report(key string, value interface{}) { fmt.Printf("%s=%v\n", key, value) }

func main() {
	for _, setup := range setups {
		setup()
	}
	time.Sleep(50 * time.Millisecond) // let parked goroutines reach the state they block in
	report("pid", os.Getpid())
	report("goversion", runtime.Version())
	report("goroutines", runtime.NumGoroutine())
	fmt.Println("ready")
	for {
		time.Sleep(time.Second)
	}
}
