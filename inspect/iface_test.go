package inspect_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// exported keeps the exported names (reflect lists only those; the runtime's method table also
// has the unexported ones, after them).
func exported(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "" && n[0] >= 'A' && n[0] <= 'Z' {
			out = append(out, n)
		}
	}
	return out
}

func join(s []string) string { return strings.Join(s, " ") }

func hexList(pcs []uint64) string {
	var out []string
	for _, pc := range pcs {
		out = append(out, fmt.Sprintf("%#x", pc))
	}
	return strings.Join(out, " ")
}

// checkType compares a decoded type with what the fixture's reflect reported under key.
func checkType(t *testing.T, tg *fixtures.Target, key string, ty *inspect.Type) {
	t.Helper()
	r := tg.Report
	if ty.Name != r.Get(t, key+".string") {
		t.Errorf("%s: name %q, reflect says %q", key, ty.Name, r.Get(t, key+".string"))
	}
	if ty.Kind != r.Get(t, key+".kind") {
		t.Errorf("%s: kind %q, reflect says %q", key, ty.Kind, r.Get(t, key+".kind"))
	}
	if int64(ty.Size) != r.Int(t, key+".size") || int64(ty.Align) != r.Int(t, key+".align") || int64(ty.FieldAlign) != r.Int(t, key+".fieldAlign") {
		t.Errorf("%s: size/align/fieldAlign %d/%d/%d, reflect says %s/%s/%s", key, ty.Size, ty.Align, ty.FieldAlign,
			r.Get(t, key+".size"), r.Get(t, key+".align"), r.Get(t, key+".fieldAlign"))
	}
	// reflect's PkgPath is set for named types only; the uncommon type's is set for any type
	// with methods, so compare where reflect has one.
	if want := r.Get(t, key+".pkgPath"); want != "" && ty.PkgPath != want {
		t.Errorf("%s: pkgPath %q, reflect says %q", key, ty.PkgPath, want)
	}
	var names []string
	for _, m := range ty.Methods {
		names = append(names, m.Name)
	}
	if got, want := join(exported(names)), r.Get(t, key+".methods"); got != want {
		t.Errorf("%s: exported methods %q, reflect says %q", key, got, want)
	}
	// A pointer-shaped type is stored directly in an interface's data word.
	if direct := ty.Kind == "ptr" || ty.Kind == "map" || ty.Kind == "chan" || ty.Kind == "func" || ty.Kind == "unsafe.Pointer"; ty.DirectIface != direct {
		t.Errorf("%s: directIface %v for a %s", key, ty.DirectIface, ty.Kind)
	}
}

// checkItab compares a decoded itab's fun table with the method functions the fixture found
// through reflect (funcsKey.funcs/.pcs, in the interface's sorted method order).
func checkItab(t *testing.T, tg *fixtures.Target, key, funcsKey string, it *inspect.Itab) {
	t.Helper()
	r := tg.Report
	if it.Addr != r.Uint(t, key+".word0") {
		t.Errorf("%s: itab at %#x, the fixture's tab word is %s", key, it.Addr, r.Get(t, key+".word0"))
	}
	if !it.Implements {
		t.Errorf("%s: itab says the type does not implement the interface", key)
	}
	var names, ifaceNames, fns []string
	var pcs []uint64
	for _, m := range it.Methods {
		names = append(names, m.Name)
		fns = append(fns, m.Fn.Name)
		pcs = append(pcs, m.Fn.PC)
	}
	for _, m := range it.Interface.Methods {
		ifaceNames = append(ifaceNames, m.Name)
	}
	want := r.Get(t, key+".ifaceMethods")
	if join(names) != want || join(ifaceNames) != want {
		t.Errorf("%s: fun slots %q, interface methods %q; reflect says %q", key, join(names), join(ifaceNames), want)
	}
	if got, want := join(fns), r.Get(t, funcsKey+".funcs"); got != want {
		t.Errorf("%s: fun functions %q, the fixture's runtime.FuncForPC says %q", key, got, want)
	}
	if got, want := hexList(pcs), r.Get(t, funcsKey+".pcs"); got != want {
		t.Errorf("%s: fun PCs %s, reflect's method values are %s", key, got, want)
	}
	// The linker's itabs copy the type's hash; runtime.getitab leaves it 0.
	if wantHash := it.Type.Hash; (key == "opener" && it.Hash != 0) || (key != "opener" && it.Hash != wantHash) {
		t.Errorf("%s: itab hash %#x, type hash %#x", key, it.Hash, wantHash)
	}
}

