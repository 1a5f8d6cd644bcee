package inspect

import (
	"encoding/binary"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/layouts"
)

// This file is a small, self-contained reader of runtime type descriptors: just enough to name
// the type a runtime structure points at (hchan.elemtype) through the runtime's own type data,
// without DWARF. A full _type decoder lives elsewhere (inspect/types.go); this one is meant to be
// folded into it.
//
// Runtime facts relied on (src/runtime/type.go 1.19-1.20, src/internal/abi/type.go 1.21-1.27,
// src/runtime/symtab.go; shared/runtime-layouts.md §2.1, §2.5, §2.6):
//   - The type descriptor is runtime._type (1.19-1.20, lower-case fields) or internal/abi.Type
//     (1.21+, capitalised fields). Fields used: size/Size_ (uintptr, the value's size in bytes),
//     ptrdata/PtrBytes (uintptr, bytes of the value that may hold pointers), tflag/TFlag (uint8), kind/Kind_ (uint8, the kind in the low 5 bits; from 1.26 the whole
//     byte), str/Str (nameOff, int32). Field offsets come from DWARF.
//   - str is an offset from the start of the types section of the module that holds the
//     descriptor: the moduledata md with md.types <= addr < md.etypes; modules are chained from
//     runtime.firstmoduledata through moduledata.next (all versions).
//   - A name is a flag byte, a uvarint length, then the bytes (Go 1.17+).
//   - tflag bit 0x2 (tflagExtraStar) means the stored string has a spurious leading '*'.
//
// TestChanTypeNameFacts checks these against the DWARF of every fixture target.

// tflagExtraStar is runtime.tflagExtraStar / internal/abi.TFlagExtraStar (all versions).
const tflagExtraStar = 0x2

// maxTypeNameLen bounds a type name read from the target, in bytes: longer is corrupt.
const maxTypeNameLen = 1 << 16

// maxModules bounds the moduledata list walk (one module per binary, plus plugins).
const maxModules = 1 << 10

// RuntimeType is what this resolver reads of one runtime type descriptor.
type RuntimeType struct {
	// Addr is the address of the descriptor (a *runtime._type / *internal/abi.Type).
	Addr uint64
	// Name is the type's name as reflect's Type.String spells it ("int64", "main.point", "*main.T").
	Name string
	// Size is the size of one value of the type, in bytes.
	Size uint64
	// PtrBytes is ptrdata/PtrBytes: the length of the prefix of a value that holds pointers, in
	// bytes; 0 for pointer-free types.
	PtrBytes uint64
	// Kind is the reflect.Kind number (abi.Kind: 2 int, 6 int64, 25 struct, ...).
	Kind uint8
}

// typeDescriptorLayout returns the layout of the runtime's type descriptor: the type hchan.elemtype
// points to when ptrField is that field, else internal/abi.Type or runtime._type from DWARF.
func (t *Target) typeDescriptorLayout(ptrField *layouts.Field) (*layouts.Layout, error) {
	if ptrField != nil && ptrField.Type != nil {
		if p, ok := godwarf.ResolveTypedef(ptrField.Type).(*godwarf.PtrType); ok {
			return layouts.FromDWARF(p.Type, t.Arch)
		}
	}
	for _, name := range []string{"internal/abi.Type", "runtime._type"} {
		if l, err := t.Layout(name); err == nil {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no runtime type descriptor (internal/abi.Type or runtime._type) in the DWARF of %s", t.Exe)
}

// firstField returns the first of names that l has.
func firstField(l *layouts.Layout, names ...string) (*layouts.Field, error) {
	for _, n := range names {
		if l.Has(n) {
			return l.Field(n)
		}
	}
	return nil, fmt.Errorf("%s has none of the fields %v", l.Name, names)
}

// RuntimeTypeAt reads the runtime type descriptor at addr and resolves its name through the
// module's name data. desc is the descriptor's layout (see typeDescriptorLayout).
func (t *Target) runtimeTypeAt(addr uint64, desc *layouts.Layout) (*RuntimeType, error) {
	if addr == 0 {
		return nil, fmt.Errorf("reading runtime type descriptor: nil pointer")
	}
	buf, err := t.Read("runtime type descriptor "+desc.Name, addr, desc.Size)
	if err != nil {
		return nil, err
	}
	get := func(names ...string) (uint64, error) {
		f, err := firstField(desc, names...)
		if err != nil {
			return 0, err
		}
		return t.Arch.Uint(buf[f.Offset : f.Offset+f.Size]), nil
	}
	size, err := get("size", "Size_")
	if err != nil {
		return nil, err
	}
	ptrBytes, err := get("ptrdata", "PtrBytes")
	if err != nil {
		return nil, err
	}
	tflag, err := get("tflag", "TFlag")
	if err != nil {
		return nil, err
	}
	kind, err := get("kind", "Kind_")
	if err != nil {
		return nil, err
	}
	str, err := get("str", "Str")
	if err != nil {
		return nil, err
	}
	rt := &RuntimeType{Addr: addr, Size: size, PtrBytes: ptrBytes, Kind: uint8(kind) & 0x1f}
	types, err := t.moduleTypesBase(addr)
	if err != nil {
		return rt, err
	}
	name, err := t.readName(types + uint64(int64(int32(uint32(str)))))
	if err != nil {
		return rt, fmt.Errorf("name of runtime type at %#x (str %#x): %v", addr, uint32(str), err)
	}
	if tflag&tflagExtraStar != 0 && len(name) > 0 && name[0] == '*' {
		name = name[1:]
	}
	rt.Name = name
	return rt, nil
}

// moduleTypesBase returns moduledata.types of the module whose [types, etypes) holds addr.
func (t *Target) moduleTypesBase(addr uint64) (uint64, error) {
	md, err := t.Layout("runtime.moduledata")
	if err != nil {
		return 0, err
	}
	first, err := t.Eval("runtime.firstmoduledata", proc.LoadConfig{})
	if err != nil {
		return 0, err
	}
	var types uint64
	found := false
	_, err = WalkList("runtime.moduledata list", first.Addr, maxModules, func(m uint64) (uint64, error) {
		buf, err := t.Read("runtime.moduledata", m, md.Size)
		if err != nil {
			return 0, err
		}
		word := func(name string) (uint64, error) {
			f, err := md.Field(name)
			if err != nil {
				return 0, err
			}
			return t.Arch.Uint(buf[f.Offset : f.Offset+f.Size]), nil
		}
		lo, err := word("types")
		if err != nil {
			return 0, err
		}
		hi, err := word("etypes")
		if err != nil {
			return 0, err
		}
		if lo <= addr && addr < hi {
			types, found = lo, true
			return 0, nil // stop the walk
		}
		return word("next")
	})
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("type descriptor at %#x is in no module's types section (made by reflect at run time, or corrupt)", addr)
	}
	return types, nil
}

// readName reads a runtime name (flag byte, uvarint length, bytes) at addr.
func (t *Target) readName(addr uint64) (string, error) {
	head, err := t.Read("runtime name", addr, 1+binary.MaxVarintLen32)
	if err != nil {
		return "", err
	}
	n, k := binary.Uvarint(head[1:])
	if k <= 0 || n > maxTypeNameLen {
		return "", fmt.Errorf("runtime name at %#x has an implausible length (corrupt?)", addr)
	}
	b, err := t.Read("runtime name", addr+1+uint64(k), int64(n))
	if err != nil {
		return "", err
	}
	return string(b), nil
}
