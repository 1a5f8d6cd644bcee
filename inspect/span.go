package inspect

import (
	"debug/elf"
	"fmt"
	"sort"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// SpanState is what a span's pages are used for (runtime.mSpanState).
type SpanState string

const (
	// SpanInUse is mSpanInUse: a span of the garbage-collected heap.
	SpanInUse SpanState = "inuse"
	// SpanManual is mSpanManual: manually managed memory, in practice goroutine stacks.
	SpanManual SpanState = "manual"
	// SpanFree is mSpanDead: an mspan structure not describing any memory; its pages (if it ever
	// had any) were given back to the page allocator. The runtime has had no separate "free"
	// span state since Go 1.13: free pages are tracked by the page allocator, not by spans.
	SpanFree SpanState = "free"
)

// Span is a decoded runtime.mspan: a run of heap pages, cut into equal slots of one size class.
type Span struct {
	// Addr is the address of the runtime.mspan.
	Addr uint64
	// Start is the address of the span's first byte (mspan.startAddr).
	Start uint64
	// NPages is the span's length in runtime pages (mspan.npages).
	NPages uint64
	// Class is the size class (spanclass >> 1); 0 for a large object's span.
	Class int
	// Noscan is the span class's low bit: the objects hold no pointers.
	Noscan bool
	// ElemSize is the size of one slot, in bytes (mspan.elemsize). For a large object's span it
	// is the whole span.
	ElemSize uint64
	// NElems is the number of slots (mspan.nelems). With Green Tea GC (Go 1.26 default) small
	// spans give the end of their page to inline mark bits and have fewer slots.
	NElems int
	// AllocCount is the number of allocated slots as the runtime counts them (mspan.allocCount).
	AllocCount int
	// FreeIndex is the slot where the allocator resumes its search for a free slot
	// (mspan.freeindex): every slot below it is allocated.
	FreeIndex int
	// State says what the span is used for.
	State SpanState
	// SweepGen is mspan.sweepgen, compared with mheap_.sweepgen (Heap.SweepGen).
	SweepGen uint32
	// Sweep says where the span is in the sweep cycle (see sweepState): "swept", "needs
	// sweeping", ... A span that still needs sweeping has the alloc bits of before the last GC:
	// unreachable objects in it still count as allocated until the sweeper frees them.
	Sweep string
	// AllocBitsAddr and MarkBitsAddr are the addresses of the span's gcBits bitmaps
	// (mspan.allocBits, mspan.gcmarkBits): one bit per slot.
	AllocBitsAddr, MarkBitsAddr uint64
	// InlineMarks is true when the span keeps Green Tea GC's mark bits inline, in a
	// runtime.spanInlineMarkBits at the end of its page (the page's bit in
	// heapArena.pageUseSpanInlineMarkBits is set).
	InlineMarks bool
	// CachedBy is the id of the P whose mcache allocates from this span, or -1.
	CachedBy int
	// Central names the mheap_.central list of the span's class that holds it (CentralPartialSwept,
	// ...), or "" when none does (it is cached by a P, is a stack span, or was not swept onto one
	// yet). The sweeper puts large objects' spans on class 0's full list.
	Central string
	// Reusable counts slots on an mcache.reusableNoscan list (1.26+): freed, though their alloc
	// bits are still set.
	Reusable int
	// Alloc and Marks are the alloc and mark bitmaps, NElems bits (bit i is byte i/8, bit i%8),
	// once loaded by LoadSpanBits; nil before.
	Alloc, Marks []byte

	reusable map[int]bool
	err      error
}

// End is the first address after the span.
func (s *Span) End(pageSize uint64) uint64 { return s.Start + s.NPages*pageSize }

// Allocated reports whether slot i is allocated, exactly as the runtime's mspan.isFree decides
// (src/runtime/mbitmap.go, every version): slots below freeindex are allocated; the others are
// allocated when their alloc bit is set. Slots on an mcache.reusableNoscan list (Go 1.26+) were
// freed explicitly and still have their alloc bit set; memlens counts them as free. Alloc bits
// must be loaded.
func (s *Span) Allocated(i int) bool {
	if i < 0 || i >= s.NElems || s.reusable[i] {
		return false
	}
	if i < s.FreeIndex {
		return true
	}
	return bitSet(s.Alloc, i)
}

// Marked reports whether slot i's mark bit is set (gcmarkBits, or the inline mark bits). Outside
// a GC cycle the mark bits are clear: sweeping turns them into the next alloc bits.
func (s *Span) Marked(i int) bool { return i >= 0 && i < s.NElems && bitSet(s.Marks, i) }

// AllocatedSlots counts allocated slots from the bitmaps (see Allocated).
func (s *Span) AllocatedSlots() int {
	n := 0
	for i := 0; i < s.NElems; i++ {
		if s.Allocated(i) {
			n++
		}
	}
	return n
}

// Slot returns the index and base address of the slot holding addr, or -1 when addr is past the
// last slot (the span's tail, or Green Tea's inline mark bits).
func (s *Span) Slot(addr uint64) (int, uint64) {
	if s.ElemSize == 0 || addr < s.Start {
		return -1, 0
	}
	i := (addr - s.Start) / s.ElemSize
	if i >= uint64(s.NElems) {
		return -1, 0
	}
	return int(i), s.Start + i*s.ElemSize
}

func bitSet(bits []byte, i int) bool { return i/8 < len(bits) && bits[i/8]&(1<<(i%8)) != 0 }

// spanLayout is where the runtime.mspan fields memlens reads lie. Fields relied on
// (src/runtime/mheap.go, Go 1.19-1.27):
//   - startAddr, npages uintptr; elemsize uintptr.
//   - freeindex, nelems: uintptr up to Go 1.21, uint16 from 1.22 (read at the DWARF size).
//   - allocBits, gcmarkBits *gcBits: one bit per slot, bit i in byte i/8.
//   - sweepgen uint32; allocCount uint16; spanclass uint8 (class<<1 | noscan);
//     state mSpanStateBox (one byte: uint8 in 1.19, atomic.Uint8 later).
type spanLayout struct {
	size                                   int64
	startAddr, npages, freeindex, nelems   fieldPos
	allocBits, gcmarkBits, sweepgen        fieldPos
	allocCount, spanclass, state, elemsize fieldPos
}

type fieldPos struct{ off, size int64 }

// spanStates are the mSpanState values: mSpanDead, mSpanInUse, mSpanManual (0, 1, 2 in every
// version 1.19-1.27; read from the DWARF constants when present).
type spanStates struct{ dead, inUse, manual uint64 }

func newSpanLayout(l *layouts.Layout) (*spanLayout, error) {
	sl := &spanLayout{size: l.Size}
	for _, f := range []struct {
		name string
		pos  *fieldPos
	}{
		{"startAddr", &sl.startAddr}, {"npages", &sl.npages}, {"freeindex", &sl.freeindex},
		{"nelems", &sl.nelems}, {"allocBits", &sl.allocBits}, {"gcmarkBits", &sl.gcmarkBits},
		{"sweepgen", &sl.sweepgen}, {"allocCount", &sl.allocCount}, {"spanclass", &sl.spanclass},
		{"state", &sl.state}, {"elemsize", &sl.elemsize},
	} {
		fl, err := l.Field(f.name)
		if err != nil {
			return nil, err
		}
		switch fl.Size {
		case 1, 2, 4, 8:
		default:
			return nil, fmt.Errorf("runtime.mspan.%s is %d bytes; memlens reads integers of 1, 2, 4 or 8 bytes", f.name, fl.Size)
		}
		if fl.Offset+fl.Size > l.Size {
			return nil, fmt.Errorf("runtime.mspan.%s at offset %d lies outside the %d-byte struct", f.name, fl.Offset, l.Size)
		}
		*f.pos = fieldPos{fl.Offset, fl.Size}
	}
	return sl, nil
}

// maxSpanPages bounds a span's length: 2^35 pages of 8 KiB is 256 TiB, the whole address space.
const maxSpanPages = 1 << 35

// decodeSpan decodes one runtime.mspan from its bytes and checks it: a span that breaks the
// runtime's invariants (unaligned start, more slots than fit, freeindex past nelems) is an error
// naming the field and the mspan's address.
func decodeSpan(sl *spanLayout, a *arch.Arch, st spanStates, buf []byte, addr uint64) (*Span, error) {
	if int64(len(buf)) < sl.size {
		return nil, fmt.Errorf("runtime.mspan at %#x: %d bytes read, need %d", addr, len(buf), sl.size)
	}
	get := func(p fieldPos) uint64 { return a.Uint(buf[p.off : p.off+p.size]) }
	s := &Span{Addr: addr, CachedBy: -1}
	switch state := get(sl.state); state {
	case st.dead:
		s.State = SpanFree
		return s, nil
	case st.inUse:
		s.State = SpanInUse
	case st.manual:
		s.State = SpanManual
	default:
		return nil, fmt.Errorf("runtime.mspan at %#x: state %d is not a span state: corrupt", addr, state)
	}
	s.Start = get(sl.startAddr)
	s.NPages = get(sl.npages)
	sc := get(sl.spanclass)
	s.Class, s.Noscan = int(sc>>1), sc&1 != 0
	s.ElemSize = get(sl.elemsize)
	s.SweepGen = uint32(get(sl.sweepgen))
	s.AllocBitsAddr = get(sl.allocBits)
	s.MarkBitsAddr = get(sl.gcmarkBits)
	nelems, freeindex, allocCount := get(sl.nelems), get(sl.freeindex), get(sl.allocCount)
	pageSize := a.GoPageSize
	switch {
	case s.Start == 0 || s.Start%pageSize != 0:
		return nil, fmt.Errorf("runtime.mspan at %#x: startAddr %#x is not page-aligned: corrupt", addr, s.Start)
	case s.NPages == 0 || s.NPages > maxSpanPages || s.Start+s.NPages*pageSize < s.Start:
		return nil, fmt.Errorf("runtime.mspan at %#x: npages %d is out of range: corrupt", addr, s.NPages)
	case s.State == SpanInUse && s.ElemSize == 0:
		return nil, fmt.Errorf("runtime.mspan at %#x: in use with elemsize 0: corrupt", addr)
	case s.State == SpanInUse && nelems > s.NPages*pageSize/s.ElemSize:
		return nil, fmt.Errorf("runtime.mspan at %#x: nelems %d does not fit %d pages of %d-byte slots: corrupt", addr, nelems, s.NPages, s.ElemSize)
	case s.State == SpanInUse && freeindex > nelems:
		return nil, fmt.Errorf("runtime.mspan at %#x: freeindex %d > nelems %d: corrupt", addr, freeindex, nelems)
	case s.State == SpanInUse && allocCount > nelems:
		return nil, fmt.Errorf("runtime.mspan at %#x: allocCount %d > nelems %d: corrupt", addr, allocCount, nelems)
	}
	if s.State == SpanManual {
		// Manual spans (stacks) do not use nelems/freeindex/allocCount as slot counters.
		nelems, freeindex, allocCount = 0, 0, 0
	}
	s.NElems, s.FreeIndex, s.AllocCount = int(nelems), int(freeindex), int(allocCount)
	return s, nil
}

// spanStateValues reads the mSpanState constants from the target's DWARF, falling back to the
// values every release 1.19-1.27 uses.
func (t *Target) spanStateValues() spanStates {
	st := spanStates{dead: 0, inUse: 1, manual: 2}
	if v, err := t.constInt("runtime.mSpanDead"); err == nil {
		st.dead = uint64(v)
	}
	if v, err := t.constInt("runtime.mSpanInUse"); err == nil {
		st.inUse = uint64(v)
	}
	if v, err := t.constInt("runtime.mSpanManual"); err == nil {
		st.manual = uint64(v)
	}
	return st
}

// readRequest is one range of target memory a bulk read fills.
type readRequest struct {
	addr uint64
	n    int64
	// done receives the bytes (a slice of a shared buffer) or the error of reading them alone.
	done func(b []byte, err error)
}

// Bulk-read tuning: ranges closer than maxGap are read together, up to maxRun bytes at a time.
// mspans live packed in fixalloc chunks and gcBits in 64 KiB gcBitsArenas, so neighbours are
// usually adjacent.
const (
	maxGap = 512
	maxRun = 1 << 20
)

// readBulk reads many small ranges of target memory with one read per run of neighbouring
// ranges. When a run cannot be read as a whole (it crosses unmapped memory), its ranges are read
// one by one. progress, when set, is called after each run.
func (t *Target) readBulk(what string, reqs []readRequest, progress func(done, total int)) {
	if !sort.SliceIsSorted(reqs, func(i, j int) bool { return reqs[i].addr < reqs[j].addr }) {
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].addr < reqs[j].addr })
	}
	for i := 0; i < len(reqs); {
		start, end := reqs[i].addr, reqs[i].addr+uint64(reqs[i].n)
		j := i + 1
		for j < len(reqs) && reqs[j].addr <= end+maxGap && reqs[j].addr+uint64(reqs[j].n)-start <= maxRun {
			if e := reqs[j].addr + uint64(reqs[j].n); e > end {
				end = e
			}
			j++
		}
		buf, err := t.Read(what, start, int64(end-start))
		for k := i; k < j; k++ {
			r := reqs[k]
			if err == nil {
				off := r.addr - start
				r.done(buf[off:off+uint64(r.n)], nil)
				continue
			}
			b, err1 := t.Read(what, r.addr, r.n)
			r.done(b, err1)
		}
		if progress != nil {
			progress(j, len(reqs))
		}
		i = j
	}
}

