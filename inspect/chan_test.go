package inspect_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// chansOptions runs the chans fixture with synchronous timer channels: its module says go 1.19,
// which makes Go 1.23-1.26 default to GODEBUG=asynctimerchan=1 (no hchan.timer). Go 1.19 ignores
// the setting, and Go 1.27 no longer has it.
var chansOptions = fixtures.Options{Env: []string{"GODEBUG=asynctimerchan=0"}}

func evalChan(t *testing.T, target *inspect.Target, expr string, opts inspect.ChanOptions) *inspect.Chan {
	t.Helper()
	c, err := target.EvalChan(expr, opts)
	if err != nil {
		t.Fatalf("EvalChan(%q): %v", expr, err)
	}
	if len(c.Problems) > 0 {
		t.Errorf("EvalChan(%q) reports problems on a healthy channel: %q", expr, c.Problems)
	}
	return c
}

func checkValues(t *testing.T, what string, c *inspect.Chan, want []string) {
	t.Helper()
	var got []string
	for _, s := range c.Buffer {
		got = append(got, s.Value)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s buffer values = %q, fixture sent %q", what, got, want)
	}
}

func checkSlots(t *testing.T, what string, c *inspect.Chan) {
	t.Helper()
	for k, s := range c.Buffer {
		if want := (c.RecvX + uint64(k)) % c.DataQSiz; s.Slot != want {
			t.Errorf("%s element %d in slot %d, want %d", what, k, s.Slot, want)
		}
		if want := c.Buf + s.Slot*c.ElemSize; s.Addr != want {
			t.Errorf("%s element %d at %#x, want buf+slot*elemsize = %#x", what, k, s.Addr, want)
		}
	}
}

func waiterIDs(ws []inspect.ChanWaiter) []int64 {
	var ids []int64
	for _, w := range ws {
		ids = append(ids, w.GoID)
	}
	return ids
}