// TestIfaceMatchesFixture decodes the fixture's non-empty interfaces: a value-receiver named
// type in fmt.Stringer, a pointer type in a three-method interface, *bytes.Buffer in
// io.ReadWriter, errors.New's error, a run-time itab (Opener) and a nil error.
func TestIfaceMatchesFixture(t *testing.T) {
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		r := tg.Report
		cases := []struct{ key, funcsKey, iface string }{
			// Celsius is not pointer-shaped: the itab holds the (*Celsius).String wrapper.
			{"stringer", "stringer.ptr", "fmt.Stringer"},
			{"resource", "resource", "main.Resource"},
			{"rw", "rw", "io.ReadWriter"},
			{"failure", "failure", "error"},
			{"opener", "opener", "main.Opener"},
		}
		for _, c := range cases {
			in, err := target.IfaceOf("main." + c.key)
			if err != nil {
				t.Errorf("%s: %v", c.key, err)
				continue
			}
			if in.Empty || in.Nil || in.Static != c.iface || in.Itab == nil {
				t.Errorf("%s: empty %v nil %v static %q itab %v", c.key, in.Empty, in.Nil, in.Static, in.Itab)
				continue
			}
			if in.Word0 != r.Uint(t, c.key+".word0") || in.Data != r.Uint(t, c.key+".data") {
				t.Errorf("%s: words %#x %#x, the fixture's unsafe read says %s %s", c.key, in.Word0, in.Data, r.Get(t, c.key+".word0"), r.Get(t, c.key+".data"))
			}
			if in.Itab.Interface.Name != c.iface {
				t.Errorf("%s: itab interface %q, want %q", c.key, in.Itab.Interface.Name, c.iface)
			}
			checkItab(t, tg, c.key, c.funcsKey, in.Itab)
			if c.key != "opener" {
				checkType(t, tg, c.key+".type", in.Type)
			}
		}
		// Values, as Delve prints them, hold what the fixture put there.
		stringer, _ := target.IfaceOf("main.stringer")
		resource, _ := target.IfaceOf("main.resource")
		rw, _ := target.IfaceOf("main.rw")
		failure, _ := target.IfaceOf("main.failure")
		if stringer != nil {
			if !strings.Contains(stringer.Value, "21.5") {
				t.Errorf("stringer value %q, want 21.5", stringer.Value)
			}
			// The value method's direct-call code is main.Celsius.String; interface calls use the wrapper.
			if len(stringer.Type.Methods) != 1 || stringer.Type.Methods[0].Tfn.Name != r.Get(t, "stringer.funcs") ||
				fmt.Sprintf("%#x", stringer.Type.Methods[0].Tfn.PC) != r.Get(t, "stringer.pcs") {
				t.Errorf("Celsius method table %+v, reflect says String is %s at %s", stringer.Type.Methods, r.Get(t, "stringer.funcs"), r.Get(t, "stringer.pcs"))
			}
		}
		if resource != nil {
			if resource.Data != r.Uint(t, "resource.ptr") || !strings.Contains(resource.Value, `"data.txt"`) {
				t.Errorf("resource: data %#x value %q; the fixture's *File is %s named data.txt", resource.Data, resource.Value, r.Get(t, "resource.ptr"))
			}
			if resource.Type.Elem == nil || resource.Type.Elem.Name != "main.File" || resource.Type.Elem.Kind != "struct" {
				t.Errorf("*main.File elem %+v", resource.Type.Elem)
			}
		}
		if rw != nil && (rw.Data != r.Uint(t, "rw.ptr") || !strings.Contains(rw.Value, "bytes.Buffer")) {
			t.Errorf("rw: data %#x value %q; the fixture's buffer is %s", rw.Data, rw.Value, r.Get(t, "rw.ptr"))
		}
		if failure != nil && !strings.Contains(failure.Value, r.Get(t, "failure.message")) {
			t.Errorf("failure value %q, want the message %q", failure.Value, r.Get(t, "failure.message"))
		}
		nilErr, err := target.IfaceOf("main.nilError")
		if err != nil {
			t.Fatal(err)
		}
		if !nilErr.Nil || nilErr.Itab != nil || nilErr.Type != nil || r.Uint(t, "nilError.word0") != 0 {
			t.Errorf("nil error decoded as %+v", nilErr)
		}
		// A value that is not an interface is a user error.
		if _, err := target.IfaceOf("main.inventory"); err == nil {
			t.Errorf("main.inventory (a struct) accepted as an interface")
		} else if _, ok := err.(*inspect.TargetError); !ok {
			t.Errorf("main.inventory: %v is not a user error", err)
		}
		if tg.Mode == fixtures.Live {
			target.Close()
			tg.Ping(t)
		}
	})
}

