package inspect

import (
	"encoding/binary"
	"testing"

	"github.com/memlens/memlens/testdata/fixtures"
)

// TestDecodeName checks the runtime name decoder on well-formed and corrupt encodings.
func TestDecodeName(t *testing.T) {
	le := binary.LittleEndian
	// flags: exported | tag | pkgPath; "Name", tag `json:"n"`, pkgPath nameOff 0x01020304.
	good := append([]byte{1 | 2 | 4, 4}, "Name"...)
	good = append(good, 8)
	good = append(good, `json:"n"`...)
	good = append(good, 4, 3, 2, 1)
	n, length, err := decodeName(good, le)
	if err != nil || n.Name != "Name" || length != 4 || n.Tag != `json:"n"` || !n.Exported || !n.HasPkgPath || n.PkgPathOff != 0x01020304 || n.headerLen != 2 {
		t.Errorf("decodeName(good) = %+v, %d, %v", n, length, err)
	}
	// A two-byte varint length (200) with only the header present: length known, name not yet.
	n, length, err = decodeName([]byte{0, 0xc8, 0x01}, le)
	if err != nil || length != 200 || n.headerLen != 3 || n.Name != "" {
		t.Errorf("decodeName(header only) = %+v, %d, %v", n, length, err)
	}
	for name, b := range map[string][]byte{
		"empty":           {},
		"flag only":       {1},
		"varint runs off": {0, 0x80, 0x80},
		"overlong varint": {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"too long":        {0, 0xff, 0xff, 0xff, 0x7f},
	} {
		if _, _, err := decodeName(b, le); err == nil {
			t.Errorf("decodeName(%s % x) accepted corrupt data", name, b)
		}
	}
	// A tag length running past the data is ignored, not read out of bounds.
	n, _, err = decodeName([]byte{2, 1, 'x', 50, 'a'}, le)
	if err != nil || n.Name != "x" || n.Tag != "" {
		t.Errorf("decodeName(truncated tag) = %+v, %v", n, err)
	}
}

// TestTypeLayoutsFromDWARF checks, on every target, that the DWARF has every runtime type the
// type decoder reads (under the version's name), with the fields it reads and the sizes the
// runtime's pointer arithmetic relies on (uncommon type 16 bytes, method 16, imethod 8, on
// 64-bit targets), and that the kind-byte convention follows the DWARF constants.
func TestTypeLayoutsFromDWARF(t *testing.T) {
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		opts := Options{Exe: tg.Exe, Core: tg.Core}
		if tg.Mode == fixtures.Live {
			opts = Options{Pid: tg.Pid}
		}
		target, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		r, err := target.newTypeReader()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{kindPointer, kindSlice, kindArray, kindChan, kindStruct, kindFunc, kindInterface, kindMap} {
			if r.kindLayouts[k] == nil {
				t.Errorf("no DWARF descriptor type for kind %s", kindNames[k])
			}
		}
		for l, size := range map[string]int64{r.uncommon.Name: r.uncommon.Size, r.method.Name: r.method.Size, r.imethod.Name: r.imethod.Size} {
			want := map[string]int64{"internal/abi.UncommonType": 16, "runtime.uncommontype": 16, "internal/abi.Method": 16, "runtime.method": 16, "internal/abi.Imethod": 8, "runtime.imethod": 8}[l]
			if size != want {
				t.Errorf("%s is %d bytes, want %d", l, size, want)
			}
		}
		wantType := "internal/abi.Type"
		if tg.Toolchain.Minor < 21 {
			wantType = "runtime._type"
		}
		if r.typ.Name != wantType || r.typ.Size != 48 {
			t.Errorf("type descriptor is %s (%d bytes), want %s (48 bytes)", r.typ.Name, r.typ.Size, wantType)
		}
		wantItab := "internal/abi.ITab"
		if tg.Toolchain.Minor < 23 {
			wantItab = "runtime.itab"
		}
		if r.itab.Name != wantItab {
			t.Errorf("itab is %s, want %s", r.itab.Name, wantItab)
		}
		if r.pureKind != (tg.Toolchain.Minor >= 26) {
			t.Errorf("pure kind byte %v on Go 1.%d", r.pureKind, tg.Toolchain.Minor)
		}
		m := r.modules[0]
		if m.Types == 0 || m.Etypes <= m.Types || m.Text == 0 {
			t.Errorf("first module: types [%#x, %#x), text %#x", m.Types, m.Etypes, m.Text)
		}
		// Go 1.27 replaced typelinks/itablinks with typedesclen and itaboffset/itabsize.
		if (tg.Toolchain.Minor >= 27) != m.HasItabOffset || m.HasItabOffset == m.HasItablinks || m.HasTypelinks == m.HasItabOffset {
			t.Errorf("module lists: typelinks %v itablinks %v itaboffset %v on Go 1.%d", m.HasTypelinks, m.HasItablinks, m.HasItabOffset, tg.Toolchain.Minor)
		}
	})
}
