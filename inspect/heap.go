package inspect

import (
	"fmt"
	"go/constant"
	"sort"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// Heap is the Go allocator's state: the heap arenas, every span the runtime knows
// (runtime.mheap_.allspans), the target's own size-class table and what each P's mcache holds.
type Heap struct {
	// PageSize is the runtime's heap page (_PageSize), in bytes.
	PageSize uint64
	// ArenaSize is the size of one heap arena (heapArenaBytes), in bytes.
	ArenaSize uint64
	// Arenas are the mapped heap arenas, by arena index (mheap_.allArenas up to Go 1.24,
	// mheap_.heapArenas from 1.25), sorted by base address.
	Arenas []Arena
	// Spans are the spans that hold memory, in use for the heap or manually managed (stacks),
	// sorted by start address. Spans whose mspan could not be decoded are left out and counted in
	// Skipped.
	Spans []*Span
	// FreeSpans counts mspan structures in allspans that are free (mSpanDead): recycled
	// descriptors whose pages went back to the page allocator. They hold no memory. Free holds
	// them (only Addr and State are meaningful).
	FreeSpans int
	Free      []*Span
	// Skipped counts mspans that failed their sanity checks; SkipReason is the first failure.
	Skipped    int
	SkipReason string
	// SizeClasses is the target's size-class table, indexed by size class (class 0 is large
	// objects and has ElemSize 0).
	SizeClasses []SizeClass
	// SweepGen is mheap_.sweepgen, the sweep generation spans are compared with.
	SweepGen uint32
	// Reusable holds, per span start address, the slots 1.26+'s mcache.reusableNoscan lists hold:
	// freed objects whose alloc bits are still set. memlens counts them as free.
	Reusable map[uint64][]int
}

// Arena is one heap arena: HeapArenaBytes of address space with its runtime.heapArena metadata.
type Arena struct {
	// Index is the arena's index (runtime.arenaIdx): (Base - arenaBaseOffset) / ArenaSize.
	Index uint64
	// Base is the arena's first address.
	Base uint64
	// Meta is the address of its runtime.heapArena.
	Meta uint64
}

// SizeClass is one entry of the runtime's size-class table.
type SizeClass struct {
	// Class is the size class number (0: large objects).
	Class int
	// ElemSize is the size of one slot, in bytes (class_to_size / gc.SizeClassToSize).
	ElemSize uint64
	// Pages is the number of runtime pages in a span of this class (class_to_allocnpages /
	// gc.SizeClassToNPages).
	Pages uint64
}

// HeapInuse is the number of bytes in spans in use for the heap: what runtime.MemStats.HeapInuse
// counts.
func (h *Heap) HeapInuse() uint64 {
	var n uint64
	for _, s := range h.Spans {
		if s.State == SpanInUse {
			n += s.NPages * h.PageSize
		}
	}
	return n
}

// SpanOf returns the span holding addr, or nil. Spans are searched by address (binary search).
func (h *Heap) SpanOf(addr uint64) *Span {
	i := sort.Search(len(h.Spans), func(i int) bool { return h.Spans[i].Start+h.Spans[i].NPages*h.PageSize > addr })
	if i < len(h.Spans) && h.Spans[i].Start <= addr {
		return h.Spans[i]
	}
	return nil
}

// ArenaOf returns the arena holding addr, or nil.
func (h *Heap) ArenaOf(addr uint64) *Arena {
	for i := range h.Arenas {
		if a := &h.Arenas[i]; addr >= a.Base && addr-a.Base < h.ArenaSize {
			return a
		}
	}
	return nil
}

// HeapOptions say how much of the heap to read.
type HeapOptions struct {
	// Bits loads every span's alloc and mark bits (Span.Alloc, Span.Marks); without it only the
	// mspan headers are read.
	Bits bool
	// Progress, when set, is called as spans are read with the number done and the total.
	Progress func(done, total int)
}

// Fields relied on (runtime.mheap, src/runtime/mheap.go, Go 1.19-1.27):
//   - allspans []*mspan: every mspan ever allocated by h.spanalloc, in any state.
//   - sweepgen uint32.
//   - arenas [1 << arenaL1Bits]*[1 << arenaL2Bits]*heapArena (L1 bits 0 on linux/64-bit).
//   - allArenas []arenaIdx (up to 1.24), renamed heapArenas (1.25+): every mapped heap arena.
//
// The arena list field is chosen by which name the target's DWARF has.
var heapArenaListFields = []string{"heapArenas", "allArenas"}

// maxSpans bounds the length of allspans read from the target: 2^26 spans describe at least
// 512 GiB of heap.
const maxSpans = 1 << 26

// Heap reads the allocator's state: mheap_, its arenas, every span in allspans (in bulk) and the
// size-class table. Work and memory are linear in the number of spans, not in the heap's size.
func (t *Target) Heap(opts HeapOptions) (*Heap, error) {
	if _, err := t.Memory(); err != nil {
		return nil, err
	}
	hl, err := t.Layout("runtime.mheap")
	if err != nil {
		return nil, err
	}
	mheapAddr, err := t.globalAddr("runtime.mheap_")
	if err != nil {
		return nil, err
	}
	// One read of the whole mheap (about 90 KiB): every field used below comes from it.
	mh, err := t.Read("runtime.mheap_", mheapAddr, hl.Size)
	if err != nil {
		return nil, err
	}
	h := &Heap{PageSize: t.Arch.GoPageSize, ArenaSize: t.Arch.HeapArenaBytes, Reusable: map[uint64][]int{}}
	if h.SweepGen, err = sweepGen(hl, mh); err != nil {
		return nil, err
	}
	if h.SizeClasses, err = t.SizeClasses(); err != nil {
		return nil, err
	}
	if h.Arenas, err = t.heapArenas(hl, mh); err != nil {
		return nil, err
	}

	// allspans: the pointer array in one read.
	f, err := hl.Field("allspans")
	if err != nil {
		return nil, err
	}
	ptr := t.Arch.Ptr(mh[f.Offset:])
	n := t.Arch.Ptr(mh[f.Offset+int64(t.Arch.PtrSize):])
	if n > maxSpans {
		return nil, fmt.Errorf("runtime.mheap_.allspans at %#x has %d spans, more than %d: corrupt", mheapAddr+uint64(f.Offset), n, maxSpans)
	}
	raw, err := t.Read("runtime.mheap_.allspans array", ptr, int64(n)*int64(t.Arch.PtrSize))
	if err != nil {
		return nil, err
	}
	addrs := make([]uint64, n)
	for i := range addrs {
		addrs[i] = t.Arch.Ptr(raw[i*t.Arch.PtrSize:])
	}
	spans, err := t.readSpans(addrs, opts.Progress)
	if err != nil {
		return nil, err
	}
	inline, err := t.readInlineMarkPages(h.Arenas)
	if err != nil {
		return nil, err
	}
	for _, s := range spans {
		if s.err != nil {
			h.Skipped++
			if h.SkipReason == "" {
				h.SkipReason = s.err.Error()
			}
			continue
		}
		switch s.State {
		case SpanFree:
			h.FreeSpans++
			h.Free = append(h.Free, s)
			continue
		case SpanInUse:
			s.InlineMarks = inline.has(t.Arch, s.Start)
			s.Sweep = sweepState(s.SweepGen, h.SweepGen)
		}
		h.Spans = append(h.Spans, s)
	}
	sort.Slice(h.Spans, func(i, j int) bool { return h.Spans[i].Start < h.Spans[j].Start })
	byAddr := make(map[uint64]*Span, len(h.Spans))
	for _, s := range h.Spans {
		byAddr[s.Addr] = s
	}
	if err := t.markCachedSpans(h, byAddr); err != nil {
		return nil, err
	}
	if err := t.markCentralLists(h, byAddr, hl, mh); err != nil {
		return nil, err
	}
	if opts.Bits {
		if err := t.LoadSpanBits(h.Spans); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// globalAddr returns the address of a package variable of the target ("runtime.mheap_").
func (t *Target) globalAddr(name string) (uint64, error) {
	v, err := t.Eval(name, proc.LoadConfig{})
	if err != nil {
		return 0, fmt.Errorf("finding %s in %s: %v", name, t.Exe, err)
	}
	if v.Addr == 0 {
		return 0, fmt.Errorf("%s has no address in %s", name, t.Exe)
	}
	return v.Addr, nil
}

// constInt returns the value of an integer constant from the target's DWARF ("runtime.mSpanInUse").
func (t *Target) constInt(name string) (int64, error) {
	v, err := t.Eval(name, proc.LoadConfig{})
	if err != nil {
		return 0, fmt.Errorf("constant %s not in the DWARF of %s: %v", name, t.Exe, err)
	}
	if v.Value == nil || v.Value.Kind() != constant.Int {
		return 0, fmt.Errorf("%s in %s is not an integer constant", name, t.Exe)
	}
	n, _ := constant.Int64Val(v.Value)
	return n, nil
}

// heapArenas decodes the arena list of mheap_ and finds each arena's runtime.heapArena through
// the two-level arenas index.
func (t *Target) heapArenas(hl *layouts.Layout, mh []byte) ([]Arena, error) {
	var list *layouts.Field
	for _, name := range heapArenaListFields {
		if hl.Has(name) {
			list, _ = hl.Field(name)
			break
		}
	}
	if list == nil {
		return nil, fmt.Errorf("runtime.mheap has neither heapArenas nor allArenas (fields: %v)", hl.FieldNames())
	}
	word := int64(t.Arch.PtrSize)
	ptr := t.Arch.Ptr(mh[list.Offset:])
	n := t.Arch.Ptr(mh[list.Offset+word:])
	// 2^22 arenas of 64 MiB cover the 256 TiB address space: more is corrupt.
	if n > 1<<(t.Arch.ArenaL1Bits+t.Arch.ArenaL2Bits) {
		return nil, fmt.Errorf("runtime.mheap_.%s has %d arenas: corrupt", list.Name, n)
	}
	raw, err := t.Read("runtime.mheap_."+list.Name, ptr, int64(n)*word)
	if err != nil {
		return nil, err
	}
	af, err := hl.Field("arenas")
	if err != nil {
		return nil, err
	}
	l1Count := int64(1) << t.Arch.ArenaL1Bits
	if af.Size != l1Count*word {
		return nil, fmt.Errorf("runtime.mheap.arenas is %d bytes; memlens expects %d L1 entries of %d bytes for %s", af.Size, l1Count, word, t.Arch.Name)
	}
	arenas := make([]Arena, 0, n)
	for i := int64(0); i < int64(n); i++ {
		idx := t.Arch.Uint(raw[i*word : (i+1)*word])
		l1 := idx >> t.Arch.ArenaL2Bits
		l2 := idx & (1<<t.Arch.ArenaL2Bits - 1)
		if int64(l1) >= l1Count {
			return nil, fmt.Errorf("runtime.mheap_.%s[%d] = %d is out of range: corrupt", list.Name, i, idx)
		}
		l2arr := t.Arch.Ptr(mh[af.Offset+int64(l1)*word:])
		meta, err := t.ReadPtr("runtime.mheap_.arenas L2 entry", l2arr+l2*uint64(word))
		if err != nil {
			return nil, err
		}
		arenas = append(arenas, Arena{Index: idx, Base: t.Arch.ArenaBase(idx), Meta: meta})
	}
	sort.Slice(arenas, func(i, j int) bool { return arenas[i].Base < arenas[j].Base })
	return arenas, nil
}

// inlineMarkPages is heapArena.pageUseSpanInlineMarkBits (Go 1.25+) of every arena, by arena
// base: bit p set means the span starting at page p of the arena keeps Green Tea's inline mark
// bits at its end. Targets without the field get an empty map.
type inlineMarkPages map[uint64][]byte

// has reports whether the span starting at start has inline mark bits.
func (m inlineMarkPages) has(a *arch.Arch, start uint64) bool {
	base := start &^ (a.HeapArenaBytes - 1) // arenas are aligned to their size
	bits := m[base]
	page := (start - base) / a.GoPageSize
	return page/8 < uint64(len(bits)) && bits[page/8]&(1<<(page%8)) != 0
}

func (t *Target) readInlineMarkPages(arenas []Arena) (inlineMarkPages, error) {
	pages := inlineMarkPages{}
	al, err := t.Layout("runtime.heapArena")
	if err != nil || !al.Has("pageUseSpanInlineMarkBits") {
		return pages, nil
	}
	f, _ := al.Field("pageUseSpanInlineMarkBits")
	for _, a := range arenas {
		if a.Meta == 0 {
			continue
		}
		bits, err := t.Read("runtime.heapArena.pageUseSpanInlineMarkBits", a.Meta+uint64(f.Offset), f.Size)
		if err != nil {
			return nil, err
		}
		pages[a.Base] = bits
	}
	return pages, nil
}

// SizeClasses reads the target's size-class table: runtime.class_to_size and
// runtime.class_to_allocnpages up to Go 1.24, internal/runtime/gc.SizeClassToSize and
// SizeClassToNPages from 1.25. Which pair exists is decided by the target's DWARF.
func (t *Target) SizeClasses() ([]SizeClass, error) {
	pairs := [][2]string{
		{`"internal/runtime/gc".SizeClassToSize`, `"internal/runtime/gc".SizeClassToNPages`},
		{"runtime.class_to_size", "runtime.class_to_allocnpages"},
	}
	cfg := proc.LoadConfig{MaxArrayValues: 256}
	var firstErr error
	for _, p := range pairs {
		sizes, err := t.Eval(p[0], cfg)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		pages, err := t.Eval(p[1], cfg)
		if err != nil {
			return nil, err
		}
		if len(sizes.Children) == 0 || len(sizes.Children) != len(pages.Children) {
			return nil, fmt.Errorf("size-class tables %s (%d entries) and %s (%d entries) disagree", p[0], len(sizes.Children), p[1], len(pages.Children))
		}
		classes := make([]SizeClass, len(sizes.Children))
		for i := range classes {
			sz, _ := constant.Uint64Val(sizes.Children[i].Value)
			np, _ := constant.Uint64Val(pages.Children[i].Value)
			classes[i] = SizeClass{Class: i, ElemSize: sz, Pages: np}
		}
		return classes, nil
	}
	return nil, fmt.Errorf("no size-class table in %s (runtime.class_to_size or internal/runtime/gc.SizeClassToSize): %v", t.Exe, firstErr)
}

// markCachedSpans records which P's mcache holds each span as its current span for a span class
// (mcache.alloc), and collects 1.26+'s mcache.reusableNoscan free lists.
//
// Fields relied on: runtime.allp []*p; p.id int32; p.mcache *mcache; mcache.alloc
// [numSpanClasses]*mspan (1.19-1.27); mcache.reusableNoscan [numSpanClasses]gclinkptr (1.26+,
// a list linked through each free object's first word; used only when the runtime is built
// with GOEXPERIMENT=runtimefreegc, so normally empty).
//
// byAddr finds h's spans by the address of their mspan.
func (t *Target) markCachedSpans(h *Heap, byAddr map[uint64]*Span) error {
	allp, err := t.Eval("runtime.allp", proc.LoadConfig{MaxArrayValues: 4096})
	if err != nil {
		return err
	}
	pl, err := t.Layout("runtime.p")
	if err != nil {
		return err
	}
	cl, err := t.Layout("runtime.mcache")
	if err != nil {
		return err
	}
	idF, err := pl.Field("id")
	if err != nil {
		return err
	}
	mcF, err := pl.Field("mcache")
	if err != nil {
		return err
	}
	allocF, err := cl.Field("alloc")
	if err != nil {
		return err
	}
	word := int64(t.Arch.PtrSize)
	for _, c := range allp.Children {
		paddr, _ := varPointer(c)
		if paddr == 0 {
			continue
		}
		pb, err := t.Read("runtime.p", paddr, mcF.Offset+word)
		if err != nil {
			return err
		}
		pid := int32(t.Arch.Uint(pb[idF.Offset : idF.Offset+idF.Size]))
		mc := t.Arch.Ptr(pb[mcF.Offset:])
		if mc == 0 {
			continue
		}
		mb, err := t.Read("runtime.mcache", mc, cl.Size)
		if err != nil {
			return err
		}
		for i := int64(0); i < allocF.Size/word; i++ {
			if s := byAddr[t.Arch.Ptr(mb[allocF.Offset+i*word:])]; s != nil {
				s.CachedBy = int(pid)
			}
		}
		if !cl.Has("reusableNoscan") {
			continue
		}
		rf, _ := cl.Field("reusableNoscan")
		for i := int64(0); i < rf.Size/word; i++ {
			first := t.Arch.Ptr(mb[rf.Offset+i*word:])
			if first == 0 {
				continue
			}
			objs, err := WalkList("mcache.reusableNoscan list", first, 1<<16, func(a uint64) (uint64, error) {
				return t.ReadPtr("mcache.reusableNoscan link", a)
			})
			if err != nil {
				return err
			}
			for _, o := range objs {
				if s := h.SpanOf(o); s != nil && s.ElemSize > 0 {
					h.Reusable[s.Start] = append(h.Reusable[s.Start], int((o-s.Start)/s.ElemSize))
				}
			}
		}
	}
	for _, s := range h.Spans {
		if slots := h.Reusable[s.Start]; len(slots) > 0 {
			s.reusable = map[int]bool{}
			for _, i := range slots {
				s.reusable[i] = true
			}
			s.Reusable = len(s.reusable)
		}
	}
	return nil
}

// varPointer returns the address a loaded pointer variable points to.
func varPointer(v proc.Variable) (uint64, bool) {
	if len(v.Children) == 1 {
		return v.Children[0].Addr, true
	}
	return v.Base, false
}

// HeapSummary is what `memlens heap` shows: totals and one row per size class in use.
type HeapSummary struct {
	// PageSize and ArenaSize are the runtime's page and arena sizes, in bytes.
	PageSize  uint64 `json:"pageSize"`
	ArenaSize uint64 `json:"arenaSize"`
	// Arenas counts the mapped heap arenas.
	Arenas int `json:"arenas"`
	// Spans counts spans by state.
	Spans SpanCounts `json:"spans"`
	// HeapInuse is the bytes in in-use spans (runtime.MemStats.HeapInuse).
	HeapInuse uint64 `json:"heapInuse"`
	// AllocatedBytes and FreeBytes split the slots of in-use spans into allocated and free
	// (slots times element size; the tail of a span past its last slot is in neither).
	AllocatedBytes uint64 `json:"allocatedBytes"`
	FreeBytes      uint64 `json:"freeBytes"`
	// ManualBytes is the bytes in manual spans: goroutine stacks (MemStats.StackInuse).
	ManualBytes uint64 `json:"manualBytes"`
	// Classes has one row per small size class with in-use spans, by class.
	Classes []ClassSummary `json:"classes"`
	// Large sums the spans of large objects (size class 0): one object each.
	Large LargeSummary `json:"large"`
}

// SpanCounts counts spans by state.
type SpanCounts struct {
	InUse  int `json:"inuse"`
	Manual int `json:"manual"`
	Free   int `json:"free"`
}

// ClassSummary sums the in-use spans of one size class.
type ClassSummary struct {
	// Class is the size class; ElemSize its slot size in bytes.
	Class    int    `json:"class"`
	ElemSize uint64 `json:"elemSize"`
	// Spans counts in-use spans of the class (both noscan and scan).
	Spans int `json:"spans"`
	// Objects counts their slots; Allocated the allocated ones.
	Objects   int `json:"objects"`
	Allocated int `json:"allocated"`
	// Bytes is the memory of the spans (pages times page size).
	Bytes uint64 `json:"bytes"`
	// Fragmentation is the fraction of Bytes not in allocated slots (free slots and span tails).
	Fragmentation float64 `json:"fragmentation"`
}

// LargeSummary sums the spans of large objects.
type LargeSummary struct {
	Spans int    `json:"spans"`
	Bytes uint64 `json:"bytes"`
}

// allocatedSlots is the span's allocated slot count: from its bitmaps when they are loaded,
// else mspan.allocCount less the slots on mcache.reusableNoscan lists.
func (s *Span) allocatedSlots() int {
	if s.Alloc != nil {
		return s.AllocatedSlots()
	}
	if n := s.AllocCount - s.Reusable; n > 0 {
		return n
	}
	return 0
}

// Summary totals the heap by span state and size class.
func (h *Heap) Summary() *HeapSummary {
	sum := &HeapSummary{PageSize: h.PageSize, ArenaSize: h.ArenaSize, Arenas: len(h.Arenas), Classes: []ClassSummary{}}
	sum.Spans.Free = h.FreeSpans
	byClass := map[int]*ClassSummary{}
	for _, s := range h.Spans {
		bytes := s.NPages * h.PageSize
		if s.State == SpanManual {
			sum.Spans.Manual++
			sum.ManualBytes += bytes
			continue
		}
		sum.Spans.InUse++
		sum.HeapInuse += bytes
		alloc := s.allocatedSlots()
		sum.AllocatedBytes += uint64(alloc) * s.ElemSize
		sum.FreeBytes += uint64(s.NElems-alloc) * s.ElemSize
		if s.Class == 0 {
			sum.Large.Spans++
			sum.Large.Bytes += bytes
			continue
		}
		c := byClass[s.Class]
		if c == nil {
			c = &ClassSummary{Class: s.Class, ElemSize: s.ElemSize}
			byClass[s.Class] = c
		}
		c.Spans++
		c.Objects += s.NElems
		c.Allocated += alloc
		c.Bytes += bytes
	}
	for _, c := range byClass {
		if c.Bytes > 0 {
			c.Fragmentation = 1 - float64(uint64(c.Allocated)*c.ElemSize)/float64(c.Bytes)
		}
		sum.Classes = append(sum.Classes, *c)
	}
	sort.Slice(sum.Classes, func(i, j int) bool { return sum.Classes[i].Class < sum.Classes[j].Class })
	return sum
}

// Central list names (Span.Central).
const (
	CentralPartialSwept   = "partial, swept"
	CentralPartialUnswept = "partial, unswept"
	CentralFullSwept      = "full, swept"
	CentralFullUnswept    = "full, unswept"
)

// maxCentralEntries bounds the entries read from one spanSet (corrupt head/tail indexes).
const maxCentralEntries = 1 << 24

// markCentralLists records, for each span on one of mheap_.central[spanclass]'s lists, which list
// holds it (Span.Central): spans with free slots (partial) or none (full), swept in this cycle or
// not.
//
// Fields relied on (src/runtime/mcentral.go, mspanset.go, Go 1.19-1.27):
//   - mheap.central [numSpanClasses]struct{mcentral mcentral; pad [...]byte}.
//   - mcentral.partial, mcentral.full [2]spanSet; partial[sweepgen/2%2] is the swept set
//     (partialSwept), the other the unswept one; the same for full.
//   - spanSet.spine: pointer to an array of spineLen *spanSetBlock; spanSet.index: uint64 with
//     head in the high 32 bits and tail in the low 32; entries [head, tail) are live, entry i in
//     block i/len(spans) at slot i%len(spans) (nil when popped).
//   - spanSetBlock.spans [spanSetBlockEntries]*mspan.
func (t *Target) markCentralLists(h *Heap, byAddr map[uint64]*Span, hl *layouts.Layout, mh []byte) error {
	cf, err := hl.Field("central")
	if err != nil {
		return err
	}
	arr, ok := godwarf.ResolveTypedef(cf.Type).(*godwarf.ArrayType)
	if !ok || arr.Count <= 0 || cf.Size%arr.Count != 0 {
		return fmt.Errorf("runtime.mheap.central is %s, not an array of per-class centrals", cf.TypeName)
	}
	elemSize := cf.Size / arr.Count
	var mcentralOff int64
	if st, ok := godwarf.ResolveTypedef(arr.Type).(*godwarf.StructType); ok {
		for _, f := range st.Field {
			if f.Name == "mcentral" {
				mcentralOff = f.ByteOffset
			}
		}
	}
	ml, err := t.Layout("runtime.mcentral")
	if err != nil {
		return err
	}
	sl, err := t.Layout("runtime.spanSet")
	if err != nil {
		return err
	}
	bl, err := t.Layout("runtime.spanSetBlock")
	if err != nil {
		return err
	}
	partialOff, err := ml.Offset("partial")
	if err != nil {
		return err
	}
	fullOff, err := ml.Offset("full")
	if err != nil {
		return err
	}
	spineF, err := sl.Field("spine")
	if err != nil {
		return err
	}
	lenF, err := sl.Field("spineLen")
	if err != nil {
		return err
	}
	indexF, err := sl.Field("index")
	if err != nil {
		return err
	}
	spansF, err := bl.Field("spans")
	if err != nil {
		return err
	}
	word := int64(t.Arch.PtrSize)
	perBlock := uint64(spansF.Size / word)
	if perBlock == 0 || indexF.Size != 8 {
		return fmt.Errorf("runtime.spanSet: %d entries per block, index of %d bytes: unexpected layout", perBlock, indexF.Size)
	}
	swept := int64(h.SweepGen / 2 % 2)
	for c := int64(0); c < arr.Count; c++ {
		central := cf.Offset + c*elemSize + mcentralOff
		for _, set := range []struct {
			off  int64
			name string
		}{
			{partialOff + swept*sl.Size, CentralPartialSwept},
			{partialOff + (1-swept)*sl.Size, CentralPartialUnswept},
			{fullOff + swept*sl.Size, CentralFullSwept},
			{fullOff + (1-swept)*sl.Size, CentralFullUnswept},
		} {
			b := mh[central+set.off : central+set.off+sl.Size]
			index := t.Arch.Uint(b[indexF.Offset : indexF.Offset+8])
			head, tail := index>>32, index&0xffffffff
			if head >= tail {
				continue
			}
			if tail-head > maxCentralEntries {
				return fmt.Errorf("runtime.mheap_.central[%d] %s list: head %d tail %d: corrupt", c, set.name, head, tail)
			}
			spine := t.Arch.Ptr(b[spineF.Offset:])
			spineLen := t.Arch.Uint(b[lenF.Offset : lenF.Offset+lenF.Size])
			if spineLen > maxCentralEntries/perBlock+1 || (tail-1)/perBlock >= spineLen {
				return fmt.Errorf("runtime.mheap_.central[%d] %s list: spine of %d blocks for tail %d: corrupt", c, set.name, spineLen, tail)
			}
			blocks, err := t.Read("runtime.spanSet spine", spine, int64(spineLen)*word)
			if err != nil {
				return err
			}
			for blk := head / perBlock; blk <= (tail-1)/perBlock; blk++ {
				from, to := blk*perBlock, (blk+1)*perBlock
				if from < head {
					from = head
				}
				if to > tail {
					to = tail
				}
				block := t.Arch.Ptr(blocks[int64(blk)*word:])
				if block == 0 {
					continue
				}
				at := block + uint64(spansF.Offset) + (from%perBlock)*uint64(word)
				entries, err := t.Read("runtime.spanSetBlock.spans", at, int64(to-from)*word)
				if err != nil {
					return err
				}
				for i := int64(0); i < int64(len(entries)); i += word {
					if s := byAddr[t.Arch.Ptr(entries[i:])]; s != nil {
						s.Central = set.name
					}
				}
			}
		}
	}
	return nil
}

// sweepGen reads mheap_.sweepgen (uint32) from the mheap's bytes.
func sweepGen(hl *layouts.Layout, mheap []byte) (uint32, error) {
	v, err := hl.Uint(mheap, "sweepgen")
	return uint32(v), err
}
