package render

import (
	"strings"
	"testing"

	"github.com/memlens/memlens/inspect"
)

// syntheticHeap has one arena per base given, each with spans of several uses.
func syntheticHeap(bases ...uint64) *inspect.Heap {
	h := &inspect.Heap{PageSize: 8192, ArenaSize: 64 << 20}
	for i, b := range bases {
		h.Arenas = append(h.Arenas, inspect.Arena{Index: uint64(i), Base: b, Meta: 0x1000})
		h.Spans = append(h.Spans,
			&inspect.Span{Start: b + 10*8192, NPages: 1, Class: 5, ElemSize: 48, NElems: 170, State: inspect.SpanInUse},
			&inspect.Span{Start: b + 11*8192, NPages: 4, State: inspect.SpanManual},
			&inspect.Span{Start: b + 20*8192, NPages: 129, Class: 0, ElemSize: 129 * 8192, NElems: 1, State: inspect.SpanInUse},
		)
	}
	return h
}

// TestArenaMapsCountEveryPage checks the aggregation: every page from the first span to the last
// is counted once, under the use of the span holding it (or free).
func TestArenaMapsCountEveryPage(t *testing.T) {
	h := syntheticHeap(0xc000000000)
	maps := arenaMaps(h)
	if len(maps) != 1 {
		t.Fatalf("%d maps", len(maps))
	}
	m := maps[0]
	var total [numUses]uint64
	for _, c := range m.cells {
		for u, n := range c {
			total[u] += n
		}
	}
	want := [numUses]uint64{useFree: 5, useTiny: 1, useStack: 4, useLarge: 129}
	if total != want {
		t.Errorf("page counts by use %v, want %v (pages per cell %d, first %d end %d)", total, want, m.pagesPerCell, m.firstPage, m.endPage)
	}
	if m.firstPage != 10 || m.endPage != 149 || uint64(len(m.cells)) > arenaCells(1) {
		t.Errorf("first %d end %d cells %d", m.firstPage, m.endPage, len(m.cells))
	}
}

// TestHeapGraphIsBounded checks that the arena map stops at the limit with an "N more" node.
func TestHeapGraphIsBounded(t *testing.T) {
	var bases []uint64
	for i := 0; i < 20; i++ {
		bases = append(bases, 0xc000000000+uint64(i)*(64<<20))
	}
	h := syntheticHeap(bases...)
	g := HeapView{Summary: h.Summary(), Heap: h, Limit: 5}.Graph()
	arenas := 0
	for _, n := range g.Nodes {
		if strings.HasPrefix(n.ID, "arena") {
			arenas++
		}
	}
	if arenas != 5 || !strings.Contains(g.DOT(), "15 more arenas") {
		t.Errorf("%d arena nodes drawn with limit 5; DOT has no \"15 more arenas\"", arenas)
	}
}

// TestSpanGridIsBounded checks that a grid never draws more than maxGridSlots slots and says
// how many it left out, and that freeindex is marked.
func TestSpanGridIsBounded(t *testing.T) {
	s := &inspect.Span{Start: 0xc000000000, NPages: 4, Class: 1, ElemSize: 8, NElems: 4096, FreeIndex: 7, State: inspect.SpanInUse, Alloc: make([]byte, 512)}
	dot := SpansView{Spans: []*inspect.Span{s}, Total: 1, Grid: s, PageSize: 8192}.Graph().DOT()
	if n := strings.Count(dot, "TOOLTIP=\"slot "); n != maxGridSlots {
		t.Errorf("%d slots drawn, want %d", n, maxGridSlots)
	}
	if !strings.Contains(dot, "3072 more slots not drawn") || !strings.Contains(dot, `TOOLTIP="slot 7 at 0xc000000038">`+markFreeIndex) {
		t.Errorf("grid lacks the \"more slots\" note or the freeindex mark")
	}
}
