package inspect_test

import (
	"sort"
	"testing"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/testdata/fixtures"
)

// TestGoroutineAt decodes every g in runtime.allgs and checks the goroutines the fixture parked on
// a channel (and its ping goroutine, which waits on one too): their ids, status and wait reason.
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
		want := append(tg.Report.Ints(t, "parked"), tg.Report.Int(t, "pinger"))
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
