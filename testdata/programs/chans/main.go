// chans is the fixture for `memlens chan`: channels in every state the channel decoder must get
// right, each a package-level variable so that tests can name it (main.ring, ...). It reports what
// it built by construction: values in receive order, ring indexes, goroutine ids in queue order.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
	"unsafe"

	"memlens.test/programs/fixture"
)

type point struct {
	X, Y int
	Name string
}

// bigElem is a large element: 4 KiB of array and a string.
type bigElem struct {
	A   [512]int64
	Tag string
}

var (
	// ring is a wrapped ring: cap 8, filled, 3 received, 2 more sent: recvx 3, sendx 2, len 7.
	ring chan int64
	// unbuf is unbuffered with two goroutines blocked sending, in a known order.
	unbuf chan string
	// recvs is unbuffered with three goroutines blocked receiving; the third waits in a select.
	recvs chan int
	// closed holds one value after close: cap 4, 3 sent, 2 received.
	closed chan int
	// points has struct elements (with a pointer field, so its buffer is a separate allocation).
	points chan point
	// large is a big wrapped ring of int64.
	large chan int64
	// nilChan is a nil channel.
	nilChan chan int
	// empty is a chan struct{} with zero-size elements buffered.
	empty chan struct{}
	// ticker's channel is a timer channel (Go 1.23+: 1-slot buffer, len/cap report 0).
	ticker *time.Ticker
	// notAChan is not a channel.
	notAChan = 42
	// other is a channel nothing waits on but the select receiver.
	other chan bool
	// bigs has 4 KiB elements; its ring has wrapped.
	bigs chan bigElem
	// ptrs has pointer elements; ifaces has interface elements.
	ptrs   chan *point
	ifaces chan interface{}
)

const (
	largeCap     = 65536
	largeDrained = 1000
	largeRefill  = 500
)

