package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/memlens/memlens/layouts"
)

// LayoutView shows a struct's layout (`memlens layout`): fields, holes, cache lines, and
// optionally the field order that minimises padding and the fields' current values.
type LayoutView struct {
	Layout *layouts.Layout
	// Source says where the layout comes from ("DWARF of ./server", "built-in table for Go 1.22").
	Source string
	// CacheLine is the cache-line size in bytes used to mark boundaries.
	CacheLine int64
	// Expand is how many levels of nested structs and arrays are shown; Limit bounds the
	// elements shown of each expanded array and the cache lines drawn in diagrams.
	Expand, Limit int
	// Suggest asks for the padding-minimising order.
	Suggest bool
	// Expr, Addr and Values are set when the layout is of a variable in memory: its expression,
	// address and field values keyed by entry path.
	Expr   string
	Addr   uint64
	Values map[string]string
}

func (v LayoutView) limit() int {
	if v.Limit <= 0 {
		return 16
	}
	return v.Limit
}

func (v LayoutView) entries() []layouts.Entry { return v.Layout.Entries(v.Expand, v.limit()) }

func (v LayoutView) cacheLine() int64 {
	if v.CacheLine <= 0 {
		return 64
	}
	return v.CacheLine
}

// WriteText writes the layout as a table in the spirit of pahole: offset, size, type, field,
// holes as rows of their own, cache-line boundaries as separators, and a summary footer.
func (v LayoutView) WriteText(w io.Writer) error {
	l := v.Layout
	fmt.Fprintf(w, "%s", l.Name)
	if v.Expr != "" {
		fmt.Fprintf(w, "  (%s at %s)", v.Expr, Hex(v.Addr))
	}
	fmt.Fprintf(w, "  [%s, %s]\n", v.Source, l.Arch.Name)
	entries := v.entries()
	typeW, nameW := len("TYPE"), len("FIELD")
	for _, e := range entries {
		if n := len(displayType(e)); n > typeW {
			typeW = min(n, 48)
		}
		if n := 2*e.Depth + len(displayName(e)); n > nameW {
			nameW = n
		}
	}
	header := fmt.Sprintf("%8s %7s  %-*s  %s", "OFFSET", "SIZE", typeW, "TYPE", "FIELD")
	if v.Values != nil {
		header = fmt.Sprintf("%8s %7s  %-*s  %-*s  %s", "OFFSET", "SIZE", typeW, "TYPE", nameW, "FIELD", "VALUE")
	}
	fmt.Fprintln(w, strings.TrimRight(header, " "))
	line := v.cacheLine()
	nextLine := line
	for _, e := range entries {
		for e.Offset >= nextLine && nextLine < l.Size {
			fmt.Fprintf(w, "%8s  --- cache line %d (offset %d) ---\n", "", nextLine/line, nextLine)
			nextLine += line
		}
		if e.Hole {
			what := "hole"
			if e.Tail {
				what = "tail padding"
			}
			fmt.Fprintf(w, "%8d %7d  %s/* %d-byte %s */\n", e.Offset, e.Size, strings.Repeat("  ", e.Depth), e.Size, what)
			continue
		}
		if e.More > 0 {
			fmt.Fprintf(w, "%8d %7d  %s/* %d more %s (--limit) */\n", e.Offset, e.Size, strings.Repeat("  ", e.Depth), e.More, oneOrMany(int(e.More), "element", "elements"))
			continue
		}
		name := strings.Repeat("  ", e.Depth) + displayName(e)
		row := fmt.Sprintf("%8d %7d  %-*s  %-*s", e.Offset, e.Size, typeW, clip(displayType(e), 48), nameW, name)
		if val, ok := v.Values[e.Path]; ok && !e.Expanded {
			row += "  " + clip(val, 80)
		}
		if e.Size > 0 && e.Offset/line != (e.Offset+e.Size-1)/line && e.Size <= line && !e.Expanded {
			row += "  /* crosses a cache line */"
		}
		fmt.Fprintln(w, strings.TrimRight(row, " "))
	}
	holes := l.Holes()
	var inner, tail int64
	nInner := 0
	for _, h := range holes {
		if h.Tail {
			tail += h.Size
		} else {
			inner += h.Size
			nInner++
		}
	}
	fmt.Fprintf(w, "size %d bytes, align %d, %d fields, padding %d bytes (%d in %d %s, %d tail), %d cache %s of %d bytes\n",
		l.Size, l.Align, len(l.Fields), inner+tail, inner, nInner, oneOrMany(nInner, "hole", "holes"), tail,
		l.CacheLines(line), oneOrMany(int(l.CacheLines(line)), "line", "lines"), line)
	if v.Suggest {
		if better, saved := l.Suggest(); better != nil {
			fmt.Fprintf(w, "\nSuggested order saves %d bytes (%d -> %d bytes):\n", saved, l.Size, better.Size)
			for _, f := range better.Fields {
				fmt.Fprintf(w, "%8d %7d  %-*s  %s\n", f.Offset, f.Size, typeW, clip(f.TypeName, 48), f.Name)
			}
		}
	}
	return nil
}

