package inspect_test

import (
	"strings"
	"testing"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// TestMutexes decodes the syncs fixture's mutexes and compares them with what the fixture built:
// the raw state words it read atomically, and the goroutine ids it parked, in queue order.
func TestMutexes(t *testing.T) {
	fixtures.ForEach(t, "syncs", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		mutex := func(expr string) *inspect.Mutex {
			t.Helper()
			v, err := target.MutexExpr(expr, 0)
			if err != nil {
				t.Fatalf("%s: %v", expr, err)
			}
			m, ok := v.(*inspect.Mutex)
			if !ok {
				t.Fatalf("%s decoded as %T, want *inspect.Mutex", expr, v)
			}
			if m.Owner != inspect.NoOwner {
				t.Errorf("%s: owner %q; Go records no owner", expr, m.Owner)
			}
			return m
		}
		check := func(expr, stateKey string, locked, starving bool, waiters []int64) {
			t.Helper()
			m := mutex(expr)
			if want := int32(tg.Report.Int(t, stateKey)); m.State != want {
				t.Errorf("%s: state %#x, fixture read %#x", expr, m.State, want)
			}
			if m.Locked != locked || m.Starving != starving {
				t.Errorf("%s: locked=%v starving=%v, want %v %v", expr, m.Locked, m.Starving, locked, starving)
			}
			if int(m.Waiters) != len(waiters) {
				t.Errorf("%s: state counts %d waiters, fixture parked %d", expr, m.Waiters, len(waiters))
			}
			got := goids(m.Waiting)
			if !equalIDs(got, waiters) {
				t.Errorf("%s: waiting goroutines %v, fixture parked %v (in this order)", expr, got, waiters)
			}
			for _, w := range m.Waiting {
				if tg.Mode == fixtures.Live && w.WaitingFor <= 0 {
					t.Errorf("%s: waiter %d: no waiting time on a live target after a GC (waitsince %d)", expr, w.GoID, w.WaitSince)
				}
				if tg.Mode == fixtures.Core && w.WaitingFor != 0 {
					t.Errorf("%s: waiter %d: a waiting time (%d) from a core, which records no 'now'", expr, w.GoID, w.WaitingFor)
				}
				if w.WaitSince <= 0 {
					t.Errorf("%s: waiter %d: g.waitsince not found after the fixture's GC", expr, w.GoID)
				}
			}
		}
		check("main.muUnlocked", "muUnlocked.state", false, false, nil)
		check("main.muLocked", "muLocked.state", true, false, nil)
		check("&main.muLocked", "muLocked.state", true, false, nil)
		check("main.muContended", "muContended.state", true, false, tg.Report.Ints(t, "contended"))
		check("main.muStarving", "muStarving.state", true, true, tg.Report.Ints(t, "starver"))

		v, err := target.MutexExpr("main.rw", 0)
		if err != nil {
			t.Fatal(err)
		}
		rw, ok := v.(*inspect.RWMutex)
		if !ok {
			t.Fatalf("main.rw decoded as %T", v)
		}
		// Built: 2 readers inside, writer waiting for them (on writerSem), writer2 queued on rw.w,
		// one reader queued behind the writer (on readerSem).
		if rw.Readers != 2 || !rw.WriterPending {
			t.Errorf("rw: readers=%d writerPending=%v, want 2 true (readerCount %d, readerWait %d)", rw.Readers, rw.WriterPending, rw.ReaderCount, rw.ReaderWait)
		}
		if want := int32(3 - (1 << 30)); rw.ReaderCount != want || rw.ReaderWait != 2 {
			t.Errorf("rw: readerCount=%d readerWait=%d, want %d and 2", rw.ReaderCount, rw.ReaderWait, want)
		}
		if want := []int64{tg.Report.Int(t, "rw.writer"), tg.Report.Int(t, "rw.writer2")}; !equalIDs(goids(rw.WaitingWriters), want) {
			t.Errorf("rw: waiting writers %v, fixture parked %v", goids(rw.WaitingWriters), want)
		}
		if want := tg.Report.Ints(t, "rw.queuedReader"); !equalIDs(goids(rw.WaitingReaders), want) {
			t.Errorf("rw: waiting readers %v, fixture parked %v", goids(rw.WaitingReaders), want)
		}
		if !rw.Writer.Locked || rw.Writer.Waiters != 1 {
			t.Errorf("rw.w: locked=%v waiters=%d, want true 1 (writer holds w, writer2 waits)", rw.Writer.Locked, rw.Writer.Waiters)
		}

		if _, err := target.MutexExpr("main.seqMap", 0); err == nil || !strings.Contains(err.Error(), "not a sync.Mutex") {
			t.Errorf("a sync.Map as a mutex: err = %v, want a one-line 'not a sync.Mutex' error", err)
		}
		if tg.Mode == fixtures.Live {
			target.Close()
			tg.Ping(t)
		}
	})
}

