package inspect_test

import (
	"go/constant"
	"math"
	"strings"
	"testing"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// TestHeapMatchesFixture checks the heap decoders against what the heap fixture built: its
// 48-byte objects, the interior pointer, the large object, the freed and kept objects of a
// private size class, a global, a parked goroutine's stack and MemStats.HeapInuse.
func TestHeapMatchesFixture(t *testing.T) {
	fixtures.ForEach(t, "heap", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		h, err := target.Heap(inspect.HeapOptions{Bits: true})
		if err != nil {
			t.Fatal(err)
		}
		if h.Skipped != 0 {
			t.Errorf("%d spans skipped: %s", h.Skipped, h.SkipReason)
		}
		// heapInuse: bytes in in-use spans, as MemStats.HeapInuse counts them. The fixture read
		// it just before printing its last lines, which take a few more spans (up to ~10 pages
		// seen, 1-2% of its ~6 MiB heap).
		want := float64(tg.Report.Uint(t, "heapInuse"))
		if got := float64(h.HeapInuse()); math.Abs(got-want) > 0.03*want {
			t.Errorf("heapInuse = %.0f, fixture's MemStats.HeapInuse = %.0f (more than 3%% apart)", got, want)
		}
		if h.PageSize != 8192 || h.ArenaSize != 64<<20 || len(h.Arenas) == 0 {
			t.Errorf("pageSize %d arenaSize %d arenas %d", h.PageSize, h.ArenaSize, len(h.Arenas))
		}

		locate := func(key string, addr uint64) *inspect.Location {
			t.Helper()
			loc, err := target.Locate(addr)
			if err != nil {
				t.Fatalf("locating %s %#x: %v", key, addr, err)
			}
			return loc
		}
		// heapObject checks that addr is the base of an allocated slot and that the bulk decoder
		// (Heap) and the runtime-style lookup (Locate) agree on its span.
		heapObject := func(key string, addr uint64) *inspect.Span {
			t.Helper()
			loc := locate(key, addr)
			if loc.Region != inspect.RegionHeap || loc.Object == nil {
				t.Fatalf("%s %#x: region %q, want a heap object", key, addr, loc.Region)
			}
			if loc.Object.Base != addr || !loc.Object.Allocated {
				t.Errorf("%s %#x: slot base %#x allocated %v, want base %#x allocated", key, addr, loc.Object.Base, loc.Object.Allocated, addr)
			}
			if bulk := h.SpanOf(addr); bulk == nil || bulk.Start != loc.Span.Start || bulk.Addr != loc.Span.Addr {
				t.Errorf("%s %#x: Heap.SpanOf gives %+v, Locate gives span %#x", key, addr, bulk, loc.Span.Addr)
			}
			if loc.Arena == nil || addr < loc.Arena.Base || addr-loc.Arena.Base >= h.ArenaSize {
				t.Errorf("%s %#x: arena %+v does not hold it", key, addr, loc.Arena)
			}
			return loc.Span
		}

		noscan := heapObject("noscan48", tg.Report.Uint(t, "noscan48"))
		scan := heapObject("scan48", tg.Report.Uint(t, "scan48"))
		for _, s := range []*inspect.Span{noscan, scan} {
			if s.ElemSize != 48 || s.Class == 0 || h.SizeClasses[s.Class].ElemSize != 48 {
				t.Errorf("48-byte object's span: class %d elemSize %d (table says %d)", s.Class, s.ElemSize, h.SizeClasses[s.Class].ElemSize)
			}
		}
		if noscan.Class != scan.Class || !noscan.Noscan || scan.Noscan {
			t.Errorf("noscan48 span class %d noscan %v, scan48 span class %d noscan %v: want one class, noscan bits true and false",
				noscan.Class, noscan.Noscan, scan.Class, scan.Noscan)
		}

		interior := locate("interior", tg.Report.Uint(t, "interior"))
		if interior.Object == nil || interior.Object.Base != tg.Report.Uint(t, "scan48") {
			t.Errorf("interior pointer %#x resolves to %+v, want base %#x", tg.Report.Uint(t, "interior"), interior.Object, tg.Report.Uint(t, "scan48"))
		}

		// A pointerful object over 512 bytes: from Go 1.22 a malloc header precedes it in its slot.
		big := tg.Report.Uint(t, "scan1k")
		if loc := locate("scan1k", big); loc.Object == nil || !loc.Object.Allocated {
			t.Errorf("scan1k %#x: %+v", big, loc.Object)
		} else {
			wantHeader := uint64(0)
			if tg.Toolchain.Minor >= 22 {
				wantHeader = 8
			}
			if loc.Object.Header != wantHeader || loc.Object.Base+loc.Object.Header != big {
				t.Errorf("scan1k %#x: slot base %#x header %d, want header %d before the object", big, loc.Object.Base, loc.Object.Header, wantHeader)
			}
		}

		large := heapObject("large", tg.Report.Uint(t, "large"))
		if large.Class != 0 || large.NPages != tg.Report.Uint(t, "largePages") || large.Start != tg.Report.Uint(t, "large") || large.NElems != 1 {
			t.Errorf("large object span: class %d npages %d start %#x nelems %d; fixture: %d pages at %s",
				large.Class, large.NPages, large.Start, large.NElems, tg.Report.Uint(t, "largePages"), tg.Report.Get(t, "large"))
		}

		var keptSpan *inspect.Span
		for _, f := range strings.Fields(tg.Report.Get(t, "kept")) {
			keptSpan = heapObject("kept", parseHex(t, f))
		}
		// After the fixture's last GC the spans of its private class, with free slots and no
		// allocation since, sit on their class's swept partial list; the sweeper puts a large
		// object's span straight on the swept full list of class 0 (mgcsweep.go, every version).
		if bulk := h.SpanOf(keptSpan.Start); bulk == nil || bulk.Central != inspect.CentralPartialSwept || bulk.CachedBy != -1 {
			t.Errorf("span of the kept objects: %+v, want it on the central partial swept list", bulk)
		}
		if bulk := h.SpanOf(large.Start); bulk == nil || bulk.Central != inspect.CentralFullSwept {
			t.Errorf("large object span: %+v, want it on the central full swept list", bulk)
		}
		for _, f := range strings.Fields(tg.Report.Get(t, "freed")) {
			loc := locate("freed", parseHex(t, f))
			if loc.Object == nil || loc.Object.Base != parseHex(t, f) {
				t.Errorf("freed object %s: %+v, want a slot based there", f, loc.Object)
				continue
			}
			if loc.Object.Allocated {
				t.Errorf("freed object %s: slot %d still allocated after two GCs (span freeindex %d)", f, loc.Object.Index, loc.Span.FreeIndex)
			}
			if loc.Span.Class != keptSpan.Class || loc.Span.ElemSize < uint64(tg.Report.Int(t, "freedSize")) {
				t.Errorf("freed object %s: span class %d elemSize %d", f, loc.Span.Class, loc.Span.ElemSize)
			}
		}

		global := locate("global", tg.Report.Uint(t, "global"))
		if global.Region != inspect.RegionGlobal || global.Symbol != "main.target" {
			t.Errorf("global %s: region %q symbol %q section %q, want global main.target", tg.Report.Get(t, "global"), global.Region, global.Symbol, global.Section)
		}
		stack := locate("stack", tg.Report.Uint(t, "stack"))
		if stack.Region != inspect.RegionStack || stack.Goroutine != tg.Report.Int(t, "stackGoroutine") {
			t.Errorf("stack %s: region %q goroutine %d, want the stack of goroutine %d", tg.Report.Get(t, "stack"), stack.Region, stack.Goroutine, tg.Report.Int(t, "stackGoroutine"))
		}
		if stack.Span == nil || stack.Span.State != inspect.SpanManual {
			t.Errorf("stack %s: span %+v, want a manual span", tg.Report.Get(t, "stack"), stack.Span)
		}

		if tg.Mode == fixtures.Live {
			target.Close()
			tg.Ping(t)
		}
	})
}

