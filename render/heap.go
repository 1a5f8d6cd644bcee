package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/memlens/memlens/inspect"
)

// HeapView shows the allocator (`memlens heap`): totals, one row per size class, and as a
// diagram a map of each arena's pages coloured by what holds them.
type HeapView struct {
	Summary *inspect.HeapSummary
	Heap    *inspect.Heap
	// Limit bounds the arenas drawn (0: DefaultArenaLimit).
	Limit int
}

// DefaultArenaLimit is the number of arenas the map draws when no limit is given: 16 arenas are
// 1 GiB of heap.
const DefaultArenaLimit = 16

func (v HeapView) WriteText(w io.Writer) error {
	s := v.Summary
	fmt.Fprintf(w, "Heap: %d arena(s) of %s, %s pages\n", s.Arenas, byteSize(s.ArenaSize), byteSize(s.PageSize))
	fmt.Fprintf(w, "Spans: %d in use, %d manual (stacks), %d free mspan structures\n", s.Spans.InUse, s.Spans.Manual, s.Spans.Free)
	fmt.Fprintf(w, "In-use spans: %s (heapInuse %d bytes): slots allocated %s, free %s\n",
		byteSize(s.HeapInuse), s.HeapInuse, byteSize(s.AllocatedBytes), byteSize(s.FreeBytes))
	fmt.Fprintf(w, "Stacks: %s in manual spans\n", byteSize(s.ManualBytes))
	if v.Heap != nil && v.Heap.Skipped > 0 {
		fmt.Fprintf(w, "Warning: %d corrupt mspans skipped (first: %s)\n", v.Heap.Skipped, v.Heap.SkipReason)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "CLASS\tELEM SIZE\tSPANS\tSLOTS\tALLOCATED\tBYTES\tFRAGMENTATION\t\n")
	for _, c := range s.Classes {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%s\t%.1f%%\t\n", c.Class, c.ElemSize, c.Spans, c.Objects, c.Allocated, byteSize(c.Bytes), 100*c.Fragmentation)
	}
	fmt.Fprintf(tw, "large\t-\t%d\t%d\t%d\t%s\t-\t\n", s.Large.Spans, s.Large.Spans, s.Large.Spans, byteSize(s.Large.Bytes))
	return tw.Flush()
}

func (v HeapView) JSONValue() any { return v.Summary }

// pageUse is what holds a page in the arena map.
type pageUse int

const (
	useFree   pageUse = iota
	useTiny           // size classes up to 128 bytes
	useSmall          // up to 1 KiB
	useMedium         // up to 32 KiB
	useLarge          // large objects (class 0)
	useStack          // manual spans
	numUses
)

var useColor = [numUses]string{"#f0f0f0", "#9ecae1", "#4292c6", "#08519c", "#e6550d", "#31a354"}
var useName = [numUses]string{"free pages", "classes <= 128 B", "classes <= 1 KiB", "classes <= 32 KiB", "large objects", "stacks"}

func spanUse(s *inspect.Span) pageUse {
	switch {
	case s.State == inspect.SpanManual:
		return useStack
	case s.Class == 0:
		return useLarge
	case s.ElemSize <= 128:
		return useTiny
	case s.ElemSize <= 1024:
		return useSmall
	}
	return useMedium
}

// arenaCells is the most cells drawn per arena: each cell aggregates a run of pages and takes
// the colour of what holds most of them. One arena gets 256 cells; big heaps get 64 (1 MiB each
// for a full 64 MiB arena), so that a gigabyte heap's map stays one screen tall.
func arenaCells(arenas int) uint64 {
	switch {
	case arenas <= 1:
		return 256
	case arenas <= 4:
		return 128
	}
	return 64
}

// arenaMap is one arena aggregated into cells.
type arenaMap struct {
	arena        inspect.Arena
	pagesPerCell uint64
	// cells[i][u] counts the pages of cell i held by use u.
	cells [][numUses]uint64
	// firstPage and endPage bound the pages any span holds (endPage exclusive): the cells cover
	// only them, so a heap whose randomized base lies deep in its arena is still drawn large.
	firstPage, endPage uint64
	used               bool
}