func displayName(e layouts.Entry) string {
	if e.Name == "" {
		return "_"
	}
	return e.Name
}

func displayType(e layouts.Entry) string { return e.TypeName }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func oneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// layoutJSON is the JSON form: the keys the issue specifies, plus where the layout came from.
type layoutJSON struct {
	Type       string            `json:"type"`
	Arch       string            `json:"arch"`
	Go         string            `json:"go,omitempty"`
	Source     string            `json:"source"`
	Size       int64             `json:"size"`
	Align      int64             `json:"align"`
	Fields     []fieldJSON       `json:"fields"`
	Holes      []holeJSON        `json:"holes"`
	CacheLines int64             `json:"cacheLines"`
	CacheLine  int64             `json:"cacheLineSize"`
	Expr       string            `json:"expr,omitempty"`
	Addr       string            `json:"addr,omitempty"`
	Suggest    *suggestJSON      `json:"suggest,omitempty"`
	Values     map[string]string `json:"-"`
}

type fieldJSON struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
	Align  int64  `json:"align"`
	// Path and Depth place the fields of expanded nested structs and arrays.
	Path  string  `json:"path,omitempty"`
	Depth int     `json:"depth,omitempty"`
	Value *string `json:"value,omitempty"`
}

type holeJSON struct {
	Offset int64 `json:"offset"`
	Size   int64 `json:"size"`
	Tail   bool  `json:"tail,omitempty"`
}

type suggestJSON struct {
	Fields []fieldJSON `json:"fields"`
	Size   int64       `json:"size"`
	Saved  int64       `json:"saved"`
}

func (v LayoutView) JSONValue() any {
	l := v.Layout
	out := layoutJSON{Type: l.Name, Arch: l.Arch.Name, Source: v.Source, Size: l.Size, Align: l.Align,
		Fields: []fieldJSON{}, Holes: []holeJSON{}, CacheLines: l.CacheLines(v.cacheLine()), CacheLine: v.cacheLine(), Expr: v.Expr}
	if l.GoMinor > 0 {
		out.Go = fmt.Sprintf("1.%d", l.GoMinor)
	}
	if v.Expr != "" {
		out.Addr = Hex(v.Addr)
	}
	for _, e := range v.entries() {
		switch {
		case e.Hole:
			out.Holes = append(out.Holes, holeJSON{Offset: e.Offset, Size: e.Size, Tail: e.Tail})
		case e.More > 0:
		default:
			f := fieldJSON{Name: e.Name, Type: e.TypeName, Offset: e.Offset, Size: e.Size, Align: e.Align, Depth: e.Depth}
			if e.Depth > 0 {
				f.Path = e.Path
			}
			if val, ok := v.Values[e.Path]; ok {
				val := val
				f.Value = &val
			}
			out.Fields = append(out.Fields, f)
		}
	}
	if v.Suggest {
		if better, saved := l.Suggest(); better != nil {
			s := &suggestJSON{Size: better.Size, Saved: saved}
			for _, f := range better.Fields {
				s.Fields = append(s.Fields, fieldJSON{Name: f.Name, Type: f.TypeName, Offset: f.Offset, Size: f.Size, Align: f.Align})
			}
			out.Suggest = s
		}
	}
	return out
}

// stripSegment is a run of bytes in the layout diagram: one field (or element), or padding.
type stripSegment struct {
	offset, size int64
	label        string // field name, "" for padding
	index        int    // the field's number in the legend (0 for padding)
	hole, more   bool
}

// segments are the leaves of the shown entries: the bytes of the struct split into fields,
// elements and holes, in offset order. Zero-size fields take no bytes and are only in the legend.
func (v LayoutView) segments(entries []layouts.Entry) []stripSegment {
	var segs []stripSegment
	index := 0
	for _, e := range entries {
		if e.Expanded || e.Size <= 0 {
			if !e.Hole && e.More == 0 {
				index++
			}
			continue
		}
		s := stripSegment{offset: e.Offset, size: e.Size, hole: e.Hole, more: e.More > 0}
		switch {
		case e.Hole:
			s.label = "pad"
		case e.More > 0:
			s.label = fmt.Sprintf("%d more", e.More)
		default:
			index++
			s.index = index
			s.label = e.Path
		}
		segs = append(segs, s)
	}
	return segs
}

