package layouts

import (
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// Entry is one row of a layout as memlens shows it: a field, possibly inside an expanded nested
// struct or array, a hole, or a marker for array elements left out.
type Entry struct {
	// Depth is 0 for the struct's own fields, 1 for the fields or elements of an expanded field,
	// and so on.
	Depth int
	// Path names the field from the outermost struct: "recvq.first", "arr[1].y".
	Path string
	// Name is the last element of Path: "first", "[1]", or "" for holes.
	Name string
	// TypeName is the field's type as DWARF spells it.
	TypeName string
	// Offset is the byte offset from the start of the outermost struct.
	Offset int64
	// Size and Align are the field's size and alignment in bytes (Align is 0 for holes).
	Size, Align int64
	// Hole is true for padding; Tail for the padding at the end of a struct.
	Hole, Tail bool
	// More is the number of array elements not shown, for the marker row after the last one
	// shown (Offset and Size then cover the elements left out).
	More int64
	// Expanded is true when the rows that follow at Depth+1 are this field's parts.
	Expanded bool
}

// Entries lists the struct's fields and holes in offset order, expanding nested structs and
// arrays depth levels deep (0: only the struct's own fields). Each expanded array shows at most
// maxElems elements followed by a row counting the rest.
func (l *Layout) Entries(depth, maxElems int) []Entry {
	if maxElems < 1 {
		maxElems = 1
	}
	return l.entries(nil, 0, 0, "", depth, maxElems)
}

func (l *Layout) entries(out []Entry, level int, base int64, prefix string, depth, maxElems int) []Entry {
	end := int64(0)
	for _, f := range l.Fields {
		if f.Offset > end {
			out = append(out, Entry{Depth: level, Path: prefix, Offset: base + end, Size: f.Offset - end, Hole: true})
		}
		e := Entry{Depth: level, Path: prefix + f.Name, Name: f.Name, TypeName: f.TypeName,
			Offset: base + f.Offset, Size: f.Size, Align: f.Align}
		i := len(out)
		out = append(out, e)
		if depth > 0 {
			before := len(out)
			out = l.expandField(out, f.Type, f.TypeName, level+1, base+f.Offset, prefix+f.Name, depth-1, maxElems)
			out[i].Expanded = len(out) > before
		}
		if fe := f.Offset + f.Size; fe > end {
			end = fe
		}
	}
	if l.Size > end {
		out = append(out, Entry{Depth: level, Path: prefix, Offset: base + end, Size: l.Size - end, Hole: true, Tail: len(l.Fields) > 0})
	}
	return out
}

// expandField appends the parts of one field: a struct's fields, an array's elements. Types
// from built-in tables have no DWARF type; their nested structs are found by name in the same
// table (l.nested).
func (l *Layout) expandField(out []Entry, typ godwarf.Type, typeName string, level int, base int64, path string, depth, maxElems int) []Entry {
	if typ == nil {
		if l.nested == nil {
			return out
		}
		sub := l.nested(typeName)
		if sub == nil || len(sub.Fields) == 0 {
			return out
		}
		return sub.entries(out, level, base, path+".", depth, maxElems)
	}
	real := godwarf.ResolveTypedef(typ)
	switch t := real.(type) {
	case *godwarf.StructType:
		sub, err := FromDWARF(typ, l.Arch)
		if err != nil || len(sub.Fields) == 0 {
			return out
		}
		return sub.entries(out, level, base, path+".", depth, maxElems)
	case *godwarf.ArrayType:
		elemSize := sizeOf(t.Type, l.Arch)
		elemAlign := AlignOf(t.Type, l.Arch)
		n := t.Count
		if n <= 0 {
			return out
		}
		shown := n
		if shown > int64(maxElems) {
			shown = int64(maxElems)
		}
		for i := int64(0); i < shown; i++ {
			name := fmt.Sprintf("[%d]", i)
			e := Entry{Depth: level, Path: path + name, Name: name, TypeName: TypeName(t.Type),
				Offset: base + i*elemSize, Size: elemSize, Align: elemAlign}
			j := len(out)
			out = append(out, e)
			if depth > 0 {
				before := len(out)
				out = l.expandField(out, t.Type, e.TypeName, level+1, e.Offset, e.Path, depth-1, maxElems)
				out[j].Expanded = len(out) > before
			}
		}
		if shown < n {
			out = append(out, Entry{Depth: level, Path: path, Offset: base + shown*elemSize,
				Size: (n - shown) * elemSize, More: n - shown})
		}
	}
	return out
}