// readSpans decodes the mspans at addrs in bulk. Spans that cannot be read or decoded carry their
// error (Span.err) and the caller counts them.
func (t *Target) readSpans(addrs []uint64, progress func(done, total int)) ([]*Span, error) {
	l, err := t.Layout("runtime.mspan")
	if err != nil {
		return nil, err
	}
	sl, err := newSpanLayout(l)
	if err != nil {
		return nil, err
	}
	st := t.spanStateValues()
	sorted := append([]uint64(nil), addrs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	spans := make([]*Span, 0, len(sorted))
	reqs := make([]readRequest, 0, len(sorted))
	for i, a := range sorted {
		if a == 0 || (i > 0 && sorted[i-1] == a) {
			continue // nil or a duplicate (corrupt allspans)
		}
		a := a
		reqs = append(reqs, readRequest{addr: a, n: sl.size, done: func(b []byte, err error) {
			var s *Span
			if err == nil {
				s, err = decodeSpan(sl, t.Arch, st, b, a)
			}
			if err != nil {
				s = &Span{Addr: a, err: err}
			}
			spans = append(spans, s)
		}})
	}
	t.readBulk("runtime.mspan", reqs, progress)
	return spans, nil
}

// bitmapBytes is the number of bytes of a gcBits bitmap that hold n slots' bits.
func bitmapBytes(n int) int64 { return int64((n + 7) / 8) }

// LoadSpanBits reads the alloc and mark bitmaps of in-use spans in bulk (Span.Alloc, Span.Marks).
// Mark bits come from gcmarkBits and, for spans with Green Tea's inline mark bits, from the
// runtime.spanInlineMarkBits at the end of the span's page (marks of the cycle in progress).
func (t *Target) LoadSpanBits(spans []*Span) error {
	var inline *layouts.Layout
	var marksOff int64
	if l, err := t.Layout("runtime.spanInlineMarkBits"); err == nil && l.Has("marks") {
		inline = l
		marksOff, _ = l.Offset("marks")
	}
	var reqs []readRequest
	var firstErr error
	record := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for _, s := range spans {
		if s.State != SpanInUse || s.NElems == 0 {
			continue
		}
		s := s
		n := bitmapBytes(s.NElems)
		if s.AllocBitsAddr != 0 {
			reqs = append(reqs, readRequest{addr: s.AllocBitsAddr, n: n, done: func(b []byte, err error) {
				record(err)
				s.Alloc = b
			}})
		}
		if s.MarkBitsAddr != 0 {
			reqs = append(reqs, readRequest{addr: s.MarkBitsAddr, n: n, done: func(b []byte, err error) {
				record(err)
				if s.Marks == nil {
					s.Marks = make([]byte, n)
				}
				for i := range b {
					s.Marks[i] |= b[i]
				}
			}})
		}
		if s.InlineMarks && inline != nil && n <= inline.Size-marksOff {
			at := s.Start + t.Arch.GoPageSize - uint64(inline.Size) + uint64(marksOff)
			reqs = append(reqs, readRequest{addr: at, n: n, done: func(b []byte, err error) {
				record(err)
				if s.Marks == nil {
					s.Marks = make([]byte, n)
				}
				for i := range b {
					s.Marks[i] |= b[i]
				}
			}})
		}
	}
	t.readBulk("span bitmaps", reqs, nil)
	if firstErr != nil {
		return fmt.Errorf("reading span bitmaps: %w", firstErr)
	}
	return nil
}

// SpanAt finds the span holding addr the way the runtime's spanOf does: arena index, then the
// arena's heapArena.spans entry for the page, then a check that the span covers addr and is in
// use or manual. It returns nil, nil when no span holds addr. The span's bitmaps are loaded.
//
// Fields relied on: mheap.arenas (see heapArenas), heapArena.spans [pagesPerArena]*mspan and
// heapArena.pageUseSpanInlineMarkBits (1.25+).
func (t *Target) SpanAt(addr uint64) (*Span, *Arena, error) {
	hl, err := t.Layout("runtime.mheap")
	if err != nil {
		return nil, nil, err
	}
	af, err := hl.Field("arenas")
	if err != nil {
		return nil, nil, err
	}
	mheapAddr, err := t.globalAddr("runtime.mheap_")
	if err != nil {
		return nil, nil, err
	}
	idx := t.Arch.ArenaIndex(addr)
	l1, l2 := idx>>t.Arch.ArenaL2Bits, idx&(1<<t.Arch.ArenaL2Bits-1)
	word := uint64(t.Arch.PtrSize)
	if l1 >= uint64(af.Size)/word {
		return nil, nil, nil
	}
	l2arr, err := t.ReadPtr("runtime.mheap_.arenas", mheapAddr+uint64(af.Offset)+l1*word)
	if err != nil || l2arr == 0 {
		return nil, nil, err
	}
	meta, err := t.ReadPtr("runtime.mheap_.arenas L2 entry", l2arr+l2*word)
	if err != nil || meta == 0 {
		return nil, nil, err
	}
	arena := &Arena{Index: idx, Base: t.Arch.ArenaBase(idx), Meta: meta}
	al, err := t.Layout("runtime.heapArena")
	if err != nil {
		return nil, arena, err
	}
	sf, err := al.Field("spans")
	if err != nil {
		return nil, arena, err
	}
	page := (addr - arena.Base) / t.Arch.GoPageSize
	if page*word >= uint64(sf.Size) {
		return nil, arena, fmt.Errorf("runtime.heapArena.spans at %#x has %d entries, page %d is past them", meta, sf.Size/int64(word), page)
	}
	sp, err := t.ReadPtr("runtime.heapArena.spans", meta+uint64(sf.Offset)+page*word)
	if err != nil || sp == 0 {
		return nil, arena, err
	}
	spans, err := t.readSpans([]uint64{sp}, nil)
	if err != nil {
		return nil, arena, err
	}
	s := spans[0]
	if s.err != nil {
		return nil, arena, s.err
	}
	if s.State == SpanFree || addr < s.Start || addr >= s.End(t.Arch.GoPageSize) {
		return nil, arena, nil // a stale entry for free pages
	}
	if f, err := al.Field("pageUseSpanInlineMarkBits"); err == nil && s.State == SpanInUse {
		startPage := (s.Start - arena.Base) / t.Arch.GoPageSize
		if s.Start >= arena.Base && startPage/8 < uint64(f.Size) {
			b, err := t.ReadUint("runtime.heapArena.pageUseSpanInlineMarkBits", meta+uint64(f.Offset)+startPage/8, 1)
			if err != nil {
				return nil, arena, err
			}
			s.InlineMarks = b&(1<<(startPage%8)) != 0
		}
	}
	if s.State == SpanInUse {
		// Sweep state, the P caching the span and the central list holding it.
		mh, err := t.Read("runtime.mheap_", mheapAddr, hl.Size)
		if err != nil {
			return nil, arena, err
		}
		one := &Heap{PageSize: t.Arch.GoPageSize, Spans: []*Span{s}, Reusable: map[uint64][]int{}}
		if one.SweepGen, err = sweepGen(hl, mh); err != nil {
			return nil, arena, err
		}
		s.Sweep = sweepState(s.SweepGen, one.SweepGen)
		byAddr := map[uint64]*Span{s.Addr: s}
		if err := t.markCachedSpans(one, byAddr); err != nil {
			return nil, arena, err
		}
		if err := t.markCentralLists(one, byAddr, hl, mh); err != nil {
			return nil, arena, err
		}
	}
	if err := t.LoadSpanBits([]*Span{s}); err != nil {
		return nil, arena, err
	}
	return s, arena, nil
}

// Region names what kind of memory an address lies in.
type Region string

const (
	// RegionHeap is a slot of an in-use heap span.
	RegionHeap Region = "heap"
	// RegionHeapFree is heap arena memory that no span holds (free pages) or the unused tail of a
	// span past its last slot.
	RegionHeapFree Region = "heap-free"
	// RegionStack is a goroutine stack: a manual span, or a goroutine's [stack.lo, stack.hi).
	RegionStack Region = "stack"
	// RegionGlobal is a package variable: the executable's .data, .noptrdata, .bss or .noptrbss.
	RegionGlobal Region = "global"
	// RegionReadOnly is read-only data of the executable (.rodata, type and pc tables).
	RegionReadOnly Region = "read-only"
	// RegionText is the executable's code.
	RegionText Region = "text"
	// RegionUnknown is none of the above (C memory, mmaps, unmapped addresses).
	RegionUnknown Region = "unknown"
)

// Location says where an address lies: which arena, page, span and slot for a heap address;
// which goroutine's stack, or which section and symbol of the executable otherwise.
type Location struct {
	// Addr is the address asked about.
	Addr uint64
	// Region is the kind of memory.
	Region Region
	// Arena is the heap arena holding Addr, when one is mapped there.
	Arena *Arena
	// Page is Addr's page index inside Arena.
	Page uint64
	// Span is the in-use or manual span holding Addr.
	Span *Span
	// Object is the slot holding Addr, for heap addresses inside a slot.
	Object *Object
	// Goroutine is the id of the goroutine whose stack holds Addr (0 when none is known), and
	// StackLo/StackHi that stack's bounds (runtime.g.stack).
	Goroutine        int64
	StackLo, StackHi uint64
	// Section is the executable's ELF section holding Addr, and Symbol the symbol there
	// ("main.target+0x8").
	Section, Symbol string
}

// Object is one slot of a span.
type Object struct {
	// Index is the slot's index in its span.
	Index int
	// Base is the slot's first address: where the object an interior pointer points into starts.
	Base uint64
	// Allocated reports whether the slot is allocated (see Span.Allocated).
	Allocated bool
	// Marked reports whether the slot's mark bit is set.
	Marked bool
	// Header is the size of the malloc header at the start of the slot, in bytes: from Go 1.22,
	// slots larger than runtime.minSizeForMallocHeader (512 bytes) in spans whose objects hold
	// pointers begin with an 8-byte *abi.Type, and the object's data (the pointer Go code holds)
	// starts at Base+Header. 0 otherwise.
	Header uint64
}

// Locate says where addr lies: in a heap span's slot (with the runtime's own span lookup), in a
// goroutine stack, in the executable's globals, read-only data or code, or nowhere memlens knows.
func (t *Target) Locate(addr uint64) (*Location, error) {
	if _, err := t.Memory(); err != nil {
		return nil, err
	}
	loc := &Location{Addr: addr, Region: RegionUnknown}
	s, arena, err := t.SpanAt(addr)
	if err != nil {
		return nil, err
	}
	if arena != nil {
		loc.Arena = arena
		loc.Page = (addr - arena.Base) / t.Arch.GoPageSize
		loc.Region = RegionHeapFree
	}
	if s != nil {
		loc.Span = s
		if s.State == SpanInUse {
			if i, base := s.Slot(addr); i >= 0 {
				loc.Region = RegionHeap
				loc.Object = &Object{Index: i, Base: base, Allocated: s.Allocated(i), Marked: s.Marked(i), Header: t.mallocHeader(s)}
			}
			return loc, nil
		}
		loc.Region = RegionStack
	}
	if loc.Region == RegionStack || loc.Arena == nil {
		if err := t.findStack(loc); err != nil {
			return nil, err
		}
	}
	if loc.Arena == nil && loc.Region == RegionUnknown {
		t.findSection(loc)
	}
	return loc, nil
}

// findStack finds the goroutine whose stack holds loc.Addr. Fields relied on: runtime.allgs
// []*g; g.stack runtime.stack{lo, hi uintptr}; g.goid (every version).
func (t *Target) findStack(loc *Location) error {
	gl, err := t.Layout("runtime.g")
	if err != nil {
		return err
	}
	sf, err := gl.Field("stack")
	if err != nil {
		return err
	}
	idF, err := gl.Field("goid")
	if err != nil {
		return err
	}
	v, err := t.Eval("runtime.allgs", proc.LoadConfig{MaxArrayValues: 1 << 20})
	if err != nil {
		return err
	}
	word := int64(t.Arch.PtrSize)
	n := sf.Offset + 2*word
	if e := idF.Offset + idF.Size; e > n {
		n = e
	}
	for _, c := range v.Children {
		g, _ := varPointer(c)
		if g == 0 {
			continue
		}
		b, err := t.Read("runtime.g", g, n)
		if err != nil {
			continue
		}
		lo, hi := t.Arch.Ptr(b[sf.Offset:]), t.Arch.Ptr(b[sf.Offset+word:])
		if lo <= loc.Addr && loc.Addr < hi {
			loc.Region = RegionStack
			loc.Goroutine = int64(t.Arch.Uint(b[idF.Offset : idF.Offset+idF.Size]))
			loc.StackLo, loc.StackHi = lo, hi
			return nil
		}
	}
	return nil
}

// sectionRegions classifies the executable's allocated ELF sections.
var sectionRegions = map[string]Region{
	".data": RegionGlobal, ".noptrdata": RegionGlobal, ".bss": RegionGlobal, ".noptrbss": RegionGlobal,
	".go.buildinfo": RegionGlobal, ".text": RegionText,
}

// findSection finds the ELF section and symbol of the executable holding loc.Addr. Allocated
// sections that are not listed in sectionRegions and not writable are read-only data.
func (t *Target) findSection(loc *Location) {
	f, err := elf.Open(t.Exe)
	if err != nil {
		return
	}
	defer f.Close()
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC == 0 || loc.Addr < s.Addr || loc.Addr-s.Addr >= s.Size {
			continue
		}
		loc.Section = s.Name
		if r, ok := sectionRegions[s.Name]; ok {
			loc.Region = r
		} else if s.Flags&elf.SHF_WRITE == 0 {
			loc.Region = RegionReadOnly
		} else {
			loc.Region = RegionGlobal
		}
		break
	}
	if loc.Section == "" {
		return
	}
	syms, err := f.Symbols()
	if err != nil {
		return
	}
	var best *elf.Symbol
	for i := range syms {
		s := &syms[i]
		if s.Value <= loc.Addr && (loc.Addr < s.Value+s.Size || (s.Size == 0 && s.Value == loc.Addr)) {
			if best == nil || s.Value > best.Value {
				best = s
			}
		}
	}
	if best != nil {
		loc.Symbol = best.Name
		if off := loc.Addr - best.Value; off != 0 {
			loc.Symbol += fmt.Sprintf("+%#x", off)
		}
	}
}

