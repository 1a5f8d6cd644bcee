package inspect_test

import (
	"debug/elf"
	"os"
	"path/filepath"
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// openFixture opens a fixture target and closes it when the test ends.
func openFixture(t *testing.T, tg *fixtures.Target) *inspect.Target {
	t.Helper()
	opts := inspect.Options{Exe: tg.Exe, Core: tg.Core}
	if tg.Mode == fixtures.Live {
		opts = inspect.Options{Pid: tg.Pid}
	}
	target, err := inspect.Open(opts)
	if err != nil {
		t.Fatalf("opening %s: %v", tg.Name(), err)
	}
	t.Cleanup(func() { target.Close() })
	return target
}

// threadsInCore counts NT_PRSTATUS notes independently of Delve: one per thread.
func threadsInCore(t *testing.T, path string) int {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		data := make([]byte, p.Filesz)
		p.ReadAt(data, 0)
		for len(data) >= 12 {
			namesz, descsz, typ := f.ByteOrder.Uint32(data), f.ByteOrder.Uint32(data[4:]), f.ByteOrder.Uint32(data[8:])
			if typ == 1 {
				n++
			}
			next := 12 + int((namesz+3)&^3) + int((descsz+3)&^3)
			if next > len(data) {
				break
			}
			data = data[next:]
		}
	}
	return n
}

func TestInfoMatchesFixture(t *testing.T) {
	fixtures.ForEach(t, "basic", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		info, err := target.Info()
		if err != nil {
			t.Fatal(err)
		}
		if want := tg.Report.Get(t, "goversion"); info.GoVersion != want {
			t.Errorf("goVersion = %q, fixture says %q", info.GoVersion, want)
		}
		if want := tg.Report.Get(t, "goarch"); info.Arch != want {
			t.Errorf("arch = %q, fixture says %q", info.Arch, want)
		}
		if info.PtrSize != 8 {
			t.Errorf("ptrSize = %d, want 8", info.PtrSize)
		}
		if want := int(tg.Report.Int(t, "pid")); info.Pid+info.CorePid != want {
			t.Errorf("pid = %d, corePid = %d, fixture says %d", info.Pid, info.CorePid, want)
		}
		if want := int(tg.Report.Int(t, "goroutines")); info.Goroutines != want {
			t.Errorf("goroutines = %d, fixture's runtime.NumGoroutine said %d", info.Goroutines, want)
		}
		var wantThreads int
		if tg.Mode == fixtures.Live {
			tasks, _ := os.ReadDir(filepath.Join("/proc", tg.Report.Get(t, "pid"), "task"))
			wantThreads = len(tasks)
		} else {
			wantThreads = threadsInCore(t, tg.Core)
		}
		if info.Threads != wantThreads || wantThreads == 0 {
			t.Errorf("threads = %d, the OS says %d", info.Threads, wantThreads)
		}
		if info.BuildID == "" || info.Exe != tg.Exe {
			t.Errorf("buildID %q exe %q (want %q)", info.BuildID, info.Exe, tg.Exe)
		}
		if tg.Mode == fixtures.Live {
			target.Close()
			tg.Ping(t)
		}
	})
}
