package inspect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// These tests decode channels from fake memory, to cover what no healthy program builds: corrupt
// headers and wait queues. The layout is Go 1.26's (shared/runtime-layouts.md §1.2); the matrix
// tests in chan_test.go cover the real layouts.

func fakeHchanLayout() *layouts.Layout {
	f := func(name string, off, size int64) layouts.Field {
		return layouts.Field{Name: name, Offset: off, Size: size}
	}
	return &layouts.Layout{Name: "runtime.hchan", Size: 112, Arch: arch.AMD64, Fields: []layouts.Field{
		f("qcount", 0, 8), f("dataqsiz", 8, 8), f("buf", 16, 8), f("elemsize", 24, 2), f("closed", 28, 4),
		f("timer", 32, 8), f("elemtype", 40, 8), f("sendx", 48, 8), f("recvx", 56, 8),
		f("recvq", 64, 16), f("sendq", 80, 16), f("bubble", 96, 8), f("lock", 104, 8),
	}}
}

type fakeHchan struct {
	qcount, dataqsiz, buf, elemsize, elemtype, sendx, recvx, recvqFirst, sendqFirst uint64
}

const (
	fakeChanAddr = 0x1000
	fakeTypeAddr = 0x9000
)

// fakeTarget is a tiny address space: the header at fakeChanAddr, a ring of int64 at buf, sudogs.
type fakeTarget struct {
	mem    map[uint64][]byte
	sudogs map[uint64]*Sudog
	reads  []string
	// typeSize is the size the element's type descriptor claims.
	typeSize uint64
}

func (f *fakeTarget) read(what string, addr uint64, n int64) ([]byte, error) {
	f.reads = append(f.reads, fmt.Sprintf("%s@%#x+%d", what, addr, n))
	if n < 0 || n > MaxRead {
		return nil, fmt.Errorf("reading %s: size %d out of range", what, n)
	}
	for base, b := range f.mem {
		if addr >= base && addr+uint64(n) <= base+uint64(len(b)) {
			return b[addr-base : addr-base+uint64(n)], nil
		}
	}
	return nil, fmt.Errorf("reading %s at %#x: unmapped", what, addr)
}

func newFake(h fakeHchan, ring []int64) (*fakeTarget, *chanDecoder) {
	a := arch.AMD64
	hdr := make([]byte, 112)
	put := func(off int, v uint64, size int) {
		for i := 0; i < size; i++ {
			hdr[off+i] = byte(v >> (8 * i))
		}
	}
	put(0, h.qcount, 8)
	put(8, h.dataqsiz, 8)
	put(16, h.buf, 8)
	put(24, h.elemsize, 2)
	put(40, h.elemtype, 8)
	put(48, h.sendx, 8)
	put(56, h.recvx, 8)
	put(64, h.recvqFirst, 8)
	put(80, h.sendqFirst, 8)
	f := &fakeTarget{mem: map[uint64][]byte{fakeChanAddr: hdr}, sudogs: map[uint64]*Sudog{}, typeSize: 8}
	if len(ring) > 0 {
		b := make([]byte, 8*len(ring))
		for i, v := range ring {
			for j := 0; j < 8; j++ {
				b[8*i+j] = byte(uint64(v) >> (8 * j))
			}
		}
		f.mem[h.buf] = b
	}
	d := &chanDecoder{
		arch: a, hchan: fakeHchanLayout(),
		waitq: &layouts.Layout{Name: "runtime.waitq", Size: 16, Fields: []layouts.Field{{Name: "first", Offset: 0, Size: 8}, {Name: "last", Offset: 8, Size: 8}}},
		read:  f.read, maxWaiters: MaxListWalk,
		sudogAt: func(addr uint64) (*Sudog, error) {
			if s, ok := f.sudogs[addr]; ok {
				return s, nil
			}
			return nil, fmt.Errorf("reading runtime.sudog at %#x: unmapped", addr)
		},
		goroutineAt: func(addr uint64) (*Goroutine, error) {
			return &Goroutine{Addr: addr, ID: int64(addr >> 4), Status: "waiting", WaitReason: "chan receive"}, nil
		},
		elemType: func(addr uint64) (*RuntimeType, error) {
			if addr != fakeTypeAddr {
				return nil, fmt.Errorf("no type at %#x", addr)
			}
			return &RuntimeType{Addr: addr, Name: "int64", Size: f.typeSize, Kind: 6}, nil
		},
		formatter: func(name string, size uint64) elemFormatter {
			if size == 0 {
				return elemFormatter{delve: func(addr uint64, n int) []string { return make([]string, n) }}
			}
			return elemFormatter{basic: basicFormatter(a, name, size)}
		},
	}
	return f, d
}