// waitBlocked waits until goroutine id is parked with the given wait reason, read from the
// runtime's own goroutine dump ("goroutine 18 [chan send]:"), so that queue order is known.
func waitBlocked(id int64, reason string) {
	prefix := fmt.Sprintf("goroutine %d [%s", id, reason)
	buf := make([]byte, 1<<20)
	for i := 0; i < 10000; i++ {
		n := runtime.Stack(buf, true)
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			if strings.HasPrefix(line, prefix) {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	panic("goroutine " + fmt.Sprint(id) + " never blocked in " + reason)
}

// unsafeSizeofBig is the size of bigElem as the compiler lays it out.
func unsafeSizeofBig() uintptr { return unsafe.Sizeof(bigElem{}) }

func main() {
	// Wrapped ring.
	ring = make(chan int64, 8)
	for i := int64(1); i <= 8; i++ {
		ring <- i * 10
	}
	for i := 0; i < 3; i++ {
		<-ring
	}
	ring <- 90
	ring <- 100
	fixture.Report("ring.values", fixture.List(40, 50, 60, 70, 80, 90, 100))
	fixture.Report("ring.recvx", 3)
	fixture.Report("ring.sendx", 2)
	fixture.Report("ring.cap", cap(ring))
	fixture.Report("ring.len", len(ring))
	fixture.Report("ring.elemtype", fmt.Sprintf("%T", int64(0)))

	// Two blocked senders on an unbuffered channel, enqueued in a known order.
	unbuf = make(chan string)
	ids := make(chan int64)
	var senders []interface{}
	for _, v := range []string{"alpha", "beta"} {
		v := v
		go func() {
			ids <- fixture.GoID()
			unbuf <- v
		}()
		id := <-ids
		waitBlocked(id, "chan send")
		senders = append(senders, id)
	}
	fixture.Report("unbuf.senders", fixture.List(senders...))
	fixture.Report("unbuf.values", "alpha beta")

	// Three blocked receivers; the last one in a select.
	recvs = make(chan int)
	other = make(chan bool)
	var receivers []interface{}
	for i := 0; i < 3; i++ {
		sel := i == 2
		go func() {
			ids <- fixture.GoID()
			if sel {
				select {
				case <-recvs:
				case <-other:
				}
				return
			}
			<-recvs
		}()
		id := <-ids
		if sel {
			waitBlocked(id, "select")
			fixture.Report("recvs.select", id)
		} else {
			waitBlocked(id, "chan receive")
		}
		receivers = append(receivers, id)
	}
	fixture.Report("recvs.receivers", fixture.List(receivers...))

	// Closed with a value left.
	closed = make(chan int, 4)
	closed <- 10
	closed <- 20
	closed <- 30
	<-closed
	<-closed
	close(closed)
	fixture.Report("closed.values", 30)
	fixture.Report("closed.recvx", 2)
	fixture.Report("closed.sendx", 3)

	// Struct elements.
	points = make(chan point, 3)
	points <- point{X: 1, Y: 2, Name: "first"}
	points <- point{X: -3, Y: 4, Name: "second"}
	fixture.Report("points.elemtype", fmt.Sprintf("%T", point{}))
	fixture.Report("points.x", "1 -3")
	fixture.Report("points.y", "2 4")
	fixture.Report("points.names", "first second")

	// Large wrapped ring: values are 7*i for the i-th value sent.
	large = make(chan int64, largeCap)
	sent := int64(0)
	for i := 0; i < largeCap; i++ {
		large <- 7 * sent
		sent++
	}
	for i := 0; i < largeDrained; i++ {
		<-large
	}
	for i := 0; i < largeRefill; i++ {
		large <- 7 * sent
		sent++
	}
	fixture.Report("large.cap", largeCap)
	fixture.Report("large.len", len(large))
	fixture.Report("large.first", 7*largeDrained)
	fixture.Report("large.step", 7)
	fixture.Report("large.recvx", largeDrained)
	fixture.Report("large.sendx", largeRefill)

	// chan struct{} with zero-size elements.
	empty = make(chan struct{}, 5)
	empty <- struct{}{}
	empty <- struct{}{}
	fixture.Report("empty.len", len(empty))
	fixture.Report("empty.cap", cap(empty))
	fixture.Report("empty.elemtype", fmt.Sprintf("%T", struct{}{}))

	// Large elements, wrapped: cap 3, three sent, two received, one more sent.
	bigs = make(chan bigElem, 3)
	for i := 0; i < 4; i++ {
		var e bigElem
		e.A[0] = int64(1000 + i)
		e.Tag = fmt.Sprintf("tag%d", i)
		bigs <- e
		if i == 2 {
			<-bigs
			<-bigs
		}
	}
	fixture.Report("bigs.tags", "tag2 tag3")
	fixture.Report("bigs.a0", "1002 1003")
	fixture.Report("bigs.elemsize", fmt.Sprint(unsafeSizeofBig()))

	// Pointer and interface elements.
	ptrs = make(chan *point, 2)
	ptrs <- &point{X: 5, Y: 6, Name: "pointed"}
	ifaces = make(chan interface{}, 3)
	ifaces <- 7
	ifaces <- "seven"
	fixture.Report("ptrs.name", "pointed")
	fixture.Report("ifaces.values", "7 seven")

	// A goroutine with a buffered channel in a local variable, blocked on another channel.
	localIDs := make(chan int64)
	localBlock := make(chan bool)
	go func() {
		local := make(chan int, 4)
		local <- 31
		local <- 32
		localIDs <- fixture.GoID()
		<-localBlock
		// Never reached; keeps local alive (and in the frame) while the goroutine is blocked.
		fixture.Report("local.after", len(local))
	}()
	localID := <-localIDs
	waitBlocked(localID, "chan receive")
	fixture.Report("local.goroutine", localID)
	fixture.Report("local.values", "31 32")

	// A ticker that will not fire while the fixture lives.
	ticker = time.NewTicker(time.Hour)
	fixture.Report("ticker.len", len(ticker.C))
	fixture.Report("ticker.cap", cap(ticker.C))
	fixture.Report("ticker.elemtype", fmt.Sprintf("%T", time.Time{}))
	fixture.Report("notachan.type", fmt.Sprintf("%T", notAChan))
	fixture.Report("nilchan.isnil", nilChan == nil)

	fixture.Ready()
}
