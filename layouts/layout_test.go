package layouts_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
	"github.com/memlens/memlens/testdata/fixtures"
)

// reported is a layout as the structs fixture measured it with unsafe.Sizeof/Alignof/Offsetof.
type reported struct {
	size, align int64
	fields      []layouts.Field
}

// parseReported reads "size,align;name:offset:size:align;...".
func parseReported(t *testing.T, key, s string) reported {
	t.Helper()
	head, rest, _ := strings.Cut(s, ";")
	sz, al, _ := strings.Cut(head, ",")
	var r reported
	var err1, err2 error
	r.size, err1 = strconv.ParseInt(sz, 10, 64)
	r.align, err2 = strconv.ParseInt(al, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("fixture report %s=%q: bad size,align", key, s)
	}
	for _, f := range strings.Split(rest, ";") {
		if f == "" {
			continue
		}
		p := strings.Split(f, ":")
		if len(p) != 4 {
			t.Fatalf("fixture report %s: bad field %q", key, f)
		}
		var n [3]int64
		for i := range n {
			v, err := strconv.ParseInt(p[i+1], 10, 64)
			if err != nil {
				t.Fatalf("fixture report %s: bad field %q", key, f)
			}
			n[i] = v
		}
		r.fields = append(r.fields, layouts.Field{Name: p[0], Offset: n[0], Size: n[1], Align: n[2]})
	}
	return r
}

// holesOf computes the padding of a reported layout independently of layouts.Holes: every byte
// no field covers.
func holesOf(r reported) int64 {
	covered := make([]bool, r.size)
	for _, f := range r.fields {
		for b := f.Offset; b < f.Offset+f.Size && b < r.size; b++ {
			covered[b] = true
		}
	}
	n := int64(0)
	for _, c := range covered {
		if !c {
			n++
		}
	}
	return n
}

// TestFixtureStructLayouts checks the layouts memlens reads from DWARF against what the compiler
// chose, as the fixture measured it, for structs with holes, tail padding, func fields, zero-size
// fields, a generic instance, nested structs and arrays; and --suggest against the size of the
// struct the fixture declares in the suggested order.
func TestFixtureStructLayouts(t *testing.T) {
	fixtures.ForEach(t, "structs", func(t *testing.T, tg *fixtures.Target) {
		target := openExe(t, tg)
		a, _ := arch.ByName(tg.Arch)
		n := 0
		for key, val := range tg.Report {
			name, ok := strings.CutPrefix(key, "layout.")
			if !ok {
				continue
			}
			n++
			want := parseReported(t, key, val)
			l, err := target.Layout(name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if l.Size != want.size || l.Align != want.align {
				t.Errorf("%s: size %d align %d, fixture says %d %d", name, l.Size, l.Align, want.size, want.align)
			}
			if len(l.Fields) != len(want.fields) {
				t.Errorf("%s: fields %v, fixture reports %d fields", name, l.FieldNames(), len(want.fields))
				continue
			}
			for i, f := range want.fields {
				g := l.Fields[i]
				if g.Name != f.Name || g.Offset != f.Offset || g.Size != f.Size || g.Align != f.Align {
					t.Errorf("%s field %d: %s +%d size %d align %d, fixture says %s +%d size %d align %d",
						name, i, g.Name, g.Offset, g.Size, g.Align, f.Name, f.Offset, f.Size, f.Align)
				}
			}
			if got, want := l.Padding(), holesOf(want); got != want {
				t.Errorf("%s: padding %d bytes (holes %+v), fixture's layout leaves %d bytes uncovered", name, got, l.Holes(), want)
			}
			// Arrange, the rule the built-in tables and --suggest use, must reproduce the
			// compiler's offsets from the fields' sizes and alignments.
			again := layouts.Arrange(name, l.Fields, a)
			if again.Size != want.size {
				t.Errorf("%s: Arrange gives size %d, fixture says %d", name, again.Size, want.size)
			}
			for i := range again.Fields {
				if again.Fields[i].Offset != want.fields[i].Offset {
					t.Errorf("%s: Arrange puts %s at %d, fixture says %d", name, again.Fields[i].Name, again.Fields[i].Offset, want.fields[i].Offset)
				}
			}
			if opt, ok := tg.Report["optimal."+name]; ok {
				wantSize, _ := strconv.ParseInt(opt, 10, 64)
				better, saved := l.Suggest()
				switch {
				case wantSize == l.Size && better != nil:
					t.Errorf("%s: already optimal, but Suggest proposes %v saving %d", name, better.FieldNames(), saved)
				case wantSize < l.Size && (better == nil || better.Size != wantSize || saved != l.Size-wantSize):
					t.Errorf("%s: Suggest gives %v saving %d, fixture's reordered struct is %d bytes", name, better, saved, wantSize)
				}
			}
		}
		if n < 8 {
			t.Errorf("fixture reported only %d layouts", n)
		}
	})
}