// TestMutexConstants checks the state-bit constants memlens assumes against each target's DWARF:
// the fallback values must equal what every toolchain's binary declares.
func TestMutexConstants(t *testing.T) {
	fixtures.ForEach(t, "syncs", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		c := target.MutexConstants()
		if c.Locked != 1 || c.Woken != 2 || c.Starving != 4 || c.WaiterShift != 3 || c.RWMutexMaxReaders != 1<<30 {
			t.Errorf("constants %+v differ from mutexLocked=1 mutexWoken=2 mutexStarving=4 mutexWaiterShift=3 rwmutexMaxReaders=1<<30", c)
		}
		for _, name := range []string{"mutexLocked", "mutexWoken", "mutexStarving", "mutexWaiterShift"} {
			found := false
			for _, f := range c.FromDWARF {
				found = found || strings.HasSuffix(f, "."+name)
			}
			if !found {
				t.Errorf("%s not read from the DWARF of %s (read: %v)", name, tg.Exe, c.FromDWARF)
			}
		}
	})
}

// TestSemTableLayout checks the semaphore table facts SemTable relies on against each target's
// DWARF: 251 roots, a stride of the architecture's cache-line pad size, semaRoot's fields.
func TestSemTableLayout(t *testing.T) {
	fixtures.ForEach(t, "syncs", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		st, err := target.SemTable()
		if err != nil {
			t.Fatal(err)
		}
		if st.Len != 251 {
			t.Errorf("semTabSize = %d, want 251", st.Len)
		}
		if want := int64(target.Arch.CacheLinePadSize(target.GoMinor)); st.Stride != want {
			t.Errorf("semtable stride = %d, want %s's cache-line pad size %d", st.Stride, tg.Arch, want)
		}
		root, err := target.Layout("runtime.semaRoot")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"lock", "treap", "nwait"} {
			if !root.Has(f) {
				t.Errorf("runtime.semaRoot has no %s (fields %v)", f, root.FieldNames())
			}
		}
		// sync.Mutex: state then sema at +4, directly (<= 1.23) or inside mu (1.24+).
		l, err := target.Layout("sync.Mutex")
		if err != nil {
			t.Fatal(err)
		}
		if l.Size != 8 {
			t.Errorf("sync.Mutex is %d bytes, want 8", l.Size)
		}
		inner := l
		if l.Has("mu") {
			f, _ := l.Field("mu")
			if inner, err = target.Layout(f.TypeName); err != nil {
				t.Fatal(err)
			}
		}
		if off, _ := inner.Offset("state"); off != 0 || !inner.Has("sema") {
			t.Errorf("%s: state at %d, fields %v; want state at 0 and sema", inner.Name, off, inner.FieldNames())
		}
		if off, _ := inner.Offset("sema"); off != 4 {
			t.Errorf("%s.sema at %d, want 4", inner.Name, off)
		}
		// RWMutex counters: int32 in 1.19, atomic.Int32 (a struct of one int32 v) from 1.20.
		rw, err := target.Layout("sync.RWMutex")
		if err != nil {
			t.Fatal(err)
		}
		f, err := rw.Field("readerCount")
		if err != nil {
			t.Fatal(err)
		}
		_, isStruct := godwarf.ResolveTypedef(f.Type).(*godwarf.StructType)
		if isStruct != (tg.Toolchain.Minor >= 20) || f.Size != 4 {
			t.Errorf("readerCount is %s (%d bytes); want int32 in 1.19, atomic.Int32 after", f.TypeName, f.Size)
		}
		if _, err := target.Eval("runtime.semtable", proc.LoadConfig{}); err != nil {
			t.Error(err)
		}
	})
}

func goids(ws []inspect.SemaWaiter) []int64 {
	var out []int64
	for _, w := range ws {
		out = append(out, w.GoID)
	}
	return out
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
