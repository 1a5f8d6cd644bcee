package layouts

import (
	"strings"
	"testing"

	"github.com/memlens/memlens/arch"
)

// These tests cover what the fixture matrix cannot build: corrupt tables and layouts, and the
// helpers' edge cases. Layout correctness itself is checked against fixtures (layout_test.go,
// builtin_test.go).

func TestParseTablesRejectsCorruptInput(t *testing.T) {
	for _, src := range []string{
		"go 1.19\n",                                          // versions before a type
		"type a.T\nx\tint\tw\n",                              // field before versions
		"type a.T\ngo 1.19\nx int w\n",                       // not tab-separated
		"type a.T\ngo 1.19\nx\tint\tbogus\n",                 // bad class
		"type a.T\ngo 1.19\nx\tint\t3\n",                     // size 3 without alignment
		"type a.T\ngo 1.19\nx\tint\t8/3\n",                   // alignment not a power of two
		"type a.T\ngo 1.18\nx\tint\tw\n",                     // unsupported version
		"type a.T\ngo 1.19 1.19\nx\tint\tw\n",                // two layouts for one version
		"type a.T\ntype a.T\n",                               // a type twice
		"type a.T\ngo 1.19 as b.T\nx\tint\tw\n",              // DWARF name not among the type's names
		"type a.T\ngo 1.19\nx\tint\t99999999999999999999w\n", // number overflow
	} {
		if _, err := ParseTables(src); err == nil {
			t.Errorf("ParseTables accepted %q", src)
		}
	}
}

func TestBuiltinErrorsNameWhatIsSupported(t *testing.T) {
	for _, tc := range []struct {
		name  string
		minor int
		a     *arch.Arch
		want  string
	}{
		{"runtime.hchan", 18, arch.AMD64, "1.19 through 1.27"},
		{"runtime.hchan", 28, arch.ARM64, "1.19 through 1.27"},
		{"runtime.hchan", 22, &arch.Arch{Name: "386", PtrSize: 4}, "amd64, arm64"},
		{"runtime.nosuch", 22, arch.AMD64, "runtime.hchan"},
		{"internal/sync.Mutex", 22, arch.AMD64, "1.24"},
	} {
		_, err := Builtin(tc.name, tc.minor, tc.a)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Builtin(%s, 1.%d, %s): %v, want a message with %q", tc.name, tc.minor, tc.a.Name, err, tc.want)
		}
	}
}

func TestBuiltinAnswersToOldAndNewNames(t *testing.T) {
	for _, minor := range []int{19, 22, 27} {
		old, err1 := Builtin("runtime._type", minor, arch.AMD64)
		neu, err2 := Builtin("internal/abi.Type", minor, arch.AMD64)
		if err1 != nil || err2 != nil || old.Name != neu.Name {
			t.Errorf("Go 1.%d: runtime._type -> %v %v, internal/abi.Type -> %v %v", minor, old, err1, neu, err2)
		}
	}
}

func TestHolesOfOverlappingFieldsAreNeverNegative(t *testing.T) {
	l := &Layout{Name: "corrupt", Size: 8, Fields: []Field{
		{Name: "a", Offset: 0, Size: 8}, {Name: "b", Offset: 2, Size: 2}, {Name: "c", Offset: 100, Size: 1},
	}}
	for _, h := range l.Holes() {
		if h.Size <= 0 {
			t.Errorf("hole %+v", h)
		}
	}
	if e := l.Entries(3, 4); len(e) != 4 { // three fields and the hole between a and c
		t.Errorf("entries %+v", e)
	}
}

func TestEntriesBoundArrays(t *testing.T) {
	l := &Layout{Name: "x", Size: 1 << 20, Arch: arch.AMD64}
	if got := l.Entries(5, 0); len(got) != 1 || !got[0].Hole {
		t.Errorf("a fieldless type: %+v", got)
	}
}

func TestClosest(t *testing.T) {
	names := []string{"runtime.hchan", "runtime.hmap", "main.Padded", "main.PaddedOptimal", "sync.Mutex", "internal/sync.Mutex"}
	if got := Closest("runtime.hcan", names, 2); len(got) == 0 || got[0] != "runtime.hchan" {
		t.Errorf("Closest(runtime.hcan) = %v", got)
	}
	if got := Closest("Mutex", names, 5); len(got) != 2 {
		t.Errorf("Closest(Mutex) = %v", got)
	}
	if got := Closest("zzzzzzzzzzzz", names, 5); len(got) != 0 {
		t.Errorf("Closest(zzz) = %v", got)
	}
}

func TestUintReadsFieldsAndRefusesBadOnes(t *testing.T) {
	l := Arrange("t", []Field{
		{Name: "b", Size: 1, Align: 1}, {Name: "h", Size: 2, Align: 2}, {Name: "w", Size: 4, Align: 4},
		{Name: "q", Size: 8, Align: 8}, {Name: "arr", Size: 3, Align: 1},
	}, arch.ARM64)
	buf := []byte{0x7f, 0, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 0, 0, 0, 0, 0}
	for name, want := range map[string]uint64{"b": 0x7f, "h": 0x1234, "w": 0x12345678, "q": 0x0807060504030201} {
		if got, err := l.Uint(buf, name); err != nil || got != want {
			t.Errorf("Uint(%s) = %#x, %v; want %#x", name, got, err, want)
		}
	}
	if _, err := l.Uint(buf, "arr"); err == nil {
		t.Error("Uint read a 3-byte field")
	}
	if _, err := l.Uint(buf[:10], "q"); err == nil {
		t.Error("Uint read past the bytes it was given")
	}
	if _, err := l.Uint(buf, "nope"); err == nil {
		t.Error("Uint read a field that does not exist")
	}
}
