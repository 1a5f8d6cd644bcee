package inspect

import (
	"fmt"
	"sort"
)

// Itab is an interface table: runtime.itab up to Go 1.22, internal/abi.ITab from 1.23
// (runtime.itab is then an alias). It pairs an interface type with a concrete type and holds the
// code address of each of the interface's methods for that type: an interface method call loads
// the itab from the interface's first word, then Fun[k] from the itab, then calls it.
type Itab struct {
	// Addr is the address of the itab.
	Addr uint64
	// Interface is the interface type (Inter / inter).
	Interface *InterfaceType
	// Type is the concrete type (Type / _type), decoded without methods or element types.
	Type *Type
	// Hash is a copy of Type.Hash, used by type switches; 0 in itabs the runtime built
	// (getitab sets it to 0: such itabs never take part in type switches).
	Hash uint32
	// Implements is false for the runtime's negative cache entries: Fun[0] == 0 means Type does
	// not implement Interface (a failed type assertion put it in runtime.itabTable).
	Implements bool
	// Methods are the Fun entries, one per interface method in the interface's order (sorted by
	// name); empty when Implements is false.
	Methods []ItabMethod
	// InModule is true when the linker laid the itab out in the module (moduledata.itablinks up
	// to Go 1.26, the block at types+itaboffset in 1.27); InTable when runtime.itabTable holds it.
	InModule, InTable bool
}

// ItabMethod is one Fun slot of an itab.
type ItabMethod struct {
	// Name is the interface method's name.
	Name string
	// Fn is the code the slot holds.
	Fn Func
}

// InterfaceType is an interface type's descriptor: runtime.interfacetype up to Go 1.20,
// internal/abi.InterfaceType from 1.21.
type InterfaceType struct {
	// Addr is the descriptor's address (it starts with the common type descriptor).
	Addr uint64
	// Name is the interface's type string ("io.ReadWriter", "interface { Open() error }").
	Name string
	// PkgPath is the package path the interface's unexported method names belong to ("" when none).
	PkgPath string
	// Methods are the interface's methods, sorted by name.
	Methods []IMethod
}

// IMethod is one method of an interface type (runtime.imethod / internal/abi.Imethod).
type IMethod struct {
	// Name is the method name; Type its func type ("func([]uint8) (int, error)").
	Name, Type string
}

// decodeInterfaceType decodes the interface type descriptor at addr.
func (r *typeReader) decodeInterfaceType(addr uint64) (*InterfaceType, error) {
	if it, ok := r.ifaces[addr]; ok {
		return it, nil
	}
	t := r.t
	hdr, err := r.decodeHeader(addr)
	if err != nil {
		return nil, err
	}
	if hdr.Kind != "interface" {
		return nil, fmt.Errorf("%s at %#x is a %s type, not an interface type", r.iface.Name, addr, hdr.Kind)
	}
	l := r.iface
	buf, err := t.Read(l.Name, addr, l.Size)
	if err != nil {
		return nil, err
	}
	word := int64(t.Arch.PtrSize)
	pkgOff, err := fieldOffset(l, "pkgpath", "PkgPath")
	if err != nil {
		return nil, err
	}
	mOff, err := fieldOffset(l, "mhdr", "Methods")
	if err != nil {
		return nil, err
	}
	it := &InterfaceType{Addr: addr, Name: hdr.Name}
	// PkgPath is a name (a pointer to encoded name bytes), not a nameOff.
	if p := t.Arch.Uint(buf[pkgOff : pkgOff+word]); p != 0 {
		if it.PkgPath, err = r.readName(p); err != nil {
			return nil, fmt.Errorf("package path of interface %s: %v", it.Name, err)
		}
	}
	mptr, mlen := t.Arch.Uint(buf[mOff:mOff+word]), t.Arch.Uint(buf[mOff+word:mOff+2*word])
	if mlen > maxMethods {
		return nil, fmt.Errorf("%s %s at %#x: %d methods (corrupt?)", l.Name, it.Name, addr, mlen)
	}
	il := r.imethod
	mb, err := t.Read(il.Name+" list", mptr, int64(mlen)*il.Size)
	if err != nil {
		return nil, err
	}
	nOff, err := fieldOffset(il, "name", "Name")
	if err != nil {
		return nil, err
	}
	tOff, err := fieldOffset(il, "ityp", "Typ")
	if err != nil {
		return nil, err
	}
	for i := int64(0); i < int64(mlen); i++ {
		b := mb[i*il.Size:]
		m := IMethod{}
		if m.Name, err = r.nameAtOff(addr, int32(t.Arch.ByteOrder.Uint32(b[nOff:]))); err != nil {
			return nil, fmt.Errorf("method %d of interface %s: %v", i, it.Name, err)
		}
		if to := int32(t.Arch.ByteOrder.Uint32(b[tOff:])); to != 0 && to != -1 {
			if ta, err := r.resolveOff("method type offset", addr, to); err == nil {
				if mt, err := r.decodeHeader(ta); err == nil {
					m.Type = mt.Name
				}
			}
		}
		it.Methods = append(it.Methods, m)
	}
	r.ifaces[addr] = it
	return it, nil
}

