package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/memlens/memlens/inspect"
)

// Slot colours of the span grid, shared with the legend.
const (
	colAllocated = "#5b8fd9" // allocated slot
	colMarked    = "#2e9e5b" // allocated and marked in the current GC cycle
	colFree      = "#f4f4f4" // free slot
	colReusable  = "#f2c14e" // freed to mcache.reusableNoscan, alloc bit still set
)

// Glyphs marking slots in the grid.
const (
	markFreeIndex = `<FONT COLOR="#d62728" POINT-SIZE="11"><B>F</B></FONT>`
	markTarget    = `<FONT COLOR="#ffffff" POINT-SIZE="11"><B>X</B></FONT>`
)

// maxGridSlots bounds the slot grid: the smallest size class (8 bytes) has 1024 slots per page.
const maxGridSlots = 1024

// spanJSON is a span as `memlens span` and `memlens spans` print it in JSON.
type spanJSON struct {
	Addr       string `json:"addr"`
	Start      string `json:"start"`
	NPages     uint64 `json:"npages"`
	Class      int    `json:"class"`
	Noscan     bool   `json:"noscan"`
	ElemSize   uint64 `json:"elemSize"`
	NElems     int    `json:"nelems"`
	AllocCount int    `json:"allocCount"`
	FreeIndex  int    `json:"freeindex"`
	State      string `json:"state"`
	// Allocated counts allocated slots from the bitmaps (absent when they were not read).
	Allocated *int `json:"allocated,omitempty"`
	// CachedBy is the P whose mcache allocates from the span.
	CachedBy *int `json:"cachedBy,omitempty"`
	// Sweep is the span's place in the sweep cycle.
	Sweep string `json:"sweep,omitempty"`
	// Central is the mheap_.central list holding the span ("partial, swept", ...).
	Central string `json:"central,omitempty"`
}

func newSpanJSON(s *inspect.Span) spanJSON {
	j := spanJSON{Addr: Hex(s.Addr), Start: Hex(s.Start), NPages: s.NPages, Class: s.Class, Noscan: s.Noscan,
		ElemSize: s.ElemSize, NElems: s.NElems, AllocCount: s.AllocCount, FreeIndex: s.FreeIndex, State: string(s.State),
		Sweep: s.Sweep, Central: s.Central}
	if s.Alloc != nil {
		n := s.AllocatedSlots()
		j.Allocated = &n
	}
	if s.CachedBy >= 0 {
		p := s.CachedBy
		j.CachedBy = &p
	}
	return j
}

// SpansView lists spans with an occupancy bar (`memlens spans`); its diagram is the slot grid of
// Grid (the span asked for with --addr, or the first listed).
type SpansView struct {
	Spans []*inspect.Span
	// Total is the number of matching spans; Spans holds the first Limit of them.
	Total int
	// Grid is the span drawn as a slot grid; nil draws none.
	Grid     *inspect.Span
	PageSize uint64
}

func (v SpansView) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "MSPAN\tSTART\tPAGES\tCLASS\tELEM\tSTATE\tALLOCATED\tOCCUPANCY\tFREEINDEX\tHELD BY\n")
	for _, s := range v.Spans {
		alloc := s.AllocCount
		if s.Alloc != nil {
			alloc = s.AllocatedSlots()
		}
		class := fmt.Sprint(s.Class)
		if s.State == inspect.SpanInUse && s.Noscan {
			class += " noscan"
		}
		p := "-"
		switch {
		case s.CachedBy >= 0:
			p = fmt.Sprintf("mcache of P%d", s.CachedBy)
		case s.Central != "":
			p = "central " + s.Central
		}
		occupancy, allocated, freeindex := "", "", ""
		if s.State == inspect.SpanInUse {
			occupancy = bar(alloc, s.NElems, 20)
			allocated = fmt.Sprintf("%d/%d", alloc, s.NElems)
			freeindex = fmt.Sprint(s.FreeIndex)
		} else {
			class = "-"
		}
		start, pages, elem := fmt.Sprintf("%#x", s.Start), fmt.Sprint(s.NPages), byteSize(s.ElemSize)
		if s.State == inspect.SpanFree {
			start, pages, elem = "-", "-", "-" // a free mspan describes no memory
		}
		fmt.Fprintf(tw, "%#x\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Addr, start, pages, class,
			elem, s.State, allocated, occupancy, freeindex, p)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more := v.Total - len(v.Spans); more > 0 {
		fmt.Fprintf(w, "... %d more spans (raise --limit to list them)\n", more)
	}
	if len(v.Spans) == 0 {
		fmt.Fprintln(w, "no spans match")
	}
	return nil
}

