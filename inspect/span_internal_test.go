package inspect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// testSpanLayout is a Go 1.22+ mspan layout (amd64), enough for decodeSpan.
func testSpanLayout(t *testing.T) *spanLayout {
	l := &layouts.Layout{Name: "runtime.mspan", Size: 160, Fields: []layouts.Field{
		{Name: "startAddr", Offset: 24, Size: 8}, {Name: "npages", Offset: 32, Size: 8},
		{Name: "freeindex", Offset: 48, Size: 2}, {Name: "nelems", Offset: 50, Size: 2},
		{Name: "allocBits", Offset: 64, Size: 8}, {Name: "gcmarkBits", Offset: 72, Size: 8},
		{Name: "sweepgen", Offset: 88, Size: 4}, {Name: "allocCount", Offset: 96, Size: 2},
		{Name: "spanclass", Offset: 98, Size: 1}, {Name: "state", Offset: 99, Size: 1},
		{Name: "elemsize", Offset: 104, Size: 8},
	}}
	sl, err := newSpanLayout(l)
	if err != nil {
		t.Fatal(err)
	}
	return sl
}

type rawSpan struct {
	start, npages, elemsize   uint64
	freeindex, nelems, allocs uint16
	class                     uint8
	state                     uint8
}

func (r rawSpan) bytes() []byte {
	b := make([]byte, 160)
	a := arch.AMD64
	a.ByteOrder.PutUint64(b[24:], r.start)
	a.ByteOrder.PutUint64(b[32:], r.npages)
	a.ByteOrder.PutUint16(b[48:], r.freeindex)
	a.ByteOrder.PutUint16(b[50:], r.nelems)
	a.ByteOrder.PutUint16(b[96:], r.allocs)
	b[98] = r.class
	b[99] = r.state
	a.ByteOrder.PutUint64(b[104:], r.elemsize)
	return b
}

func TestDecodeSpanRejectsCorruptSpans(t *testing.T) {
	sl := testSpanLayout(t)
	st := spanStates{dead: 0, inUse: 1, manual: 2}
	good := rawSpan{start: 0xc000100000, npages: 1, elemsize: 48, freeindex: 10, nelems: 170, allocs: 12, class: 5<<1 | 1, state: 1}
	s, err := decodeSpan(sl, arch.AMD64, st, good.bytes(), 0x1000)
	if err != nil {
		t.Fatal(err)
	}
	if s.Class != 5 || !s.Noscan || s.NElems != 170 || s.FreeIndex != 10 || s.AllocCount != 12 || s.State != SpanInUse {
		t.Errorf("decoded %+v", s)
	}
	cases := map[string]func(r *rawSpan){
		"state":          func(r *rawSpan) { r.state = 7 },
		"page-aligned":   func(r *rawSpan) { r.start++ },
		"npages":         func(r *rawSpan) { r.npages = 0 },
		"npages 1<<60":   func(r *rawSpan) { r.npages = 1 << 60 },
		"elemsize 0":     func(r *rawSpan) { r.elemsize = 0 },
		"nelems":         func(r *rawSpan) { r.nelems = 1000 },
		"freeindex":      func(r *rawSpan) { r.freeindex = 171 },
		"allocCount":     func(r *rawSpan) { r.allocs = 171 },
		"wrapping range": func(r *rawSpan) { r.start = 0xffffffffffffe000; r.npages = 4 },
	}
	for name, corrupt := range cases {
		r := good
		corrupt(&r)
		if s, err := decodeSpan(sl, arch.AMD64, st, r.bytes(), 0x1000); err == nil {
			t.Errorf("%s: corrupt span decoded as %+v", name, s)
		} else if !strings.Contains(err.Error(), "0x1000") {
			t.Errorf("%s: error %q does not name the mspan's address", name, err)
		}
	}
	if _, err := decodeSpan(sl, arch.AMD64, st, good.bytes()[:100], 0x1000); err == nil {
		t.Error("short read decoded")
	}
	dead := good
	dead.state = 0
	dead.start = 3 // stale fields of a dead span are not checked
	if s, err := decodeSpan(sl, arch.AMD64, st, dead.bytes(), 0x1000); err != nil || s.State != SpanFree {
		t.Errorf("dead span: %+v, %v", s, err)
	}
}

