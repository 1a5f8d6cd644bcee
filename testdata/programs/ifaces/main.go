// ifaces is the fixture for `memlens iface`, `memlens type` and `memlens itabs`: interface values
// whose dynamic types, itabs and method tables are known by construction. It reports, for each
// interface variable, the two words the runtime stored (read with unsafe, as 0x hex), and what
// reflect says about the dynamic type; for the method tables, the functions the methods are
// (through reflect's method values and runtime.FuncForPC, independent of the itab layout).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"unsafe"

	"memlens.test/programs/fixture"
)

// Celsius is a named non-pointer type implementing fmt.Stringer with a value receiver.
type Celsius float64

func (c Celsius) String() string { return fmt.Sprintf("%.1fC", float64(c)) }

// Resource is a three-method interface; *File implements it with pointer receivers.
type Resource interface {
	Read(p []byte) (int, error)
	Open() error
	Close() error
}

// Opener is only ever reached through a type assertion, so its itab for *File is built by the
// runtime at run time (runtime.itabTable) rather than laid out by the linker.
type Opener interface {
	Open() error
}

// File implements Resource (and Opener).
type File struct {
	Name string
	FD   int
}

func (f *File) Open() error                { f.FD = 3; return nil }
func (f *File) Read(p []byte) (int, error) { return 0, io.EOF }
func (f *File) Close() error               { f.FD = -1; return nil }

// Point is a small struct stored in an any.
type Point struct {
	X, Y int32
}

// Inventory is the named struct `memlens type` is tested with.
type Inventory struct {
	Name  string
	Count int
	Tags  []string
}

func (Inventory) Total() int { return 0 }

// The interface values under test, as package variables so that memlens can name them.
var (
	stringer  fmt.Stringer
	resource  Resource
	rw        io.ReadWriter
	failure   error
	anyUint32 interface{}
	anyString interface{}
	anyStruct interface{}
	anyPtr    interface{}
	// anyReflect holds a pointer to a struct type reflect builds at run time: its descriptors
	// are outside the module and their names are found through runtime.reflectOffs.
	anyReflect interface{}
	opener     Opener
	nilError   error
	nilAny     interface{}

	// Values whose types `memlens type` looks up by name.
	inventory = Inventory{Name: "bolts", Count: 7}
	points    = []Point{{1, 2}}
	counts    = map[string]int{"a": 1}

	theFile = &File{Name: "data.txt"}
	buffer  = bytes.NewBufferString("buffered")
)

// words returns the two words of an interface value (tab or type, then data), as the runtime
// stored them.
func words(p unsafe.Pointer) [2]uintptr { return *(*[2]uintptr)(p) }

func hex(x uintptr) string { return fmt.Sprintf("%#x", x) }

// reportIface reports an interface variable's words under key.
func reportIface(key string, p unsafe.Pointer) {
	w := words(p)
	fixture.Report(key+".word0", hex(w[0]))
	fixture.Report(key+".data", hex(w[1]))
}

// reportType reports what reflect says about t under key.
func reportType(key string, t reflect.Type) {
	fixture.Report(key+".string", t.String())
	fixture.Report(key+".kind", t.Kind().String())
	fixture.Report(key+".size", t.Size())
	fixture.Report(key+".align", t.Align())
	fixture.Report(key+".fieldAlign", t.FieldAlign())
	fixture.Report(key+".name", t.Name())
	fixture.Report(key+".pkgPath", t.PkgPath())
	var methods []interface{}
	for i := 0; i < t.NumMethod(); i++ {
		methods = append(methods, t.Method(i).Name)
	}
	fixture.Report(key+".methods", fixture.List(methods...))
}

// reportMethodFuncs reports, for the methods of t that iface (an interface type) names, in
// iface's order (sorted by name, as reflect and the runtime order them), the function
// reflect's method value points at and its name from the runtime's symbol table.
func reportMethodFuncs(key string, t, iface reflect.Type) {
	var names, funcs, pcs []interface{}
	for i := 0; i < iface.NumMethod(); i++ {
		m, ok := t.MethodByName(iface.Method(i).Name)
		if !ok {
			panic("missing method " + iface.Method(i).Name)
		}
		pc := m.Func.Pointer()
		names = append(names, m.Name)
		pcs = append(pcs, hex(pc))
		funcs = append(funcs, runtime.FuncForPC(pc).Name())
	}
	fixture.Report(key+".ifaceMethods", fixture.List(names...))
	fixture.Report(key+".funcs", fixture.List(funcs...))
	fixture.Report(key+".pcs", fixture.List(pcs...))
}

// typeWord returns the type descriptor address of v's dynamic type.
func typeWord(v interface{}) uintptr { return words(unsafe.Pointer(&v))[0] }

