// structs is the fixture for `memlens layout`: structs with known padding, a generic type,
// func-typed fields, zero-size fields, nested structs and arrays. For each one it reports the
// layout the compiler chose, measured with unsafe.Sizeof/Alignof/Offsetof: that is the ground
// truth the layouts of memlens are checked against.
//
// It also uses channels, interfaces, sync.Map, sync.Mutex and sync.RWMutex so that the linker
// keeps the runtime types memlens has built-in tables for in the binary's DWARF.
//
// Report keys:
//
//	layout.<DWARF type name>=size,align;field:offset:size:align;...   (fields in declaration order)
//	optimal.<DWARF type name>=size   the size with fields ordered by decreasing alignment
//	cfg.<field>=value                the current values of the variable main.cfg
//	nested.<path>=value              values inside main.nested's nested structs and arrays
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"

	"memlens.test/programs/fixture"
)

// Padded has a 7-byte hole after a, a 2-byte hole after c and 7 bytes of tail padding.
type Padded struct {
	a bool
	b int64
	c uint16
	d uint32
	e byte
}

// PaddedOptimal is Padded with its fields ordered by decreasing alignment (what --suggest proposes).
type PaddedOptimal struct {
	b int64
	d uint32
	c uint16
	a bool
	e byte
}

// Handlers has func-typed fields: each is one pointer (to a closure), whatever pahole says.
type Handlers struct {
	name    string
	onEvent func(int) error
	filter  func(string) bool
	n       int32
}

// ZeroSize has zero-size fields: one that still aligns to 8 and a trailing one that costs a byte.
type ZeroSize struct {
	a   int32
	_   [0]int64
	b   byte
	end struct{}
}

// Empty has no fields and no size.
type Empty struct{}

// Inner is nested in Nested.
type Inner struct {
	x byte
	y int64
}

// Nested holds nested structs, arrays, and every pointer-shaped kind.
type Nested struct {
	flag  bool
	inner Inner
	arr   [3]Inner
	bytes [5]byte
	grid  [2][3]int16
	ptr   *Inner
	slice []Inner
	m     map[string]int
	ch    chan int
	any   interface{}
	err   error
	c64   complex64
	c128  complex128
	f32   float32
	empty Empty
	u8    uint8
}

// Pair is a generic type; DWARF names its instance main.Pair[int8,string].
type Pair[K comparable, V any] struct {
	key K
	ok  bool
	val V
}

// Config is the struct behind main.cfg, whose values `memlens layout main.cfg` shows.
type Config struct {
	name    string
	retries int
	verbose bool
	timeout int64
	ratio   float64
	mode    byte
}

var (
	cfg      = Config{name: "primary", retries: 3, verbose: true, timeout: 1500, ratio: 0.25, mode: 'x'}
	padded   = Padded{a: true, b: -7, c: 2, d: 4, e: 5}
	handlers = Handlers{name: "h", onEvent: func(int) error { return nil }, filter: func(s string) bool { return strings.HasPrefix(s, "h") }}
	zero     ZeroSize
	nested   = Nested{flag: true, inner: Inner{x: 7, y: -9}, arr: [3]Inner{{1, 10}, {2, 20}, {3, 30}},
		grid: [2][3]int16{{1, 2, 3}, {4, 5, 6}}, m: map[string]int{"a": 1}, ch: make(chan int), err: errors.New("e")}
	pair    = Pair[int8, string]{key: 1, ok: true, val: "one"}
	optimal PaddedOptimal
	empty   Empty
)

// field formats one field for the report.
func field(name string, off, size, align uintptr) string {
	return fmt.Sprintf("%s:%d:%d:%d", name, off, size, align)
}

func layout(name string, size, align uintptr, fields ...string) {
	fixture.Report("layout."+name, fmt.Sprintf("%d,%d;%s", size, align, strings.Join(fields, ";")))
}

