package inspect_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
	"github.com/memlens/memlens/testdata/fixtures"
)

// benchToolchain is the toolchain the sync benchmarks build their fixture with (the hash-trie
// sync.Map; the default toolchain of the project).
func benchToolchain(b *testing.B) fixtures.Toolchain {
	for _, tc := range fixtures.Toolchains {
		if tc.Name == "go1.26" {
			return tc
		}
	}
	b.Fatal("no go1.26 toolchain")
	return fixtures.Toolchain{}
}

// BenchmarkSyncMapMillionJSON measures what `memlens syncmap --core core --format json` does for a
// sync.Map of 1,000,000 entries: open the core, decode every entry (keys and values printed), write
// the JSON (streamed, as the command does), close. Run it with:
//
//	go test ./inspect -run '^$' -bench SyncMapMillionJSON -benchtime 3x
func BenchmarkSyncMapMillionJSON(b *testing.B) {
	const entries = 1000000
	tg := fixtures.Start(b, "syncbench", benchToolchain(b), "amd64", fixtures.Core, []string{fmt.Sprintf("SYNCBENCH_ENTRIES=%d", entries)})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		target, err := inspect.Open(inspect.Options{Core: tg.Core, Exe: tg.Exe})
		if err != nil {
			b.Fatal(err)
		}
		m, err := target.SyncMapExpr("main.bigMap", inspect.SyncMapOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if m.Len != entries || len(m.Entries) != entries {
			b.Fatalf("decoded %d entries (len %d), fixture stored %d", len(m.Entries), m.Len, entries)
		}
		if err := (render.SyncMapView{Expr: "main.bigMap", Map: m, Limit: 64}).WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
		target.Close()
	}
}

// BenchmarkMutexWaiters measures finding the three waiters of one mutex while 10 or 100,000 other
// goroutines are parked on other mutexes (their sudogs share the semaphore table's treaps). The
// cost must not grow with the other goroutines: memlens walks one treap, not every goroutine.
//
//	go test ./inspect -run '^$' -bench MutexWaiters
func BenchmarkMutexWaiters(b *testing.B) {
	for _, parked := range []int{10, 100000} {
		b.Run(fmt.Sprintf("parked=%d", parked), func(b *testing.B) {
			tg := fixtures.Start(b, "syncbench", benchToolchain(b), "amd64", fixtures.Live, []string{fmt.Sprintf("SYNCBENCH_PARKED=%d", parked)})
			target, err := inspect.Open(inspect.Options{Pid: tg.Pid})
			if err != nil {
				b.Fatal(err)
			}
			defer target.Close()
			b.ResetTimer()
			var m *inspect.Mutex
			for i := 0; i < b.N; i++ {
				v, err := target.MutexExpr("main.benchMutex", 0)
				if err != nil {
					b.Fatal(err)
				}
				if m = v.(*inspect.Mutex); len(m.Waiting) != 3 {
					b.Fatalf("found %d waiters, the fixture parked 3", len(m.Waiting))
				}
			}
			// How crowded the mutex's semaRoot was: goroutines parked on its addresses, and
			// treap nodes visited to find the mutex.
			b.ReportMetric(float64(m.RootWaiters), "rootWaiters")
			b.ReportMetric(float64(m.TreapDepth), "treapNodesVisited")
		})
	}
}

// BenchmarkSyncMapReadDirtyJSON is the same for the read/dirty sync.Map of Go 1.19, with 100,000
// entries: its maps are walked by Delve's map support, entry by entry.
//
//	go test ./inspect -run '^$' -bench SyncMapReadDirtyJSON -benchtime 1x
func BenchmarkSyncMapReadDirtyJSON(b *testing.B) {
	const entries = 100000
	var tc fixtures.Toolchain
	for _, c := range fixtures.Toolchains {
		if c.Name == "go1.19" {
			tc = c
		}
	}
	tg := fixtures.Start(b, "syncbench", tc, "amd64", fixtures.Core, []string{fmt.Sprintf("SYNCBENCH_ENTRIES=%d", entries)})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		target, err := inspect.Open(inspect.Options{Core: tg.Core, Exe: tg.Exe})
		if err != nil {
			b.Fatal(err)
		}
		m, err := target.SyncMapExpr("main.bigMap", inspect.SyncMapOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if m.Len != entries {
			b.Fatalf("decoded %d live entries, fixture stored %d", m.Len, entries)
		}
		if err := (render.SyncMapView{Expr: "main.bigMap", Map: m, Limit: 64}).WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
		target.Close()
	}
}