// TestChan decodes every channel the chans fixture built and compares with what it reports.
func TestChan(t *testing.T) {
	fixtures.ForEachWith(t, "chans", chansOptions, func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		r := tg.Report

		t.Run("ring", func(t *testing.T) {
			c := evalChan(t, target, "main.ring", inspect.ChanOptions{})
			if c.ElemType != r.Get(t, "ring.elemtype") || c.ElemSize != 8 {
				t.Errorf("elem %q size %d, fixture says %s (8 bytes)", c.ElemType, c.ElemSize, r.Get(t, "ring.elemtype"))
			}
			if c.DataQSiz != uint64(r.Int(t, "ring.cap")) || c.QCount != uint64(r.Int(t, "ring.len")) ||
				c.RecvX != uint64(r.Int(t, "ring.recvx")) || c.SendX != uint64(r.Int(t, "ring.sendx")) {
				t.Errorf("cap %d len %d recvx %d sendx %d; fixture: cap %s len %s recvx %s sendx %s", c.DataQSiz, c.QCount,
					c.RecvX, c.SendX, r["ring.cap"], r["ring.len"], r["ring.recvx"], r["ring.sendx"])
			}
			if c.Closed || c.Timer != 0 || c.BufPlacement != "inline" {
				t.Errorf("closed %v timer %#x placement %s; want open, no timer, inline buffer (int64 has no pointers)", c.Closed, c.Timer, c.BufPlacement)
			}
			checkValues(t, "ring", c, strings.Fields(r.Get(t, "ring.values")))
			checkSlots(t, "ring", c)
			if len(c.RecvQ)+len(c.SendQ) != 0 {
				t.Errorf("waiters on ring: %v %v", c.RecvQ, c.SendQ)
			}
			// A bare address gives the same channel.
			c2 := evalChan(t, target, fmt.Sprintf("%#x", c.Addr), inspect.ChanOptions{MaxSlots: 2})
			checkValues(t, "ring by address", c2, strings.Fields(r.Get(t, "ring.values"))[:2])
			if c2.BufferMore != c.QCount-2 || c2.ElemType != c.ElemType {
				t.Errorf("by address with limit 2: more %d elem %q", c2.BufferMore, c2.ElemType)
			}
		})

		t.Run("unbuffered-senders", func(t *testing.T) {
			c := evalChan(t, target, "main.unbuf", inspect.ChanOptions{})
			if c.DataQSiz != 0 || c.QCount != 0 || len(c.Buffer) != 0 || c.BufPlacement != "none" {
				t.Errorf("cap %d len %d buffer %v placement %s; want an unbuffered channel", c.DataQSiz, c.QCount, c.Buffer, c.BufPlacement)
			}
			want := r.Ints(t, "unbuf.senders")
			if got := waiterIDs(c.SendQ); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("sendq goroutines %v, fixture blocked %v in that order", got, want)
			}
			for i, v := range strings.Fields(r.Get(t, "unbuf.values")) {
				w := c.SendQ[i]
				if w.Value != strconv.Quote(v) || w.Elem == 0 || w.IsSelect {
					t.Errorf("sender %d: value %s elem %#x select %v; fixture sends %q", w.GoID, w.Value, w.Elem, w.IsSelect, v)
				}
				if w.Status != "waiting" || w.WaitReason != "chan send" {
					t.Errorf("sender %d: %s/%s, want waiting/chan send", w.GoID, w.Status, w.WaitReason)
				}
			}
			if len(c.RecvQ) != 0 {
				t.Errorf("recvq %v, want empty", c.RecvQ)
			}
		})

		t.Run("receivers", func(t *testing.T) {
			c := evalChan(t, target, "main.recvs", inspect.ChanOptions{})
			want := r.Ints(t, "recvs.receivers")
			if got := waiterIDs(c.RecvQ); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("recvq goroutines %v, fixture blocked %v in that order", got, want)
			}
			sel := r.Int(t, "recvs.select")
			for _, w := range c.RecvQ {
				if w.IsSelect != (w.GoID == sel) {
					t.Errorf("receiver %d: select %v; the fixture's select receiver is %d", w.GoID, w.IsSelect, sel)
				}
				if w.Value != "" {
					t.Errorf("receiver %d has a value %q", w.GoID, w.Value)
				}
			}
		})

		t.Run("closed", func(t *testing.T) {
			c := evalChan(t, target, "main.closed", inspect.ChanOptions{})
			if !c.Closed {
				t.Errorf("closed = false; the fixture closed it")
			}
			checkValues(t, "closed", c, strings.Fields(r.Get(t, "closed.values")))
			checkSlots(t, "closed", c)
			if c.RecvX != uint64(r.Int(t, "closed.recvx")) || c.SendX != uint64(r.Int(t, "closed.sendx")) {
				t.Errorf("recvx %d sendx %d; fixture: %s %s", c.RecvX, c.SendX, r["closed.recvx"], r["closed.sendx"])
			}
		})

		t.Run("structs", func(t *testing.T) {
			c := evalChan(t, target, "main.points", inspect.ChanOptions{})
			if c.ElemType != r.Get(t, "points.elemtype") || c.BufPlacement != "separate" {
				t.Errorf("elem %q placement %s; fixture: %s, separate (it has a pointer)", c.ElemType, c.BufPlacement, r["points.elemtype"])
			}
			xs, ys, names := strings.Fields(r.Get(t, "points.x")), strings.Fields(r.Get(t, "points.y")), strings.Fields(r.Get(t, "points.names"))
			var want []string
			for i := range xs {
				want = append(want, fmt.Sprintf("main.point {X: %s, Y: %s, Name: %q}", xs[i], ys[i], names[i]))
			}
			checkValues(t, "points", c, want)
			checkSlots(t, "points", c)
			// By bare address the element type comes from the runtime's type data alone.
			checkValues(t, "points by address", evalChan(t, target, fmt.Sprintf("%#x", c.Addr), inspect.ChanOptions{}), want)
		})

		t.Run("large", func(t *testing.T) {
			c := evalChan(t, target, "main.large", inspect.ChanOptions{})
			n := r.Int(t, "large.len")
			if c.QCount != uint64(n) || uint64(len(c.Buffer)) != c.QCount || c.BufferMore != 0 {
				t.Fatalf("len %d, %d listed, %d more; fixture: len %d", c.QCount, len(c.Buffer), c.BufferMore, n)
			}
			if c.RecvX != uint64(r.Int(t, "large.recvx")) || c.SendX != uint64(r.Int(t, "large.sendx")) || c.DataQSiz != uint64(r.Int(t, "large.cap")) {
				t.Errorf("recvx %d sendx %d cap %d; fixture: %s %s %s", c.RecvX, c.SendX, c.DataQSiz, r["large.recvx"], r["large.sendx"], r["large.cap"])
			}
			first, step := r.Int(t, "large.first"), r.Int(t, "large.step")
			for k, s := range c.Buffer {
				if want := strconv.FormatInt(first+int64(k)*step, 10); s.Value != want {
					t.Fatalf("element %d (slot %d) = %s, fixture sent %s", k, s.Slot, s.Value, want)
				}
			}
			checkSlots(t, "large", c)
			// With a limit only the first elements are listed.
			c = evalChan(t, target, "main.large", inspect.ChanOptions{MaxSlots: 5})
			if len(c.Buffer) != 5 || c.BufferMore != uint64(n-5) || c.Buffer[4].Value != strconv.FormatInt(first+4*step, 10) {
				t.Errorf("limit 5: %d listed, %d more, last %v", len(c.Buffer), c.BufferMore, c.Buffer)
			}
		})

		t.Run("zero-size", func(t *testing.T) {
			c := evalChan(t, target, "main.empty", inspect.ChanOptions{})
			if c.ElemSize != 0 || c.ElemType != r.Get(t, "empty.elemtype") || c.BufPlacement != "none" {
				t.Errorf("elem %q size %d placement %s; fixture: %s, 0 bytes", c.ElemType, c.ElemSize, c.BufPlacement, r["empty.elemtype"])
			}
			if c.QCount != uint64(r.Int(t, "empty.len")) || c.DataQSiz != uint64(r.Int(t, "empty.cap")) || uint64(len(c.Buffer)) != c.QCount {
				t.Errorf("len %d cap %d listed %d; fixture: len %s cap %s", c.QCount, c.DataQSiz, len(c.Buffer), r["empty.len"], r["empty.cap"])
			}
			for _, s := range c.Buffer {
				if s.Addr != c.Buf || s.Value == "" {
					t.Errorf("zero-size slot %d at %#x (buf %#x) value %q", s.Slot, s.Addr, c.Buf, s.Value)
				}
			}
		})

		t.Run("large-elements", func(t *testing.T) {
			c := evalChan(t, target, "main.bigs", inspect.ChanOptions{})
			if c.ElemSize != uint64(r.Int(t, "bigs.elemsize")) {
				t.Errorf("elemsize %d; the fixture's unsafe.Sizeof says %s", c.ElemSize, r["bigs.elemsize"])
			}
			tags, a0 := strings.Fields(r.Get(t, "bigs.tags")), strings.Fields(r.Get(t, "bigs.a0"))
			if len(c.Buffer) != len(tags) {
				t.Fatalf("%d buffered, fixture left %d", len(c.Buffer), len(tags))
			}
			for i, s := range c.Buffer {
				if !strings.HasPrefix(s.Value, "main.bigElem {A: [512]int64 ["+a0[i]+",") || !strings.Contains(s.Value, fmt.Sprintf("Tag: %q", tags[i])) {
					t.Errorf("element %d = %s; fixture sent A[0]=%s Tag=%s", i, s.Value, a0[i], tags[i])
				}
			}
			checkSlots(t, "bigs", c)
		})

		t.Run("pointers-and-interfaces", func(t *testing.T) {
			c := evalChan(t, target, "main.ptrs", inspect.ChanOptions{})
			if len(c.Buffer) != 1 || !strings.HasPrefix(c.Buffer[0].Value, "*main.point") || !strings.Contains(c.Buffer[0].Value, fmt.Sprintf("Name: %q", r.Get(t, "ptrs.name"))) {
				t.Errorf("ptrs buffer %v; fixture sent &point{Name: %s}", c.Buffer, r["ptrs.name"])
			}
			c = evalChan(t, target, "main.ifaces", inspect.ChanOptions{})
			vals := strings.Fields(r.Get(t, "ifaces.values"))
			want := []string{"interface {}(int) " + vals[0], fmt.Sprintf("interface {}(string) %q", vals[1])}
			checkValues(t, "ifaces", c, want)
			checkValues(t, "ifaces by address", evalChan(t, target, fmt.Sprintf("%#x", c.Addr), inspect.ChanOptions{}), want)
		})

		t.Run("nil", func(t *testing.T) {
			c := evalChan(t, target, "main.nilChan", inspect.ChanOptions{})
			if !c.Nil || c.Addr != 0 {
				t.Errorf("nil channel decoded as %+v", c)
			}
		})

		t.Run("ticker", func(t *testing.T) {
			c := evalChan(t, target, "main.ticker.C", inspect.ChanOptions{})
			if c.ElemType != r.Get(t, "ticker.elemtype") {
				t.Errorf("elem %q; fixture: %s", c.ElemType, r["ticker.elemtype"])
			}
			// time.NewTicker makes its channel with make(chan Time, 1) in every version.
			if c.DataQSiz != 1 {
				t.Errorf("dataqsiz %d, want 1 (make(chan Time, 1))", c.DataQSiz)
			}
			userCap, userLen := uint64(r.Int(t, "ticker.cap")), uint64(r.Int(t, "ticker.len"))
			if c.ReportedCap != userCap || c.ReportedLen != userLen {
				t.Errorf("reported cap %d len %d; the program's cap/len say %d %d", c.ReportedCap, c.ReportedLen, userCap, userLen)
			}
			// A synchronous timer channel (Go 1.23+) reports cap 0 and has hchan.timer set.
			if sync := userCap == 0; (c.Timer != 0) != sync || c.HasTimerField != (tg.Toolchain.Minor >= 23) {
				t.Errorf("timer %#x (field present %v) but cap(ticker.C) is %d on %s", c.Timer, c.HasTimerField, userCap, tg.Toolchain.Name)
			}
		})

		t.Run("not-a-channel", func(t *testing.T) {
			_, err := target.EvalChan("main.notAChan", inspect.ChanOptions{})
			var te *inspect.TargetError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), r.Get(t, "notachan.type")) || !strings.Contains(err.Error(), "not a channel") {
				t.Errorf("EvalChan(main.notAChan) = %v; want a TargetError naming type %s", err, r["notachan.type"])
			}
		})

		// A local variable in a blocked goroutine's frame, as --goroutine/--frame select it.
		t.Run("local", func(t *testing.T) {
			id := r.Int(t, "local.goroutine")
			g, err := proc.FindGoroutine(target.Proc(), id)
			if err != nil {
				t.Fatal(err)
			}
			frames, err := proc.GoroutineStacktrace(target.Proc(), g, 32, 0)
			if err != nil {
				t.Fatal(err)
			}
			frame := -1
			for i, f := range frames {
				if f.Current.Fn != nil && strings.HasPrefix(f.Current.Fn.Name, "main.main.func") {
					frame = i
					break
				}
			}
			if frame < 0 {
				t.Fatalf("goroutine %d has no main.main.func frame", id)
			}
			target.Close() // one attach at a time
			opts := inspect.Options{Exe: tg.Exe, Core: tg.Core, Goroutine: id, Frame: frame}
			if tg.Mode == fixtures.Live {
				opts = inspect.Options{Pid: tg.Pid, Goroutine: id, Frame: frame}
			}
			local, err := inspect.Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer local.Close()
			c := evalChan(t, local, "local", inspect.ChanOptions{})
			checkValues(t, "local", c, strings.Fields(r.Get(t, "local.values")))
		})

		if tg.Mode == fixtures.Live {
			target.Close()
			tg.Ping(t)
		}
	})
}
