package main

import (
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// bigHeapCore makes (or takes from the fixture cache) a core of the bigheap fixture, built with
// Go 1.26 for this machine's architecture: about 1 GiB of live heap in 23 million objects.
func bigHeapCore(b *testing.B) *fixtures.Target {
	b.Helper()
	for _, tc := range fixtures.Toolchains {
		if tc.Name == "go1.26" {
			return fixtures.Start(b, "bigheap", tc, runtime.GOARCH, fixtures.Core, nil)
		}
	}
	b.Fatal("no go1.26 toolchain in fixtures.Toolchains")
	return nil
}

// BenchmarkHeapCommandBigCore runs `memlens heap --format json` as its own process on the
// bigheap core and reports its wall time (ns/op) and peak resident memory (MiB-maxRSS, the
// largest over all runs) and CPU time (cpu-s/op, user + system). Goal (issue 7): under 1 s and under 200 MiB.
//
//	go test ./cmd/memlens -run '^$' -bench HeapCommandBigCore -benchtime 5x
func BenchmarkHeapCommandBigCore(b *testing.B) {
	tg := bigHeapCore(b)
	exe := filepath.Join(b.TempDir(), "memlens")
	build := exec.Command("go", "build", "-o", exe, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building memlens: %v\n%s", err, out)
	}
	var maxRSS int64
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(exe, "heap", "--core", tg.Core, "--exe", tg.Exe, "--format", "json")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("memlens heap: %v", err)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > maxRSS {
			maxRSS = rss // KiB on linux
		}
		if i == 0 {
			var h struct{ HeapInuse uint64 }
			if err := json.Unmarshal(out, &h); err != nil {
				b.Fatal(err)
			}
			want := float64(tg.Report.Uint(b, "heapInuse"))
			if math.Abs(float64(h.HeapInuse)-want) > 0.05*want {
				b.Fatalf("heapInuse %d, fixture's MemStats.HeapInuse %.0f", h.HeapInuse, want)
			}
		}
	}
	b.ReportMetric(float64(maxRSS)/1024, "MiB-maxRSS")
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkHeapScanBigCore times the heap scan alone (Target.Heap and Summary) in-process, for
// profiling: go test ./cmd/memlens -run '^$' -bench HeapScanBigCore -cpuprofile cpu.out
func BenchmarkHeapScanBigCore(b *testing.B) {
	tg := bigHeapCore(b)
	t, err := inspect.Open(inspect.Options{Core: tg.Core, Exe: tg.Exe})
	if err != nil {
		b.Fatal(err)
	}
	defer t.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h, err := t.Heap(inspect.HeapOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if s := h.Summary(); s.Spans.InUse == 0 {
			b.Fatal("no spans")
		}
	}
}