// arenaMaps aggregates the spans into per-arena cells, in one pass over the spans (and the cells
// each span covers): never per page.
func arenaMaps(h *inspect.Heap) []*arenaMap {
	pagesPerArena := h.ArenaSize / h.PageSize
	maps := make([]*arenaMap, len(h.Arenas))
	byBase := map[uint64]*arenaMap{}
	// First pass: the highest page in use per arena fixes its cell size.
	for i, a := range h.Arenas {
		maps[i] = &arenaMap{arena: a}
		byBase[a.Base] = maps[i]
	}
	forEachArenaPart := func(s *inspect.Span, fn func(m *arenaMap, first, last uint64)) {
		start, end := s.Start, s.End(h.PageSize)
		// Arenas are aligned to their size (arenaBaseOffset is a multiple of it).
		for a := start &^ (h.ArenaSize - 1); a < end; a += h.ArenaSize {
			m := byBase[a]
			if m == nil {
				continue
			}
			lo, hi := start, end
			if lo < a {
				lo = a
			}
			if hi > a+h.ArenaSize {
				hi = a + h.ArenaSize
			}
			fn(m, (lo-a)/h.PageSize, (hi-a)/h.PageSize-1)
		}
	}
	if len(h.Arenas) == 0 {
		return nil
	}
	for _, s := range h.Spans {
		forEachArenaPart(s, func(m *arenaMap, first, last uint64) {
			if !m.used || first < m.firstPage {
				m.firstPage = first
			}
			if !m.used || last+1 > m.endPage {
				m.endPage = last + 1
			}
			m.used = true
		})
	}
	for _, m := range maps {
		shown := m.endPage - m.firstPage
		if shown == 0 {
			shown = 1
		}
		maxCells := arenaCells(len(maps))
		m.pagesPerCell = (shown + maxCells - 1) / maxCells
		if m.pagesPerCell > pagesPerArena {
			m.pagesPerCell = pagesPerArena
		}
		m.cells = make([][numUses]uint64, (shown+m.pagesPerCell-1)/m.pagesPerCell)
	}
	for _, s := range h.Spans {
		u := spanUse(s)
		forEachArenaPart(s, func(m *arenaMap, first, last uint64) {
			first, last = first-m.firstPage, last-m.firstPage
			for c := first / m.pagesPerCell; c <= last/m.pagesPerCell && c < uint64(len(m.cells)); c++ {
				lo, hi := c*m.pagesPerCell, (c+1)*m.pagesPerCell-1
				if lo < first {
					lo = first
				}
				if hi > last {
					hi = last
				}
				m.cells[c][u] += hi - lo + 1
			}
		})
	}
	for _, m := range maps {
		for c := range m.cells {
			var held uint64
			for u := useTiny; u < numUses; u++ {
				held += m.cells[c][u]
			}
			size := m.pagesPerCell
			if end := uint64(c+1) * m.pagesPerCell; end > m.endPage-m.firstPage && m.used {
				size -= end - (m.endPage - m.firstPage)
			}
			if held < size {
				m.cells[c][useFree] = size - held
			}
		}
	}
	return maps
}

