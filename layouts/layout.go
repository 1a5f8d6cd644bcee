// Package layouts knows where the fields of Go structs lie: names, offsets, sizes, alignment, and
// the holes between them. A layout comes from a target's DWARF (the truth for that binary) or, for
// the runtime structures memlens decodes, from built-in per-Go-version tables that serve when DWARF
// lacks a type and for queries with no binary at all.
//
// layouts reads DWARF types handed to it; it never opens targets or reads memory. It imports only
// arch (and Delve's godwarf for the DWARF type model).
package layouts

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"

	"github.com/memlens/memlens/arch"
)

// Layout is the memory layout of one Go type.
type Layout struct {
	// Name is the type's name as DWARF spells it ("runtime.hchan", "internal/abi.Type").
	Name string
	// Size is the type's size in bytes (unsafe.Sizeof).
	Size int64
	// Align is the type's alignment in bytes (unsafe.Alignof).
	Align int64
	// Fields are the struct's fields in declaration order; empty for non-struct types.
	Fields []Field
	// Arch is the architecture the layout is for.
	Arch *arch.Arch
	// GoMinor is the Go minor version a built-in layout is for (0 for layouts from DWARF).
	GoMinor int

	// nested finds the built-in layout of a field's named struct type, so that layouts from
	// built-in tables can be expanded; nil for layouts from DWARF, whose fields carry their type.
	nested func(typeName string) *Layout
}

// Field is one field of a struct layout.
type Field struct {
	// Name is the field's name ("qcount", "_" for blank fields).
	Name string
	// TypeName is the field's type as DWARF spells it ("uint", "*runtime.sudog").
	TypeName string
	// Offset is the field's byte offset from the start of the struct.
	Offset int64
	// Size is the field's size in bytes.
	Size int64
	// Align is the field's alignment in bytes.
	Align int64
	// Embedded is true for embedded fields.
	Embedded bool
	// Type is the field's DWARF type; nil for layouts from built-in tables.
	Type godwarf.Type `json:"-"`
}

// Field returns the named field, or an error that names the struct and the field.
func (l *Layout) Field(name string) (*Field, error) {
	for i := range l.Fields {
		if l.Fields[i].Name == name {
			return &l.Fields[i], nil
		}
	}
	return nil, fmt.Errorf("%s has no field %q (fields: %s)", l.Name, name, strings.Join(l.FieldNames(), ", "))
}

// Has reports whether the struct has a field with that name. Decoders use it to detect layout
// changes by what the target's own DWARF contains, not by comparing version strings.
func (l *Layout) Has(name string) bool {
	for i := range l.Fields {
		if l.Fields[i].Name == name {
			return true
		}
	}
	return false
}

// Offset returns the byte offset of the named field.
func (l *Layout) Offset(name string) (int64, error) {
	f, err := l.Field(name)
	if err != nil {
		return 0, err
	}
	return f.Offset, nil
}

// Uint reads the named integer field (1, 2, 4 or 8 bytes: integers, bools, pointers, uintptr)
// from buf, the struct's bytes as read from the target, in the layout architecture's byte order.
func (l *Layout) Uint(buf []byte, name string) (uint64, error) {
	f, err := l.Field(name)
	if err != nil {
		return 0, err
	}
	switch f.Size {
	case 1, 2, 4, 8:
	default:
		return 0, fmt.Errorf("%s.%s is %d bytes, not an integer of 1, 2, 4 or 8", l.Name, name, f.Size)
	}
	if f.Offset < 0 || f.Offset+f.Size > int64(len(buf)) {
		return 0, fmt.Errorf("%s.%s lies outside the %d bytes read", l.Name, name, len(buf))
	}
	if l.Arch == nil {
		return 0, fmt.Errorf("layout %s has no architecture to read %s with", l.Name, name)
	}
	return l.Arch.Uint(buf[f.Offset : f.Offset+f.Size]), nil
}

// FieldNames lists the field names in order.
func (l *Layout) FieldNames() []string {
	names := make([]string, len(l.Fields))
	for i, f := range l.Fields {
		names[i] = f.Name
	}
	return names
}