func reportLayouts() {
	var p Padded
	layout("main.Padded", unsafe.Sizeof(p), unsafe.Alignof(p),
		field("a", unsafe.Offsetof(p.a), unsafe.Sizeof(p.a), unsafe.Alignof(p.a)),
		field("b", unsafe.Offsetof(p.b), unsafe.Sizeof(p.b), unsafe.Alignof(p.b)),
		field("c", unsafe.Offsetof(p.c), unsafe.Sizeof(p.c), unsafe.Alignof(p.c)),
		field("d", unsafe.Offsetof(p.d), unsafe.Sizeof(p.d), unsafe.Alignof(p.d)),
		field("e", unsafe.Offsetof(p.e), unsafe.Sizeof(p.e), unsafe.Alignof(p.e)))
	fixture.Report("optimal.main.Padded", unsafe.Sizeof(optimal))

	var o PaddedOptimal
	layout("main.PaddedOptimal", unsafe.Sizeof(o), unsafe.Alignof(o),
		field("b", unsafe.Offsetof(o.b), unsafe.Sizeof(o.b), unsafe.Alignof(o.b)),
		field("d", unsafe.Offsetof(o.d), unsafe.Sizeof(o.d), unsafe.Alignof(o.d)),
		field("c", unsafe.Offsetof(o.c), unsafe.Sizeof(o.c), unsafe.Alignof(o.c)),
		field("a", unsafe.Offsetof(o.a), unsafe.Sizeof(o.a), unsafe.Alignof(o.a)),
		field("e", unsafe.Offsetof(o.e), unsafe.Sizeof(o.e), unsafe.Alignof(o.e)))
	fixture.Report("optimal.main.PaddedOptimal", unsafe.Sizeof(o))

	var h Handlers
	layout("main.Handlers", unsafe.Sizeof(h), unsafe.Alignof(h),
		field("name", unsafe.Offsetof(h.name), unsafe.Sizeof(h.name), unsafe.Alignof(h.name)),
		field("onEvent", unsafe.Offsetof(h.onEvent), unsafe.Sizeof(h.onEvent), unsafe.Alignof(h.onEvent)),
		field("filter", unsafe.Offsetof(h.filter), unsafe.Sizeof(h.filter), unsafe.Alignof(h.filter)),
		field("n", unsafe.Offsetof(h.n), unsafe.Sizeof(h.n), unsafe.Alignof(h.n)))

	// The blank [0]int64 field cannot be named in Go; its offset is where b would go without it
	// rounded up to 8, which the next field's offset confirms.
	var z ZeroSize
	layout("main.ZeroSize", unsafe.Sizeof(z), unsafe.Alignof(z),
		field("a", unsafe.Offsetof(z.a), unsafe.Sizeof(z.a), unsafe.Alignof(z.a)),
		field("_", unsafe.Offsetof(z.b), 0, 8),
		field("b", unsafe.Offsetof(z.b), unsafe.Sizeof(z.b), unsafe.Alignof(z.b)),
		field("end", unsafe.Offsetof(z.end), unsafe.Sizeof(z.end), unsafe.Alignof(z.end)))

	var e Empty
	layout("main.Empty", unsafe.Sizeof(e), unsafe.Alignof(e))

	// An interface value is two words by the language's implementation: the itab pointer (tab) or,
	// for an empty interface, the type pointer (_type), then the data word.
	var err error
	w := unsafe.Sizeof(uintptr(0))
	layout("error", unsafe.Sizeof(err), unsafe.Alignof(err), field("tab", 0, w, w), field("data", w, w, w))
	var anyv interface{}
	layout("interface {}", unsafe.Sizeof(anyv), unsafe.Alignof(anyv), field("_type", 0, w, w), field("data", w, w, w))

	var in Inner
	layout("main.Inner", unsafe.Sizeof(in), unsafe.Alignof(in),
		field("x", unsafe.Offsetof(in.x), unsafe.Sizeof(in.x), unsafe.Alignof(in.x)),
		field("y", unsafe.Offsetof(in.y), unsafe.Sizeof(in.y), unsafe.Alignof(in.y)))

	var n Nested
	layout("main.Nested", unsafe.Sizeof(n), unsafe.Alignof(n),
		field("flag", unsafe.Offsetof(n.flag), unsafe.Sizeof(n.flag), unsafe.Alignof(n.flag)),
		field("inner", unsafe.Offsetof(n.inner), unsafe.Sizeof(n.inner), unsafe.Alignof(n.inner)),
		field("arr", unsafe.Offsetof(n.arr), unsafe.Sizeof(n.arr), unsafe.Alignof(n.arr)),
		field("bytes", unsafe.Offsetof(n.bytes), unsafe.Sizeof(n.bytes), unsafe.Alignof(n.bytes)),
		field("grid", unsafe.Offsetof(n.grid), unsafe.Sizeof(n.grid), unsafe.Alignof(n.grid)),
		field("ptr", unsafe.Offsetof(n.ptr), unsafe.Sizeof(n.ptr), unsafe.Alignof(n.ptr)),
		field("slice", unsafe.Offsetof(n.slice), unsafe.Sizeof(n.slice), unsafe.Alignof(n.slice)),
		field("m", unsafe.Offsetof(n.m), unsafe.Sizeof(n.m), unsafe.Alignof(n.m)),
		field("ch", unsafe.Offsetof(n.ch), unsafe.Sizeof(n.ch), unsafe.Alignof(n.ch)),
		field("any", unsafe.Offsetof(n.any), unsafe.Sizeof(n.any), unsafe.Alignof(n.any)),
		field("err", unsafe.Offsetof(n.err), unsafe.Sizeof(n.err), unsafe.Alignof(n.err)),
		field("c64", unsafe.Offsetof(n.c64), unsafe.Sizeof(n.c64), unsafe.Alignof(n.c64)),
		field("c128", unsafe.Offsetof(n.c128), unsafe.Sizeof(n.c128), unsafe.Alignof(n.c128)),
		field("f32", unsafe.Offsetof(n.f32), unsafe.Sizeof(n.f32), unsafe.Alignof(n.f32)),
		field("empty", unsafe.Offsetof(n.empty), unsafe.Sizeof(n.empty), unsafe.Alignof(n.empty)),
		field("u8", unsafe.Offsetof(n.u8), unsafe.Sizeof(n.u8), unsafe.Alignof(n.u8)))

	var pr Pair[int8, string]
	layout("main.Pair[int8,string]", unsafe.Sizeof(pr), unsafe.Alignof(pr),
		field("key", unsafe.Offsetof(pr.key), unsafe.Sizeof(pr.key), unsafe.Alignof(pr.key)),
		field("ok", unsafe.Offsetof(pr.ok), unsafe.Sizeof(pr.ok), unsafe.Alignof(pr.ok)),
		field("val", unsafe.Offsetof(pr.val), unsafe.Sizeof(pr.val), unsafe.Alignof(pr.val)))

	var c Config
	layout("main.Config", unsafe.Sizeof(c), unsafe.Alignof(c),
		field("name", unsafe.Offsetof(c.name), unsafe.Sizeof(c.name), unsafe.Alignof(c.name)),
		field("retries", unsafe.Offsetof(c.retries), unsafe.Sizeof(c.retries), unsafe.Alignof(c.retries)),
		field("verbose", unsafe.Offsetof(c.verbose), unsafe.Sizeof(c.verbose), unsafe.Alignof(c.verbose)),
		field("timeout", unsafe.Offsetof(c.timeout), unsafe.Sizeof(c.timeout), unsafe.Alignof(c.timeout)),
		field("ratio", unsafe.Offsetof(c.ratio), unsafe.Sizeof(c.ratio), unsafe.Alignof(c.ratio)),
		field("mode", unsafe.Offsetof(c.mode), unsafe.Sizeof(c.mode), unsafe.Alignof(c.mode)))
	fixture.Report("cfg.name", cfg.name)
	fixture.Report("cfg.retries", cfg.retries)
	fixture.Report("cfg.verbose", cfg.verbose)
	fixture.Report("cfg.timeout", cfg.timeout)
	fixture.Report("cfg.ratio", cfg.ratio)
	fixture.Report("cfg.mode", cfg.mode)
	// Values inside nested structs and arrays, keyed by the path memlens gives them.
	fixture.Report("nested.inner.x", nested.inner.x)
	fixture.Report("nested.inner.y", nested.inner.y)
	fixture.Report("nested.arr[1].y", nested.arr[1].y)
	fixture.Report("nested.arr[2].x", nested.arr[2].x)
	fixture.Report("nested.grid[1][2]", nested.grid[1][2])
	fixture.Report("cfg.addr", fmt.Sprintf("%#x", uintptr(unsafe.Pointer(&cfg))))
}

