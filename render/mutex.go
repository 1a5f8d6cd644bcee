package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/memlens/memlens/inspect"
)

// MutexView shows a sync.Mutex or sync.RWMutex (`memlens mutex`): exactly one of Mutex and RW is
// set. Limit bounds the waiting goroutines drawn per semaphore.
type MutexView struct {
	Expr  string
	Mutex *inspect.Mutex
	RW    *inspect.RWMutex
	Limit int
}

// mutexJSON adds the address, spelled as memlens spells addresses, to a Mutex's JSON.
type mutexJSON struct {
	Addr string `json:"addr"`
	*inspect.Mutex
}

type rwMutexJSON struct {
	Addr string `json:"addr"`
	*inspect.RWMutex
	Writer mutexJSON `json:"writer"`
}

func (v MutexView) JSONValue() any {
	if v.RW != nil {
		return rwMutexJSON{Addr: Hex(v.RW.Addr), RWMutex: v.RW, Writer: mutexJSON{Addr: Hex(v.RW.Writer.Addr), Mutex: v.RW.Writer}}
	}
	return mutexJSON{Addr: Hex(v.Mutex.Addr), Mutex: v.Mutex}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// waitText describes how long a waiter has waited, as far as the runtime recorded it.
func waitText(w inspect.SemaWaiter) string {
	switch {
	case w.WaitingFor > 0:
		return "waiting for at least " + time.Duration(w.WaitingFor).Round(time.Millisecond).String()
	case w.WaitSince > 0:
		return fmt.Sprintf("waiting since nanotime %d", w.WaitSince)
	}
	return "wait time not recorded"
}

func (v MutexView) WriteText(w io.Writer) error {
	if v.RW != nil {
		return v.writeRWText(w)
	}
	fmt.Fprintf(w, "sync.Mutex %s at %s\n", v.Expr, Hex(v.Mutex.Addr))
	writeMutexText(w, v.Mutex, "  ", v.Limit)
	return nil
}

func writeMutexText(w io.Writer, m *inspect.Mutex, ind string, limit int) {
	c := m.Constants
	fmt.Fprintf(w, "%sstate    0x%08x = waiters %d << %d | starving %d | woken %d | locked %d\n", ind, uint32(m.State),
		m.Waiters, c.WaiterShift, b2i(m.Starving), b2i(m.Woken), b2i(m.Locked))
	if m.Locked {
		fmt.Fprintf(w, "%s  locked:   yes; Go records no owner, so which goroutine holds it is unknown\n", ind)
	} else {
		fmt.Fprintf(w, "%s  locked:   no\n", ind)
	}
	fmt.Fprintf(w, "%s  woken:    %s (a woken or spinning waiter is about to try; Unlock need not wake another)\n", ind, yesNo(m.Woken))
	if m.Starving {
		fmt.Fprintf(w, "%s  starving: yes: a waiter waited over %s, so Unlock hands the lock straight to the first waiter\n", ind, time.Duration(c.StarvationThresholdNs))
	} else {
		fmt.Fprintf(w, "%s  starving: no (normal mode; a waiter that waits over %s switches it to starvation mode)\n", ind, time.Duration(c.StarvationThresholdNs))
	}
	fmt.Fprintf(w, "%s  waiters:  %d (state >> mutexWaiterShift)\n", ind, m.Waiters)
	fmt.Fprintf(w, "%ssema     %d at %s (semaRoot %s of runtime.semtable)\n", ind, m.Sema, Hex(m.SemaAddr), Hex(m.SemaRoot))
	writeWaiters(w, ind, "parked on sema", m.Waiting, m.MoreWaiting, limit)
}

func writeWaiters(w io.Writer, ind, what string, ws []inspect.SemaWaiter, more, limit int) {
	if len(ws) == 0 {
		fmt.Fprintf(w, "%s%s: none\n", ind, what)
		return
	}
	fmt.Fprintf(w, "%s%s, in wake-up order:\n", ind, what)
	for i, x := range ws {
		if limit > 0 && i >= limit {
			more += len(ws) - i
			break
		}
		fmt.Fprintf(w, "%s  %d. goroutine %d [%s] %s (sudog %s)\n", ind, i+1, x.GoID, x.WaitReason, waitText(x), Hex(uint64(x.Sudog)))
	}
	if more > 0 {
		fmt.Fprintf(w, "%s  ... %d more\n", ind, more)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (v MutexView) writeRWText(w io.Writer) error {
	rw := v.RW
	fmt.Fprintf(w, "sync.RWMutex %s at %s\n", v.Expr, Hex(rw.Addr))
	fmt.Fprintf(w, "  readerCount %d", rw.ReaderCount)
	if rw.WriterPending {
		fmt.Fprintf(w, " = %d - rwmutexMaxReaders: a writer holds the lock or waits for readers to leave\n", int64(rw.ReaderCount)+rw.Writer.Constants.RWMutexMaxReaders)
	} else {
		fmt.Fprintf(w, ": no writer pending\n")
	}
	fmt.Fprintf(w, "  readerWait  %d (readers the pending writer waits to leave)\n", rw.ReaderWait)
	fmt.Fprintf(w, "  readers inside: %d (Go records no owner: which goroutines they are is unknown)\n", rw.Readers)
	fmt.Fprintf(w, "  writer pending: %s\n", yesNo(rw.WriterPending))
	fmt.Fprintf(w, "  writerSem %d at %s, readerSem %d at %s\n", rw.WriterSem, Hex(rw.WriterSemAddr), rw.ReaderSem, Hex(rw.ReaderSemAddr))
	writeWaiters(w, "  ", "waiting writers (on writerSem, then on the writer mutex w)", rw.WaitingWriters, 0, v.Limit)
	writeWaiters(w, "  ", "waiting readers (on readerSem)", rw.WaitingReaders, 0, v.Limit)
	fmt.Fprintf(w, "  writer mutex w at %s:\n", Hex(rw.Writer.Addr))
	writeMutexText(w, rw.Writer, "    ", v.Limit)
	return nil
}

// Colours of the mutex diagrams.
const (
	bitSetBg   = "#f4c27a"
	bitClearBg = "#eeeeee"
	headerBg   = "#dde8f5"
	goroBg     = "#e3f1df"
	noteBg     = "#fff8d6"
)

// mutexRows are the table rows of a mutex's state word drawn as bit fields, and its sema.
func mutexRows(m *inspect.Mutex, title, portPrefix string) [][]Cell {
	bit := func(name string, set bool) Cell {
		bg := bitClearBg
		if set {
			bg = bitSetBg
		}
		return Cell{Text: fmt.Sprintf("%s\n%d", name, b2i(set)), Bg: bg}
	}
	wbg := bitClearBg
	if m.Waiters > 0 {
		wbg = bitSetBg
	}
	return [][]Cell{
		{{Text: title, Bold: true, ColSpan: 4, Bg: headerBg}},
		{{Text: fmt.Sprintf("state = %#x (int32)", uint32(m.State)), ColSpan: 4}},
		{{Text: "bits 31..3", Bg: "#ffffff"}, {Text: "bit 2", Bg: "#ffffff"}, {Text: "bit 1", Bg: "#ffffff"}, {Text: "bit 0", Bg: "#ffffff"}},
		{{Text: fmt.Sprintf("waiters\n%d", m.Waiters), Bg: wbg}, bit("starving", m.Starving), bit("woken", m.Woken), bit("locked", m.Locked)},
		{{Text: fmt.Sprintf("sema = %d   @ %s", m.Sema, Hex(m.SemaAddr)), ColSpan: 4, Port: portPrefix + "sema"}},
	}
}

// drawWaiters draws the goroutines parked on a semaphore as a chain from port `from`.
func drawWaiters(g *Graph, idPrefix, from string, ws []inspect.SemaWaiter, more, limit int, label string) {
	prev := from
	for i, x := range ws {
		if limit > 0 && i >= limit {
			more += len(ws) - i
			break
		}
		id := fmt.Sprintf("%s_w%d", idPrefix, i)
		g.AddNode(id, solidTable(
			[]Cell{{Text: fmt.Sprintf("goroutine %d", x.GoID), Bold: true, Bg: goroBg}},
			[]Cell{{Text: x.WaitReason}},
			[]Cell{{Text: waitText(x)}},
			[]Cell{{Text: "sudog " + Hex(uint64(x.Sudog))}},
		), true, nil)
		attrs := map[string]string{"label": "waitlink"}
		if i == 0 {
			attrs = map[string]string{"label": label, "color": "#c0392b", "fontcolor": "#c0392b", "penwidth": "4"}
		}
		g.AddEdge(prev, id, attrs)
		prev = id
	}
	if more > 0 {
		id := idPrefix + "_more"
		g.AddNode(id, fmt.Sprintf("%d more", more), false, map[string]string{"shape": "box", "style": "dashed"})
		g.AddEdge(prev, id, map[string]string{"label": "waitlink", "style": "dashed"})
	}
}

func (v MutexView) Graph() *Graph {
	g := NewGraph("mutex")
	if v.RW == nil {
		m := v.Mutex
		g.AddNode("mutex", solidTable(mutexRows(m, fmt.Sprintf("sync.Mutex %s @ %s", v.Expr, Hex(m.Addr)), "")...), true, nil)
		drawWaiters(g, "mutex", "mutex:sema", m.Waiting, m.MoreWaiting, v.Limit, "parked on sema")
		g.AddNode("owner", solidTable([]Cell{{Text: ownerNote(m.Locked), Bg: noteBg}}), true, nil)
		g.AddEdge("mutex", "owner", map[string]string{"style": "invis"})
		return g
	}
	rw := v.RW
	rows := [][]Cell{
		{{Text: fmt.Sprintf("sync.RWMutex %s @ %s", v.Expr, Hex(rw.Addr)), Bold: true, ColSpan: 2, Bg: headerBg}},
		{{Text: "w (writer mutex)", Align: "LEFT"}, {Text: "see below", Port: "w"}},
		{{Text: "writerSem", Align: "LEFT"}, {Text: fmt.Sprint(rw.WriterSem), Port: "writerSem"}},
		{{Text: "readerSem", Align: "LEFT"}, {Text: fmt.Sprint(rw.ReaderSem), Port: "readerSem"}},
		{{Text: "readerCount", Align: "LEFT"}, {Text: readerCountText(rw), Bg: pendingBg(rw.WriterPending)}},
		{{Text: "readerWait", Align: "LEFT"}, {Text: fmt.Sprint(rw.ReaderWait)}},
		{{Text: "readers inside", Align: "LEFT"}, {Text: fmt.Sprintf("%d (not recorded which)", rw.Readers)}},
		{{Text: "writer pending", Align: "LEFT"}, {Text: yesNo(rw.WriterPending), Bg: pendingBg(rw.WriterPending)}},
	}
	g.AddNode("rw", solidTable(rows...), true, nil)
	g.AddNode("w", solidTable(mutexRows(rw.Writer, fmt.Sprintf("w: sync.Mutex @ %s", Hex(rw.Writer.Addr)), "w")...), true, nil)
	g.AddEdge("rw:w", "w", map[string]string{"arrowhead": "none", "color": "#7f8c8d"})
	nWriterSem := len(rw.WaitingWriters) - len(rw.Writer.Waiting)
	drawWaiters(g, "ws", "rw:writerSem", rw.WaitingWriters[:nWriterSem], 0, v.Limit, "writer waits for readers")
	drawWaiters(g, "wm", "w:wsema", rw.Writer.Waiting, rw.Writer.MoreWaiting, v.Limit, "writers queued on w")
	drawWaiters(g, "rs", "rw:readerSem", rw.WaitingReaders, 0, v.Limit, "readers wait for the writer")
	g.AddNode("owner", solidTable([]Cell{{Text: "Go records no owner: the readers inside and the writer\nholding w are not named in memory", Bg: noteBg}}), true, nil)
	g.AddEdge("rw", "owner", map[string]string{"style": "invis"})
	return g
}

// solidTable is Table with every cell given a background (white unless set): go-graphviz's PNG
// renderer lets a cell without BGCOLOR inherit the colour of the cell drawn before it, and draws
// no cell borders.
func solidTable(rows ...[]Cell) string {
	for _, row := range rows {
		for i := range row {
			if row[i].Bg == "" {
				row[i].Bg = "#ffffff"
			}
		}
	}
	return Table(rows...)
}

func pendingBg(pending bool) string {
	if pending {
		return bitSetBg
	}
	return ""
}

func readerCountText(rw *inspect.RWMutex) string {
	if rw.WriterPending {
		return fmt.Sprintf("%d\n= %d - 2^30 (writer pending)", rw.ReaderCount, int64(rw.ReaderCount)+rw.Writer.Constants.RWMutexMaxReaders)
	}
	return fmt.Sprint(rw.ReaderCount)
}

func ownerNote(locked bool) string {
	if !locked {
		return "unlocked"
	}
	return strings.Join([]string{"locked, by a goroutine memlens cannot name:", "sync.Mutex has no owner field"}, "\n")
}
