package layouts_test

import (
	"testing"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
	"github.com/memlens/memlens/testdata/fixtures"
)

// BenchmarkBuiltin computes the layout of runtime.mheap (about 50 fields, the biggest table)
// from the built-in tables: what `memlens layout --go` and a DWARF-less target pay per lookup.
func BenchmarkBuiltin(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := layouts.Builtin("runtime.mheap", 26, arch.ARM64); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromDWARFAndEntries builds runtime.g's layout from a Go 1.26 binary's DWARF and lists
// it expanded two levels, as `memlens --exe BIN layout runtime.g --expand 2` does.
func BenchmarkFromDWARFAndEntries(b *testing.B) {
	exe := fixtures.Build(b, "structs", fixtures.Toolchains[1], "amd64", nil)
	target := openExeB(b, exe)
	typ, err := target.FindType("runtime.g")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l, err := layouts.FromDWARF(typ, arch.AMD64)
		if err != nil {
			b.Fatal(err)
		}
		l.Entries(2, 16)
	}
}