// shape is an interface with a method, so that itabs exist.
type shape interface{ area() float64 }

type square struct{ side float64 }

func (s square) area() float64 { return s.side * s.side }

// Runtime state, kept reachable so that the linker keeps the runtime types it uses in DWARF.
var (
	buffered = make(chan int, 4)
	blocked  = make(chan string)
	shapes   = []shape{square{2}}
	anything = []interface{}{1, "two", square{3}}
	smap     sync.Map
	mu       sync.Mutex
	rw       sync.RWMutex
)

func useRuntimeTypes() {
	buffered <- 1
	go func() { blocked <- "waiting" }() // parks in chansend: a sudog on blocked.recvq's peer queue
	smap.Store("k", 1)
	if v, ok := smap.Load("k"); !ok || v.(int) != 1 {
		fmt.Fprintln(os.Stderr, "sync.Map lost a value")
	}
	mu.Lock()
	mu.Unlock()
	rw.RLock()
	rw.RUnlock()
	rw.Lock()
	rw.Unlock()
	total := 0.0
	for _, s := range shapes {
		total += s.area()
	}
	fixture.Report("area", total)
	fixture.Report("anything", len(anything))
}

func main() {
	reportLayouts()
	useRuntimeTypes()
	// Keep the package-level variables alive and in the binary.
	fixture.Report("vars", fmt.Sprint(padded.b, handlers.name, zero.a, nested.flag, pair.val, empty, optimal.a))
	fixture.Ready()
}