var fieldColors = []string{"#cfe2f3", "#d9ead3", "#fff2cc", "#fce5cd", "#ead1dc", "#d0e0e3", "#e6e0f8"}

// Graph draws the struct as a strip of bytes, one row per cache line, each field a box as wide
// as its bytes, holes shaded grey; rows that one big field fills are folded into one. A legend
// lists each field's offset, size, type and name (and value).
func (v LayoutView) Graph() *Graph {
	l := v.Layout
	g := NewGraph("layout")
	g.Attrs["rankdir"] = "TB"
	g.Attrs["nodesep"] = "0.3"
	g.Attrs["dpi"] = "110"
	entries := v.entries()
	line := v.cacheLine()
	scale := float64(960) / float64(line) // points per byte
	segs := v.segments(entries)

	var rows []string
	shownRows, maxRows := 0, v.limit()
	lines := l.CacheLines(line)
	folded := int64(0)
	for ln := int64(0); ln < lines; ln++ {
		start, end := ln*line, min((ln+1)*line, l.Size)
		// A field covering this whole line and the next folds the lines it fills into one row.
		if seg := covering(segs, start, end); seg != nil {
			last := ln
			for last+1 < lines && seg.offset+seg.size >= min((last+2)*line, l.Size) {
				last++
			}
			if last > ln {
				if shownRows == maxRows {
					folded = lines - ln
					break
				}
				rows = append(rows, foldedRow(seg, ln, last, line, scale))
				shownRows++
				ln = last
				continue
			}
		}
		if shownRows == maxRows {
			folded = lines - ln
			break
		}
		rows = append(rows, lineRow(segs, ln, start, end, line, scale))
		shownRows++
	}
	var b strings.Builder
	title := l.Name
	if v.Expr != "" {
		title = fmt.Sprintf("%s  (%s at %s)", l.Name, v.Expr, Hex(v.Addr))
	}
	fmt.Fprintf(&b, `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="6" CELLPADDING="0">`)
	fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT"><B>%s</B>  <FONT POINT-SIZE="10">%d bytes, align %d, %d bytes of padding, %d-byte cache lines (%s, %s)</FONT></TD></TR>`,
		Esc(title), l.Size, l.Align, l.Padding(), line, Esc(v.Source), Esc(l.Arch.Name))
	for _, r := range rows {
		b.WriteString("<TR><TD ALIGN=\"LEFT\">" + r + "</TD></TR>")
	}
	if folded > 0 {
		fmt.Fprintf(&b, `<TR><TD ALIGN="LEFT" BGCOLOR="#f4f4f4"><I>… %d more cache lines (--limit)</I></TD></TR>`, folded)
	}
	b.WriteString("</TABLE>")
	g.AddNode("strip", b.String(), true, nil)
	g.AddNode("legend", v.legend(entries), true, nil)
	g.AddEdge("strip", "legend", map[string]string{"style": "invis"})
	return g
}

// covering returns the segment that covers [start, end) entirely, if one does.
func covering(segs []stripSegment, start, end int64) *stripSegment {
	for i := range segs {
		s := &segs[i]
		if s.offset <= start && s.offset+s.size >= end {
			return s
		}
	}
	return nil
}

func segColor(s stripSegment) string {
	switch {
	case s.hole:
		return "#bdbdbd"
	case s.more:
		return "#f4f4f4"
	}
	return fieldColors[(s.index-1)%len(fieldColors)]
}

// lineRow draws one cache line: the pieces of the segments that fall in [start, end).
func lineRow(segs []stripSegment, ln, start, end, line int64, scale float64) string {
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1" BGCOLOR="#555555"><TR>`)
	fmt.Fprintf(&b, `<TD WIDTH="64" HEIGHT="44" FIXEDSIZE="TRUE" BGCOLOR="#ffffff"><FONT POINT-SIZE="9">line %d<BR/>+%d</FONT></TD>`, ln, start)
	for _, s := range segs {
		lo, hi := max(s.offset, start), min(s.offset+s.size, end)
		if lo >= hi {
			continue
		}
		b.WriteString(cell(s, lo, hi-lo, scale))
	}
	if rest := start + line - end; rest > 0 {
		// The struct ends inside this line: fill the line so that every row is one line wide.
		fmt.Fprintf(&b, `<TD WIDTH="%d" HEIGHT="44" FIXEDSIZE="TRUE" BGCOLOR="#f7f7f7"><FONT POINT-SIZE="8" COLOR="#888888">%s</FONT></TD>`,
			int(float64(rest)*scale)-1, map[bool]string{true: "end of struct", false: " "}[float64(rest)*scale >= 70])
	}
	b.WriteString(`</TR></TABLE>`)
	return b.String()
}

