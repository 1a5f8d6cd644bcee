package inspect

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/layouts"
)

// Type is a runtime type descriptor: runtime._type up to Go 1.20, internal/abi.Type from 1.21
// (runtime._type is then an alias). Its name comes from the runtime's own name data, not from
// DWARF, so it is spelled as reflect.Type.String spells it ("*bytes.Buffer", "map[string]int").
type Type struct {
	// Addr is the address of the descriptor.
	Addr uint64
	// Name is the type's string (Str, a nameOff into the module's type data), with the extra
	// leading '*' removed when TFlag has ExtraStar.
	Name string
	// Kind is the kind as reflect.Kind.String spells it ("ptr", "struct", "float64").
	Kind string
	// Size is the size of a value of the type, in bytes (Size_ / size).
	Size uint64
	// PtrBytes is the length in bytes of the prefix of a value that can hold pointers
	// (PtrBytes, ptrdata before 1.21).
	PtrBytes uint64
	// Hash is the type's hash, used by maps and type switches.
	Hash uint32
	// TFlag is the raw tflag byte; TFlagNames names its bits as the target's Go version defines them.
	TFlag      uint8
	TFlagNames []string
	// Align and FieldAlign are the alignments of a variable and of a struct field of the type, in bytes.
	Align, FieldAlign uint8
	// KindByte is the raw kind byte (Kind_): up to Go 1.25 it carries the direct-interface
	// flag (0x20) and, before 1.24, the GC-program flag (0x40) above the kind.
	KindByte uint8
	// DirectIface is true when an interface holding the type stores the value itself in the
	// data word (pointer-shaped types) rather than a pointer to it.
	DirectIface bool
	// Equal is the function comparing two values of the type; nil for incomparable types.
	Equal *Func
	// GCData is the GCData pointer: the pointer bitmask (a GC program when the kind byte has
	// 0x40 before Go 1.24; a **byte when TFlag has GCMaskOnDemand).
	GCData uint64
	// PkgPath and Methods come from the uncommon type (TFlag Uncommon): named types and types
	// with methods. Methods are in the runtime's order (sorted by name, exported ones first).
	PkgPath string
	Methods []Method
	// Len is an array type's length.
	Len uint64
	// Elem is the element type of pointer, slice, array, chan and map types; Key a map's key type.
	Elem, Key *Type
}

// Method is one entry of a type's method table (runtime.method / internal/abi.Method).
type Method struct {
	// Name is the method name; Type the method's func type without the receiver ("func() error").
	Name, Type string
	// Ifn is the code interface calls use (for a value receiver of a non-pointer-shaped type,
	// the (*T).M wrapper); Tfn is the code of a normal call. Unreachable methods, pruned by the
	// linker, have neither.
	Ifn, Tfn Func
}

// Func is a code address with the function symbol it is in.
type Func struct {
	// Name is the function's symbol ("main.(*File).Close"), with "+0x.." when PC is not its
	// entry; empty when PC is 0 or in no known function.
	Name string
	// PC is the code address.
	PC uint64
}

// Kind names, indexed by the kind value (src/runtime/typekind.go 1.19-1.20, internal/abi.Kind
// 1.21+: the same numbers in every version; checked against the DWARF constants by
// TestTypeConstants). They are spelled as reflect.Kind.String spells them.
var kindNames = []string{"invalid", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8",
	"uint16", "uint32", "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "array",
	"chan", "func", "interface", "map", "ptr", "slice", "string", "struct", "unsafe.Pointer"}

// Kind numbers the decoder relies on.
const (
	kindArray     = 17
	kindChan      = 18
	kindFunc      = 19
	kindInterface = 20
	kindMap       = 21
	kindPointer   = 22
	kindSlice     = 23
	kindStruct    = 25

	// kindMask and kindDirectIface split the kind byte up to Go 1.25 (runtime.kindMask,
	// runtime.kindDirectIface; internal/abi.KindMask, KindDirectIface).
	kindMask        = 0x1f
	kindDirectIface = 0x20
)

// tflag bits (runtime.tflag* 1.19-1.20, internal/abi.TFlag* 1.21+). Bit 0x10 is UnrolledBitmap
// in 1.22-1.23 and GCMaskOnDemand from 1.24; 0x20 DirectIface exists from 1.26. Which of them
// the target defines is read from its DWARF constants (see newTypeReader).
const (
	tflagUncommon    = 1 << 0
	tflagExtraStar   = 1 << 1
	tflagDirectIface = 1 << 5
)

// maxMethods bounds method counts read from the target (uncommon mcount, interface methods);
// no real type has this many.
const maxMethods = 1 << 16

// maxNameLen bounds a runtime name's length read from the target.
const maxNameLen = 1 << 20

// maxElemDepth bounds how far Elem/Key chains are followed.
const maxElemDepth = 4