// TestEfaceMatchesFixture decodes the fixture's any values: a uint32, a string, a struct, a
// pointer stored directly in the data word, and nil; and an eface read by address.
func TestEfaceMatchesFixture(t *testing.T) {
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		r := tg.Report
		values := map[string]string{
			"anyUint32": r.Get(t, "anyUint32.value"),
			"anyString": `"` + r.Get(t, "anyString.value") + `"`,
			"anyStruct": fmt.Sprintf("X: %s, Y: %s", r.Get(t, "anyStruct.x"), r.Get(t, "anyStruct.y")),
		}
		for _, key := range []string{"anyUint32", "anyString", "anyStruct"} {
			in, err := target.IfaceOf("main." + key)
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			if !in.Empty || in.Nil || in.Itab != nil {
				t.Errorf("%s: empty %v nil %v itab %v", key, in.Empty, in.Nil, in.Itab)
				continue
			}
			if in.Word0 != r.Uint(t, key+".word0") || in.Data != r.Uint(t, key+".data") {
				t.Errorf("%s: words %#x %#x, the fixture's unsafe read says %s %s", key, in.Word0, in.Data, r.Get(t, key+".word0"), r.Get(t, key+".data"))
			}
			checkType(t, tg, key+".type", in.Type)
			if !strings.Contains(in.Value, values[key]) {
				t.Errorf("%s: value %q, want it to show %s", key, in.Value, values[key])
			}
		}
		ptr, err := target.IfaceOf("main.anyPtr")
		if err != nil {
			t.Fatal(err)
		}
		if ptr.Data != r.Uint(t, "resource.ptr") || !ptr.Type.DirectIface || ptr.Type.Name != "*main.File" || !strings.Contains(ptr.Value, `"data.txt"`) {
			t.Errorf("any holding *File: data %#x (want %s), direct %v, type %q, value %q", ptr.Data, r.Get(t, "resource.ptr"), ptr.Type.DirectIface, ptr.Type.Name, ptr.Value)
		}
		// A type reflect built at run time: outside the module, named through runtime.reflectOffs.
		made, err := target.IfaceOf("main.anyReflect")
		if err != nil {
			t.Fatal(err)
		}
		if made.Word0 != r.Uint(t, "anyReflect.word0") || made.Data != r.Uint(t, "anyReflect.data") {
			t.Errorf("anyReflect: words %#x %#x, fixture says %s %s", made.Word0, made.Data, r.Get(t, "anyReflect.word0"), r.Get(t, "anyReflect.data"))
		}
		checkType(t, tg, "anyReflect.type", made.Type)
		if made.Type.Elem == nil || made.Type.Elem.Name != r.Get(t, "anyReflect.elem") {
			t.Errorf("anyReflect: elem %+v, reflect says %s", made.Type.Elem, r.Get(t, "anyReflect.elem"))
		}
		nilAny, err := target.IfaceOf("main.nilAny")
		if err != nil {
			t.Fatal(err)
		}
		if !nilAny.Nil || !nilAny.Empty || nilAny.Type != nil {
			t.Errorf("nil any decoded as %+v", nilAny)
		}
		at, err := target.EfaceAt(r.Uint(t, "anyStruct.addr"))
		if err != nil {
			t.Fatal(err)
		}
		if at.Word0 != r.Uint(t, "anyStruct.word0") || at.Type == nil || at.Type.Name != r.Get(t, "anyStruct.type.string") {
			t.Errorf("eface at %s: %+v", r.Get(t, "anyStruct.addr"), at)
		}
	})
}

