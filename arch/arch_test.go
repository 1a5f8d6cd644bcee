package arch_test

import (
	"fmt"
	"testing"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// constant evaluates the first of names that the target's DWARF has as a constant or variable.
// Package paths with slashes are quoted, as Delve's expression syntax wants.
func constant(t *testing.T, target *inspect.Target, names ...string) uint64 {
	t.Helper()
	for _, name := range names {
		v, err := target.Eval(name, proc.LoadConfig{})
		if err != nil || v.Value == nil {
			continue
		}
		u, ok := uint64Of(v)
		if ok {
			return u
		}
	}
	t.Fatalf("none of %v is in the target's DWARF", names)
	return 0
}

func uint64Of(v *proc.Variable) (uint64, bool) {
	s := v.Value.ExactString()
	var u uint64
	var i int64
	if _, err := fmt.Sscan(s, &u); err == nil {
		return u, true
	}
	if _, err := fmt.Sscan(s, &i); err == nil {
		return uint64(i), true
	}
	return 0, false
}

// TestArchMatchesRuntimeConstants checks every arena and page fact of package arch against the
// constants the runtime itself declares, read from the DWARF of fixtures built with every
// supported toolchain for both architectures.
func TestArchMatchesRuntimeConstants(t *testing.T) {
	fixtures.ForEachWith(t, "basic", fixtures.Options{Modes: []string{fixtures.Core}}, func(t *testing.T, tg *fixtures.Target) {
		target, err := inspect.Open(inspect.Options{Core: tg.Core, Exe: tg.Exe})
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		a, err := arch.ByName(tg.Arch)
		if err != nil {
			t.Fatal(err)
		}
		if target.Arch != a {
			t.Fatalf("target arch %s, built for %s", target.Arch.Name, tg.Arch)
		}
		checks := []struct {
			what  string
			got   uint64
			names []string
		}{
			{"HeapArenaBytes", a.HeapArenaBytes, []string{"runtime.heapArenaBytes"}},
			{"ArenaBaseOffset", a.ArenaBaseOffset, []string{"runtime.arenaBaseOffset", "runtime.arenaBaseOffsetUintptr"}},
			{"ArenaL1Bits", uint64(a.ArenaL1Bits), []string{"runtime.arenaL1Bits"}},
			{"ArenaL2Bits", uint64(a.ArenaL2Bits), []string{"runtime.arenaL2Bits"}},
			{"GoPageSize", a.GoPageSize, []string{"runtime._PageSize", "runtime.pageSize", `"internal/runtime/gc".PageSize`}},
			{"CacheLinePadSize", uint64(a.CacheLinePadSize(tg.Toolchain.Minor)), []string{`"internal/cpu".CacheLinePadSize`}},
		}
		uintptrType, err := target.FindType("uintptr")
		if err != nil {
			t.Fatal(err)
		}
		if int64(a.PtrSize) != uintptrType.Size() {
			t.Errorf("PtrSize = %d, the target's uintptr has %d bytes", a.PtrSize, uintptrType.Size())
		}
		for _, c := range checks {
			if want := constant(t, target, c.names...); c.got != want {
				t.Errorf("%s = %#x, the runtime's %v = %#x", c.what, c.got, c.names, want)
			}
		}
	})
}