// foldedRow draws cache lines first..last that one segment fills.
func foldedRow(s *stripSegment, first, last, line int64, scale float64) string {
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1" BGCOLOR="#555555"><TR>`)
	fmt.Fprintf(&b, `<TD WIDTH="64" HEIGHT="44" FIXEDSIZE="TRUE" BGCOLOR="#ffffff"><FONT POINT-SIZE="9">lines %d-%d<BR/>+%d</FONT></TD>`, first, last, first*line)
	width := int(float64(line)*scale) - 1
	fmt.Fprintf(&b, `<TD WIDTH="%d" HEIGHT="44" FIXEDSIZE="TRUE" BGCOLOR="%s">%s <FONT POINT-SIZE="9">(%d bytes at +%d; %d cache lines)</FONT></TD>`,
		width, segColor(*s), Esc(s.label), s.size, s.offset, last-first+1)
	b.WriteString(`</TR></TABLE>`)
	return b.String()
}

// cell is one box of size bytes at off: the label when it fits, else the legend number.
func cell(s stripSegment, off, size int64, scale float64) string {
	// Cells are separated by 1 point of the table's dark background, which draws their borders
	// (the in-process renderer draws no cell borders); subtract it so rows stay aligned.
	width := int(float64(size)*scale) - 1
	if width < 2 {
		width = 2
	}
	text := ""
	switch {
	case float64(len(s.label))*6.5+6 <= float64(width):
		text = fmt.Sprintf(`%s<BR/><FONT POINT-SIZE="8">+%d · %dB</FONT>`, Esc(s.label), off, size)
	case s.index > 0 && width >= 12:
		text = fmt.Sprintf(`<FONT POINT-SIZE="9">%d</FONT>`, s.index)
	case s.hole && width >= 26:
		text = `<FONT POINT-SIZE="8">pad</FONT>`
	}
	if text == "" {
		text = " "
	}
	return fmt.Sprintf(`<TD WIDTH="%d" HEIGHT="44" FIXEDSIZE="TRUE" BGCOLOR="%s">%s</TD>`, width, segColor(s), text)
}

// legend lists the shown fields (and holes) with their numbers in the strip.
func (v LayoutView) legend(entries []layouts.Entry) string {
	rows := [][]Cell{{
		{Text: "#", Bold: true, Bg: "#eeeeee"}, {Text: "offset", Bold: true, Bg: "#eeeeee"}, {Text: "size", Bold: true, Bg: "#eeeeee"},
		{Text: "type", Bold: true, Bg: "#eeeeee", Align: "LEFT"}, {Text: "field", Bold: true, Bg: "#eeeeee", Align: "LEFT"},
	}}
	if v.Values != nil {
		rows[0] = append(rows[0], Cell{Text: "value", Bold: true, Bg: "#eeeeee", Align: "LEFT"})
	}
	maxRows := 4 * v.limit()
	index, shown, left := 0, 0, 0
	for _, e := range entries {
		if e.More > 0 {
			continue
		}
		if !e.Hole && !e.Expanded && e.Size > 0 {
			index++
		}
		if shown == maxRows {
			left++
			continue
		}
		shown++
		var row []Cell
		indent := strings.Repeat("   ", e.Depth)
		switch {
		case e.Hole:
			what := "hole"
			if e.Tail {
				what = "tail padding"
			}
			row = []Cell{{Text: ""}, {Text: fmt.Sprint(e.Offset), Align: "RIGHT"}, {Text: fmt.Sprint(e.Size), Align: "RIGHT"},
				{Text: fmt.Sprintf("%d-byte %s", e.Size, what), Bg: "#bdbdbd", Align: "LEFT"}, {Text: ""}}
		default:
			num := ""
			if !e.Expanded && e.Size > 0 {
				num = fmt.Sprint(index)
			}
			row = []Cell{{Text: num}, {Text: fmt.Sprint(e.Offset), Align: "RIGHT"}, {Text: fmt.Sprint(e.Size), Align: "RIGHT"},
				{Text: clip(e.TypeName, 48), Align: "LEFT"}, {Text: indent + displayName(e), Align: "LEFT"}}
		}
		if v.Values != nil {
			row = append(row, Cell{Text: clip(v.Values[e.Path], 48), Align: "LEFT"})
		}
		rows = append(rows, row)
	}
	if left > 0 {
		rows = append(rows, []Cell{{Text: fmt.Sprintf("… %d more rows (--limit)", left), ColSpan: len(rows[0]), Align: "LEFT"}})
	}
	// Every cell gets a colour: the in-process renderer carries a cell's colour over to the
	// cells after it otherwise.
	for _, r := range rows {
		for i := range r {
			if r[i].Bg == "" {
				r[i].Bg = "#ffffff"
			}
		}
	}
	return Table(rows...)
}