// typeReader decodes the runtime's type data of one target. It is made per command (by
// newTypeReader) and caches what it decoded for that command's life.
type typeReader struct {
	t *Target
	// Layouts from the target's DWARF (names per version: see layoutNamed).
	typ, uncommon, method, imethod, iface, itab *layouts.Layout
	// kindLayouts are the kind-specific descriptors the uncommon type follows, by kind.
	kindLayouts map[int]*layouts.Layout
	// pureKind: the kind byte is the kind alone and direct-interface is in TFlag (Go 1.26+:
	// internal/abi.TFlagDirectIface exists).
	pureKind bool
	// tflagNames names the tflag bits the target defines.
	tflagNames map[uint8]string
	modules    []*module
	types      map[uint64]*Type // decoded with methods
	names      map[uint64]string
	ifaces     map[uint64]*InterfaceType
	// reflectOffs is runtime.reflectOffs.m, loaded on first use.
	reflectOffs map[int32]uint64
}

// module is the part of one runtime.moduledata the type decoder needs.
type module struct {
	// Addr is the address of the moduledata.
	Addr uint64
	// Types and Etypes bound the module's type data: nameOff and typeOff are offsets from Types.
	Types, Etypes uint64
	// Text and Etext bound the module's code: textOff is an offset from Text unless there are
	// several text sections (TextSects).
	Text, Etext uint64
	TextSects   []textSect
	// Typelinks (Go up to 1.26) is the address and length of the []int32 of type offsets.
	Typelinks, TypelinksLen uint64
	HasTypelinks            bool
	// Itablinks (Go up to 1.26) is the address and length of the []*itab the linker laid out.
	Itablinks, ItablinksLen uint64
	HasItablinks            bool
	// TypeDescLen (Go 1.27) is the length of the contiguous type descriptors after Types;
	// ItabOffset and ItabSize (Go 1.27) place the linker's itabs at Types+ItabOffset.
	TypeDescLen, ItabOffset, ItabSize uint64
	HasItabOffset                     bool
}

// textSect is a runtime.textsect: one text section of a module with several.
type textSect struct{ Vaddr, End, Baseaddr uint64 }

// layoutNamed returns the layout of the first of names the target's DWARF has. Type names move
// across versions (runtime._type -> internal/abi.Type in 1.21; runtime.itab -> internal/abi.ITab
// in 1.23), so the decoder asks which one exists.
func (t *Target) layoutNamed(names ...string) (*layouts.Layout, error) {
	for _, n := range names {
		if _, err := t.bi.FindType(n); err == nil {
			return t.Layout(n)
		}
	}
	l, err := t.Layout(names[0])
	if err != nil {
		return nil, fmt.Errorf("none of the types %s is in the DWARF of %s: %v", strings.Join(names, ", "), t.Exe, err)
	}
	return l, nil
}

// fieldOffset returns the offset of the first of names the layout has (runtime's lower-case
// names up to 1.20, internal/abi's capitalised ones after).
func fieldOffset(l *layouts.Layout, names ...string) (int64, error) {
	for _, n := range names {
		if l.Has(n) {
			return l.Offset(n)
		}
	}
	return 0, fmt.Errorf("%s has none of the fields %s", l.Name, strings.Join(names, ", "))
}

// Constant returns the value of a constant the target's DWARF defines
// ("internal/abi.TFlagDirectIface", "runtime.kindMask"), and whether it is defined.
func (t *Target) Constant(name string) (int64, bool) {
	if t.proc == nil {
		return 0, false
	}
	// Delve wants a package path with slashes quoted: "internal/abi".TFlagDirectIface.
	expr := name
	if i := strings.LastIndex(name, "."); i > 0 && strings.Contains(name[:i], "/") {
		expr = fmt.Sprintf("%q%s", name[:i], name[i:])
	}
	v, err := t.Eval(expr, proc.LoadConfig{})
	if err != nil || v.Value == nil {
		return 0, false
	}
	var n int64
	if _, err := fmt.Sscan(v.Value.String(), &n); err != nil {
		return 0, false
	}
	return n, true
}

