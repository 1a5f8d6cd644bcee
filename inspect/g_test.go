package inspect_test

import (
	"sort"
	"testing"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// TestGoroutineAt decodes every g in runtime.allgs and checks the goroutines the fixture parked on
// a channel (and its ping and holder goroutines, which wait on one too): their ids, status and
// wait reason.
func TestGoroutineAt(t *testing.T) {
	fixtures.ForEach(t, "basic", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		allgs, err := target.Eval("runtime.allgs", proc.LoadConfig{MaxArrayValues: 10000})
		if err != nil {
			t.Fatal(err)
		}
		var parked []int64
		for _, c := range allgs.Children {
			addr, _ := toUint(c)
			g, err := target.GoroutineAt(addr)
			if err != nil {
				t.Fatalf("g at %#x: %v", addr, err)
			}
			if g.Status == "waiting" && g.WaitReason == "chan receive" {
				parked = append(parked, g.ID)
			}
		}
		want := append(tg.Report.Ints(t, "parked"), tg.Report.Int(t, "pinger"), tg.Report.Int(t, "holder"))
		sort.Slice(parked, func(i, j int) bool { return parked[i] < parked[j] })
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if len(parked) != len(want) {
			t.Fatalf("goroutines waiting on chan receive: %v, fixture parked %v", parked, want)
		}
		for i := range want {
			if parked[i] != want[i] {
				t.Fatalf("goroutines waiting on chan receive: %v, fixture parked %v", parked, want)
			}
		}
	})
}

// toUint reads a loaded pointer variable's value.
func toUint(v proc.Variable) (uint64, bool) {
	if len(v.Children) == 1 {
		return v.Children[0].Addr, true
	}
	return v.Base, false
}

// TestEvalInGoroutineFrame evaluates a local variable in a parked goroutine's frame (the frame of
// the fixture's holder function, a few frames above runtime.gopark).
func TestEvalInGoroutineFrame(t *testing.T) {
	fixtures.ForEach(t, "basic", func(t *testing.T, tg *fixtures.Target) {
		holder := tg.Report.Int(t, "holder")
		want := tg.Report.Get(t, "secret")
		for frame := 0; frame < 12; frame++ {
			opts := inspect.Options{Exe: tg.Exe, Core: tg.Core, Goroutine: holder, Frame: frame}
			if tg.Mode == fixtures.Live {
				opts = inspect.Options{Pid: tg.Pid, Goroutine: holder, Frame: frame}
			}
			target, err := inspect.Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			v, err := target.Eval("secret", inspect.ValueLoadConfig)
			if err == nil {
				got := inspect.FormatVariable(v)
				target.Close()
				if got != want {
					t.Fatalf("secret in goroutine %d frame %d = %s, want %s", holder, frame, got, want)
				}
				return
			}
			target.Close()
		}
		t.Fatalf("no frame of goroutine %d has the local variable secret", holder)
	})
}
