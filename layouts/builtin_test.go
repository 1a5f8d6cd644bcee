package layouts_test

import (
	"strings"
	"testing"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/layouts"
	"github.com/memlens/memlens/testdata/fixtures"
)

// openExe opens a fixture's executable alone: types and layouts, no memory.
func openExe(t *testing.T, tg *fixtures.Target) *inspect.Target {
	t.Helper()
	target, err := inspect.Open(inspect.Options{Exe: tg.Exe})
	if err != nil {
		t.Fatalf("opening %s: %v", tg.Exe, err)
	}
	t.Cleanup(func() { target.Close() })
	return target
}

// openExeB opens an executable alone for a benchmark.
func openExeB(b *testing.B, exe string) *inspect.Target {
	b.Helper()
	target, err := inspect.Open(inspect.Options{Exe: exe})
	if err != nil {
		b.Fatalf("opening %s: %v", exe, err)
	}
	b.Cleanup(func() { target.Close() })
	return target
}

// normType spells a type name one way, whether it comes from DWARF or from the tables.
func normType(s string) string {
	s = strings.ReplaceAll(s, "*void", "unsafe.Pointer")
	s = strings.ReplaceAll(s, " ", "")
	return s
}

// TestBuiltinTablesMatchDWARF checks every built-in table, for the version and architecture of
// each fixture build, field by field against the layout the binary's own DWARF gives: names,
// type names, offsets, sizes, alignment. The tables only need the executable, so cores are the
// cheapest targets (no process is kept running).
func TestBuiltinTablesMatchDWARF(t *testing.T) {
	fixtures.ForEachWith(t, "structs", fixtures.Options{Modes: []string{fixtures.Core}}, func(t *testing.T, tg *fixtures.Target) {
		target := openExe(t, tg)
		a, _ := arch.ByName(tg.Arch)
		if target.GoMinor != tg.Toolchain.Minor {
			t.Fatalf("target says Go 1.%d, built with %s", target.GoMinor, tg.Toolchain.Name)
		}
		checked := 0
		for _, name := range layouts.BuiltinNames() {
			want, err := layouts.Builtin(name, tg.Toolchain.Minor, a)
			if err != nil {
				if strings.Contains(err.Error(), "does not exist in Go") {
					if _, derr := target.FindType(name); derr == nil {
						t.Errorf("%s: no built-in table for Go 1.%d but the DWARF has the type", name, tg.Toolchain.Minor)
					}
					continue
				}
				t.Fatalf("%s: %v", name, err)
			}
			typ, err := target.FindType(want.Name)
			if err != nil {
				t.Errorf("%s (asked as %s): the fixture's DWARF lacks it: %v", want.Name, name, err)
				continue
			}
			got, err := layouts.FromDWARF(typ, a)
			if err != nil {
				t.Fatal(err)
			}
			compareLayouts(t, name, want, got)
			checked++
		}
		if checked < 20 {
			t.Errorf("only %d built-in tables checked against DWARF", checked)
		}
	})
}

func compareLayouts(t *testing.T, asked string, table, dwarf *layouts.Layout) {
	t.Helper()
	if table.Size != dwarf.Size || table.Align != dwarf.Align {
		t.Errorf("%s (%s): table size %d align %d, DWARF size %d align %d", asked, table.Name, table.Size, table.Align, dwarf.Size, dwarf.Align)
	}
	if len(table.Fields) != len(dwarf.Fields) {
		t.Errorf("%s (%s): table fields %v, DWARF fields %v", asked, table.Name, table.FieldNames(), dwarf.FieldNames())
		return
	}
	for i, f := range table.Fields {
		d := dwarf.Fields[i]
		if f.Name != d.Name || f.Offset != d.Offset || f.Size != d.Size || f.Align != d.Align {
			t.Errorf("%s (%s) field %d: table %s +%d size %d align %d, DWARF %s +%d size %d align %d",
				asked, table.Name, i, f.Name, f.Offset, f.Size, f.Align, d.Name, d.Offset, d.Size, d.Align)
		}
		if normType(f.TypeName) != normType(d.TypeName) {
			t.Errorf("%s (%s) field %s: table type %q, DWARF type %q", asked, table.Name, f.Name, f.TypeName, d.TypeName)
		}
	}
}