// newTypeReader reads the layouts and module list the type decoder needs.
func (t *Target) newTypeReader() (*typeReader, error) {
	if !t.HasMemory() {
		return nil, userErr("reading the runtime's type data needs a live process (--pid) or a core dump (--core); %s alone has no memory", t.Exe)
	}
	r := &typeReader{t: t, types: map[uint64]*Type{}, names: map[uint64]string{}, ifaces: map[uint64]*InterfaceType{},
		kindLayouts: map[int]*layouts.Layout{}}
	var err error
	if r.typ, err = t.layoutNamed("internal/abi.Type", "runtime._type"); err != nil {
		return nil, err
	}
	if r.uncommon, err = t.layoutNamed("internal/abi.UncommonType", "runtime.uncommontype"); err != nil {
		return nil, err
	}
	if r.method, err = t.layoutNamed("internal/abi.Method", "runtime.method"); err != nil {
		return nil, err
	}
	if r.imethod, err = t.layoutNamed("internal/abi.Imethod", "runtime.imethod"); err != nil {
		return nil, err
	}
	if r.iface, err = t.layoutNamed("internal/abi.InterfaceType", "runtime.interfacetype"); err != nil {
		return nil, err
	}
	if r.itab, err = t.layoutNamed("internal/abi.ITab", "runtime.itab"); err != nil {
		return nil, err
	}
	kinds := map[int][]string{
		kindPointer:   {"internal/abi.PtrType", "runtime.ptrtype"},
		kindSlice:     {"internal/abi.SliceType", "runtime.slicetype"},
		kindArray:     {"internal/abi.ArrayType", "runtime.arraytype"},
		kindChan:      {"internal/abi.ChanType", "runtime.chantype"},
		kindStruct:    {"internal/abi.StructType", "runtime.structtype"},
		kindFunc:      {"internal/abi.FuncType", "runtime.functype"},
		kindInterface: {"internal/abi.InterfaceType", "runtime.interfacetype"},
		// Maps: bucket maps are runtime.maptype (1.19-1.20) and internal/abi.MapType (1.21-1.23);
		// Swiss maps are internal/abi.SwissMapType (1.24-1.25) and internal/abi.MapType (1.26+).
		kindMap: {"internal/abi.MapType", "internal/abi.SwissMapType", "internal/abi.OldMapType", "runtime.maptype"},
	}
	for k, names := range kinds {
		if l, err := t.layoutNamed(names...); err == nil {
			r.kindLayouts[k] = l
		}
	}
	// Go 1.26 moved the direct-interface flag from the kind byte to TFlag: decided by whether the
	// target defines internal/abi.TFlagDirectIface.
	if v, ok := t.Constant("internal/abi.TFlagDirectIface"); ok && v == tflagDirectIface {
		r.pureKind = true
	} else if !ok && t.proc == nil && t.GoMinor >= 26 {
		r.pureKind = true
	}
	r.tflagNames = map[uint8]string{1: "Uncommon", 2: "ExtraStar", 4: "Named", 8: "RegularMemory"}
	if _, ok := t.Constant("internal/abi.TFlagGCMaskOnDemand"); ok {
		r.tflagNames[0x10] = "GCMaskOnDemand"
	} else if _, ok := t.Constant("internal/abi.TFlagUnrolledBitmap"); ok {
		r.tflagNames[0x10] = "UnrolledBitmap"
	}
	if r.pureKind {
		r.tflagNames[tflagDirectIface] = "DirectIface"
	}
	if err := r.readModules(); err != nil {
		return nil, err
	}
	return r, nil
}

// addrOf returns the address of a global variable of the target.
func (t *Target) addrOf(name string) (uint64, error) {
	// Delve wants a package path with slashes quoted: "internal/abi".TFlagDirectIface.
	expr := name
	if i := strings.LastIndex(name, "."); i > 0 && strings.Contains(name[:i], "/") {
		expr = fmt.Sprintf("%q%s", name[:i], name[i:])
	}
	v, err := t.Eval(expr, proc.LoadConfig{})
	if err != nil {
		return 0, err
	}
	if v.Addr == 0 {
		return 0, fmt.Errorf("%s has no address in %s", name, t.Exe)
	}
	return v.Addr, nil
}

// readModules decodes the module list from runtime.firstmoduledata through moduledata.next.
func (r *typeReader) readModules() error {
	t := r.t
	l, err := t.Layout("runtime.moduledata")
	if err != nil {
		return err
	}
	first, err := t.addrOf("runtime.firstmoduledata")
	if err != nil {
		return err
	}
	word := int64(t.Arch.PtrSize)
	var readErr error
	_, walkErr := WalkList("runtime.moduledata list", first, 64, func(addr uint64) (uint64, error) {
		buf, err := t.Read("runtime.moduledata", addr, l.Size)
		if err != nil {
			return 0, err
		}
		get := func(name string, extra int64) uint64 {
			f, err := l.Field(name)
			if err != nil {
				readErr = err
				return 0
			}
			return t.Arch.Uint(buf[f.Offset+extra : f.Offset+extra+word])
		}
		m := &module{Addr: addr,
			Types: get("types", 0), Etypes: get("etypes", 0), Text: get("text", 0), Etext: get("etext", 0)}
		// typelinks and itablinks ([]int32, []*itab) exist up to Go 1.26; Go 1.27 replaced them
		// by typedesclen and itaboffset/itabsize.
		if l.Has("typelinks") {
			m.HasTypelinks = true
			m.Typelinks, m.TypelinksLen = get("typelinks", 0), get("typelinks", word)
		}
		if l.Has("itablinks") {
			m.HasItablinks = true
			m.Itablinks, m.ItablinksLen = get("itablinks", 0), get("itablinks", word)
		}
		if l.Has("itaboffset") {
			m.HasItabOffset = true
			m.ItabOffset, m.ItabSize = get("itaboffset", 0), get("itabsize", 0)
			m.TypeDescLen = get("typedesclen", 0)
		}
		sects, n := get("textsectmap", 0), get("textsectmap", word)
		if readErr != nil {
			return 0, readErr
		}
		if n > 1 {
			if n > 1024 {
				return 0, fmt.Errorf("runtime.moduledata at %#x: textsectmap has %d entries (corrupt?)", addr, n)
			}
			b, err := t.Read("runtime.moduledata.textsectmap", sects, int64(n)*3*word)
			if err != nil {
				return 0, err
			}
			for i := int64(0); i < int64(n); i++ {
				e := b[i*3*word:]
				m.TextSects = append(m.TextSects, textSect{Vaddr: t.Arch.Uint(e[:word]), End: t.Arch.Uint(e[word : 2*word]), Baseaddr: t.Arch.Uint(e[2*word : 3*word])})
			}
		}
		r.modules = append(r.modules, m)
		return get("next", 0), readErr
	})
	if walkErr != nil {
		return walkErr
	}
	if len(r.modules) == 0 {
		return fmt.Errorf("runtime.firstmoduledata at %#x: no modules", first)
	}
	return nil
}

