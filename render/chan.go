package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/memlens/memlens/inspect"
)

// DefaultChanLimit is how many slots and waiters text and diagrams show by default.
const DefaultChanLimit = 32

// ChanView shows a channel (`memlens chan`): its header, its ring buffer and its wait queues.
type ChanView struct {
	// Expr is what the user asked for ("main.jobs", "0xc000120000").
	Expr string
	Chan *inspect.Chan
	// Limit bounds the slots and waiters drawn in text and diagrams (DefaultChanLimit when 0).
	// The JSON form lists whatever the decoder listed.
	Limit int
}

func (v ChanView) limit() int {
	if v.Limit <= 0 {
		return DefaultChanLimit
	}
	return v.Limit
}

// Colours of the diagram.
const (
	chanHeaderBg = "#dde8f5"
	chanFilledBg = "#cfe8cf"
	chanEmptyBg  = "#ececec"
	chanMoreBg   = "#dcdcdc"
	chanRecvCol  = "#1f6fb2"
	chanSendCol  = "#b2501f"
	chanWarnBg   = "#fde2e2"
)

// chanState is the one-word state of a channel: "open" or "closed".
func chanState(c *inspect.Chan) string {
	if c.Closed {
		return "closed"
	}
	return "open"
}

func plural(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func chanTitle(c *inspect.Chan) string { return "chan " + orUnknown(c.ElemType) }

// timerNote explains a timer channel's two lengths.
func timerNote(c *inspect.Chan) string {
	if c.Timer == 0 {
		return ""
	}
	return fmt.Sprintf("timer channel (runtime.timer at %#x): the runtime keeps a %d-slot buffer (now holding %d values), but len and cap report %d and %d: Go 1.23+ timer channels present themselves as unbuffered (runtime.chanlen/chancap)",
		c.Timer, c.DataQSiz, c.QCount, c.ReportedLen, c.ReportedCap)
}

// ringWindow returns the physical slots to draw: all of them when the ring fits the limit,
// otherwise limit consecutive slots starting at recvx (wrapping), and how many are left out.
func ringWindow(c *inspect.Chan, limit int) (slots []uint64, more uint64) {
	n := c.DataQSiz
	if n <= uint64(limit) {
		for s := uint64(0); s < n; s++ {
			slots = append(slots, s)
		}
		return slots, 0
	}
	start := c.RecvX
	if start >= n {
		start = 0
	}
	for k := uint64(0); k < uint64(limit); k++ {
		slots = append(slots, (start+k)%n)
	}
	return slots, n - uint64(limit)
}

// slotValues maps the listed buffered slots to their values.
func slotValues(c *inspect.Chan) map[uint64]string {
	m := make(map[uint64]string, len(c.Buffer))
	for _, s := range c.Buffer {
		m[s.Slot] = s.Value
	}
	return m
}

// filled reports whether physical slot s holds a value: it is one of the qcount slots from recvx.
func filled(c *inspect.Chan, s uint64) bool {
	if c.DataQSiz == 0 || c.RecvX >= c.DataQSiz || s >= c.DataQSiz {
		return false
	}
	count := c.QCount
	if count > c.DataQSiz {
		count = c.DataQSiz
	}
	return (s+c.DataQSiz-c.RecvX)%c.DataQSiz < count
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// wrapValue breaks a long value into at most maxLines lines of about width characters, at ", "
// and " {" boundaries where it can, and shortens what does not fit.
func wrapValue(s string, width, maxLines int) string {
	var lines []string
	line := ""
	for _, part := range strings.SplitAfter(s, " ") {
		if line != "" && len([]rune(line))+len([]rune(part)) > width {
			lines = append(lines, strings.TrimRight(line, " "))
			line = ""
		}
		line += part
	}
	if line != "" {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	for i := range lines {
		lines[i] = shorten(lines[i], width+4)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = shorten(lines[maxLines-1]+" …", width+4)
	}
	return strings.Join(lines, "\n")
}

func (v ChanView) WriteText(w io.Writer) error {
	c := v.Chan
	if c.Nil {
		_, err := fmt.Fprintf(w, "%s is a nil channel: sends and receives on it block forever, close panics\n", v.Expr)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, cap %d, len %d, recvx %d, sendx %d, %s\n", chanTitle(c), c.DataQSiz, c.QCount, c.RecvX, c.SendX, chanState(c))
	fmt.Fprintf(&b, "  hchan %#x, elemsize %d bytes, elemtype %#x, buf %#x", c.Addr, c.ElemSize, c.ElemTypeAddr, c.Buf)
	switch c.BufPlacement {
	case "inline":
		b.WriteString(" (right after the header, one allocation)")
	case "separate":
		b.WriteString(" (its own allocation)")
	case "none":
		b.WriteString(" (no slot memory)")
	}
	fmt.Fprintf(&b, ", lock %#x\n", c.Lock)
	if note := timerNote(c); note != "" {
		fmt.Fprintf(&b, "  %s\n", note)
	}
	if c.Bubble != 0 {
		fmt.Fprintf(&b, "  in a synctest bubble (%#x)\n", c.Bubble)
	}
	for _, p := range c.Problems {
		fmt.Fprintf(&b, "  PROBLEM: %s\n", p)
	}
	if c.DataQSiz == 0 {
		b.WriteString("  unbuffered: no ring; senders and receivers meet directly\n")
	} else {
		writeRingRows(&b, c, v.limit())
	}
	if len(c.Buffer) > 0 || c.BufferMore > 0 {
		fmt.Fprintf(&b, "  buffered values, in receive order:\n")
		shown := len(c.Buffer)
		if shown > v.limit() {
			shown = v.limit()
		}
		for k, s := range c.Buffer[:shown] {
			val := s.Value
			if val == "" {
				val = "(not formatted)"
			}
			fmt.Fprintf(&b, "    %3d. slot %-4d %#x  %s\n", k+1, s.Slot, s.Addr, val)
		}
		if more := c.BufferMore + uint64(len(c.Buffer)-shown); more > 0 {
			fmt.Fprintf(&b, "    … %d more\n", more)
		}
	}
	writeWaitersText(&b, "recvq", "receive", c.RecvQ, c.RecvQMore, v.limit())
	writeWaitersText(&b, "sendq", "send", c.SendQ, c.SendQMore, v.limit())
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRingRows writes the ring as three aligned rows: slot numbers, values, r/s markers.
func writeRingRows(b *strings.Builder, c *inspect.Chan, limit int) {
	slots, more := ringWindow(c, limit)
	vals := slotValues(c)
	var idx, val, mark []string
	for _, s := range slots {
		cell := "·"
		if filled(c, s) {
			cell = shorten(vals[s], 12)
			if cell == "" {
				cell = "?"
			}
		}
		m := ""
		if s == c.RecvX {
			m += "r"
		}
		if s == c.SendX {
			m += "s"
		}
		width := len([]rune(cell))
		for _, x := range []string{fmt.Sprint(s), m} {
			if len(x) > width {
				width = len(x)
			}
		}
		pad := func(x string) string { return x + strings.Repeat(" ", width-len([]rune(x))) }
		idx = append(idx, pad(fmt.Sprint(s)))
		val = append(val, pad(cell))
		mark = append(mark, pad(m))
	}
	tail := ""
	if more > 0 {
		tail = fmt.Sprintf(" … %d more slots", more)
		if !inWindow(slots, c.SendX) {
			tail += fmt.Sprintf(" (sendx %d among them)", c.SendX)
		}
	}
	fmt.Fprintf(b, "  slot  | %s |\n", strings.Join(idx, " | "))
	fmt.Fprintf(b, "  value | %s |%s\n", strings.Join(val, " | "), tail)
	fmt.Fprintf(b, "        | %s |   (r = recvx, next receive; s = sendx, next send)\n", strings.Join(mark, " | "))
}

func inWindow(slots []uint64, x uint64) bool {
	for _, s := range slots {
		if s == x {
			return true
		}
	}
	return false
}

func writeWaitersText(b *strings.Builder, name, verb string, ws []inspect.ChanWaiter, more, limit int) {
	total := len(ws) + more
	if total == 0 {
		fmt.Fprintf(b, "  %s: no goroutine waits to %s\n", name, verb)
		return
	}
	fmt.Fprintf(b, "  %s: %d goroutine(s) waiting to %s, in queue order:\n", name, total, verb)
	shown := len(ws)
	if shown > limit {
		shown = limit
	}
	for _, w := range ws[:shown] {
		fmt.Fprintf(b, "    goroutine %d [%s]", w.GoID, waitState(w))
		if w.IsSelect {
			b.WriteString(" in select")
		}
		fmt.Fprintf(b, ", sudog %#x, elem %#x", w.Sudog, w.Elem)
		if w.Value != "" {
			fmt.Fprintf(b, ", sending %s", w.Value)
		}
		b.WriteString("\n")
	}
	if rest := total - shown; rest > 0 {
		fmt.Fprintf(b, "    … %d more\n", rest)
	}
}

func waitState(w inspect.ChanWaiter) string {
	switch {
	case w.Status == "":
		return "unknown"
	case w.WaitReason != "":
		return w.Status + ": " + w.WaitReason
	}
	return w.Status
}

// chanJSON is the JSON form of a channel.
type chanJSON struct {
	Kind          string          `json:"kind"`
	Expr          string          `json:"expr,omitempty"`
	Addr          string          `json:"addr"`
	Nil           bool            `json:"nil"`
	ElemType      string          `json:"elemType,omitempty"`
	ElemTypeAddr  string          `json:"elemTypeAddr,omitempty"`
	ElemSize      uint64          `json:"elemSize"`
	Cap           uint64          `json:"cap"`
	Len           uint64          `json:"len"`
	ReportedCap   uint64          `json:"reportedCap"`
	ReportedLen   uint64          `json:"reportedLen"`
	SendX         uint64          `json:"sendx"`
	RecvX         uint64          `json:"recvx"`
	Closed        bool            `json:"closed"`
	Timer         bool            `json:"timer"`
	TimerAddr     string          `json:"timerAddr,omitempty"`
	Bubble        string          `json:"bubble,omitempty"`
	Buf           string          `json:"buf,omitempty"`
	BufPlacement  string          `json:"bufPlacement,omitempty"`
	Lock          string          `json:"lock,omitempty"`
	Note          string          `json:"note,omitempty"`
	Buffer        []chanSlotJSON  `json:"buffer"`
	BufferMore    uint64          `json:"bufferMore,omitempty"`
	ValuesOmitted uint64          `json:"valuesOmitted,omitempty"`
	RecvQ         []chanWaiterRaw `json:"recvq"`
	RecvQMore     int             `json:"recvqMore,omitempty"`
	SendQ         []chanWaiterRaw `json:"sendq"`
	SendQMore     int             `json:"sendqMore,omitempty"`
	Problems      []string        `json:"problems,omitempty"`
}

type chanSlotJSON struct {
	Slot  uint64 `json:"slot"`
	Addr  string `json:"addr"`
	Value string `json:"value"`
}

type chanWaiterRaw struct {
	GoID       int64  `json:"goid"`
	Select     bool   `json:"select"`
	ElemAddr   string `json:"elemAddr"`
	Value      string `json:"value,omitempty"`
	Sudog      string `json:"sudog"`
	G          string `json:"g"`
	Status     string `json:"status,omitempty"`
	WaitReason string `json:"waitReason,omitempty"`
}

func (v ChanView) JSONValue() any { return v.jsonValue(true) }

// jsonValue builds the JSON form; withBuffer false leaves the buffer empty (WriteJSON streams it).
func (v ChanView) jsonValue(withBuffer bool) chanJSON {
	c := v.Chan
	j := chanJSON{Kind: "chan", Expr: v.Expr, Addr: Hex(c.Addr), Nil: c.Nil,
		Buffer: []chanSlotJSON{}, RecvQ: []chanWaiterRaw{}, SendQ: []chanWaiterRaw{}}
	if c.Nil {
		return j
	}
	j.ElemType, j.ElemTypeAddr, j.ElemSize = c.ElemType, Hex(c.ElemTypeAddr), c.ElemSize
	j.Cap, j.Len, j.ReportedCap, j.ReportedLen = c.DataQSiz, c.QCount, c.ReportedCap, c.ReportedLen
	j.SendX, j.RecvX, j.Closed, j.Timer = c.SendX, c.RecvX, c.Closed, c.Timer != 0
	if c.Timer != 0 {
		j.TimerAddr = Hex(c.Timer)
	}
	if c.Bubble != 0 {
		j.Bubble = Hex(c.Bubble)
	}
	j.Buf, j.BufPlacement, j.Lock, j.Note = Hex(c.Buf), c.BufPlacement, Hex(c.Lock), timerNote(c)
	if withBuffer {
		j.Buffer = make([]chanSlotJSON, len(c.Buffer))
		for i, s := range c.Buffer {
			j.Buffer[i] = chanSlotJSON{Slot: s.Slot, Addr: Hex(s.Addr), Value: s.Value}
		}
	}
	j.BufferMore, j.ValuesOmitted = c.BufferMore, c.ValuesOmitted
	waiters := func(ws []inspect.ChanWaiter) []chanWaiterRaw {
		out := make([]chanWaiterRaw, len(ws))
		for i, w := range ws {
			out[i] = chanWaiterRaw{GoID: w.GoID, Select: w.IsSelect, ElemAddr: Hex(w.Elem), Value: w.Value,
				Sudog: Hex(w.Sudog), G: Hex(w.G), Status: w.Status, WaitReason: w.WaitReason}
		}
		return out
	}
	j.RecvQ, j.RecvQMore = waiters(c.RecvQ), c.RecvQMore
	j.SendQ, j.SendQMore = waiters(c.SendQ), c.SendQMore
	j.Problems = c.Problems
	return j
}

// Graph draws the header as a record, the ring as its slots in physical order with recvx and
// sendx arrows, and each waiting goroutine as a node chained from its queue.
func (v ChanView) Graph() *Graph {
	c := v.Chan
	g := NewGraph("chan")
	g.Attrs["rankdir"] = "TB"
	g.Attrs["nodesep"] = "0.3"
	g.Attrs["ranksep"] = "0.45"
	if c.Nil {
		g.AddNode("header", Table([]Cell{{Text: v.Expr + " is a nil channel", Bold: true, Bg: chanHeaderBg}}), true, nil)
		return g
	}
	left := func(s string) Cell { return Cell{Text: s, Align: "LEFT"} }
	rows := [][]Cell{
		{{Text: chanTitle(c) + "  (" + v.Expr + ")", Bold: true, ColSpan: 2, Bg: chanHeaderBg}},
		{left("hchan"), left(fmt.Sprintf("%#x", c.Addr))},
		{left("cap / len"), left(fmt.Sprintf("%d / %d", c.DataQSiz, c.QCount))},
		{left("recvx / sendx"), left(fmt.Sprintf("%d / %d", c.RecvX, c.SendX))},
		{left("elemtype"), left(fmt.Sprintf("%s at %#x", orUnknown(c.ElemType), c.ElemTypeAddr))},
		{left("elemsize"), left(fmt.Sprintf("%d bytes", c.ElemSize))},
		{left("state"), left(chanState(c))},
		{left("buf"), Cell{Text: fmt.Sprintf("%#x (%s)", c.Buf, c.BufPlacement), Align: "LEFT", Port: "buf"}},
	}
	if c.Timer != 0 {
		rows = append(rows, []Cell{left("timer"), left(fmt.Sprintf("%#x\nlen/cap report %d/%d:\nGo 1.23+ timer channels\nlook unbuffered", c.Timer, c.ReportedLen, c.ReportedCap))})
	}
	if c.Bubble != 0 {
		rows = append(rows, []Cell{left("synctest bubble"), left(fmt.Sprintf("%#x", c.Bubble))})
	}
	for _, p := range c.Problems {
		rows = append(rows, []Cell{{Text: "problem", Bg: chanWarnBg, Align: "LEFT"}, {Text: shorten(p, 90), Bg: chanWarnBg, Align: "LEFT"}})
	}
	rows = append(rows, []Cell{
		{Text: fmt.Sprintf("recvq (%d)", len(c.RecvQ)+c.RecvQMore), Port: "recvq"},
		{Text: fmt.Sprintf("sendq (%d)", len(c.SendQ)+c.SendQMore), Port: "sendq"},
	})
	g.AddNode("header", Table(rows...), true, nil)

	if c.DataQSiz > 0 {
		v.drawRing(g)
	}
	v.drawWaiters(g, "recvq", c.RecvQ, c.RecvQMore, chanRecvCol)
	v.drawWaiters(g, "sendq", c.SendQ, c.SendQMore, chanSendCol)
	return g
}

func (v ChanView) drawRing(g *Graph) {
	c := v.Chan
	slots, more := ringWindow(c, v.limit())
	vals := slotValues(c)
	var idx, val []Cell
	for _, s := range slots {
		idx = append(idx, Cell{Text: fmt.Sprint(s)})
		cell := Cell{Port: fmt.Sprintf("s%d", s), Bg: chanEmptyBg, Text: "", Width: 40}
		if filled(c, s) {
			cell.Bg = chanFilledBg
			cell.Text = wrapValue(vals[s], 22, 3)
			if cell.Text == "" {
				cell.Text = "…"
			}
		}
		val = append(val, cell)
	}
	if more > 0 {
		idx = append(idx, Cell{Text: ""})
		val = append(val, Cell{Text: fmt.Sprintf("… %d more slots", more), Port: "more", Bg: chanMoreBg})
	}
	text := fmt.Sprintf("ring buffer: %s of %d bytes in physical order (green = holds a value)", plural(c.DataQSiz, "slot"), c.ElemSize)
	if more > 0 {
		text = fmt.Sprintf("ring buffer: %s of %d bytes; the %d from recvx shown (green = holds a value)", plural(c.DataQSiz, "slot"), c.ElemSize, len(slots))
	}
	title := []Cell{{Text: text, ColSpan: len(idx), Bold: true}}
	g.AddNode("ring", Table(title, idx, val), true, nil)
	g.AddEdge("header:buf", "ring", map[string]string{"label": "buf", "color": "#777777"})
	// The recvx and sendx markers sit under the ring, pointing up at their slots.
	port := func(x uint64) string {
		if inWindow(slots, x) {
			return fmt.Sprintf("s%d:s", x)
		}
		if more > 0 {
			return "more:s"
		}
		return "s"
	}
	g.AddNode("recvx", fmt.Sprintf("recvx = %d\nnext receive", c.RecvX), false, map[string]string{"shape": "plaintext", "fontcolor": chanRecvCol})
	g.AddNode("sendx", fmt.Sprintf("sendx = %d\nnext send", c.SendX), false, map[string]string{"shape": "plaintext", "fontcolor": chanSendCol})
	g.AddEdge("ring", "recvx", map[string]string{"tailport": port(c.RecvX), "dir": "back", "color": chanRecvCol, "penwidth": "1.5"})
	g.AddEdge("ring", "sendx", map[string]string{"tailport": port(c.SendX), "dir": "back", "color": chanSendCol, "penwidth": "1.5"})
}

func (v ChanView) drawWaiters(g *Graph, queue string, ws []inspect.ChanWaiter, more int, color string) {
	shown := len(ws)
	if shown > v.limit() {
		more += shown - v.limit()
		shown = v.limit()
	}
	// Waiters stand in a row under the header (invisible edges rank them), linked in queue order.
	prev := "header:" + queue
	for i, w := range ws[:shown] {
		id := fmt.Sprintf("%s%d", queue, i)
		rows := [][]Cell{
			{{Text: fmt.Sprintf("goroutine %d", w.GoID), Bold: true, Bg: "#fff4d6"}},
			{{Text: waitState(w)}},
		}
		if w.IsSelect {
			rows = append(rows, []Cell{{Text: "in select"}})
		}
		if w.Value != "" {
			rows = append(rows, []Cell{{Text: "sends " + shorten(w.Value, 40)}})
		} else if queue == "recvq" {
			if w.Elem == 0 {
				rows = append(rows, []Cell{{Text: "discards the value"}})
			} else {
				rows = append(rows, []Cell{{Text: fmt.Sprintf("receives into %#x", w.Elem)}})
			}
		}
		g.AddNode(id, Table(rows...), true, nil)
		if i == 0 {
			g.AddEdge(prev, id, map[string]string{"color": color, "label": queue + ".first"})
		} else {
			g.AddEdge("header:"+queue, id, map[string]string{"style": "invis"})
			g.AddEdge(prev, id, map[string]string{"color": color, "label": "next", "constraint": "false"})
		}
		prev = id
	}
	if more > 0 {
		id := queue + "more"
		g.AddNode(id, Table([]Cell{{Text: fmt.Sprintf("… %d more waiting", more), Bg: chanMoreBg}}), true, nil)
		if shown > 0 {
			g.AddEdge("header:"+queue, id, map[string]string{"style": "invis"})
			g.AddEdge(prev, id, map[string]string{"color": color, "style": "dashed", "constraint": "false"})
		} else {
			g.AddEdge(prev, id, map[string]string{"color": color, "style": "dashed"})
		}
	}
}

// WriteJSON writes the JSON form of the channel, byte for byte what Write(w, JSON, v) writes,
// streaming the buffer instead of building and re-indenting it in memory: encoding/json's
// indentation pass dominates the cost for channels holding a million values.
func (v ChanView) WriteJSON(w io.Writer) error {
	j := v.jsonValue(false)
	buffer := v.Chan.Buffer
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		return err
	}
	const empty = "\n  \"buffer\": [],\n"
	before, after, ok := strings.Cut(head.String(), empty)
	if !ok || len(buffer) == 0 {
		_, err := io.WriteString(w, head.String())
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(before)
	bw.WriteString("\n  \"buffer\": [\n")
	num := make([]byte, 0, 32)
	for i, s := range buffer {
		bw.WriteString("    {\n      \"slot\": ")
		bw.Write(strconv.AppendUint(num[:0], s.Slot, 10))
		bw.WriteString(",\n      \"addr\": \"0x")
		bw.Write(strconv.AppendUint(num[:0], s.Addr, 16))
		bw.WriteString("\",\n      \"value\": ")
		writeJSONString(bw, s.Value)
		if i < len(buffer)-1 {
			bw.WriteString("\n    },\n")
		} else {
			bw.WriteString("\n    }\n")
		}
	}
	bw.WriteString("  ],\n")
	bw.WriteString(after)
	return bw.Flush()
}

// writeJSONString writes s as a JSON string the way encoding/json does (HTML-safe escaping),
// without its reflection for the common case of plain ASCII.
func writeJSONString(w *bufio.Writer, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			w.Write(b)
			return
		}
	}
	w.WriteByte('"')
	w.WriteString(s)
	w.WriteByte('"')
}
