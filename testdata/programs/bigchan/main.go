// bigchan is the fixture for the channel benchmark (inspect's BenchmarkChanJSON): one channel
// holding 1,048,576 buffered int64 values, its ring wrapped. Tests do not use it.
package main

import "memlens.test/programs/fixture"

const (
	bigCap     = 1 << 20
	bigDrained = 4096
)

// big is full: filled, 4096 values received, 4096 more sent, so recvx = sendx = 4096.
var big chan int64

func main() {
	big = make(chan int64, bigCap)
	sent := int64(0)
	for i := 0; i < bigCap; i++ {
		big <- 3 * sent
		sent++
	}
	for i := 0; i < bigDrained; i++ {
		<-big
	}
	for i := 0; i < bigDrained; i++ {
		big <- 3 * sent
		sent++
	}
	fixture.Report("big.len", len(big))
	fixture.Report("big.first", 3*bigDrained)
	fixture.Report("big.step", 3)
	fixture.Ready()
}
