package inspect

import (
	"fmt"
	"reflect"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"
)

// Iface is an interface value: two words, runtime.iface{tab, data} for an interface with methods
// and runtime.eface{_type, data} for an empty interface (any).
type Iface struct {
	// Expr is the expression the value was read from.
	Expr string
	// Static is the interface type as DWARF names it ("io.ReadWriter", "interface {}").
	Static string
	// Empty is true for an eface (an interface without methods): the first word is then the
	// dynamic type, not an itab.
	Empty bool
	// Addr is the address of the two words.
	Addr uint64
	// Word0 is the first word: the itab (iface) or the type descriptor (eface); 0 when nil.
	Word0 uint64
	// Data is the second word: the value itself when the dynamic type is pointer-shaped
	// (Type.DirectIface), otherwise a pointer to the value.
	Data uint64
	// Nil is true for a nil interface (Word0 == 0).
	Nil bool
	// Itab is the decoded itab (iface only).
	Itab *Itab
	// Type is the dynamic type, with methods and element types.
	Type *Type
	// Value is the dynamic value, printed on one line as Delve prints it.
	Value string
}

// IfaceOf evaluates expr, which must have an interface type, and decodes its two words, the
// itab and the dynamic type.
func (t *Target) IfaceOf(expr string) (*Iface, error) {
	v, err := t.Eval(expr, ValueLoadConfig)
	if err != nil {
		// Delve cannot load some dynamic values (a type reflect built at run time has no
		// DWARF); the two words can still be decoded from the variable's address.
		return t.ifaceWithoutValue(expr, err)
	}
	if v.Kind != reflect.Interface {
		return nil, userErr("%s is a %s, not an interface value", expr, typeString(v))
	}
	if v.Addr == 0 {
		return nil, userErr("%s has no address in memory (a computed value?); give a variable or a field", expr)
	}
	// runtime.iface's first field is tab, runtime.eface's is _type (every version).
	first, err := firstIfaceField(v.RealType)
	if err != nil {
		return nil, fmt.Errorf("interface type %s of %s: %v", typeString(v), expr, err)
	}
	return t.decodeIface(expr, typeString(v), first == "_type", v.Addr, dynamicValue(v))
}

// ifaceWithoutValue decodes the interface expr names when Delve could not load its value
// (evalErr): it takes the address from &(expr) and says why the value is not shown.
func (t *Target) ifaceWithoutValue(expr string, evalErr error) (*Iface, error) {
	pv, err := t.Eval("&("+expr+")", proc.LoadConfig{})
	if err != nil || len(pv.Children) != 1 {
		return nil, evalErr
	}
	ptr, ok := godwarf.ResolveTypedef(pv.RealType).(*godwarf.PtrType)
	if !ok {
		return nil, evalErr
	}
	first, err := firstIfaceField(ptr.Type)
	if err != nil {
		return nil, evalErr
	}
	why := evalErr.Error()
	if te, ok := evalErr.(*TargetError); ok {
		why = te.Msg
	}
	return t.decodeIface(expr, ptr.Type.String(), first == "_type", pv.Children[0].Addr, "(Delve cannot print it: "+why+")")
}

// EfaceAt decodes the empty interface (any) stored at addr.
func (t *Target) EfaceAt(addr uint64) (*Iface, error) {
	if addr == 0 {
		return nil, userErr("address 0 holds no interface value")
	}
	expr := fmt.Sprintf("*(*interface {})(%#x)", addr)
	value := ""
	if v, err := t.Eval(expr, ValueLoadConfig); err == nil {
		value = dynamicValue(v)
	} else {
		value = "(Delve cannot print it: " + err.Error() + ")"
	}
	return t.decodeIface(fmt.Sprintf("%#x", addr), "interface {}", true, addr, value)
}

// decodeIface reads the two words at addr and decodes what they point to. value is the
// dynamic value as Delve prints it.
func (t *Target) decodeIface(expr, static string, empty bool, addr uint64, value string) (*Iface, error) {
	word := int64(t.Arch.PtrSize)
	b, err := t.Read("interface value "+expr, addr, 2*word)
	if err != nil {
		return nil, err
	}
	in := &Iface{Expr: expr, Static: static, Empty: empty, Addr: addr, Word0: t.Arch.Uint(b[:word]), Data: t.Arch.Uint(b[word:])}
	if in.Word0 == 0 {
		in.Nil = true
		in.Value = "nil"
		return in, nil
	}
	r, err := t.newTypeReader()
	if err != nil {
		return nil, err
	}
	if empty {
		if in.Type, err = r.decodeType(in.Word0, maxElemDepth); err != nil {
			return nil, fmt.Errorf("dynamic type of %s (eface._type %#x): %v", expr, in.Word0, err)
		}
	} else {
		if in.Itab, err = r.decodeItab(in.Word0, true); err != nil {
			return nil, fmt.Errorf("itab of %s (iface.tab %#x): %v", expr, in.Word0, err)
		}
		in.Type = in.Itab.Type
	}
	in.Value = value
	return in, nil
}

// dynamicValue prints the dynamic value of a loaded interface variable: Delve loads it as the
// interface's only child, already following the data word (or taking it as the value for
// pointer-shaped types).
func dynamicValue(v *proc.Variable) string {
	if v == nil {
		return ""
	}
	if len(v.Children) == 1 {
		c := v.Children[0]
		if c.Unreadable != nil {
			return fmt.Sprintf("(unreadable: %v)", c.Unreadable)
		}
		return FormatVariable(&c)
	}
	return FormatVariable(v)
}

// firstIfaceField returns the name of the first field of the runtime struct behind an interface
// type in DWARF: "tab" for runtime.iface, "_type" for runtime.eface.
func firstIfaceField(typ godwarf.Type) (string, error) {
	it, ok := godwarf.ResolveTypedef(typ).(*godwarf.InterfaceType)
	if !ok {
		return "", fmt.Errorf("not an interface type in DWARF")
	}
	st, ok := godwarf.ResolveTypedef(it.TypedefType.Type).(*godwarf.StructType)
	if !ok || len(st.Field) != 2 {
		return "", fmt.Errorf("DWARF does not describe its two words as a struct of two fields")
	}
	return st.Field[0].Name, nil
}
