package main

import "time"

// Channels for `memlens chan` and the demo's channel steps.
var (
	// chanRing is a buffered channel whose ring has wrapped: 8 slots, 6 values, recvx 5, sendx 3.
	chanRing chan int
	// chanClosed was closed with two values still buffered.
	chanClosed chan string
	// chanSenders is unbuffered; two goroutines are blocked sending jobs on it.
	chanSenders chan chanJob
	// chanReceivers has three goroutines blocked receiving; the last one waits in a select.
	chanReceivers chan int
	// chanQuit is the other case of the receivers' select.
	chanQuit chan struct{}
)

// chanJob is the element type of chanSenders.
type chanJob struct {
	ID   int
	Name string
}

func init() { setups = append(setups, setupChans) }

func setupChans() {
	chanRing = make(chan int, 8)
	for i := 1; i <= 8; i++ {
		chanRing <- i * 11
	}
	for i := 0; i < 5; i++ {
		<-chanRing
	}
	for i := 9; i <= 11; i++ {
		chanRing <- i * 11
	}
	report("chan.ring", "main.chanRing: cap 8, len 6, recvx 5, sendx 3")

	chanClosed = make(chan string, 4)
	chanClosed <- "first"
	chanClosed <- "second"
	chanClosed <- "third"
	<-chanClosed
	close(chanClosed)
	report("chan.closed", "main.chanClosed: closed, holding \"second\" and \"third\"")

	chanSenders = make(chan chanJob)
	for _, j := range []chanJob{{1, "resize"}, {2, "upload"}} {
		j := j
		go func() { chanSenders <- j }()
		time.Sleep(5 * time.Millisecond) // queue them in order
	}
	report("chan.senders", "main.chanSenders: 2 blocked senders")

	chanReceivers = make(chan int)
	chanQuit = make(chan struct{})
	for i := 0; i < 2; i++ {
		go func() { <-chanReceivers }()
		time.Sleep(5 * time.Millisecond)
	}
	go func() {
		select {
		case <-chanReceivers:
		case <-chanQuit:
		}
	}()
	report("chan.receivers", "main.chanReceivers: 3 blocked receivers, one in a select")
}
