package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"

	"github.com/memlens/memlens/inspect"
)

// SyncMapView shows a sync.Map (`memlens syncmap`). Limit bounds the entries listed in text and
// the nodes drawn in the diagram; JSON has every decoded entry.
type SyncMapView struct {
	Expr  string
	Map   *inspect.SyncMap
	Limit int
}

// entriesJSON is a list of entries marshalled by hand: a million entries through reflection would
// take seconds. Each entry has key and value, plus where (the live view of a read/dirty map) or
// state and entryAddr (the read and dirty lists).
type entriesJSON struct {
	entries   []inspect.SyncMapEntry
	withWhere bool
	withState bool
}

func (l entriesJSON) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 48*len(l.entries)+2)
	b = append(b, '[')
	for i, e := range l.entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":`...)
		b = appendJSONString(b, e.Key)
		b = append(b, `,"value":`...)
		b = appendJSONString(b, e.Value)
		if l.withWhere {
			b = append(b, `,"where":`...)
			b = appendJSONString(b, e.Where)
		}
		if l.withState {
			b = append(b, `,"state":`...)
			b = appendJSONString(b, e.State)
			b = append(b, `,"entryAddr":`...)
			b = appendJSONString(b, Hex(e.Entry))
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendJSONString appends s as a JSON string exactly as encoding/json's Encoder writes it:
// quotes, backslashes and control characters escaped, <, > and & escaped for HTML, U+2028 and
// U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// hashPrefix spells the hash bits a trie node's path fixes: "0x3a7…" (the top 4*depth bits).
func hashPrefix(n *inspect.TrieNode, bits int) string {
	if bits <= 0 {
		bits = 4
	}
	digits := (int(n.Depth)*bits + 3) / 4
	return fmt.Sprintf("0x%0*x…", digits, n.HashPrefix)
}

// trieEntries calls fn for the entries of the trie in trie order (by hash), with the entry node
// and the entry's position in its overflow chain, until fn returns false.
func trieEntries(m *inspect.SyncMap, n *inspect.TrieNode, fn func(n *inspect.TrieNode, pos int, e inspect.SyncMapEntry) bool) bool {
	if n.Entry {
		for i := 0; i < int(n.ChainLen); i++ {
			if !fn(n, i, m.Entries[int(n.ChainStart)+i]) {
				return false
			}
		}
		return true
	}
	for _, c := range n.Children {
		if !trieEntries(m, c, fn) {
			return false
		}
	}
	return true
}

func trieBits(m *inspect.SyncMap) int {
	if m.Trie == nil {
		return 4
	}
	b := 0
	for 1<<b < m.Trie.Fanout {
		b++
	}
	return b
}

// WriteJSON writes the same bytes as render.Write's JSON for this view (encoding/json, two-space
// indent), but streams them: a map of a million entries is written in a fraction of the time and
// memory encoding/json needs to build, compact and re-indent it in memory.
func (v SyncMapView) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	writeJSONObject(bw, v.JSONValue().(map[string]any), "")
	bw.WriteString("\n")
	return bw.Flush()
}