// TestTypeByName finds a named struct, a slice and a map type by their DWARF names, through
// DWARF's runtime-type attribute and through the modules' own type lists, and compares them
// with reflect's report and the descriptor address the fixture read from an interface.
func TestTypeByName(t *testing.T) {
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		r := tg.Report
		for _, key := range []string{"inventory", "points", "counts"} {
			k := "type." + key
			wantAddr := r.Uint(t, k+".addr")
			byName, err := target.TypeByName(r.Get(t, k+".dwarfName"))
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			inModules, err := target.TypeInModules(r.Get(t, k+".string"))
			if err != nil {
				t.Errorf("%s in the module type lists: %v", key, err)
				continue
			}
			at, err := target.TypeAt(wantAddr)
			if err != nil {
				t.Errorf("%s at %#x: %v", key, wantAddr, err)
				continue
			}
			for how, ty := range map[string]*inspect.Type{"by DWARF name": byName, "in the module lists": inModules, "by address": at} {
				if ty.Addr != wantAddr {
					t.Errorf("%s %s: descriptor at %#x, the fixture's interface holds %#x", key, how, ty.Addr, wantAddr)
				}
				checkType(t, tg, k, ty)
				if want, ok := r[k+".elem"]; ok && (ty.Elem == nil || ty.Elem.Name != want) {
					t.Errorf("%s %s: elem %+v, reflect says %s", key, how, ty.Elem, want)
				}
				if want, ok := r[k+".key"]; ok && (ty.Key == nil || ty.Key.Name != want) {
					t.Errorf("%s %s: key %+v, reflect says %s", key, how, ty.Key, want)
				}
			}
		}
		if _, err := target.TypeByName("main.NoSuchType"); err == nil {
			t.Errorf("main.NoSuchType found")
		} else if _, ok := err.(*inspect.TargetError); !ok {
			t.Errorf("main.NoSuchType: %v is not a user error", err)
		}
	})
}