// itabFields are the offsets of an itab's fields.
type itabFields struct{ inter, typ, hash, fun int64 }

func (r *typeReader) itabFields() (itabFields, error) {
	var f itabFields
	var err error
	if f.inter, err = fieldOffset(r.itab, "inter", "Inter"); err != nil {
		return f, err
	}
	if f.typ, err = fieldOffset(r.itab, "_type", "Type"); err != nil {
		return f, err
	}
	if f.hash, err = fieldOffset(r.itab, "hash", "Hash"); err != nil {
		return f, err
	}
	if f.fun, err = fieldOffset(r.itab, "fun", "Fun"); err != nil {
		return f, err
	}
	return f, nil
}

// decodeItab decodes the itab at addr. fullType decodes the concrete type with its methods and
// element types; otherwise only its common descriptor.
func (r *typeReader) decodeItab(addr uint64, fullType bool) (*Itab, error) {
	t := r.t
	if addr == 0 {
		return nil, fmt.Errorf("reading %s: nil pointer", r.itab.Name)
	}
	f, err := r.itabFields()
	if err != nil {
		return nil, err
	}
	word := int64(t.Arch.PtrSize)
	hdr, err := t.Read(r.itab.Name, addr, f.fun+word)
	if err != nil {
		return nil, err
	}
	it := &Itab{Addr: addr, Hash: t.Arch.ByteOrder.Uint32(hdr[f.hash:])}
	if it.Interface, err = r.decodeInterfaceType(t.Arch.Uint(hdr[f.inter : f.inter+word])); err != nil {
		return nil, fmt.Errorf("interface type of itab at %#x: %v", addr, err)
	}
	typAddr := t.Arch.Uint(hdr[f.typ : f.typ+word])
	if fullType {
		it.Type, err = r.decodeType(typAddr, maxElemDepth)
	} else {
		it.Type, err = r.decodeHeader(typAddr)
	}
	if err != nil {
		return nil, fmt.Errorf("concrete type of itab at %#x: %v", addr, err)
	}
	n := len(it.Interface.Methods)
	it.Implements = t.Arch.Uint(hdr[f.fun:f.fun+word]) != 0
	if !it.Implements || n == 0 {
		return it, nil
	}
	fun, err := t.Read(r.itab.Name+".Fun", addr+uint64(f.fun), int64(n)*word)
	if err != nil {
		return nil, err
	}
	for i, m := range it.Interface.Methods {
		it.Methods = append(it.Methods, ItabMethod{Name: m.Name, Fn: t.funcAt(t.Arch.Uint(fun[int64(i)*word : int64(i+1)*word]))})
	}
	return it, nil
}

// ItabAt decodes the itab at addr, with the concrete type's methods and element types.
func (t *Target) ItabAt(addr uint64) (*Itab, error) {
	r, err := t.newTypeReader()
	if err != nil {
		return nil, err
	}
	return r.decodeItab(addr, true)
}

// maxItabs bounds the itab lists read from the target (the module's itabs, the itab table).
const maxItabs = 1 << 22

// Itabs lists every itab of the program: the ones the linker laid out in each module and the
// ones in the runtime's itab hash table (runtime.itabTable: every module itab added at start-up,
// plus those the runtime built for type assertions and conversions, including negative cache
// entries), sorted by interface and type name.
func (t *Target) Itabs() ([]*Itab, error) {
	r, err := t.newTypeReader()
	if err != nil {
		return nil, err
	}
	byAddr := map[uint64]*Itab{}
	var order []uint64
	add := func(addr uint64, inModule bool) error {
		it, ok := byAddr[addr]
		if !ok {
			if it, err = r.decodeItab(addr, false); err != nil {
				return err
			}
			byAddr[addr] = it
			order = append(order, addr)
		}
		if inModule {
			it.InModule = true
		} else {
			it.InTable = true
		}
		return nil
	}
	for _, m := range r.modules {
		addrs, err := r.moduleItabs(m)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if err := add(a, true); err != nil {
				return nil, err
			}
		}
	}
	addrs, err := r.tableItabs()
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := add(a, false); err != nil {
			return nil, err
		}
	}
	out := make([]*Itab, 0, len(order))
	for _, a := range order {
		out = append(out, byAddr[a])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Interface.Name != out[j].Interface.Name {
			return out[i].Interface.Name < out[j].Interface.Name
		}
		if out[i].Type.Name != out[j].Type.Name {
			return out[i].Type.Name < out[j].Type.Name
		}
		return out[i].Addr < out[j].Addr
	})
	return out, nil
}

