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
			TypeName: f.Type.String(),
			Offset:   f.ByteOffset,
			Size:     sizeOf(f.Type, a),
			Align:    AlignOf(f.Type, a),
			Embedded: f.Embedded,
			Type:     f.Type,
		})
	}
	return l, nil
}

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
		return t.TypedefType.Type.(*godwarf.StructType), true
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

// Builtin returns the built-in layout of a runtime type for a Go minor version (19 for Go 1.19)
// and an architecture, for targets whose DWARF lacks the type and for queries with no binary.
func Builtin(name string, goMinor int, a *arch.Arch) (*Layout, error) {
	return builtin(name, goMinor, a)
}