// Graph draws the arena map: one node per arena (up to Limit, then an "N more" node), its pages
// aggregated into at most arenaCells cells.
func (v HeapView) Graph() *Graph {
	g := NewGraph("heap")
	g.Attrs["rankdir"] = "TB"
	g.Attrs["nodesep"] = "0.2"
	g.Attrs["ranksep"] = "0.1"
	limit := v.Limit
	if limit <= 0 {
		limit = DefaultArenaLimit
	}
	s := v.Summary
	title := fmt.Sprintf("heap: %d arena(s), %s in in-use spans (%s allocated), %s of stacks",
		s.Arenas, byteSize(s.HeapInuse), byteSize(s.AllocatedBytes), byteSize(s.ManualBytes))
	var lg strings.Builder
	lg.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">`)
	fmt.Fprintf(&lg, `<TR><TD COLSPAN="%d" ALIGN="LEFT"><B>%s</B></TD></TR><TR>`, 3*numUses, Esc(title))
	for u := pageUse(0); u < numUses; u++ {
		fmt.Fprintf(&lg, `<TD WIDTH="12" HEIGHT="12" FIXEDSIZE="TRUE" BORDER="1" COLOR="#999999" BGCOLOR="%s"> </TD><TD ALIGN="LEFT">%s</TD><TD WIDTH="10"> </TD>`, useColor[u], Esc(useName[u]))
	}
	lg.WriteString("</TR></TABLE>")
	g.AddNode("legend", lg.String(), true, nil)
	prev := "legend"
	maps := arenaMaps(v.Heap)
	for i, m := range maps {
		if i == limit {
			id := "more"
			g.AddNode(id, fmt.Sprintf("... %d more arenas", len(maps)-limit), false, map[string]string{"shape": "box", "style": "dashed"})
			g.AddEdge(prev, id, map[string]string{"style": "invis"})
			break
		}
		id := fmt.Sprintf("arena%d", i)
		g.AddNode(id, arenaLabel(m, v.Heap.PageSize, v.Heap.ArenaSize), true, nil)
		g.AddEdge(prev, id, map[string]string{"style": "invis"})
		prev = id
	}
	return g
}

// arenaLabel draws one arena's cells, 32 to a row.
func arenaLabel(m *arenaMap, pageSize, arenaSize uint64) string {
	const cols = 32
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">`)
	cell := byteSize(m.pagesPerCell * pageSize)
	fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT">arena %d at %#x (heapArena %#x): from %#x, each cell %d page(s) = %s, 32 cells a row</TD></TR>`,
		m.arena.Index, m.arena.Base, m.arena.Meta, m.arena.Base+m.firstPage*pageSize, m.pagesPerCell, Esc(cell))
	b.WriteString(`<TR><TD><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="1" CELLPADDING="0">`)
	for row := 0; row*cols < len(m.cells); row++ {
		b.WriteString("<TR>")
		for c := row * cols; c < (row+1)*cols; c++ {
			if c >= len(m.cells) {
				b.WriteString(`<TD BORDER="0" WIDTH="16" HEIGHT="16" FIXEDSIZE="TRUE"> </TD>`)
				continue
			}
			best := useFree
			for u := useFree; u < numUses; u++ {
				if m.cells[c][u] > m.cells[c][best] {
					best = u
				}
			}
			off := (m.firstPage + uint64(c)*m.pagesPerCell) * pageSize
			fmt.Fprintf(&b, `<TD WIDTH="16" HEIGHT="16" FIXEDSIZE="TRUE" COLOR="#bbbbbb" BGCOLOR="%s" TOOLTIP="%#x: %s"> </TD>`,
				useColor[best], m.arena.Base+off, Esc(cellTooltip(m.cells[c])))
		}
		b.WriteString("</TR>")
	}
	b.WriteString("</TABLE></TD></TR>")
	var skipped []string
	if before := m.firstPage * pageSize; before > 0 {
		skipped = append(skipped, byteSize(before)+" of free pages before the first span")
	}
	if after := arenaSize - m.endPage*pageSize; after > 0 {
		skipped = append(skipped, byteSize(after)+" after the last")
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT"><I>not drawn: %s</I></TD></TR>`, Esc(strings.Join(skipped, ", ")))
	}
	b.WriteString("</TABLE>")
	return b.String()
}

func cellTooltip(c [numUses]uint64) string {
	var parts []string
	for u := pageUse(0); u < numUses; u++ {
		if c[u] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[u], useName[u]))
		}
	}
	return strings.Join(parts, ", ")
}
