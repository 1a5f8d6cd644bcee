package inspect_test

import (
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// benchTarget opens the ifaces fixture built with the newest toolchain, as an amd64 core
// (mode "core") or live process.
func benchTarget(b *testing.B, mode string) *inspect.Target {
	b.Helper()
	tc := fixtures.Toolchains[len(fixtures.Toolchains)-1]
	tg := fixtures.Start(b, "ifaces", tc, "amd64", mode, nil)
	opts := inspect.Options{Exe: tg.Exe, Core: tg.Core}
	if mode == fixtures.Live {
		opts = inspect.Options{Pid: tg.Pid}
	}
	t, err := inspect.Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { t.Close() })
	return t
}

// BenchmarkIfaceOf measures `memlens iface` on an io.ReadWriter holding a *bytes.Buffer (a type
// with 28 methods): evaluation, itab, interface type and full type descriptor.
func BenchmarkIfaceOf(b *testing.B) {
	for _, mode := range []string{fixtures.Core, fixtures.Live} {
		b.Run(mode, func(b *testing.B) {
			t := benchTarget(b, mode)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := t.IfaceOf("main.rw"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkItabs measures listing every itab of the fixture (module itabs and runtime.itabTable).
func BenchmarkItabs(b *testing.B) {
	for _, mode := range []string{fixtures.Core, fixtures.Live} {
		b.Run(mode, func(b *testing.B) {
			t := benchTarget(b, mode)
			b.ResetTimer()
			n := 0
			for i := 0; i < b.N; i++ {
				its, err := t.Itabs()
				if err != nil {
					b.Fatal(err)
				}
				n = len(its)
			}
			b.ReportMetric(float64(n), "itabs")
		})
	}
}

// BenchmarkTypeInModules measures the fallback search of a named type through the module's own
// type list (Go 1.27: walking every descriptor).
func BenchmarkTypeInModules(b *testing.B) {
	t := benchTarget(b, fixtures.Core)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := t.TypeInModules("main.Inventory"); err != nil {
			b.Fatal(err)
		}
	}
}