func main() {
	stringer = Celsius(21.5)
	resource = theFile
	rw = buffer
	failure = errors.New("disk on fire")
	anyUint32 = uint32(0xdeadbeef)
	anyString = "hello, iface"
	anyStruct = Point{X: 3, Y: -4}
	anyPtr = theFile
	anyReflect = reflect.New(reflect.StructOf([]reflect.StructField{{Name: "Made", Type: reflect.TypeOf(int16(0))}})).Interface()

	// A dynamic itab: the assertion makes runtime.getitab build (Opener, *File) and put it into
	// runtime.itabTable.
	var boxed interface{} = theFile
	opener = boxed.(Opener)
	// A failed assertion caches a negative itab (io.Writer, *File) with fun[0] == 0.
	if _, ok := boxed.(io.Writer); ok {
		panic("*File is no io.Writer")
	}

	reportIface("stringer", unsafe.Pointer(&stringer))
	reportType("stringer.type", reflect.TypeOf(stringer))
	reportMethodFuncs("stringer", reflect.TypeOf(stringer), reflect.TypeOf((*fmt.Stringer)(nil)).Elem())
	// Celsius is not pointer-shaped, so the interface's data word points at a copy and interface
	// calls go through the pointer-receiver wrapper: the methods of *Celsius.
	reportMethodFuncs("stringer.ptr", reflect.PtrTo(reflect.TypeOf(stringer)), reflect.TypeOf((*fmt.Stringer)(nil)).Elem())
	fixture.Report("stringer.value", stringer.String())

	reportIface("resource", unsafe.Pointer(&resource))
	reportType("resource.type", reflect.TypeOf(resource))
	reportMethodFuncs("resource", reflect.TypeOf(resource), reflect.TypeOf((*Resource)(nil)).Elem())
	fixture.Report("resource.ptr", hex(uintptr(unsafe.Pointer(theFile))))

	reportIface("rw", unsafe.Pointer(&rw))
	reportType("rw.type", reflect.TypeOf(rw))
	reportMethodFuncs("rw", reflect.TypeOf(rw), reflect.TypeOf((*io.ReadWriter)(nil)).Elem())
	fixture.Report("rw.ptr", hex(uintptr(unsafe.Pointer(buffer))))

	reportIface("failure", unsafe.Pointer(&failure))
	reportType("failure.type", reflect.TypeOf(failure))
	reportMethodFuncs("failure", reflect.TypeOf(failure), reflect.TypeOf((*error)(nil)).Elem())
	fixture.Report("failure.message", failure.Error())

	reportIface("opener", unsafe.Pointer(&opener))
	reportMethodFuncs("opener", reflect.TypeOf(opener), reflect.TypeOf((*Opener)(nil)).Elem())

	reportIface("anyUint32", unsafe.Pointer(&anyUint32))
	reportType("anyUint32.type", reflect.TypeOf(anyUint32))
	fixture.Report("anyUint32.value", anyUint32)
	reportIface("anyString", unsafe.Pointer(&anyString))
	reportType("anyString.type", reflect.TypeOf(anyString))
	fixture.Report("anyString.value", anyString)
	reportIface("anyStruct", unsafe.Pointer(&anyStruct))
	fixture.Report("anyStruct.addr", hex(uintptr(unsafe.Pointer(&anyStruct))))
	reportType("anyStruct.type", reflect.TypeOf(anyStruct))
	p := anyStruct.(Point)
	fixture.Report("anyStruct.x", p.X)
	fixture.Report("anyStruct.y", p.Y)
	reportIface("anyPtr", unsafe.Pointer(&anyPtr))
	reportIface("anyReflect", unsafe.Pointer(&anyReflect))
	reportType("anyReflect.type", reflect.TypeOf(anyReflect))
	fixture.Report("anyReflect.elem", reflect.TypeOf(anyReflect).Elem().String())
	reportIface("nilError", unsafe.Pointer(&nilError))
	reportIface("nilAny", unsafe.Pointer(&nilAny))

	// Types looked up by name with `memlens type`: the DWARF name, the type's address and reflect's facts.
	for _, c := range []struct {
		key, name string
		v         interface{}
	}{
		{"inventory", "main.Inventory", inventory},
		{"points", "[]main.Point", points},
		{"counts", "map[string]int", counts},
	} {
		fixture.Report("type."+c.key+".dwarfName", c.name)
		fixture.Report("type."+c.key+".addr", hex(typeWord(c.v)))
		t := reflect.TypeOf(c.v)
		reportType("type."+c.key, t)
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			fixture.Report("type."+c.key+".elem", t.Elem().String())
		}
		if t.Kind() == reflect.Map {
			fixture.Report("type."+c.key+".key", t.Key().String())
		}
	}
	// Keep the values alive and the method tables reachable.
	var sb strings.Builder
	fmt.Fprint(&sb, stringer, resource, rw, failure, anyUint32, anyString, anyStruct, anyPtr, anyReflect, opener, nilError, nilAny, inventory, points, counts)
	fixture.Ready()
}