// FromDWARF builds the layout of a DWARF type for architecture a. Typedefs are resolved to the
// struct behind them; the layout keeps the name it was asked for.
func FromDWARF(typ godwarf.Type, a *arch.Arch) (*Layout, error) {
	name := typ.Common().Name
	real := godwarf.ResolveTypedef(typ)
	l := &Layout{Name: name, Size: sizeOf(real, a), Align: AlignOf(real, a), Arch: a}
	st, ok := structOf(real)
	if !ok {
		return l, nil
	}
	if l.Name == "" {
		l.Name = st.StructName
	}
	for _, f := range st.Field {
		l.Fields = append(l.Fields, Field{
			Name:     f.Name,
			TypeName: TypeName(f.Type),
			Offset:   f.ByteOffset,
			Size:     sizeOf(f.Type, a),
			Align:    AlignOf(f.Type, a),
			Embedded: f.Embedded,
			Type:     f.Type,
		})
	}
	return l, nil
}

// TypeName is a DWARF type's name the way Go source spells it: unsafe.Pointer rather than DWARF's
// *void, and anonymous structs as "struct { base uintptr; end uintptr }" rather than Delve's
// "struct struct { runtime.base uintptr; ... }".
func TypeName(t godwarf.Type) string {
	s := t.String()
	s = strings.ReplaceAll(s, "*void", "unsafe.Pointer")
	s = strings.ReplaceAll(s, "struct struct {", "struct {")
	return anonFieldPackage.ReplaceAllString(s, "$1$2")
}

// anonFieldPackage matches the package prefix DWARF puts on the field names of anonymous structs.
var anonFieldPackage = regexp.MustCompile(`([{;] )[\w./]+\.(\w+ )`)

// structOf returns the struct behind types that DWARF models as structs (structs, strings, slices,
// interfaces).
func structOf(t godwarf.Type) (*godwarf.StructType, bool) {
	switch t := t.(type) {
	case *godwarf.StructType:
		return t, true
	case *godwarf.SliceType:
		return &t.StructType, true
	case *godwarf.StringType:
		return &t.StructType, true
	case *godwarf.InterfaceType:
		// An interface is a typedef of runtime.iface or runtime.eface.
		st, ok := godwarf.ResolveTypedef(t.TypedefType.Type).(*godwarf.StructType)
		return st, ok
	}
	return nil, false
}

// sizeOf is the size of a DWARF type in bytes. Go's DWARF gives func types no useful byte size,
// but a func value is one pointer (to its closure).
func sizeOf(t godwarf.Type, a *arch.Arch) int64 {
	t = godwarf.ResolveTypedef(t)
	switch t.(type) {
	case *godwarf.FuncType:
		return int64(a.PtrSize)
	}
	return t.Size()
}

// AlignOf is the alignment Go gives a type on architecture a (the gc compiler's rules, as
// go/types.SizesFor("gc", arch) computes them): basic types align to their size up to the word
// size (complex numbers to their halves), pointer-shaped types to the word, arrays to their
// element, structs to their most aligned field (1 when empty).
func AlignOf(t godwarf.Type, a *arch.Arch) int64 {
	word := int64(a.PtrSize)
	t = godwarf.ResolveTypedef(t)
	switch t := t.(type) {
	case *godwarf.StructType:
		return structAlign(t.Field, a)
	case *godwarf.SliceType, *godwarf.StringType, *godwarf.InterfaceType:
		return word
	case *godwarf.ArrayType:
		return AlignOf(t.Type, a)
	case *godwarf.ComplexType:
		return minInt(t.ByteSize/2, word)
	case *godwarf.PtrType, *godwarf.FuncType, *godwarf.MapType, *godwarf.ChanType, *godwarf.UnsupportedType:
		return word
	}
	c := t.Common()
	switch c.ReflectKind {
	case reflect.Ptr, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func, reflect.String, reflect.Slice, reflect.Interface:
		return word
	}
	if c.ByteSize <= 0 {
		return 1
	}
	return minInt(c.ByteSize, word)
}

func structAlign(fields []*godwarf.StructField, a *arch.Arch) int64 {
	align := int64(1)
	for _, f := range fields {
		if fa := AlignOf(f.Type, a); fa > align {
			align = fa
		}
	}
	return align
}