func writeJSONObject(bw *bufio.Writer, obj map[string]any, indent string) {
	if len(obj) == 0 {
		bw.WriteString("{}")
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	bw.WriteString("{\n")
	for i, k := range keys {
		bw.WriteString(indent + "  ")
		bw.Write(appendJSONString(nil, k))
		bw.WriteString(": ")
		writeJSONValue(bw, obj[k], indent+"  ")
		if i < len(keys)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString(indent + "}")
}

func writeJSONValue(bw *bufio.Writer, val any, indent string) {
	switch x := val.(type) {
	case map[string]any:
		writeJSONObject(bw, x, indent)
	case entriesJSON:
		x.writeIndented(bw, indent)
	default:
		b, err := json.MarshalIndent(x, indent, "  ")
		if err != nil {
			b = []byte("null")
		}
		bw.Write(b)
	}
}

// writeIndented writes the list as encoding/json would indent MarshalJSON's output.
func (l entriesJSON) writeIndented(bw *bufio.Writer, indent string) {
	if len(l.entries) == 0 {
		bw.WriteString("[]")
		return
	}
	in1, in2 := indent+"  ", indent+"    "
	var b []byte
	bw.WriteString("[\n")
	for i, e := range l.entries {
		b = append(b[:0], in1...)
		b = append(b, "{\n"...)
		field := func(name, val string, last bool) {
			b = append(b, in2...)
			b = append(b, name...)
			b = appendJSONString(b, val)
			if !last {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		field(`"key": `, e.Key, false)
		field(`"value": `, e.Value, !l.withWhere && !l.withState)
		if l.withWhere {
			field(`"where": `, e.Where, !l.withState)
		}
		if l.withState {
			field(`"state": `, e.State, false)
			field(`"entryAddr": `, Hex(e.Entry), true)
		}
		b = append(b, in1...)
		b = append(b, '}')
		if i < len(l.entries)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	bw.WriteString(indent + "]")
}

func (v SyncMapView) JSONValue() any {
	m := v.Map
	out := map[string]any{
		"kind": "sync.Map", "addr": Hex(m.Addr), "impl": m.Impl, "len": m.Len,
		"entries": entriesJSON{entries: m.Entries, withWhere: m.Impl == inspect.ReadDirty},
	}
	if m.More > 0 {
		out["moreEntries"] = m.More
	}
	switch m.Impl {
	case inspect.ReadDirty:
		out["read"] = map[string]any{"amended": m.Amended, "entries": entriesJSON{entries: m.Read, withState: true}, "addr": Hex(m.ReadOnly)}
		if m.DirtyNil {
			out["dirty"] = nil
		} else {
			out["dirty"] = map[string]any{"entries": entriesJSON{entries: m.Dirty, withState: true}}
		}
		out["misses"] = m.Misses
		out["expunged"] = Hex(m.Expunged)
	case inspect.HashTrie:
		tr := m.Trie
		trie := map[string]any{"depth": tr.Depth, "nodes": tr.Nodes, "entries": tr.Entries, "overflowEntries": tr.OverflowEntries, "fanout": tr.Fanout}
		if tr.Root != nil {
			trie["root"] = Hex(tr.Root.Addr)
		} else {
			trie["root"] = nil
		}
		out["trie"] = trie
	}
	return out
}

func (v SyncMapView) WriteText(w io.Writer) error {
	m := v.Map
	impl := "read/dirty implementation (Go <= 1.23)"
	if m.Impl == inspect.HashTrie {
		impl = "hash-trie implementation (internal/sync.HashTrieMap, Go 1.24+)"
	}
	fmt.Fprintf(w, "sync.Map %s at %s: %s\n", v.Expr, Hex(m.Addr), impl)
	fmt.Fprintf(w, "  %d live entries\n", m.Len)
	limit := v.Limit
	list := func(es []inspect.SyncMapEntry, line func(e inspect.SyncMapEntry) string, more int) {
		for i, e := range es {
			if limit > 0 && i >= limit {
				more += len(es) - i
				break
			}
			fmt.Fprintf(w, "    %s\n", line(e))
		}
		if more > 0 {
			fmt.Fprintf(w, "    ... %d more\n", more)
		}
	}
	bits := trieBits(m)
	if m.Impl == inspect.HashTrie {
		tr := m.Trie
		if tr.Root == nil {
			fmt.Fprintf(w, "  trie: no root yet (the map was never used)\n")
			return nil
		}
		fmt.Fprintf(w, "  trie: root %s, depth %d, %d indirect nodes (%d-way), %d entry nodes, %d in overflow chains\n",
			Hex(tr.Root.Addr), tr.Depth, tr.Nodes, tr.Fanout, tr.Entries, tr.OverflowEntries)
		shown := 0
		trieEntries(m, tr.Root, func(n *inspect.TrieNode, pos int, e inspect.SyncMapEntry) bool {
			if limit > 0 && shown >= limit {
				return false
			}
			shown++
			extra := ""
			if pos > 0 {
				extra = fmt.Sprintf(", overflow #%d", pos)
			}
			fmt.Fprintf(w, "    %s = %s   (depth %d, hash %s%s, entry %s)\n", e.Key, e.Value, n.Depth, hashPrefix(n, bits), extra, Hex(e.Entry))
			return true
		})
		if more := len(m.Entries) - shown + m.More; more > 0 {
			fmt.Fprintf(w, "    ... %d more\n", more)
		}
		return nil
	}
	list(m.Entries, func(e inspect.SyncMapEntry) string {
		return fmt.Sprintf("%s = %s   (in %s, entry %s)", e.Key, e.Value, e.Where, Hex(e.Entry))
	}, m.More)
	if m.ReadOnly == 0 {
		fmt.Fprintf(w, "  read: never stored (empty)\n")
	} else {
		fmt.Fprintf(w, "  read: readOnly at %s, amended=%v (%s), %d entries\n", Hex(m.ReadOnly), m.Amended, amendedText(m.Amended), len(m.Read)+m.ReadMore)
		list(m.Read, entryStateLine, m.ReadMore)
	}
	if m.DirtyNil {
		fmt.Fprintf(w, "  dirty: nil\n")
	} else {
		fmt.Fprintf(w, "  dirty: %d entries\n", len(m.Dirty)+m.DirtyMore)
		list(m.Dirty, entryStateLine, m.DirtyMore)
	}
	fmt.Fprintf(w, "  misses: %d", m.Misses)
	if !m.DirtyNil {
		fmt.Fprintf(w, " (dirty is promoted to read at %d)", len(m.Dirty)+m.DirtyMore)
	}
	fmt.Fprintf(w, "\n  expunged sentinel: %s\n", Hex(m.Expunged))
	return nil
}

func amendedText(a bool) string {
	if a {
		return "dirty holds keys read lacks"
	}
	return "read has every key"
}

func entryStateLine(e inspect.SyncMapEntry) string {
	switch e.State {
	case inspect.EntryLive:
		return fmt.Sprintf("%-12s live      %s   (entry %s)", e.Key, e.Value, Hex(e.Entry))
	case inspect.EntryDeleted:
		return fmt.Sprintf("%-12s deleted   p=nil   (entry %s)", e.Key, Hex(e.Entry))
	}
	return fmt.Sprintf("%-12s expunged  p=expunged   (entry %s)", e.Key, Hex(e.Entry))
}

// Colours of entry states.
var stateBg = map[string]string{
	inspect.EntryLive: "#d5ecd4", inspect.EntryDeleted: "#e4e4e4", inspect.EntryExpunged: "#f6c9c4",
}

func (v SyncMapView) Graph() *Graph {
	if v.Map.Impl == inspect.HashTrie {
		return v.trieGraph()
	}
	return v.readDirtyGraph()
}

// readDirtyGraph draws the Map record, the read and dirty maps as tables of keys, and one node per
// *entry, so that an entry both maps share has two incoming edges.
func (v SyncMapView) readDirtyGraph() *Graph {
	m := v.Map
	g := NewGraph("syncmap")
	g.Attrs["nodesep"] = "0.15"
	g.AddNode("map", solidTable(
		[]Cell{{Text: fmt.Sprintf("sync.Map %s @ %s", v.Expr, Hex(m.Addr)), Bold: true, Bg: headerBg}},
		[]Cell{{Text: "mu sync.Mutex", Align: "LEFT"}},
		[]Cell{{Text: fmt.Sprintf("read (amended=%v)", m.Amended), Port: "read", Align: "LEFT"}},
		[]Cell{{Text: dirtyLabel(m), Port: "dirty", Align: "LEFT"}},
		[]Cell{{Text: fmt.Sprintf("misses = %d", m.Misses), Align: "LEFT"}},
		[]Cell{{Text: fmt.Sprintf("%d live entries", m.Len), Align: "LEFT"}},
	), true, nil)
	entries := map[uint64]bool{}
	limit := v.Limit
	drawMap := func(id, title string, es []inspect.SyncMapEntry, more int) {
		rows := [][]Cell{{{Text: title, Bold: true, Bg: headerBg}}}
		shown := es
		if limit > 0 && len(shown) > limit {
			more += len(shown) - limit
			shown = shown[:limit]
		}
		for i, e := range shown {
			rows = append(rows, []Cell{{Text: e.Key, Port: fmt.Sprintf("k%d", i)}})
		}
		if more > 0 {
			rows = append(rows, []Cell{{Text: fmt.Sprintf("%d more", more), Bg: "#f2f2f2"}})
		}
		g.AddNode(id, solidTable(rows...), true, nil)
		for i, e := range shown {
			eid := fmt.Sprintf("e%x", e.Entry)
			if !entries[e.Entry] {
				entries[e.Entry] = true
				g.AddNode(eid, solidTable(entryRows(e)...), true, nil)
			}
			g.AddEdge(fmt.Sprintf("%s:k%d", id, i), eid, nil)
		}
	}
	if m.ReadOnly != 0 {
		drawMap("read", fmt.Sprintf("read.m (readOnly @ %s)", Hex(m.ReadOnly)), m.Read, m.ReadMore)
		g.AddEdge("map:read", "read", nil)
	}
	if !m.DirtyNil {
		drawMap("dirty", "dirty map[any]*entry", m.Dirty, m.DirtyMore)
		g.AddEdge("map:dirty", "dirty", nil)
	}
	g.AddNode("legend", solidTable(
		[]Cell{{Text: "entry states", Bold: true, Bg: headerBg}},
		[]Cell{{Text: "live: p points at the value", Bg: stateBg[inspect.EntryLive]}},
		[]Cell{{Text: "deleted: p = nil (dirty nil or holds this entry)", Bg: stateBg[inspect.EntryDeleted]}},
		[]Cell{{Text: "expunged: p = expunged, not in dirty", Bg: stateBg[inspect.EntryExpunged]}},
		[]Cell{{Text: "an entry with two arrows is shared by read and dirty"}},
	), true, nil)
	return g
}

func dirtyLabel(m *inspect.SyncMap) string {
	if m.DirtyNil {
		return "dirty = nil"
	}
	return fmt.Sprintf("dirty (%d entries)", len(m.Dirty)+m.DirtyMore)
}

func entryRows(e inspect.SyncMapEntry) [][]Cell {
	bg := stateBg[e.State]
	rows := [][]Cell{{{Text: "entry @ " + Hex(e.Entry), Bg: bg, Bold: true}}}
	switch e.State {
	case inspect.EntryLive:
		rows = append(rows, []Cell{{Text: fmt.Sprintf("p → %s", e.Value), Bg: bg}})
	case inspect.EntryDeleted:
		rows = append(rows, []Cell{{Text: "p = nil (deleted)", Bg: bg}})
	default:
		rows = append(rows, []Cell{{Text: "p = expunged", Bg: bg}})
	}
	return rows
}

// trieGraph draws the hash-trie top-down, breadth first, until Limit nodes are drawn; the children
// of a node that are not drawn are summed up in one "N more" node.
func (v SyncMapView) trieGraph() *Graph {
	m := v.Map
	tr := m.Trie
	g := NewGraph("syncmap")
	g.Attrs["nodesep"] = "0.12"
	g.Attrs["ranksep"] = "0.8"
	g.AddNode("map", solidTable(
		[]Cell{{Text: fmt.Sprintf("sync.Map %s @ %s", v.Expr, Hex(m.Addr)), Bold: true, Bg: headerBg}},
		[]Cell{{Text: "m internal/sync.HashTrieMap[any,any]", Port: "root"}},
		[]Cell{{Text: fmt.Sprintf("%d entries, depth %d, %d indirect nodes, %d overflow", tr.Entries, tr.Depth, tr.Nodes, tr.OverflowEntries)}},
	), true, nil)
	if tr.Root == nil {
		g.AddNode("noroot", "root = nil (never used)", false, map[string]string{"shape": "box", "style": "dashed"})
		g.AddEdge("map:root", "noroot", nil)
		return g
	}
	limit := v.Limit
	if limit <= 0 {
		limit = 64
	}
	bits := trieBits(m)
	drawn := 0
	queue := []*inspect.TrieNode{tr.Root}
	id := func(n *inspect.TrieNode) string { return fmt.Sprintf("n%x", n.Addr) }
	g.AddEdge("map:root", id(tr.Root), map[string]string{"label": "root"})
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		drawn++
		if n.Entry {
			g.AddNode(id(n), solidTable(v.chainRows(n, bits)...), true, nil)
			continue
		}
		// An indirect node: its slots as a grid of 4 columns, used slots coloured, each the port
		// of the edge to its child.
		used := map[int]*inspect.TrieNode{}
		for _, c := range n.Children {
			used[int(c.Slot)] = c
		}
		const cols = 4
		title := fmt.Sprintf("indirect @ %s\ndepth %d, %d of %d slots used", Hex(n.Addr), n.Depth, len(n.Children), tr.Fanout)
		if n.Dead {
			title += " (dead)"
		}
		rows := [][]Cell{{{Text: title, Bold: true, Bg: headerBg, ColSpan: cols}}}
		for r := 0; r*cols < tr.Fanout; r++ {
			var row []Cell
			for c := r * cols; c < (r+1)*cols && c < tr.Fanout; c++ {
				cell := Cell{Text: fmt.Sprintf("%x", c), Bg: "#fafafa", Width: 22}
				if child := used[c]; child != nil {
					cell.Port, cell.Bg = fmt.Sprintf("s%d", c), slotBg(child)
				}
				row = append(row, cell)
			}
			rows = append(rows, row)
		}
		g.AddNode(id(n), solidTable(rows...), true, nil)
		var rest []*inspect.TrieNode
		for _, c := range n.Children {
			if drawn+len(queue) < limit {
				queue = append(queue, c)
				g.AddEdge(fmt.Sprintf("%s:s%d", id(n), c.Slot), id(c), nil)
			} else {
				rest = append(rest, c)
			}
		}
		if len(rest) > 0 {
			nodes, entries := 0, 0
			for _, c := range rest {
				a, b := subtreeSize(c)
				nodes, entries = nodes+a, entries+b
			}
			mid := id(n) + "_more"
			g.AddNode(mid, fmt.Sprintf("%d more nodes\n(%d entries)", nodes, entries), false, map[string]string{"shape": "box", "style": "dashed", "fontname": "Helvetica", "fontsize": "10"})
			g.AddEdge(id(n), mid, map[string]string{"style": "dashed"})
		}
	}
	return g
}

func slotBg(c *inspect.TrieNode) string {
	if c.Entry {
		return "#d5ecd4"
	}
	return "#dde8f5"
}

// chainRows are the rows of an entry node and its overflow chain.
func (v SyncMapView) chainRows(n *inspect.TrieNode, bits int) [][]Cell {
	var rows [][]Cell
	for i := 0; i < int(n.ChainLen); i++ {
		e := v.Map.Entries[int(n.ChainStart)+i]
		title := "entry @ " + Hex(e.Entry)
		if i > 0 {
			title = "overflow → entry @ " + Hex(e.Entry)
		}
		rows = append(rows,
			[]Cell{{Text: title, Bold: true, Bg: stateBg[inspect.EntryLive]}},
			[]Cell{{Text: fmt.Sprintf("%s = %s", e.Key, e.Value)}},
			[]Cell{{Text: "hash " + hashPrefix(n, bits), Bg: "#f7f7f7"}})
	}
	if len(rows) == 0 {
		rows = [][]Cell{{{Text: "entry @ " + Hex(n.Addr) + " (not decoded: entry limit)"}}}
	}
	return rows
}

// subtreeSize counts the nodes and entries under (and including) n.
func subtreeSize(n *inspect.TrieNode) (nodes, entries int) {
	if n.Entry {
		return 1, max(1, int(n.ChainLen))
	}
	nodes = 1
	for _, c := range n.Children {
		a, b := subtreeSize(c)
		nodes, entries = nodes+a, entries+b
	}
	return nodes, entries
}