func (v SpansView) JSONValue() any {
	out := struct {
		Total int        `json:"total"`
		Spans []spanJSON `json:"spans"`
	}{Total: v.Total, Spans: []spanJSON{}}
	for _, s := range v.Spans {
		out.Spans = append(out.Spans, newSpanJSON(s))
	}
	return out
}

// Graph draws the slot grid of v.Grid.
func (v SpansView) Graph() *Graph {
	g := NewGraph("spans")
	if v.Grid == nil {
		g.AddNode("none", "no span matches", false, map[string]string{"shape": "box"})
		return g
	}
	addSpanGrid(g, v.Grid, -1, v.PageSize)
	return g
}

// bar draws n of total as a bar of width characters.
func bar(n, total, width int) string {
	if total <= 0 {
		return strings.Repeat(".", width)
	}
	full := (n*width + total - 1) / total
	if n == 0 {
		full = 0
	}
	if full > width {
		full = width
	}
	return "[" + strings.Repeat("#", full) + strings.Repeat(".", width-full) + "]"
}

// byteSize formats a byte count with a binary unit ("8 KiB", "1.5 MiB").
func byteSize(n uint64) string {
	units := []struct {
		size uint64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}}
	for _, u := range units {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.name)
			}
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d B", n)
}

// addSpanGrid adds a node drawing span s as a grid of slots: allocated, marked, free and
// reusable slots in distinct colours, the slot at freeindex outlined in red and, when target is a
// slot index, that slot outlined in black. Grids are cut at maxGridSlots slots with a note.
func addSpanGrid(g *Graph, s *inspect.Span, target int, pageSize uint64) {
	title := fmt.Sprintf("mspan %#x: %d page(s) at %#x", s.Addr, s.NPages, s.Start)
	var info string
	switch {
	case s.State != inspect.SpanInUse:
		info = fmt.Sprintf("state %s (%s): no slots", s.State, stateMeaning(s.State))
	case s.Class == 0:
		info = fmt.Sprintf("large object span: one %s object", byteSize(s.ElemSize))
	default:
		noscan := "scan (objects hold pointers)"
		if s.Noscan {
			noscan = "noscan (no pointers)"
		}
		info = fmt.Sprintf("size class %d, %s slots, %s\n%d slots, allocCount %d, freeindex %d", s.Class, byteSize(s.ElemSize), noscan, s.NElems, s.AllocCount, s.FreeIndex)
	}
	if s.InlineMarks {
		info += "\nGreen Tea: mark bits inline at the end of the page"
	}
	cols := 32
	n := s.NElems
	if n < cols {
		cols = n
	}
	if cols == 0 {
		cols = 1
	}
	shown := n
	if shown > maxGridSlots {
		shown = maxGridSlots
	}
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">`)
	fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT" BGCOLOR="#dde8f5">%s</TD></TR>`, Esc(title))
	for _, line := range strings.Split(info, "\n") {
		fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT">%s</TD></TR>`, Esc(line))
	}
	if shown > 0 {
		b.WriteString(`<TR><TD><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="0">`)
		for row := 0; row*cols < shown; row++ {
			b.WriteString("<TR>")
			for c := 0; c < cols; c++ {
				i := row*cols + c
				if i >= shown {
					b.WriteString(`<TD BORDER="0" WIDTH="16" HEIGHT="16" FIXEDSIZE="TRUE"> </TD>`)
					continue
				}
				bg := colFree
				switch {
				case s.Allocated(i) && s.Marked(i):
					bg = colMarked
				case s.Allocated(i):
					bg = colAllocated
				case i >= s.FreeIndex && i < s.NElems && bitIsSet(s.Alloc, i):
					bg = colReusable
				}
				// Cell borders do not survive every renderer, so the marks are glyphs.
				text := " "
				if i == target {
					text = markTarget
				} else if i == s.FreeIndex {
					text = markFreeIndex
				}
				fmt.Fprintf(&b, `<TD WIDTH="16" HEIGHT="16" FIXEDSIZE="TRUE" BGCOLOR="%s" COLOR="#999999" TOOLTIP="slot %d at %#x">%s</TD>`,
					bg, i, s.Start+uint64(i)*s.ElemSize, text)
			}
			b.WriteString("</TR>")
		}
		b.WriteString("</TABLE></TD></TR>")
		if n > shown {
			fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT"><I>... %d more slots not drawn</I></TD></TR>`, n-shown)
		}
		b.WriteString(`<TR><TD ALIGN="LEFT">` + legend(target >= 0) + `</TD></TR>`)
	}
	b.WriteString("</TABLE>")
	g.Attrs["rankdir"] = "TB"
	g.AddNode("span", b.String(), true, nil)
}