// moduleOf returns the module whose type data holds addr, or nil (a type built by reflect at
// run time, or a bad address).
func (r *typeReader) moduleOf(addr uint64) *module {
	for _, m := range r.modules {
		if addr >= m.Types && addr < m.Etypes {
			return m
		}
	}
	return nil
}

// resolveOff turns a nameOff or typeOff stored in the descriptor at base into an address
// (runtime.resolveNameOff / resolveTypeOff): the start of base's module's type data plus off.
// Descriptors outside every module (made by reflect at run time) use ids into
// runtime.reflectOffs, which memlens does not follow.
func (r *typeReader) resolveOff(what string, base uint64, off int32) (uint64, error) {
	m := r.moduleOf(base)
	if m == nil {
		// A descriptor reflect built at run time (StructOf, PointerTo of a type whose pointer
		// type the binary lacks, ...): its offsets are ids into runtime.reflectOffs.m.
		if addr, ok := r.reflectOff(off); ok {
			return addr, nil
		}
		return 0, fmt.Errorf("%s %d of the descriptor at %#x: the descriptor is in no module's type data and runtime.reflectOffs has no entry for it", what, off, base)
	}
	addr := m.Types + uint64(int64(off))
	if off < 0 || addr >= m.Etypes {
		return 0, fmt.Errorf("%s %d of the descriptor at %#x is outside its module's type data [%#x, %#x)", what, off, base, m.Types, m.Etypes)
	}
	return addr, nil
}

// maxReflectOffs bounds how many entries of runtime.reflectOffs.m are loaded.
const maxReflectOffs = 1 << 16

// reflectOff looks up a run-time id in runtime.reflectOffs.m (map[int32]unsafe.Pointer, filled
// by reflect.addReflectOff for names and types reflect creates; the same in Go 1.19-1.27). The
// map is loaded once, through Delve, on first use.
func (r *typeReader) reflectOff(off int32) (uint64, bool) {
	if r.reflectOffs == nil {
		r.reflectOffs = map[int32]uint64{}
		v, err := r.t.Eval("runtime.reflectOffs.m", proc.LoadConfig{MaxArrayValues: maxReflectOffs, MaxVariableRecurse: 1})
		if err != nil {
			return 0, false
		}
		for i := 0; i+1 < len(v.Children); i += 2 {
			k, val := v.Children[i], v.Children[i+1]
			id, ok := k.Value.(interface{ String() string })
			if !ok || k.Value == nil {
				continue
			}
			var n int64
			if _, err := fmt.Sscan(id.String(), &n); err != nil {
				continue
			}
			p := val.Base
			if len(val.Children) == 1 {
				p = val.Children[0].Addr
			}
			r.reflectOffs[int32(n)] = p
		}
	}
	p, ok := r.reflectOffs[off]
	return p, ok && p != 0
}

// resolveTextOff turns a textOff stored in the descriptor at base into a code address
// ((*moduledata).textAddr): Text plus off, or through the text section map when the module has
// several text sections. -1 marks a method the linker found unreachable: it returns 0.
func (r *typeReader) resolveTextOff(base uint64, off int32) (uint64, error) {
	if off == -1 {
		return 0, nil
	}
	m := r.moduleOf(base)
	if m == nil {
		return 0, fmt.Errorf("text offset of the descriptor at %#x: the descriptor is in no module's type data", base)
	}
	u := uint64(uint32(off))
	if len(m.TextSects) > 1 {
		for _, s := range m.TextSects {
			if u >= s.Vaddr && u < s.End {
				return s.Baseaddr + u - s.Vaddr, nil
			}
		}
		return 0, fmt.Errorf("text offset %#x of the descriptor at %#x is in no text section", u, base)
	}
	return m.Text + u, nil
}

// funcAt names the function that holds pc.
func (t *Target) funcAt(pc uint64) Func {
	f := Func{PC: pc}
	if pc == 0 {
		return f
	}
	if fn := t.bi.PCToFunc(pc); fn != nil {
		f.Name = fn.Name
		if pc != fn.Entry {
			f.Name += fmt.Sprintf("+%#x", pc-fn.Entry)
		}
	}
	return f
}

// rtName is a decoded runtime name (abi.Name; runtime.name before 1.21).
type rtName struct {
	Name, Tag string
	// Exported and Embedded are the flag bits 1<<0 and 1<<3.
	Exported, Embedded bool
	// PkgPathOff is the nameOff of the package path, when flag bit 1<<2 says one follows.
	PkgPathOff int32
	HasPkgPath bool
	headerLen  int
}