func parseHex(t *testing.T, s string) uint64 {
	t.Helper()
	r := fixtures.Report{"v": s}
	return r.Uint(t, "v")
}

// TestHeapLayoutAssumptions checks, against each target's own DWARF, the runtime facts the heap
// decoders rely on (see the comments in heap.go and span.go).
func TestHeapLayoutAssumptions(t *testing.T) {
	fixtures.ForEach(t, "heap", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		ml, err := target.Layout("runtime.mspan")
		if err != nil {
			t.Fatal(err)
		}
		sizes := map[string][]int64{
			"startAddr": {8}, "npages": {8}, "elemsize": {8}, "allocBits": {8}, "gcmarkBits": {8},
			"sweepgen": {4}, "allocCount": {2}, "spanclass": {1}, "state": {1},
			// uintptr up to 1.21, uint16 from 1.22
			"freeindex": {8, 2}, "nelems": {8, 2},
		}
		for name, want := range sizes {
			f, err := ml.Field(name)
			if err != nil {
				t.Errorf("runtime.mspan: %v", err)
				continue
			}
			if f.Size != want[0] && (len(want) == 1 || f.Size != want[1]) {
				t.Errorf("runtime.mspan.%s is %d bytes, want one of %v", name, f.Size, want)
			}
		}
		fi, _ := ml.Field("freeindex")
		ne, _ := ml.Field("nelems")
		if fi != nil && ne != nil && fi.Size != ne.Size {
			t.Errorf("mspan.freeindex (%d bytes) and nelems (%d bytes) differ", fi.Size, ne.Size)
		}
		for name, want := range map[string]int64{"runtime.mSpanDead": 0, "runtime.mSpanInUse": 1, "runtime.mSpanManual": 2} {
			v, err := target.Eval(name, proc.LoadConfig{})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if n, _ := constant.Int64Val(v.Value); n != want {
				t.Errorf("%s = %d, memlens's fallback says %d", name, n, want)
			}
		}
		hl, err := target.Layout("runtime.mheap")
		if err != nil {
			t.Fatal(err)
		}
		if hl.Has("heapArenas") == hl.Has("allArenas") {
			t.Errorf("runtime.mheap should have exactly one of heapArenas, allArenas: %v", hl.FieldNames())
		}
		if f, err := hl.Field("arenas"); err != nil || f.Size != 8 {
			t.Errorf("runtime.mheap.arenas: %v (size %v), want one L1 pointer", err, f)
		}
		al, err := target.Layout("runtime.heapArena")
		if err != nil {
			t.Fatal(err)
		}
		if f, err := al.Field("spans"); err != nil || f.Size != 8192*8 {
			t.Errorf("runtime.heapArena.spans: %v, want 8192 pointers", err)
		}
		// Green Tea (1.26 default): inline mark bits, and the arena bitmap that says which spans
		// have them, come together.
		_, inlineErr := target.Layout("runtime.spanInlineMarkBits")
		if greenTea := tg.Toolchain.Minor >= 26; greenTea != (inlineErr == nil) || greenTea != al.Has("pageUseSpanInlineMarkBits") {
			t.Errorf("Go 1.%d: spanInlineMarkBits present %v, heapArena.pageUseSpanInlineMarkBits present %v", tg.Toolchain.Minor, inlineErr == nil, al.Has("pageUseSpanInlineMarkBits"))
		}
		classes, err := target.SizeClasses()
		if err != nil {
			t.Fatal(err)
		}
		if len(classes) != 68 || classes[0].ElemSize != 0 || classes[1].ElemSize != 8 || classes[5].ElemSize != 48 || classes[67].ElemSize != 32768 || classes[5].Pages != 1 {
			t.Errorf("size classes: %d entries, %+v %+v %+v", len(classes), classes[1], classes[5], classes[len(classes)-1])
		}
	})
}