func bitIsSet(bits []byte, i int) bool { return i/8 < len(bits) && bits[i/8]&(1<<(i%8)) != 0 }

// legend explains the grid's colours.
func legend(withTarget bool) string {
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR>`)
	item := func(bg, mark, text string) {
		fmt.Fprintf(&b, `<TD WIDTH="16" HEIGHT="16" FIXEDSIZE="TRUE" BORDER="1" COLOR="#999999" BGCOLOR="%s">%s</TD><TD ALIGN="LEFT">%s</TD><TD WIDTH="8"> </TD>`, bg, mark, Esc(text))
	}
	item(colAllocated, " ", "allocated")
	item(colMarked, " ", "allocated, marked")
	item(colFree, " ", "free")
	item(colReusable, " ", "freed (reusableNoscan)")
	item(colFree, markFreeIndex, "freeindex: next slot to try")
	if withTarget {
		item(colAllocated, markTarget, "the address's slot")
	}
	b.WriteString("</TR></TABLE>")
	return b.String()
}

func stateMeaning(s inspect.SpanState) string {
	switch s {
	case inspect.SpanInUse:
		return "garbage-collected heap"
	case inspect.SpanManual:
		return "manually managed: goroutine stacks"
	}
	return "mspan not in use; its pages are free"
}

// SpanView says where one address lies (`memlens span ADDR`).
type SpanView struct {
	Loc      *inspect.Location
	PageSize uint64
}

func (v SpanView) WriteText(w io.Writer) error {
	l := v.Loc
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Address:\t%#x\n", l.Addr)
	fmt.Fprintf(tw, "Region:\t%s\n", regionText(l))
	if l.Arena != nil {
		fmt.Fprintf(tw, "Arena:\t%d at %#x (heapArena %#x), page %d\n", l.Arena.Index, l.Arena.Base, l.Arena.Meta, l.Page)
	}
	if s := l.Span; s != nil {
		fmt.Fprintf(tw, "Span:\tmspan %#x, %d page(s) %#x-%#x, %s\n", s.Addr, s.NPages, s.Start, s.End(v.PageSize), s.State)
		if s.State == inspect.SpanInUse {
			noscan := "scan"
			if s.Noscan {
				noscan = "noscan"
			}
			fmt.Fprintf(tw, "Size class:\t%d (%s), %d-byte slots, %d slots\n", s.Class, noscan, s.ElemSize, s.NElems)
			fmt.Fprintf(tw, "Allocation:\tallocCount %d, freeindex %d\n", s.AllocCount, s.FreeIndex)
			if s.Sweep != "" {
				fmt.Fprintf(tw, "Sweep:\t%s\n", s.Sweep)
			}
			switch {
			case s.CachedBy >= 0:
				fmt.Fprintf(tw, "Held by:\tthe mcache of P%d (allocating from it)\n", s.CachedBy)
			case s.Central != "":
				fmt.Fprintf(tw, "Held by:\tmheap_.central[%d] list %s\n", 2*s.Class+noscanBit(s.Noscan), s.Central)
			}
		}
	}
	if o := l.Object; o != nil {
		fmt.Fprintf(tw, "Slot:\t%d, base %#x (+%d)\n", o.Index, o.Base, l.Addr-o.Base)
		if o.Header > 0 {
			fmt.Fprintf(tw, "Malloc header:\t%d bytes (the object's type); its data starts at %#x\n", o.Header, o.Base+o.Header)
		}
		fmt.Fprintf(tw, "Allocated:\t%v\n", o.Allocated)
		fmt.Fprintf(tw, "Marked:\t%v\n", o.Marked)
	}
	return tw.Flush()
}

// regionText explains a location's region in one phrase.
func regionText(l *inspect.Location) string {
	switch l.Region {
	case inspect.RegionHeap:
		return "heap object"
	case inspect.RegionHeapFree:
		if l.Span != nil {
			return "heap span, past its last slot"
		}
		return "heap arena, free pages (no span holds them)"
	case inspect.RegionStack:
		if l.Goroutine != 0 {
			return fmt.Sprintf("not in the heap: stack of goroutine %d [%#x, %#x)", l.Goroutine, l.StackLo, l.StackHi)
		}
		return "not in the heap: a stack span (mSpanManual) no goroutine uses now"
	case inspect.RegionGlobal:
		return fmt.Sprintf("not in the heap: global %s (%s)", orNoSymbol(l.Symbol), l.Section)
	case inspect.RegionReadOnly:
		return fmt.Sprintf("not in the heap: read-only data %s (%s)", orNoSymbol(l.Symbol), l.Section)
	case inspect.RegionText:
		return fmt.Sprintf("not in the heap: code %s (%s)", orNoSymbol(l.Symbol), l.Section)
	}
	return "not in the heap, a goroutine stack or the executable's sections"
}

// orNoSymbol names a location that has no symbol.
func orNoSymbol(s string) string {
	if s == "" {
		return "(no symbol)"
	}
	return s
}

func (v SpanView) JSONValue() any {
	l := v.Loc
	out := map[string]any{"address": Hex(l.Addr), "region": string(l.Region)}
	if l.Arena != nil {
		out["arena"] = map[string]any{"index": l.Arena.Index, "base": Hex(l.Arena.Base), "page": l.Page}
	}
	if l.Span != nil {
		out["span"] = newSpanJSON(l.Span)
	}
	if o := l.Object; o != nil {
		obj := map[string]any{"index": o.Index, "base": Hex(o.Base), "allocated": o.Allocated, "marked": o.Marked}
		if o.Header > 0 {
			obj["header"] = o.Header
		}
		out["object"] = obj
	}
	if l.Region == inspect.RegionStack && l.Goroutine != 0 {
		out["goroutine"] = l.Goroutine
		out["stack"] = map[string]any{"lo": Hex(l.StackLo), "hi": Hex(l.StackHi)}
	}
	if l.Section != "" {
		out["section"] = l.Section
		if l.Symbol != "" {
			out["symbol"] = l.Symbol
		}
	}
	return out
}

// Graph draws the span's slot grid with the address's slot outlined, or one box saying where a
// non-heap address lies.
func (v SpanView) Graph() *Graph {
	g := NewGraph("span")
	l := v.Loc
	if l.Span != nil && l.Span.State == inspect.SpanInUse {
		target := -1
		if l.Object != nil {
			target = l.Object.Index
		}
		addSpanGrid(g, l.Span, target, v.PageSize)
		return g
	}
	rows := [][]Cell{
		{{Text: fmt.Sprintf("%#x", l.Addr), Bold: true, Bg: "#dde8f5"}},
		{{Text: regionText(l), Align: "LEFT"}},
	}
	if l.Span != nil {
		rows = append(rows, []Cell{{Text: fmt.Sprintf("mspan %#x: %d page(s) at %#x, %s", l.Span.Addr, l.Span.NPages, l.Span.Start, l.Span.State), Align: "LEFT"}})
	}
	g.AddNode("address", Table(rows...), true, nil)
	return g
}

func noscanBit(noscan bool) int {
	if noscan {
		return 1
	}
	return 0
}
