package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/layouts"
	"github.com/memlens/memlens/testdata/fixtures"
)

type layoutOut struct {
	Type   string `json:"type"`
	Source string `json:"source"`
	Arch   string `json:"arch"`
	Size   int64  `json:"size"`
	Align  int64  `json:"align"`
	Addr   string `json:"addr"`
	Fields []struct {
		Path   string  `json:"path"`
		Name   string  `json:"name"`
		Type   string  `json:"type"`
		Offset int64   `json:"offset"`
		Size   int64   `json:"size"`
		Align  int64   `json:"align"`
		Value  *string `json:"value"`
	} `json:"fields"`
	Holes []struct {
		Offset int64 `json:"offset"`
		Size   int64 `json:"size"`
	} `json:"holes"`
	CacheLines int64 `json:"cacheLines"`
	Suggest    *struct {
		Size  int64 `json:"size"`
		Saved int64 `json:"saved"`
	} `json:"suggest"`
}

func layoutJSON(t *testing.T, args ...string) layoutOut {
	t.Helper()
	out, _, err := execMemlens(t, append(args, "--format", "json")...)
	if err != nil {
		t.Fatalf("memlens %s: %v", strings.Join(args, " "), err)
	}
	var l layoutOut
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("memlens %s: bad JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	return l
}

// reportedFields parses the fixture's "size,align;name:offset:size:align;..." report.
func reportedFields(t *testing.T, s string) (size int64, fields [][4]string) {
	head, rest, _ := strings.Cut(s, ";")
	sz, _, _ := strings.Cut(head, ",")
	size, _ = strconv.ParseInt(sz, 10, 64)
	for _, f := range strings.Split(rest, ";") {
		if p := strings.Split(f, ":"); len(p) == 4 {
			fields = append(fields, [4]string{p[0], p[1], p[2], p[3]})
		}
	}
	return size, fields
}

// TestLayoutCommand drives `memlens layout` on every target of the matrix: a variable's layout
// and current values against what the fixture built and measured, holes and --suggest against the
// fixture's own reordered struct, an unknown type's suggestions, and the built-in tables through
// --go/--arch against the DWARF of the binary built with that Go version for that architecture.
func TestLayoutCommand(t *testing.T) {
	fixtures.ForEach(t, "structs", func(t *testing.T, tg *fixtures.Target) {
		// A variable: offsets from the fixture's unsafe.Offsetof, values from its report.
		cfg := layoutJSON(t, append(tg.Args(), "layout", "main.cfg")...)
		size, want := reportedFields(t, tg.Report.Get(t, "layout.main.Config"))
		if cfg.Type != "main.Config" || cfg.Size != size || len(cfg.Fields) != len(want) {
			t.Fatalf("main.cfg: type %s size %d fields %d, fixture says main.Config %d bytes, %d fields", cfg.Type, cfg.Size, len(cfg.Fields), size, len(want))
		}
		if cfg.Addr != tg.Report.Get(t, "cfg.addr") {
			t.Errorf("main.cfg at %s, fixture says %s", cfg.Addr, tg.Report.Get(t, "cfg.addr"))
		}
		for i, f := range cfg.Fields {
			if f.Name != want[i][0] || strconv.FormatInt(f.Offset, 10) != want[i][1] || strconv.FormatInt(f.Size, 10) != want[i][2] {
				t.Errorf("main.cfg field %d: %s +%d size %d, fixture says %v", i, f.Name, f.Offset, f.Size, want[i])
			}
			if f.Value == nil {
				t.Errorf("main.cfg.%s: no value", f.Name)
				continue
			}
			if got, exp := strings.Trim(*f.Value, `"`), tg.Report.Get(t, "cfg."+f.Name); got != exp {
				t.Errorf("main.cfg.%s = %s, fixture says %s", f.Name, got, exp)
			}
		}

		// A pointer to the variable is followed; nested structs and arrays carry their values.
		byPtr := layoutJSON(t, append(tg.Args(), "layout", "&main.cfg")...)
		if byPtr.Addr != cfg.Addr || byPtr.Size != cfg.Size {
			t.Errorf("&main.cfg: %s %d bytes, main.cfg: %s %d bytes", byPtr.Addr, byPtr.Size, cfg.Addr, cfg.Size)
		}
		nested := layoutJSON(t, append(tg.Args(), "layout", "main.nested", "--expand", "2")...)
		values := map[string]string{}
		for _, f := range nested.Fields {
			if f.Value != nil {
				values[f.Path] = *f.Value
			}
		}
		for _, path := range []string{"inner.x", "inner.y", "arr[1].y", "arr[2].x", "grid[1][2]"} {
			if got, want := values[path], tg.Report.Get(t, "nested."+path); got != want {
				t.Errorf("main.nested.%s = %q, fixture says %q", path, got, want)
			}
		}
		// A field that is not a struct is a one-line user error.
		if _, _, err := execMemlens(t, append(tg.Args(), "layout", "main.cfg.retries")...); err == nil || !strings.Contains(err.Error(), "not a struct") {
			t.Errorf("layout main.cfg.retries: %v, want a not-a-struct error", err)
		} else if _, ok := err.(*inspect.TargetError); !ok {
			t.Errorf("layout main.cfg.retries: %T is not a user error", err)
		}
		// --cache-line overrides the architecture's line.
		small := layoutJSON(t, append(tg.Args(), "layout", "main.Nested", "--cache-line", "32")...)
		nsize, _ := reportedFields(t, tg.Report.Get(t, "layout.main.Nested"))
		if small.CacheLines != (nsize+31)/32 {
			t.Errorf("main.Nested --cache-line 32: %d cache lines for %d bytes", small.CacheLines, nsize)
		}

		// A type: holes as the bytes no field covers, and --suggest against PaddedOptimal.
		padded := layoutJSON(t, append(tg.Args(), "layout", "main.Padded", "--suggest")...)
		psize, pfields := reportedFields(t, tg.Report.Get(t, "layout.main.Padded"))
		covered := make([]bool, psize)
		for _, f := range pfields {
			off, _ := strconv.ParseInt(f[1], 10, 64)
			n, _ := strconv.ParseInt(f[2], 10, 64)
			for b := off; b < off+n; b++ {
				covered[b] = true
			}
		}
		for _, h := range padded.Holes {
			for b := h.Offset; b < h.Offset+h.Size; b++ {
				if b >= psize || covered[b] {
					t.Errorf("main.Padded: hole %+v covers byte %d, which is a field's (or past the end)", h, b)
				}
				covered[b] = true
			}
		}
		for b, c := range covered {
			if !c {
				t.Errorf("main.Padded: byte %d is neither a field nor in a hole", b)
			}
		}
		optimal := tg.Report.Int(t, "optimal.main.Padded")
		if padded.Suggest == nil || padded.Suggest.Size != optimal || padded.Suggest.Saved != psize-optimal {
			t.Errorf("main.Padded --suggest: %+v, fixture's reordered struct is %d bytes (of %d)", padded.Suggest, optimal, psize)
		}
		already := layoutJSON(t, append(tg.Args(), "layout", "main.PaddedOptimal", "--suggest")...)
		if already.Suggest != nil {
			t.Errorf("main.PaddedOptimal is already optimal, but --suggest proposes %+v", already.Suggest)
		}
		text, _, err := execMemlens(t, append(tg.Args(), "layout", "main.PaddedOptimal", "--suggest")...)
		if err != nil || strings.Contains(text, "Suggested") {
			t.Errorf("main.PaddedOptimal --suggest printed a suggestion or failed (%v):\n%s", err, text)
		}

		// An unknown name: one line with the closest names.
		_, _, err = execMemlens(t, append(tg.Args(), "layout", "main.Paddd")...)
		if err == nil || !strings.Contains(err.Error(), "main.Padded") || strings.Contains(err.Error(), "\n") {
			t.Errorf("unknown type: error %v, want one line naming main.Padded", err)
		}

		// The built-in tables with no binary, for this target's Go version and architecture,
		// against this binary's DWARF.
		target, err := inspect.Open(inspect.Options{Exe: tg.Exe})
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		a, _ := arch.ByName(tg.Arch)
		goFlag := "1." + strconv.Itoa(tg.Toolchain.Minor)
		for _, name := range []string{"runtime.hchan", "runtime.sudog", "runtime._type", "sync.Mutex"} {
			got := layoutJSON(t, "layout", name, "--go", goFlag, "--arch", tg.Arch)
			typ, err := target.FindType(got.Type)
			if err != nil {
				t.Errorf("%s --go %s: answered as %s, which the binary's DWARF lacks", name, goFlag, got.Type)
				continue
			}
			d, _ := layouts.FromDWARF(typ, a)
			if got.Size != d.Size || len(got.Fields) != len(d.Fields) {
				t.Errorf("%s --go %s --arch %s: size %d, %d fields; DWARF %d, %d", name, goFlag, tg.Arch, got.Size, len(got.Fields), d.Size, len(d.Fields))
				continue
			}
			for i, f := range got.Fields {
				if f.Name != d.Fields[i].Name || f.Offset != d.Fields[i].Offset || f.Size != d.Fields[i].Size {
					t.Errorf("%s --go %s: field %s +%d (%d), DWARF %s +%d (%d)", name, goFlag, f.Name, f.Offset, f.Size, d.Fields[i].Name, d.Fields[i].Offset, d.Fields[i].Size)
				}
			}
		}
		// Old names of types that became aliases come from the binary's DWARF under the new name.
		for _, name := range []string{"runtime._type", "runtime.itab", "internal/abi.Type"} {
			b, err := layouts.Builtin(name, tg.Toolchain.Minor, a)
			if err != nil {
				t.Fatal(err)
			}
			got := layoutJSON(t, "--exe", tg.Exe, "layout", name)
			if got.Type != b.Name || !strings.HasPrefix(got.Source, "DWARF") {
				t.Errorf("--exe layout %s: %s from %q, want %s from the DWARF", name, got.Type, got.Source, b.Name)
			}
		}
		if tg.Mode == fixtures.Live {
			tg.Ping(t)
		}
	})
}

func TestLayoutCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"layout", "runtime.hchan", "--go", "1.18"}, "1.19 through 1.27"},
		{[]string{"layout", "runtime.hchan", "--go", "1.22", "--arch", "riscv64"}, "amd64, arm64"},
		{[]string{"layout", "runtime.hchn", "--go", "1.22"}, "runtime.hchan"},
		{[]string{"layout", "internal/sync.Mutex", "--go", "1.22"}, "1.24"},
		{[]string{"layout", "runtime.hchan"}, "--go"},
	} {
		_, _, err := execMemlens(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("memlens %s: error %v, want one line mentioning %q", strings.Join(tc.args, " "), err, tc.want)
		}
		if _, ok := err.(*inspect.TargetError); !ok {
			t.Errorf("memlens %s: %T is not a user error", strings.Join(tc.args, " "), err)
		}
	}
}