func values(c *Chan) string {
	var parts []string
	for _, s := range c.Buffer {
		parts = append(parts, fmt.Sprintf("%d:%s", s.Slot, s.Value))
	}
	return strings.Join(parts, " ")
}

func hasProblem(c *Chan, substr string) bool {
	for _, p := range c.Problems {
		if strings.Contains(p, substr) {
			return true
		}
	}
	return false
}

const fakeBuf = fakeChanAddr + 112 // inline, right after the header

func TestDecodeWrappedRing(t *testing.T) {
	// cap 4: slots hold 30 40 _ 20; recvx 3, 3 values: 20 (slot 3), 30 (slot 0), 40 (slot 1).
	f, d := newFake(fakeHchan{qcount: 3, dataqsiz: 4, buf: fakeBuf, elemsize: 8, elemtype: fakeTypeAddr, recvx: 3, sendx: 2}, []int64{30, 40, -1, -20})
	c, err := d.decode(fakeChanAddr, ChanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := values(c); got != "3:-20 0:30 1:40" {
		t.Errorf("ring = %q", got)
	}
	if len(c.Problems) != 0 || c.BufPlacement != "inline" {
		t.Errorf("problems %q placement %q", c.Problems, c.BufPlacement)
	}
	// One header read, one read per contiguous range (slot 3, then slots 0-1).
	bufReads := 0
	for _, r := range f.reads {
		if strings.HasPrefix(r, "hchan buffer") {
			bufReads++
		}
	}
	if bufReads != 2 {
		t.Errorf("buffer reads %v, want 2", f.reads)
	}
}

func TestDecodeCorruptCounts(t *testing.T) {
	ring := []int64{1, 2, 3, 4}
	cases := []struct {
		name    string
		h       fakeHchan
		want    string // values listed
		problem string
	}{
		{"qcount>dataqsiz", fakeHchan{qcount: 1 << 40, dataqsiz: 4, recvx: 1, sendx: 1}, "1:2 2:3 3:4 0:1", "larger than the capacity"},
		{"recvx out of range", fakeHchan{qcount: 2, dataqsiz: 4, recvx: 7, sendx: 1}, "", "recvx 7 is outside"},
		{"sendx out of range", fakeHchan{qcount: 2, dataqsiz: 4, recvx: 0, sendx: 9}, "0:1 1:2", "sendx 9 is outside"},
		{"sendx inconsistent", fakeHchan{qcount: 2, dataqsiz: 4, recvx: 0, sendx: 3}, "0:1 1:2", "is not recvx"},
		{"huge ring", fakeHchan{qcount: 5, dataqsiz: 1 << 60, recvx: 0, sendx: 5}, "", "larger than memlens reads"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h
			h.buf, h.elemsize, h.elemtype = fakeBuf, 8, fakeTypeAddr
			_, d := newFake(h, ring)
			c, err := d.decode(fakeChanAddr, ChanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := values(c); got != tc.want {
				t.Errorf("values %q, want %q", got, tc.want)
			}
			if !hasProblem(c, tc.problem) {
				t.Errorf("problems %q, want one saying %q", c.Problems, tc.problem)
			}
		})
	}
}

func TestDecodeElemSizeMismatch(t *testing.T) {
	f, d := newFake(fakeHchan{qcount: 1, dataqsiz: 2, buf: fakeBuf, elemsize: 8, elemtype: fakeTypeAddr, sendx: 1}, []int64{5, 6})
	f.typeSize = 4096
	c, err := d.decode(fakeChanAddr, ChanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(c, "elemsize is 8 but the element type int64 is 4096 bytes") {
		t.Errorf("problems %q", c.Problems)
	}
	// Unreadable element type: reported, buffer listed without values.
	_, d = newFake(fakeHchan{qcount: 1, dataqsiz: 2, buf: fakeBuf, elemsize: 8, elemtype: 0xdead, sendx: 1}, []int64{5, 6})
	c, err = d.decode(fakeChanAddr, ChanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(c, "element type at 0xdead") || len(c.Buffer) != 1 || c.Buffer[0].Value != "" {
		t.Errorf("problems %q buffer %v", c.Problems, c.Buffer)
	}
}

func TestDecodeZeroSizeHugeCount(t *testing.T) {
	// chan struct{} claiming 2^62 values: listing stops at MaxChanSlots, or at the limit.
	_, d := newFake(fakeHchan{qcount: 1 << 62, dataqsiz: 1 << 62, buf: fakeChanAddr + 16, elemsize: 0, elemtype: fakeTypeAddr}, nil)
	d.elemType = func(addr uint64) (*RuntimeType, error) { return &RuntimeType{Addr: addr, Name: "struct {}"}, nil }
	c, err := d.decode(fakeChanAddr, ChanOptions{MaxSlots: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Buffer) != 10 || c.BufferMore != 1<<62-10 || c.BufPlacement != "none" {
		t.Errorf("listed %d, more %d, placement %q", len(c.Buffer), c.BufferMore, c.BufPlacement)
	}
	c, err = d.decode(fakeChanAddr, ChanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Buffer) != MaxChanSlots || !hasProblem(c, "lists the first") {
		t.Errorf("listed %d, problems %q", len(c.Buffer), c.Problems)
	}
}

func TestDecodeSudogCycle(t *testing.T) {
	f, d := newFake(fakeHchan{dataqsiz: 0, buf: fakeChanAddr + 16, elemsize: 8, elemtype: fakeTypeAddr, recvqFirst: 0x5000}, nil)
	f.sudogs[0x5000] = &Sudog{Addr: 0x5000, G: 0x100, Next: 0x5100, Chan: fakeChanAddr}
	f.sudogs[0x5100] = &Sudog{Addr: 0x5100, G: 0x200, Next: 0x5000, Chan: fakeChanAddr, IsSelect: true}
	c, err := d.decode(fakeChanAddr, ChanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.RecvQ) != 2 || c.RecvQ[0].GoID != 0x10 || c.RecvQ[1].GoID != 0x20 || !c.RecvQ[1].IsSelect {
		t.Errorf("recvq %+v", c.RecvQ)
	}
	if !hasProblem(c, "cycle at 0x5000") {
		t.Errorf("problems %q, want a cycle", c.Problems)
	}
}

func TestDecodeEndlessSudogList(t *testing.T) {
	// Every sudog points to a new one: the walk stops at maxWaiters (lowered to keep the test fast;
	// the bound itself is the same code path).
	f, d := newFake(fakeHchan{dataqsiz: 0, buf: fakeChanAddr + 16, elemsize: 8, elemtype: fakeTypeAddr, sendqFirst: 0x10}, nil)
	d.sudogAt = func(addr uint64) (*Sudog, error) {
		return &Sudog{Addr: addr, G: addr, Next: addr + 0x10, Elem: 0, Chan: fakeChanAddr}, nil
	}
	_ = f
	d.maxWaiters = 5000
	c, err := d.decode(fakeChanAddr, ChanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SendQ) != d.maxWaiters || !hasProblem(c, "more than 5000 entries") {
		t.Errorf("sendq has %d waiters, problems %q", len(c.SendQ), c.Problems)
	}
	// With a limit, the walk still bounds the queue and only the first waiters are decoded.
	c, err = d.decode(fakeChanAddr, ChanOptions{MaxSlots: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SendQ) != 3 || c.SendQMore != d.maxWaiters-3 {
		t.Errorf("limit 3: %d decoded, %d more", len(c.SendQ), c.SendQMore)
	}
}

func TestDecodeWaiterOnWrongChannelAndUnreadableSudog(t *testing.T) {
	f, d := newFake(fakeHchan{qcount: 1, dataqsiz: 2, buf: fakeBuf, elemsize: 8, elemtype: fakeTypeAddr, recvx: 0, sendx: 1, recvqFirst: 0x5000}, []int64{7, 8})
	f.sudogs[0x5000] = &Sudog{Addr: 0x5000, G: 0x100, Next: 0x7777, Chan: 0x4242}
	c, err := d.decode(fakeChanAddr, ChanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"waits on channel 0x4242", "sudog at 0x7777", "wait to receive while the buffer holds"} {
		if !hasProblem(c, want) {
			t.Errorf("problems %q, want one saying %q", c.Problems, want)
		}
	}
	if len(c.RecvQ) != 1 {
		t.Errorf("recvq %+v", c.RecvQ)
	}
}

func TestBasicFormatter(t *testing.T) {
	a := arch.AMD64
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"int8", []byte{0xff}, "-1"},
		{"int16", []byte{0x00, 0x80}, "-32768"},
		{"uint16", []byte{0x00, 0x80}, "32768"},
		{"int64", []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "-2"},
		{"bool", []byte{1}, "true"},
		{"float64", []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f}, "1.5"},
		{"float32", []byte{0, 0, 0xc0, 0x3f}, "1.5"},
		{"float64", []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f}, "+Inf"},
	}
	for _, tc := range cases {
		f := basicFormatter(a, tc.name, uint64(len(tc.b)))
		if f == nil {
			t.Errorf("%s: no formatter", tc.name)
			continue
		}
		if got := f(tc.b); got != tc.want {
			t.Errorf("%s % x = %q, want %q", tc.name, tc.b, got, tc.want)
		}
	}
	if basicFormatter(a, "main.ID", 8) != nil || basicFormatter(a, "int64", 4) != nil {
		t.Errorf("formatter for a named type or a wrong size")
	}
}