// decodeName decodes an encoded runtime name from b (src/internal/abi/type.go, type Name; the
// same encoding since Go 1.17): a flag byte (1<<0 exported, 1<<1 tag follows, 1<<2 package
// path nameOff follows, 1<<3 embedded), the name's length as a uvarint, the name, then the
// tag's uvarint length and bytes, then the 4-byte package path nameOff. b may hold only the
// flag byte and the length (then Name is empty and headerLen/length say how much to read).
// It fails on a truncated or overlong length.
func decodeName(b []byte, order binary.ByteOrder) (n rtName, length int, err error) {
	if len(b) < 2 {
		return n, 0, fmt.Errorf("runtime name: %d bytes, need at least 2", len(b))
	}
	flags := b[0]
	l, k := binary.Uvarint(b[1:])
	if k <= 0 {
		return n, 0, fmt.Errorf("runtime name: bad length varint % x", b[1:minInt(len(b), 11)])
	}
	if l > maxNameLen {
		return n, 0, fmt.Errorf("runtime name: length %d is too long (corrupt?)", l)
	}
	n.Exported, n.Embedded = flags&1 != 0, flags&8 != 0
	n.headerLen = 1 + k
	length = int(l)
	rest := b[n.headerLen:]
	if len(rest) < length {
		return n, length, nil
	}
	n.Name = string(rest[:length])
	rest = rest[length:]
	if flags&2 != 0 {
		tl, tk := binary.Uvarint(rest)
		if tk <= 0 || tl > uint64(len(rest)-tk) {
			return n, length, nil
		}
		n.Tag = string(rest[tk : tk+int(tl)])
		rest = rest[tk+int(tl):]
	}
	if flags&4 != 0 && len(rest) >= 4 {
		n.HasPkgPath = true
		n.PkgPathOff = int32(order.Uint32(rest[:4]))
	}
	return n, length, nil
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// readName reads the runtime name at addr: its header first, then the name's bytes.
func (r *typeReader) readName(addr uint64) (string, error) {
	if s, ok := r.names[addr]; ok {
		return s, nil
	}
	hdr, err := r.t.Read("runtime name header", addr, 12)
	if err != nil {
		// The name may end a mapping: the flag byte and a one- or two-byte length.
		if hdr, err = r.t.Read("runtime name header", addr, 3); err != nil {
			return "", err
		}
	}
	n, length, err := decodeName(hdr, r.t.Arch.ByteOrder)
	if err != nil {
		return "", fmt.Errorf("name at %#x: %v", addr, err)
	}
	b, err := r.t.Read("runtime name", addr+uint64(n.headerLen), int64(length))
	if err != nil {
		return "", err
	}
	r.names[addr] = string(b)
	return string(b), nil
}

// nameAtOff reads the name at a nameOff of the descriptor at base.
func (r *typeReader) nameAtOff(base uint64, off int32) (string, error) {
	if off == 0 {
		return "", nil
	}
	addr, err := r.resolveOff("name offset", base, off)
	if err != nil {
		return "", err
	}
	return r.readName(addr)
}

// decodeHeader decodes the common descriptor at addr (name, kind, size, flags), without
// methods or element types.
func (r *typeReader) decodeHeader(addr uint64) (*Type, error) {
	if addr == 0 {
		return nil, fmt.Errorf("reading type descriptor: nil pointer")
	}
	t := r.t
	l := r.typ
	buf, err := t.Read(l.Name, addr, l.Size)
	if err != nil {
		return nil, err
	}
	field := func(names ...string) uint64 {
		for _, n := range names {
			if f, err := l.Field(n); err == nil {
				return t.Arch.Uint(buf[f.Offset : f.Offset+f.Size])
			}
		}
		return 0
	}
	for _, names := range [][2]string{{"size", "Size_"}, {"kind", "Kind_"}, {"tflag", "TFlag"}, {"str", "Str"}} {
		if !l.Has(names[0]) && !l.Has(names[1]) {
			return nil, fmt.Errorf("%s in %s has no field %s or %s; this Go version's type descriptor is not supported", l.Name, t.Exe, names[0], names[1])
		}
	}
	ty := &Type{Addr: addr,
		Size: field("size", "Size_"), PtrBytes: field("ptrdata", "PtrBytes"), Hash: uint32(field("hash", "Hash")),
		TFlag: uint8(field("tflag", "TFlag")), Align: uint8(field("align", "Align_")), FieldAlign: uint8(field("fieldAlign", "FieldAlign_")),
		KindByte: uint8(field("kind", "Kind_")), GCData: field("gcdata", "GCData")}
	kind := int(ty.KindByte)
	if r.pureKind {
		ty.DirectIface = ty.TFlag&tflagDirectIface != 0
	} else {
		kind &= kindMask
		ty.DirectIface = ty.KindByte&kindDirectIface != 0
	}
	if kind < len(kindNames) {
		ty.Kind = kindNames[kind]
	} else {
		ty.Kind = fmt.Sprintf("kind(%d)", kind)
	}
	for bit := uint8(1); bit != 0; bit <<= 1 {
		if ty.TFlag&bit == 0 {
			continue
		}
		if name, ok := r.tflagNames[bit]; ok {
			ty.TFlagNames = append(ty.TFlagNames, name)
		} else {
			ty.TFlagNames = append(ty.TFlagNames, fmt.Sprintf("%#x", bit))
		}
	}
	if eq := field("equal", "Equal"); eq != 0 {
		// Equal is a func value: a pointer to a funcval whose first word is the code address.
		pc, err := t.ReadPtr(l.Name+".Equal funcval", eq)
		if err != nil {
			return nil, err
		}
		f := t.funcAt(pc)
		ty.Equal = &f
	}
	name, err := r.nameAtOff(addr, int32(field("str", "Str")))
	if err != nil {
		return nil, fmt.Errorf("name of the type descriptor at %#x: %v", addr, err)
	}
	if ty.TFlag&tflagExtraStar != 0 && strings.HasPrefix(name, "*") {
		name = name[1:]
	}
	ty.Name = name
	return ty, nil
}

// kindNumber is the kind value of a decoded type.
func kindNumber(ty *Type) int {
	for i, n := range kindNames {
		if n == ty.Kind {
			return i
		}
	}
	return -1
}

// decodeType decodes the descriptor at addr with its uncommon type (package path, methods)
// and its element and key types, followed depth levels deep.
func (r *typeReader) decodeType(addr uint64, depth int) (*Type, error) {
	if ty, ok := r.types[addr]; ok {
		return ty, nil
	}
	ty, err := r.decodeHeader(addr)
	if err != nil {
		return nil, err
	}
	r.types[addr] = ty
	kl := r.kindLayouts[kindNumber(ty)]
	if kl != nil && depth > 0 {
		elem := func(names ...string) (*Type, error) {
			off, err := fieldOffset(kl, names...)
			if err != nil {
				return nil, err
			}
			p, err := r.t.ReadPtr(kl.Name+"."+names[1], addr+uint64(off))
			if err != nil || p == 0 {
				return nil, err
			}
			return r.decodeType(p, depth-1)
		}
		switch kindNumber(ty) {
		case kindPointer, kindSlice, kindArray, kindChan:
			if ty.Elem, err = elem("elem", "Elem"); err != nil {
				return nil, err
			}
			if kindNumber(ty) == kindArray {
				off, err := fieldOffset(kl, "len", "Len")
				if err != nil {
					return nil, err
				}
				if ty.Len, err = r.t.ReadPtr(kl.Name+".Len", addr+uint64(off)); err != nil {
					return nil, err
				}
			}
		case kindMap:
			if ty.Key, err = elem("key", "Key"); err != nil {
				return nil, err
			}
			if ty.Elem, err = elem("elem", "Elem"); err != nil {
				return nil, err
			}
		}
	}
	if ty.TFlag&tflagUncommon != 0 {
		if err := r.decodeUncommon(ty); err != nil {
			return nil, err
		}
	}
	return ty, nil
}

// uncommonAddr is where the uncommon type of ty lies: right after its kind-specific descriptor
// ((*abi.Type).Uncommon; (*_type).uncommon before 1.21).
func (r *typeReader) uncommonAddr(ty *Type) (uint64, error) {
	size := r.typ.Size
	switch k := kindNumber(ty); k {
	case kindPointer, kindSlice, kindArray, kindChan, kindStruct, kindFunc, kindInterface, kindMap:
		kl := r.kindLayouts[k]
		if kl == nil {
			return 0, fmt.Errorf("the DWARF of %s has no descriptor type for %s types; cannot find the uncommon type of %s", r.t.Exe, ty.Kind, ty.Name)
		}
		size = kl.Size
	}
	return ty.Addr + uint64(size), nil
}

// decodeUncommon reads ty's uncommon type: package path and method table.
func (r *typeReader) decodeUncommon(ty *Type) error {
	t := r.t
	ua, err := r.uncommonAddr(ty)
	if err != nil {
		return err
	}
	ul := r.uncommon
	ub, err := t.Read(ul.Name, ua, ul.Size)
	if err != nil {
		return err
	}
	get := func(names ...string) (uint64, error) {
		for _, n := range names {
			if f, err := ul.Field(n); err == nil {
				return t.Arch.Uint(ub[f.Offset : f.Offset+f.Size]), nil
			}
		}
		return 0, fmt.Errorf("%s has none of the fields %s", ul.Name, strings.Join(names, ", "))
	}
	pkg, err := get("pkgpath", "PkgPath")
	if err != nil {
		return err
	}
	mcount, err := get("mcount", "Mcount")
	if err != nil {
		return err
	}
	moff, err := get("moff", "Moff")
	if err != nil {
		return err
	}
	if ty.PkgPath, err = r.nameAtOff(ty.Addr, int32(pkg)); err != nil {
		return fmt.Errorf("package path of %s: %v", ty.Name, err)
	}
	if mcount == 0 {
		return nil
	}
	if mcount > maxMethods || moff > 1<<20 {
		return fmt.Errorf("%s of %s at %#x: %d methods at offset %d (corrupt?)", ul.Name, ty.Name, ua, mcount, moff)
	}
	ml := r.method
	mb, err := t.Read(ml.Name+" table", ua+moff, int64(mcount)*ml.Size)
	if err != nil {
		return err
	}
	offs := map[string]int64{}
	for _, names := range [][2]string{{"name", "Name"}, {"mtyp", "Mtyp"}, {"ifn", "Ifn"}, {"tfn", "Tfn"}} {
		off, err := fieldOffset(ml, names[0], names[1])
		if err != nil {
			return err
		}
		offs[names[1]] = off
	}
	i32 := func(b []byte, off int64) int32 { return int32(t.Arch.ByteOrder.Uint32(b[off : off+4])) }
	for i := int64(0); i < int64(mcount); i++ {
		b := mb[i*ml.Size : (i+1)*ml.Size]
		m := Method{}
		if m.Name, err = r.nameAtOff(ty.Addr, i32(b, offs["Name"])); err != nil {
			return fmt.Errorf("method %d of %s: %v", i, ty.Name, err)
		}
		if mt := i32(b, offs["Mtyp"]); mt != 0 && mt != -1 {
			if ma, err := r.resolveOff("method type offset", ty.Addr, mt); err == nil {
				if mty, err := r.decodeHeader(ma); err == nil {
					m.Type = mty.Name
				}
			}
		}
		ifn, err := r.resolveTextOff(ty.Addr, i32(b, offs["Ifn"]))
		if err != nil {
			return err
		}
		tfn, err := r.resolveTextOff(ty.Addr, i32(b, offs["Tfn"]))
		if err != nil {
			return err
		}
		m.Ifn, m.Tfn = t.funcAt(ifn), t.funcAt(tfn)
		ty.Methods = append(ty.Methods, m)
	}
	return nil
}

// TypeAt decodes the type descriptor at addr, with its methods and element types.
func (t *Target) TypeAt(addr uint64) (*Type, error) {
	r, err := t.newTypeReader()
	if err != nil {
		return nil, err
	}
	return r.decodeType(addr, maxElemDepth)
}

// TypeByName finds the descriptor of the type DWARF calls name ("main.T", "[]main.Point",
// "map[string]int") and decodes it. It asks DWARF's DW_AT_go_runtime_type attribute (the
// descriptor's offset from the module's types) first; failing that it searches the module's own
// list of types (typelinks up to Go 1.26, the contiguous descriptors in Go 1.27) for a type
// whose runtime name is name.
func (t *Target) TypeByName(name string) (*Type, error) {
	r, err := t.newTypeReader()
	if err != nil {
		return nil, err
	}
	if addr, ok := r.runtimeTypeFromDWARF(name); ok {
		return r.decodeType(addr, maxElemDepth)
	}
	addr, err := r.searchModuleTypes(name)
	if err != nil {
		return nil, err
	}
	if addr == 0 {
		return nil, userErr("type %s not found: it is not in the DWARF of %s with a runtime type, nor in the module's type list (the compiler makes a descriptor only for types that reach an interface or reflect)", name, t.Exe)
	}
	return r.decodeType(addr, maxElemDepth)
}

// TypeInModules finds a type by its runtime name ("main.T", "*bytes.Buffer") in the modules'
// own type lists only (typelinks up to Go 1.26, the contiguous descriptors of Go 1.27), without
// asking DWARF. It returns a TargetError when no module has the type.
func (t *Target) TypeInModules(name string) (*Type, error) {
	r, err := t.newTypeReader()
	if err != nil {
		return nil, err
	}
	addr, err := r.searchModuleTypes(name)
	if err != nil {
		return nil, err
	}
	if addr == 0 {
		return nil, userErr("type %s is in no module's type list of %s", name, t.Exe)
	}
	return r.decodeType(addr, maxElemDepth)
}

// runtimeTypeFromDWARF returns the descriptor address DWARF records for the named type: the
// DW_AT_go_runtime_type attribute (Go extension 0x2904) is an offset from the first module's
// types (as Delve's proc.dwarfToRuntimeType reads it).
func (r *typeReader) runtimeTypeFromDWARF(name string) (uint64, bool) {
	typ, err := r.t.bi.FindType(name)
	if err != nil || len(r.t.bi.Images) == 0 {
		return 0, false
	}
	rdr := r.t.bi.Images[0].DwarfReader()
	rdr.Seek(typ.Common().Offset)
	e, err := rdr.Next()
	if err != nil || e == nil {
		return 0, false
	}
	off, ok := e.Val(godwarf.AttrGoRuntimeType).(uint64)
	if !ok || off == 0 {
		return 0, false
	}
	m := r.modules[0]
	if m.Types+off >= m.Etypes {
		return 0, false
	}
	return m.Types + off, true
}

// maxTypes bounds the number of type descriptors one module's list is searched for.
const maxTypes = 1 << 22

// searchModuleTypes looks for a type whose runtime name is name in every module's type list:
// moduledata.typelinks (offsets from types, up to Go 1.26) or, in Go 1.27, the descriptors laid
// out one after another from types+PtrSize to types+typedesclen. Both list unnamed types only,
// so a named type is found through its pointer type; a named type whose pointer type the
// program never uses is not found this way.
func (r *typeReader) searchModuleTypes(name string) (uint64, error) {
	for _, m := range r.modules {
		addrs, err := r.moduleTypes(m)
		if err != nil {
			return 0, err
		}
		for _, a := range addrs {
			ty, err := r.decodeHeader(a)
			if err != nil {
				continue
			}
			if ty.Name == name {
				return a, nil
			}
			// The lists hold unnamed types only (what reflect's PtrTo, SliceOf... look up); a
			// named type T is found as the element of *T.
			if ty.Kind == "ptr" && ty.Name == "*"+name {
				full, err := r.decodeType(a, 1)
				if err == nil && full.Elem != nil {
					return full.Elem.Addr, nil
				}
			}
		}
	}
	return 0, nil
}

// moduleTypes lists the descriptors of a module's type list.
func (r *typeReader) moduleTypes(m *module) ([]uint64, error) {
	t := r.t
	var out []uint64
	switch {
	case m.HasTypelinks:
		if m.TypelinksLen > maxTypes {
			return nil, fmt.Errorf("runtime.moduledata at %#x: %d typelinks (corrupt?)", m.Addr, m.TypelinksLen)
		}
		b, err := t.Read("runtime.moduledata.typelinks", m.Typelinks, int64(m.TypelinksLen)*4)
		if err != nil {
			return nil, err
		}
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, m.Types+uint64(t.Arch.ByteOrder.Uint32(b[i:])))
		}
	case m.HasItabOffset:
		word := uint64(t.Arch.PtrSize)
		end := m.Types + m.TypeDescLen
		if end > m.Etypes || m.TypeDescLen > MaxRead {
			return nil, fmt.Errorf("runtime.moduledata at %#x: typedesclen %#x is beyond the type data (corrupt?)", m.Addr, m.TypeDescLen)
		}
		for p := m.Types + word; p < end && len(out) < maxTypes; {
			p = (p + word - 1) &^ (word - 1)
			size, err := r.descriptorSize(p)
			if err != nil {
				return out, err
			}
			out = append(out, p)
			p += size
		}
	}
	return out, nil
}

