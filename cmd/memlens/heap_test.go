package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// memlensRun runs memlens in-process with args and returns stdout, failing the test on error.
func memlensRun(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := memlensTry(args...)
	if err != nil {
		t.Fatalf("memlens %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func memlensTry(args ...string) ([]byte, error) {
	stdout, _, err := memlensStreams(args...)
	return stdout, err
}

func memlensStreams(args ...string) (stdout, stderr []byte, err error) {
	var out, errOut bytes.Buffer
	root := newApp(&out, &errOut).rootCmd()
	root.SetArgs(args)
	err = root.Execute()
	return out.Bytes(), errOut.Bytes(), err
}

func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
}

type spanOut struct {
	Span struct {
		Addr, Start string
		NPages      uint64
		Class       int
		Noscan      bool
		ElemSize    uint64
		NElems      int
		AllocCount  int
		FreeIndex   int `json:"freeindex"`
		State       string
		Central     string
	}
	Object *struct {
		Index     int
		Base      string
		Allocated bool
		Marked    bool
	}
	Region    string
	Goroutine int64
	Symbol    string
}

// TestHeapCommands runs `memlens heap`, `spans` and `span ADDR` on the heap fixture and checks
// their JSON (with the keys the issue names) against what the fixture built and reported.
func TestHeapCommands(t *testing.T) {
	fixtures.ForEach(t, "heap", func(t *testing.T, tg *fixtures.Target) {
		target := tg.Args()
		r := tg.Report

		// memlens heap: the documented keys, heapInuse against MemStats.HeapInuse.
		var keys map[string]json.RawMessage
		heapJSON, stderr, err := memlensStreams(append([]string{"heap", "--format", "json"}, target...)...)
		if err != nil {
			t.Fatalf("memlens heap: %v", err)
		}
		// stderr is not a terminal here: no progress bar, nothing at all.
		if len(stderr) != 0 {
			t.Errorf("memlens heap wrote to a non-terminal stderr: %q", stderr)
		}
		decodeJSON(t, heapJSON, &keys)
		for _, k := range []string{"pageSize", "arenaSize", "arenas", "spans", "heapInuse", "classes", "large"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("memlens heap JSON lacks %q", k)
			}
		}
		var heap struct {
			PageSize, ArenaSize, HeapInuse uint64
			Arenas                         int
			Classes                        []struct {
				Class                     int
				ElemSize                  uint64
				Spans, Objects, Allocated int
				Bytes                     uint64
			}
			Large struct {
				Spans int
				Bytes uint64
			}
		}
		decodeJSON(t, heapJSON, &heap)
		want := float64(r.Uint(t, "heapInuse"))
		if got := float64(heap.HeapInuse); math.Abs(got-want) > 0.03*want {
			t.Errorf("heapInuse %.0f, fixture's MemStats.HeapInuse %.0f", got, want)
		}
		found48 := false
		for _, c := range heap.Classes {
			if c.ElemSize == 48 {
				found48 = true
				// The fixture keeps 80200 noscan and 200 pointerful 48-byte objects alive.
				if c.Allocated < 80400 || c.Objects < c.Allocated || c.Bytes < uint64(c.Spans)*heap.PageSize {
					t.Errorf("48-byte class: %+v, fixture keeps 400 objects", c)
				}
			}
		}
		if !found48 {
			t.Errorf("no 48-byte class row: %+v", heap.Classes)
		}
		if heap.Large.Spans < 1 || heap.Large.Bytes < r.Uint(t, "largePages")*heap.PageSize {
			t.Errorf("large: %+v, fixture has a %d-page object", heap.Large, r.Uint(t, "largePages"))
		}

		span := func(addr string) spanOut {
			t.Helper()
			var s spanOut
			decodeJSON(t, memlensRun(t, append([]string{"span", addr, "--format", "json"}, target...)...), &s)
			return s
		}
		scan := span(r.Get(t, "scan48"))
		noscan := span(r.Get(t, "noscan48"))
		if scan.Span.State != "inuse" || scan.Span.ElemSize != 48 || scan.Span.Noscan || scan.Object == nil || !scan.Object.Allocated || scan.Object.Base != r.Get(t, "scan48") {
			t.Errorf("span %s: %+v %+v", r.Get(t, "scan48"), scan.Span, scan.Object)
		}
		if !noscan.Span.Noscan || noscan.Span.Class != scan.Span.Class || noscan.Object == nil || noscan.Object.Base != r.Get(t, "noscan48") {
			t.Errorf("span %s: %+v %+v (scan48's class %d)", r.Get(t, "noscan48"), noscan.Span, noscan.Object, scan.Span.Class)
		}
		if in := span(r.Get(t, "interior")); in.Object == nil || in.Object.Base != r.Get(t, "scan48") {
			t.Errorf("interior pointer %s: object %+v, want base %s", r.Get(t, "interior"), in.Object, r.Get(t, "scan48"))
		}
		large := span(r.Get(t, "large"))
		if large.Span.Class != 0 || large.Span.NPages != r.Uint(t, "largePages") || large.Span.Start != r.Get(t, "large") {
			t.Errorf("large object %s: %+v, fixture says %d pages", r.Get(t, "large"), large.Span, r.Uint(t, "largePages"))
		}
		freed := strings.Fields(r.Get(t, "freed"))
		if f := span(freed[0]); f.Object == nil || f.Object.Allocated || f.Object.Base != freed[0] || f.Span.Central != "partial, swept" {
			t.Errorf("freed object %s: %+v in span %+v (want a free slot of a span on the central partial swept list)", freed[0], f.Object, f.Span)
		}
		if g := span(r.Get(t, "global")); g.Region != "global" || g.Symbol != "main.target" || g.Object != nil {
			t.Errorf("global %s: region %q symbol %q", r.Get(t, "global"), g.Region, g.Symbol)
		}
		if st := span(r.Get(t, "stack")); st.Region != "stack" || st.Goroutine != r.Int(t, "stackGoroutine") || st.Span.State != "manual" {
			t.Errorf("stack %s: region %q goroutine %d state %q", r.Get(t, "stack"), st.Region, st.Goroutine, st.Span.State)
		}

		// memlens spans: the filters select exactly the matching spans, the noscan48 span among them.
		var list struct {
			Total int
			Spans []struct {
				Start                      string
				Class                      int
				Noscan                     bool
				State                      string
				NElems, Allocated, FreeIdx int
			}
		}
		class := strconv.Itoa(scan.Span.Class)
		decodeJSON(t, memlensRun(t, append([]string{"spans", "--class", class, "--noscan", "--limit", "100000", "--format", "json"}, target...)...), &list)
		var starts []string
		for _, s := range list.Spans {
			if s.Class != scan.Span.Class || !s.Noscan || s.State != "inuse" {
				t.Errorf("spans --class %s --noscan listed %+v", class, s)
			}
			starts = append(starts, s.Start)
		}
		sort.Strings(starts)
		if i := sort.SearchStrings(starts, noscan.Span.Start); i == len(starts) || starts[i] != noscan.Span.Start || list.Total != len(list.Spans) {
			t.Errorf("spans --class %s --noscan: %v (total %d) lacks noscan48's span %s", class, starts, list.Total, noscan.Span.Start)
		}
		text := string(memlensRun(t, append([]string{"spans", "--state", "manual"}, target...)...))
		if !strings.Contains(text, "manual") || strings.Contains(text, "inuse") {
			t.Errorf("spans --state manual:\n%s", text)
		}

		// Diagrams render.
		dir := t.TempDir()
		for _, args := range [][]string{
			{"heap", "-o", filepath.Join(dir, "heap.svg")},
			{"spans", "--addr", r.Get(t, "scan48"), "-o", filepath.Join(dir, "spans.svg")},
		} {
			memlensRun(t, append(args, target...)...)
			svg, _ := os.ReadFile(args[len(args)-1])
			if !bytes.Contains(svg, []byte("<svg")) {
				t.Errorf("memlens %s wrote no SVG", strings.Join(args, " "))
			}
		}

		// User mistakes are one-line TargetErrors.
		for _, args := range [][]string{{"span", "nonsense"}, {"spans", "--state", "busy"}} {
			_, err := memlensTry(append(args, target...)...)
			var te *inspect.TargetError
			if !errors.As(err, &te) || strings.Contains(te.Msg, "\n") {
				t.Errorf("memlens %s: error %v, want a one-line user error", strings.Join(args, " "), err)
			}
		}
		if tg.Mode == fixtures.Live {
			tg.Ping(t)
		}
	})
}