func minInt(x, y int64) int64 {
	if x < y {
		return x
	}
	return y
}

// Hole is padding the compiler put into a struct: bytes between two fields, or after the last
// field up to the struct's size (tail padding).
type Hole struct {
	// Offset is the byte offset of the first padding byte.
	Offset int64 `json:"offset"`
	// Size is the number of padding bytes.
	Size int64 `json:"size"`
	// After is the name of the field the hole follows ("" when the struct starts with padding,
	// which Go never does).
	After string `json:"after,omitempty"`
	// Tail is true for the padding after the last field.
	Tail bool `json:"tail,omitempty"`
}

// Holes returns the struct's padding in offset order, tail padding included. Fields that overlap
// or lie out of order (which a corrupt table could describe) produce no negative holes.
func (l *Layout) Holes() []Hole {
	var holes []Hole
	end := int64(0)
	after := ""
	for _, f := range l.Fields {
		if f.Offset > end {
			holes = append(holes, Hole{Offset: end, Size: f.Offset - end, After: after})
		}
		if e := f.Offset + f.Size; e > end {
			end = e
		}
		after = f.Name
	}
	if l.Size > end {
		holes = append(holes, Hole{Offset: end, Size: l.Size - end, After: after, Tail: len(l.Fields) > 0})
	}
	return holes
}

// Padding is the total number of padding bytes, tail padding included.
func (l *Layout) Padding() int64 {
	n := int64(0)
	for _, h := range l.Holes() {
		n += h.Size
	}
	return n
}

// CacheLines is the number of cache lines of lineSize bytes one value of the type spans when it
// starts at a cache-line boundary.
func (l *Layout) CacheLines(lineSize int64) int64 {
	if lineSize <= 0 || l.Size <= 0 {
		return 0
	}
	return (l.Size + lineSize - 1) / lineSize
}

// Arrange lays fields out the way the gc compiler does: each field at the next offset that is a
// multiple of its alignment, the struct aligned to its most aligned field, and one byte added
// before the final rounding when a non-empty struct ends in a zero-size field (so that the
// address of that field cannot point at the next object; Go issue 9401). It sets the fields'
// offsets and returns the layout.
func Arrange(name string, fields []Field, a *arch.Arch) *Layout {
	l := &Layout{Name: name, Align: 1, Arch: a, Fields: make([]Field, len(fields))}
	off := int64(0)
	for i, f := range fields {
		if f.Align < 1 {
			f.Align = 1
		}
		off = roundUp(off, f.Align)
		f.Offset = off
		off += f.Size
		if f.Align > l.Align {
			l.Align = f.Align
		}
		l.Fields[i] = f
	}
	if off > 0 && len(fields) > 0 && fields[len(fields)-1].Size == 0 {
		off++
	}
	l.Size = roundUp(off, l.Align)
	return l
}

func roundUp(n, align int64) int64 {
	if align <= 1 {
		return n
	}
	return (n + align - 1) / align * align
}

// Suggest returns the layout with its fields reordered to minimise padding, and the bytes that
// saves. The order is: zero-size fields first (they cost nothing there, and a trailing one costs
// a byte), then by decreasing alignment, keeping the declaration order among equals. It returns
// nil and 0 when the declared order is already as small.
func (l *Layout) Suggest() (*Layout, int64) {
	fields := append([]Field(nil), l.Fields...)
	sort.SliceStable(fields, func(i, j int) bool {
		zi, zj := fields[i].Size == 0, fields[j].Size == 0
		if zi != zj {
			return zi
		}
		return fields[i].Align > fields[j].Align
	})
	better := Arrange(l.Name, fields, l.Arch)
	if better.Size >= l.Size {
		return nil, 0
	}
	return better, l.Size - better.Size
}

// Builtin returns the built-in layout of a runtime type for a Go minor version (19 for Go 1.19)
// and an architecture, for targets whose DWARF lacks the type and for queries with no binary.
func Builtin(name string, goMinor int, a *arch.Arch) (*Layout, error) {
	return builtin(name, goMinor, a)
}