// TestItabsMatchFixture lists every itab and finds each one the fixture made: the linker's
// (in the module and in runtime.itabTable), the one runtime.getitab built for a type assertion
// (in the table only), and the negative entry a failed assertion cached.
func TestItabsMatchFixture(t *testing.T) {
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		r := tg.Report
		itabs, err := target.Itabs()
		if err != nil {
			t.Fatal(err)
		}
		byAddr := map[uint64]*inspect.Itab{}
		negative := false
		for _, it := range itabs {
			if byAddr[it.Addr] != nil {
				t.Errorf("itab %#x listed twice", it.Addr)
			}
			byAddr[it.Addr] = it
			if it.Interface.Name == "io.Writer" && it.Type.Name == "*main.File" && !it.Implements && len(it.Methods) == 0 {
				negative = true
			}
		}
		cases := []struct {
			key, funcsKey, iface, typ string
			linked                    bool
		}{
			{"stringer", "stringer.ptr", "fmt.Stringer", "main.Celsius", true},
			{"resource", "resource", "main.Resource", "*main.File", true},
			{"rw", "rw", "io.ReadWriter", "*bytes.Buffer", true},
			{"failure", "failure", "error", "*errors.errorString", true},
			{"opener", "opener", "main.Opener", "*main.File", false},
		}
		for _, c := range cases {
			it := byAddr[r.Uint(t, c.key+".word0")]
			if it == nil {
				t.Errorf("%s: itab %s (%s, %s) not listed", c.key, r.Get(t, c.key+".word0"), c.iface, c.typ)
				continue
			}
			if it.Interface.Name != c.iface || it.Type.Name != c.typ {
				t.Errorf("%s: itab is (%s, %s), want (%s, %s)", c.key, it.Interface.Name, it.Type.Name, c.iface, c.typ)
			}
			if it.InModule != c.linked || !it.InTable {
				t.Errorf("%s: in module %v (want %v), in itabTable %v (want true)", c.key, it.InModule, c.linked, it.InTable)
			}
			checkItab(t, tg, c.key, c.funcsKey, it)
		}
		if !negative {
			t.Errorf("the negative itab (io.Writer, *main.File) of the failed assertion is not listed")
		}
	})
}

// TestTypeConstants checks the kind numbers and tflag bits memlens assumes against the
// constants in each target's DWARF (runtime.kind*/tflag* up to Go 1.20, internal/abi.* after).
func TestTypeConstants(t *testing.T) {
	kinds := []string{"Invalid", "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "Uint", "Uint8", "Uint16", "Uint32",
		"Uint64", "Uintptr", "Float32", "Float64", "Complex64", "Complex128", "Array", "Chan", "Func", "Interface", "Map",
		"Pointer", "Slice", "String", "Struct", "UnsafePointer"}
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		found := 0
		for i, k := range kinds {
			names := []string{"internal/abi." + k, "runtime.kind" + k}
			if k == "Pointer" {
				names = append(names, "runtime.kindPtr")
			}
			for _, n := range names {
				if v, ok := target.Constant(n); ok {
					found++
					if v != int64(i) {
						t.Errorf("%s = %d, memlens assumes %d", n, v, i)
					}
				}
			}
		}
		if found < len(kinds)-2 {
			t.Errorf("only %d kind constants found in DWARF; cannot check the kind numbers", found)
		}
		tflags := map[string]int64{"Uncommon": 1, "ExtraStar": 2, "Named": 4, "RegularMemory": 8, "GCMaskOnDemand": 16, "DirectIface": 32}
		seen := 0
		for name, bit := range tflags {
			for _, n := range []string{"internal/abi.TFlag" + name, "runtime.tflag" + name} {
				if v, ok := target.Constant(n); ok {
					seen++
					if v != bit {
						t.Errorf("%s = %d, memlens assumes %d", n, v, bit)
					}
				}
			}
		}
		if seen < 4 {
			t.Errorf("only %d tflag constants found in DWARF", seen)
		}
		// Up to Go 1.25 the kind byte holds the direct-interface flag; from 1.26 TFlag does.
		_, inTFlag := target.Constant("internal/abi.TFlagDirectIface")
		if inTFlag != (tg.Toolchain.Minor >= 26) {
			t.Errorf("internal/abi.TFlagDirectIface defined: %v, on Go 1.%d", inTFlag, tg.Toolchain.Minor)
		}
		if !inTFlag {
			for _, n := range []string{"internal/abi.KindDirectIface", "runtime.kindDirectIface"} {
				if v, ok := target.Constant(n); ok && v != 0x20 {
					t.Errorf("%s = %#x, memlens assumes 0x20", n, v)
				}
			}
		}
	})
}
