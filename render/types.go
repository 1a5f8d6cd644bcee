package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/memlens/memlens/inspect"
)

// TypeView shows one runtime type descriptor (`memlens type`).
type TypeView struct {
	Type *inspect.Type
	// Limit bounds the methods listed in the diagram (0: DefaultTypeLimit).
	Limit int
}

// DefaultTypeLimit is how many methods or fun slots a diagram lists before an "N more" row.
const DefaultTypeLimit = 16

func limitOr(n int) int {
	if n <= 0 {
		return DefaultTypeLimit
	}
	return n
}

// funcJSON is a code address with its symbol.
type funcJSON struct {
	Name string `json:"name"`
	PC   string `json:"pc"`
}

func fnJSON(f inspect.Func) funcJSON { return funcJSON{Name: f.Name, PC: Hex(f.PC)} }

// methodJSON is one entry of a type's method table.
type methodJSON struct {
	Name string   `json:"name"`
	Type string   `json:"type,omitempty"`
	Ifn  funcJSON `json:"ifn"`
	Tfn  funcJSON `json:"tfn"`
}

// typeJSON is the JSON form of a type descriptor.
type typeJSON struct {
	Addr        string       `json:"addr"`
	Name        string       `json:"name"`
	Kind        string       `json:"kind"`
	Size        uint64       `json:"size"`
	Align       uint8        `json:"align"`
	FieldAlign  uint8        `json:"fieldAlign"`
	PtrBytes    uint64       `json:"ptrBytes"`
	Hash        string       `json:"hash"`
	TFlag       []string     `json:"tflag"`
	KindByte    uint8        `json:"kindByte"`
	DirectIface bool         `json:"directIface"`
	Equal       *funcJSON    `json:"equal"`
	GCData      string       `json:"gcData"`
	PkgPath     string       `json:"pkgPath"`
	Methods     []methodJSON `json:"methods"`
	Len         *uint64      `json:"len,omitempty"`
	Key         *typeJSON    `json:"key,omitempty"`
	Elem        *typeJSON    `json:"elem,omitempty"`
}

// TypeJSON converts a decoded type to its JSON form (shared by the iface and itabs views).
func TypeJSON(t *inspect.Type) *typeJSON {
	if t == nil {
		return nil
	}
	j := &typeJSON{Addr: Hex(t.Addr), Name: t.Name, Kind: t.Kind, Size: t.Size, Align: t.Align, FieldAlign: t.FieldAlign,
		PtrBytes: t.PtrBytes, Hash: fmt.Sprintf("%#08x", t.Hash), TFlag: t.TFlagNames, KindByte: t.KindByte,
		DirectIface: t.DirectIface, GCData: Hex(t.GCData), PkgPath: t.PkgPath, Methods: []methodJSON{},
		Key: TypeJSON(t.Key), Elem: TypeJSON(t.Elem)}
	if j.TFlag == nil {
		j.TFlag = []string{}
	}
	if t.Equal != nil {
		f := fnJSON(*t.Equal)
		j.Equal = &f
	}
	if t.Kind == "array" {
		n := t.Len
		j.Len = &n
	}
	for _, m := range t.Methods {
		j.Methods = append(j.Methods, methodJSON{Name: m.Name, Type: m.Type, Ifn: fnJSON(m.Ifn), Tfn: fnJSON(m.Tfn)})
	}
	return j
}

func (v TypeView) JSONValue() any { return TypeJSON(v.Type) }

// tflagString joins tflag names, or says none.
func tflagString(t *inspect.Type) string {
	if len(t.TFlagNames) == 0 {
		return "none"
	}
	return strings.Join(t.TFlagNames, "|")
}

func (v TypeView) WriteText(w io.Writer) error {
	writeTypeText(w, v.Type, "")
	return nil
}

// writeTypeText writes a type descriptor's fields, its methods and its element types.
func writeTypeText(w io.Writer, t *inspect.Type, indent string) {
	fmt.Fprintf(w, "%stype %s at %#x\n", indent, t.Name, t.Addr)
	fmt.Fprintf(w, "%s  kind %s, size %d, align %d, fieldAlign %d, ptrBytes %d, hash %#08x\n", indent, t.Kind, t.Size, t.Align, t.FieldAlign, t.PtrBytes, t.Hash)
	direct := "no: the data word points to a copy of the value"
	if t.DirectIface {
		direct = "yes: the data word is the value itself"
	}
	fmt.Fprintf(w, "%s  tflag %s (%#02x), kind byte %#02x, direct in interfaces: %s\n", indent, tflagString(t), t.TFlag, t.KindByte, direct)
	eq := "none (not comparable)"
	if t.Equal != nil {
		eq = fmt.Sprintf("%s (%#x)", t.Equal.Name, t.Equal.PC)
	}
	fmt.Fprintf(w, "%s  equal %s, gcdata %#x\n", indent, eq, t.GCData)
	if t.Kind == "array" {
		fmt.Fprintf(w, "%s  len %d\n", indent, t.Len)
	}
	if t.PkgPath != "" || len(t.Methods) > 0 {
		fmt.Fprintf(w, "%s  uncommon: pkgPath %q, %d methods\n", indent, t.PkgPath, len(t.Methods))
	}
	reachable, pruned := splitPruned(t.Methods)
	for _, m := range reachable {
		fmt.Fprintf(w, "%s    %-16s %-30s %s", indent, m.Name, m.Type, m.Ifn.Name)
		if m.Tfn.PC != m.Ifn.PC && m.Tfn.Name != "" {
			fmt.Fprintf(w, " (direct calls: %s)", m.Tfn.Name)
		}
		fmt.Fprintln(w)
	}
	if len(pruned) > 0 {
		var names []string
		for _, m := range pruned {
			names = append(names, m.Name)
		}
		fmt.Fprintf(w, "%s    removed by the linker (never called): %s\n", indent, strings.Join(names, ", "))
	}
	if t.Key != nil {
		fmt.Fprintf(w, "%s  key:\n", indent)
		writeTypeText(w, t.Key, indent+"    ")
	}
	if t.Elem != nil {
		fmt.Fprintf(w, "%s  elem:\n", indent)
		writeTypeText(w, t.Elem, indent+"    ")
	}
}

