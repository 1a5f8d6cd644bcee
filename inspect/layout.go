package inspect

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/layouts"
)

// TypeNames lists the names of the types in the target's DWARF, in no particular order.
func (t *Target) TypeNames() []string {
	names, err := t.bi.Types()
	if err != nil {
		return nil
	}
	return names
}

// LayoutOf returns the layout of a named type like Layout, but a type the target's DWARF and the
// built-in tables both lack is a user error that lists the closest names the binary has.
//
// A name the DWARF lacks because it became an alias (runtime._type is internal/abi.Type from Go
// 1.21) is looked up under the name the built-in tables give for the target's version, so the
// layout still comes from the binary's own DWARF.
func (t *Target) LayoutOf(name string) (*layouts.Layout, error) {
	if _, err := t.bi.FindType(name); err != nil {
		if b, berr := layouts.Builtin(name, t.GoMinor, t.Arch); berr == nil && b.Name != name {
			if _, err := t.bi.FindType(b.Name); err == nil {
				return t.Layout(b.Name)
			}
		}
	}
	l, err := t.Layout(name)
	if err == nil {
		return l, nil
	}
	if _, ferr := t.bi.FindType(name); ferr == nil {
		return nil, err // the type exists; its layout failed for another reason
	}
	return nil, t.unknownType(name)
}

// ClosestTypeNames returns up to n names of named types (of the target's DWARF and of the
// built-in tables) that look most like name, for "did you mean" messages.
func (t *Target) ClosestTypeNames(name string, n int) []string {
	names := append(t.TypeNames(), layouts.BuiltinNames()...)
	return layouts.Closest(name, namedTypes(names), n)
}

// unknownType is the error for a type name found nowhere, with suggestions.
func (t *Target) unknownType(name string) error {
	hint := ""
	if !t.HasMemory() {
		hint = " (a variable's layout and values need --pid or --core)"
	}
	close := t.ClosestTypeNames(name, 6)
	if len(close) == 0 {
		return userErr("type %s is not in the DWARF of %s nor in the built-in tables%s", name, t.Exe, hint)
	}
	return userErr("type %s is not in the DWARF of %s nor in the built-in tables; closest names: %s%s", name, t.Exe, strings.Join(close, ", "), hint)
}

// namedTypes drops duplicates and composite type names.
func namedTypes(names []string) []string {
	seen := map[string]bool{}
	out := names[:0:0]
	for _, n := range names {
		if strings.ContainsAny(n[:min(1, len(n))], "*[") || strings.HasPrefix(n, "map[") || strings.HasPrefix(n, "chan ") || strings.HasPrefix(n, "func(") {
			continue // composite types: suggest only named ones
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// IsTypeName reports whether name is a type of the target's DWARF or of the built-in tables.
func (t *Target) IsTypeName(name string) bool {
	if _, err := t.bi.FindType(name); err == nil {
		return true
	}
	_, err := layouts.Builtin(name, t.GoMinor, t.Arch)
	return err == nil
}

// StructValue is a struct variable of the target: where it lies, its type's layout, and the
// current value of each field.
type StructValue struct {
	// Expr is the expression that named the variable.
	Expr string
	// Addr is the address of the struct in target memory.
	Addr uint64
	// Layout is the layout of the struct's type, from DWARF.
	Layout *layouts.Layout
	// Values are the fields' values on one line each as Delve prints them, keyed by the path of
	// the field as layouts.Entry names it ("inner.y", "arr[1].x").
	Values map[string]string
}

// EvalStruct evaluates expr (a struct, or a pointer to one, which is followed) and returns its
// layout and the values of its fields, loading nested structs and arrays depth levels deep and at
// most maxElems elements of each array.
func (t *Target) EvalStruct(expr string, depth, maxElems int) (*StructValue, error) {
	cfg := proc.LoadConfig{FollowPointers: true, MaxVariableRecurse: depth + 2, MaxStringLen: 64,
		MaxArrayValues: maxElems, MaxStructFields: -1}
	v, err := t.Eval(expr, cfg)
	if err != nil {
		return nil, err
	}
	if v.Kind == reflect.Ptr {
		if len(v.Children) != 1 || v.Children[0].Addr == 0 {
			return nil, userErr("%s is a nil %s", expr, v.TypeString())
		}
		v = &v.Children[0]
	}
	if v.Kind != reflect.Struct || v.DwarfType == nil {
		return nil, userErr("%s is a %s, not a struct: give a struct variable or a pointer to one", expr, v.TypeString())
	}
	if v.Unreadable != nil {
		return nil, userErr("%s at %#x is unreadable: %v", expr, v.Addr, v.Unreadable)
	}
	l, err := layouts.FromDWARF(v.DwarfType, t.Arch)
	if err != nil {
		return nil, fmt.Errorf("layout of %s (%s): %w", expr, v.TypeString(), err)
	}
	sv := &StructValue{Expr: expr, Addr: v.Addr, Layout: l, Values: map[string]string{}}
	collectValues(sv.Values, v, "", depth+1)
	return sv, nil
}

// collectValues records the values of v's fields or elements under their paths.
func collectValues(out map[string]string, v *proc.Variable, prefix string, depth int) {
	if depth < 0 {
		return
	}
	for i := range v.Children {
		c := &v.Children[i]
		var path string
		switch v.Kind {
		case reflect.Struct:
			path = prefix + c.Name
		case reflect.Array:
			path = fmt.Sprintf("%s[%d]", strings.TrimSuffix(prefix, "."), i)
		default:
			return
		}
		if c.Unreadable != nil {
			out[path] = fmt.Sprintf("(unreadable: %v)", c.Unreadable)
			continue
		}
		out[path] = FormatVariable(c)
		if c.Kind == reflect.Struct || c.Kind == reflect.Array {
			collectValues(out, c, path+".", depth-1)
		}
	}
}