func TestSpanSlotsAndBits(t *testing.T) {
	s := &Span{Start: 0x10000, NPages: 1, ElemSize: 48, NElems: 170, FreeIndex: 3,
		Alloc: []byte{0x00, 0x01}, Marks: []byte{0x02}, State: SpanInUse}
	if i, base := s.Slot(0x10000 + 48*9 + 5); i != 9 || base != 0x10000+48*9 {
		t.Errorf("slot of interior address: %d %#x", i, base)
	}
	if i, _ := s.Slot(0x10000 + 48*170); i != -1 {
		t.Errorf("address past the last slot gives slot %d", i)
	}
	for i, want := range map[int]bool{0: true, 2: true, 3: false, 8: true, 9: false, 170: false, -1: false} {
		if got := s.Allocated(i); got != want {
			t.Errorf("Allocated(%d) = %v, want %v", i, got, want)
		}
	}
	if s.AllocatedSlots() != 4 || !s.Marked(1) || s.Marked(0) {
		t.Errorf("allocated %d, marked(1) %v", s.AllocatedSlots(), s.Marked(1))
	}
	s.reusable = map[int]bool{8: true}
	if s.Allocated(8) {
		t.Error("a slot on mcache.reusableNoscan counts as allocated")
	}
}

// countingMemory is target memory made of one mapped range; it counts reads.
type countingMemory struct {
	base  uint64
	data  []byte
	reads int
}

func (m *countingMemory) ReadMemory(buf []byte, addr uint64) (int, error) {
	m.reads++
	if addr < m.base || addr+uint64(len(buf)) > m.base+uint64(len(m.data)) {
		return 0, fmt.Errorf("unmapped %#x", addr)
	}
	return copy(buf, m.data[addr-m.base:]), nil
}

// TestReadBulkCoalesces checks that neighbouring ranges are read in one read, that a run crossing
// unmapped memory falls back to one read per range, and that every range gets its own bytes.
func TestReadBulkCoalesces(t *testing.T) {
	mem := &countingMemory{base: 0x10000, data: make([]byte, 0x10000)}
	for i := range mem.data {
		mem.data[i] = byte(i / 160)
	}
	tg := &Target{Arch: arch.AMD64, mem: mem}
	var reqs []readRequest
	got := map[uint64][]byte{}
	var errs []error
	add := func(addr uint64) {
		reqs = append(reqs, readRequest{addr: addr, n: 160, done: func(b []byte, err error) {
			got[addr] = b
			if err != nil {
				errs = append(errs, err)
			}
		}})
	}
	// 100 packed mspans (like a fixalloc chunk), in reverse order.
	for i := 99; i >= 0; i-- {
		add(0x10000 + uint64(i)*160)
	}
	tg.readBulk("test", reqs, nil)
	if mem.reads != 1 || len(errs) != 0 {
		t.Errorf("100 packed ranges took %d reads (errors %v), want 1", mem.reads, errs)
	}
	for i := 0; i < 100; i++ {
		b := got[0x10000+uint64(i)*160]
		if len(b) != 160 || b[0] != byte(i) || b[159] != byte(i) {
			t.Fatalf("range %d got the wrong bytes", i)
		}
	}

	// Two ranges in memory and one past its end, close enough to be one run: the run fails,
	// the good ranges are read alone and the bad one reports its error.
	mem.reads, reqs, got, errs = 0, nil, map[uint64][]byte{}, nil
	add(0x1ff00 - 320)
	add(0x1ff00 - 160)
	add(0x1ff00 + 100) // crosses the end of the mapping
	tg.readBulk("test", reqs, nil)
	if len(errs) != 1 || got[0x1ff00-320] == nil || got[0x1ff00-160] == nil || mem.reads != 4 {
		t.Errorf("fallback: %d reads, errors %v", mem.reads, errs)
	}
}