// mallocHeader returns the size of the malloc header the slots of s begin with (Go 1.22+
// allocation headers): runtime.mallocHeaderSize when the span holds pointers, is not a large
// object's span (those keep the type in mspan.largeType) and its slots are larger than
// runtime.minSizeForMallocHeader (heapBitsInSpan is false). Targets whose DWARF lacks the
// constants (before 1.22) have no headers.
func (t *Target) mallocHeader(s *Span) uint64 {
	if s.Noscan || s.Class == 0 {
		return 0
	}
	size, err1 := t.constInt("runtime.mallocHeaderSize")
	min, err2 := t.constInt("runtime.minSizeForMallocHeader")
	if err1 != nil || err2 != nil || size <= 0 || s.ElemSize <= uint64(min) {
		return 0
	}
	return uint64(size)
}

// sweepState names a span's place in the sweep cycle from its sweepgen and mheap_.sweepgen, as
// the comment on mspan.sweepgen defines it (src/runtime/mheap.go, 1.19-1.27; the heap's
// sweepgen grows by 2 each GC).
func sweepState(span, heap uint32) string {
	switch span {
	case heap - 2:
		return "needs sweeping"
	case heap - 1:
		return "being swept"
	case heap:
		return "swept"
	case heap + 1:
		return "cached before sweeping, needs sweeping"
	case heap + 3:
		return "swept, cached"
	}
	return fmt.Sprintf("sweepgen %d (heap's %d)", span, heap)
}