// descriptorSize is the size of the whole descriptor at addr as Go 1.27 lays descriptors out
// ((*abi.Type).DescriptorSize): the kind-specific descriptor, the uncommon type, the kind's
// trailing data (func parameter types, interface methods, struct fields) and the method table.
func (r *typeReader) descriptorSize(addr uint64) (uint64, error) {
	t := r.t
	ty, err := r.decodeHeader(addr)
	if err != nil {
		return 0, err
	}
	word := uint64(t.Arch.PtrSize)
	k := kindNumber(ty)
	size := uint64(r.typ.Size)
	var add uint64
	if kl := r.kindLayouts[k]; kl != nil {
		size = uint64(kl.Size)
		switch k {
		case kindFunc:
			in, err1 := fieldOffset(kl, "inCount", "InCount")
			out, err2 := fieldOffset(kl, "outCount", "OutCount")
			if err1 != nil || err2 != nil {
				return 0, fmt.Errorf("%s lacks InCount/OutCount", kl.Name)
			}
			b, err := t.Read(kl.Name, addr+uint64(in), 2)
			if err != nil {
				return 0, err
			}
			c, err := t.Read(kl.Name, addr+uint64(out), 2)
			if err != nil {
				return 0, err
			}
			add = uint64(t.Arch.ByteOrder.Uint16(b)+t.Arch.ByteOrder.Uint16(c)&0x7fff) * word
		case kindInterface, kindStruct:
			off, err := fieldOffset(kl, "Methods", "Fields", "mhdr", "fields")
			if err != nil {
				return 0, err
			}
			n, err := t.ReadPtr(kl.Name+" slice length", addr+uint64(off)+word)
			if err != nil {
				return 0, err
			}
			elem := uint64(r.imethod.Size)
			if k == kindStruct {
				elem = 3 * word // abi.StructField{Name, Typ, Offset}
			}
			if n > maxMethods {
				return 0, fmt.Errorf("%s at %#x: %d entries (corrupt?)", kl.Name, addr, n)
			}
			add = n * elem
		}
	} else if k < 0 || k == 0 || k > 26 {
		return 0, fmt.Errorf("type descriptor at %#x has bad kind %s", addr, ty.Kind)
	}
	if ty.TFlag&tflagUncommon != 0 {
		ua := addr + size
		mc, err := fieldOffset(r.uncommon, "mcount", "Mcount")
		if err != nil {
			return 0, err
		}
		b, err := t.Read(r.uncommon.Name, ua+uint64(mc), 2)
		if err != nil {
			return 0, err
		}
		size += uint64(r.uncommon.Size) + uint64(t.Arch.ByteOrder.Uint16(b))*uint64(r.method.Size)
	}
	return size + add, nil
}