// moduleItabs lists the itabs the linker laid out in module m: moduledata.itablinks ([]*itab, up
// to Go 1.26) or, in Go 1.27, the itabs packed one after another in [types+itaboffset,
// types+itaboffset+itabsize), each (*abi.ITab).Size() bytes long: the header plus one Fun word
// per interface method (one word when Fun[0] == 0).
func (r *typeReader) moduleItabs(m *module) ([]uint64, error) {
	t := r.t
	word := uint64(t.Arch.PtrSize)
	var out []uint64
	switch {
	case m.HasItablinks:
		if m.ItablinksLen > maxItabs {
			return nil, fmt.Errorf("runtime.moduledata at %#x: %d itablinks (corrupt?)", m.Addr, m.ItablinksLen)
		}
		b, err := t.Read("runtime.moduledata.itablinks", m.Itablinks, int64(m.ItablinksLen*word))
		if err != nil {
			return nil, err
		}
		for i := uint64(0); i < m.ItablinksLen; i++ {
			if a := t.Arch.Uint(b[i*word : (i+1)*word]); a != 0 {
				out = append(out, a)
			}
		}
	case m.HasItabOffset:
		if m.ItabSize == 0 {
			return nil, nil
		}
		start := m.Types + m.ItabOffset
		if m.ItabSize > MaxRead || start+m.ItabSize > m.Etypes || start < m.Types {
			return nil, fmt.Errorf("runtime.moduledata at %#x: itabs at offset %#x size %#x are outside the type data (corrupt?)", m.Addr, m.ItabOffset, m.ItabSize)
		}
		block, err := t.Read("module itabs", start, int64(m.ItabSize))
		if err != nil {
			return nil, err
		}
		f, err := r.itabFields()
		if err != nil {
			return nil, err
		}
		header := uint64(f.fun)
		for p := uint64(0); p+header+word <= uint64(len(block)) && len(out) < maxItabs; {
			addr := start + p
			out = append(out, addr)
			inter := t.Arch.Uint(block[p+uint64(f.inter) : p+uint64(f.inter)+word])
			fun0 := t.Arch.Uint(block[p+header : p+header+word])
			n := uint64(1)
			if fun0 != 0 {
				it, err := r.decodeInterfaceType(inter)
				if err != nil {
					return out, fmt.Errorf("module itab at %#x: %v", addr, err)
				}
				if len(it.Methods) > 1 {
					n = uint64(len(it.Methods))
				}
			}
			p += header + n*word
		}
	}
	return out, nil
}

// tableItabs lists the itabs in the runtime's itab hash table: *runtime.itabTable is an
// itabTableType{size, count uintptr; entries [size]*itab} (the static runtime.itabTableInit
// with 512 entries, or a larger table the runtime allocated when it grew; size is a power of 2).
func (r *typeReader) tableItabs() ([]uint64, error) {
	t := r.t
	l, err := t.Layout("runtime.itabTableType")
	if err != nil {
		return nil, err
	}
	v, err := t.addrOf("runtime.itabTable")
	if err != nil {
		return nil, err
	}
	table, err := t.ReadPtr("runtime.itabTable", v)
	if err != nil {
		return nil, err
	}
	if table == 0 {
		return nil, nil
	}
	sizeOff, err := l.Offset("size")
	if err != nil {
		return nil, err
	}
	entOff, err := l.Offset("entries")
	if err != nil {
		return nil, err
	}
	size, err := t.ReadPtr("runtime.itabTableType.size", table+uint64(sizeOff))
	if err != nil {
		return nil, err
	}
	if size == 0 || size > maxItabs || size&(size-1) != 0 {
		return nil, fmt.Errorf("runtime.itabTableType at %#x: size %d is not a power of 2 up to %d (corrupt?)", table, size, maxItabs)
	}
	word := uint64(t.Arch.PtrSize)
	b, err := t.Read("runtime.itabTableType.entries", table+uint64(entOff), int64(size*word))
	if err != nil {
		return nil, err
	}
	var out []uint64
	for i := uint64(0); i < size; i++ {
		if a := t.Arch.Uint(b[i*word : (i+1)*word]); a != 0 {
			out = append(out, a)
		}
	}
	return out, nil
}
