package inspect_test

import (
	"debug/dwarf"
	"debug/elf"
	"testing"

	"github.com/memlens/memlens/layouts"
	"github.com/memlens/memlens/testdata/fixtures"
)

// dwarfConstant reads a package-level integer constant (DW_TAG_constant) from an executable's DWARF.
func dwarfConstant(t *testing.T, exe string, names ...string) (int64, bool) {
	t.Helper()
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		t.Fatal(err)
	}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return 0, false
		}
		if e.Tag != dwarf.TagConstant {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		for _, n := range names {
			if name == n {
				v, ok := e.Val(dwarf.AttrConstValue).(int64)
				return v, ok
			}
		}
	}
}

func checkField(t *testing.T, l *layouts.Layout, name string, size int64, typeNames ...string) {
	t.Helper()
	f, err := l.Field(name)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if f.Size != size {
		t.Errorf("%s.%s is %d bytes, memlens assumes %d", l.Name, name, f.Size, size)
	}
	for _, tn := range typeNames {
		if f.TypeName == tn {
			return
		}
	}
	t.Errorf("%s.%s has type %s, memlens assumes one of %v", l.Name, name, f.TypeName, typeNames)
}

// TestChanLayoutFacts checks every assumption inspect/chan.go and inspect/typename.go make about
// runtime fields and constants against the DWARF of each fixture target.
func TestChanLayoutFacts(t *testing.T) {
	fixtures.ForEachWith(t, "chans", chansOptions, func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		minor := tg.Toolchain.Minor
		h, err := target.Layout("runtime.hchan")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"qcount", "dataqsiz", "sendx", "recvx"} {
			checkField(t, h, n, 8, "uint")
		}
		checkField(t, h, "buf", 8, "unsafe.Pointer", "*void")
		checkField(t, h, "elemsize", 2, "uint16")
		checkField(t, h, "closed", 4, "uint32")
		checkField(t, h, "elemtype", 8, "*runtime._type", "*internal/abi.Type")
		checkField(t, h, "recvq", 16, "runtime.waitq")
		checkField(t, h, "sendq", 16, "runtime.waitq")
		checkField(t, h, "lock", 8, "runtime.mutex")
		if h.Has("timer") != (minor >= 23) {
			t.Errorf("hchan has timer: %v on Go 1.%d (memlens expects it from 1.23)", h.Has("timer"), minor)
		}
		if minor >= 23 {
			checkField(t, h, "timer", 8, "*runtime.timer")
		}
		if h.Has("bubble") != (minor >= 25) || h.Has("synctest") != (minor == 24) {
			t.Errorf("hchan bubble %v synctest %v on Go 1.%d", h.Has("bubble"), h.Has("synctest"), minor)
		}
		w, err := target.Layout("runtime.waitq")
		if err != nil {
			t.Fatal(err)
		}
		checkField(t, w, "first", 8, "*runtime.sudog")
		m, err := target.Layout("runtime.mutex")
		if err != nil {
			t.Fatal(err)
		}
		if off, err := m.Offset("key"); err != nil || off != 0 {
			t.Errorf("runtime.mutex.key at %d (%v); memlens reads the lock word at offset 0", off, err)
		}
		md, err := target.Layout("runtime.moduledata")
		if err != nil {
			t.Fatal(err)
		}
		checkField(t, md, "types", 8, "uintptr")
		checkField(t, md, "etypes", 8, "uintptr")
		checkField(t, md, "next", 8, "*runtime.moduledata")

		descName := "internal/abi.Type"
		if minor < 21 {
			descName = "runtime._type"
		}
		desc, err := target.Layout(descName)
		if err != nil {
			t.Fatal(err)
		}
		lower := minor < 21
		pick := func(lowerName, upperName string) string {
			if lower {
				return lowerName
			}
			return upperName
		}
		checkField(t, desc, pick("size", "Size_"), 8, "uintptr")
		checkField(t, desc, pick("ptrdata", "PtrBytes"), 8, "uintptr")
		checkField(t, desc, pick("tflag", "TFlag"), 1, "runtime.tflag", "internal/abi.TFlag")
		checkField(t, desc, pick("kind", "Kind_"), 1, "uint8", "internal/abi.Kind")
		checkField(t, desc, pick("str", "Str"), 4, "runtime.nameOff", "internal/abi.NameOff")

		extraStar, ok := dwarfConstant(t, tg.Exe, "runtime.tflagExtraStar", "internal/abi.TFlagExtraStar")
		if !ok || extraStar != 2 {
			t.Errorf("tflagExtraStar = %d (found %v); memlens assumes 2", extraStar, ok)
		}
	})
}