// splitPruned separates the methods with code from those the linker removed as unreachable
// (their text offsets are -1).
func splitPruned(methods []inspect.Method) (reachable, pruned []inspect.Method) {
	for _, m := range methods {
		if m.Ifn.PC == 0 && m.Tfn.PC == 0 {
			pruned = append(pruned, m)
		} else {
			reachable = append(reachable, m)
		}
	}
	return reachable, pruned
}

// Colours shared by the type and interface diagrams.
const (
	colTypeHead  = "#e3ecd8"
	colItabHead  = "#f6e3c8"
	colIfaceHead = "#dde8f5"
	colInterHead = "#ece0f3"
	colCall      = "#c0392b"
	colFunc      = "#fdf2e9"
	colValue     = "#f4f4f4"
)

// typeNode adds a node for a type descriptor (id) and nodes for its key and element types,
// listing at most limit methods.
func typeNode(g *Graph, id string, t *inspect.Type, limit int, depth int) {
	rows := [][]Cell{
		{{Text: "type descriptor  " + Hex(t.Addr), Bold: true, ColSpan: 2, Bg: colTypeHead, Port: "head"}},
		{{Text: "name (Str)", Align: "LEFT"}, {Text: t.Name, Align: "LEFT", Bold: true}},
		{{Text: "kind", Align: "LEFT"}, {Text: fmt.Sprintf("%s (kind byte %#02x)", t.Kind, t.KindByte), Align: "LEFT"}},
		{{Text: "size / align", Align: "LEFT"}, {Text: fmt.Sprintf("%d B / %d", t.Size, t.Align), Align: "LEFT"}},
		{{Text: "ptrBytes", Align: "LEFT"}, {Text: fmt.Sprint(t.PtrBytes), Align: "LEFT"}},
		{{Text: "hash", Align: "LEFT"}, {Text: fmt.Sprintf("%#08x", t.Hash), Align: "LEFT"}},
		{{Text: "tflag", Align: "LEFT"}, {Text: tflagString(t), Align: "LEFT"}},
	}
	if t.Equal != nil {
		rows = append(rows, []Cell{{Text: "equal", Align: "LEFT"}, {Text: t.Equal.Name, Align: "LEFT"}})
	}
	if t.Kind == "array" {
		rows = append(rows, []Cell{{Text: "len", Align: "LEFT"}, {Text: fmt.Sprint(t.Len), Align: "LEFT"}})
	}
	if t.Key != nil {
		rows = append(rows, []Cell{{Text: "key", Align: "LEFT"}, {Text: t.Key.Name, Align: "LEFT", Port: "key"}})
	}
	if t.Elem != nil {
		rows = append(rows, []Cell{{Text: "elem", Align: "LEFT"}, {Text: t.Elem.Name, Align: "LEFT", Port: "elem"}})
	}
	if t.PkgPath != "" || len(t.Methods) > 0 {
		rows = append(rows, []Cell{{Text: fmt.Sprintf("uncommon: pkg %q, %d methods", t.PkgPath, len(t.Methods)), ColSpan: 2, Bg: "#f3f7ee"}})
		reachable, pruned := splitPruned(t.Methods)
		for i, m := range reachable {
			if i == limit {
				rows = append(rows, []Cell{{Text: fmt.Sprintf("… %d more methods", len(reachable)-limit), ColSpan: 2}})
				break
			}
			rows = append(rows, []Cell{{Text: m.Name, Align: "LEFT"}, {Text: m.Ifn.Name, Align: "LEFT"}})
		}
		if len(pruned) > 0 {
			rows = append(rows, []Cell{{Text: fmt.Sprintf("+ %d methods the linker removed (never called)", len(pruned)), ColSpan: 2}})
		}
	}
	g.AddNode(id, Table(rows...), true, nil)
	if depth <= 0 {
		return
	}
	if t.Key != nil {
		typeNode(g, id+"_key", t.Key, limit, depth-1)
		g.AddEdge(id+":key", id+"_key:head", map[string]string{"label": "key"})
	}
	if t.Elem != nil {
		typeNode(g, id+"_elem", t.Elem, limit, depth-1)
		g.AddEdge(id+":elem", id+"_elem:head", map[string]string{"label": "elem"})
	}
}

// Graph draws the descriptor with its key and element types.
func (v TypeView) Graph() *Graph {
	g := NewGraph("type")
	typeNode(g, "type", v.Type, limitOr(v.Limit), 2)
	return g
}
