package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/memlens/memlens/inspect"
)

// IfaceView shows an interface value with its itab, interface type and dynamic type
// (`memlens iface`).
type IfaceView struct {
	Iface *inspect.Iface
	// Limit bounds the fun slots and methods listed in the diagram (0: DefaultTypeLimit).
	Limit int
}

// itabMethodJSON is one fun slot of an itab.
type itabMethodJSON struct {
	Name string `json:"name"`
	Fn   string `json:"fn"`
	PC   string `json:"pc"`
}

type imethodJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type interfaceJSON struct {
	Addr    string        `json:"addr"`
	Name    string        `json:"name"`
	PkgPath string        `json:"pkgPath"`
	Methods []imethodJSON `json:"methods"`
}

type itabJSON struct {
	Addr       string           `json:"addr"`
	Interface  interfaceJSON    `json:"interface"`
	Type       *typeJSON        `json:"type"`
	Hash       string           `json:"hash"`
	Implements bool             `json:"implements"`
	Methods    []itabMethodJSON `json:"methods"`
	InModule   bool             `json:"inModule"`
	InTable    bool             `json:"inTable"`
}

// ItabJSON converts a decoded itab to its JSON form.
func ItabJSON(it *inspect.Itab) *itabJSON {
	if it == nil {
		return nil
	}
	j := &itabJSON{Addr: Hex(it.Addr), Type: TypeJSON(it.Type), Hash: fmt.Sprintf("%#08x", it.Hash),
		Implements: it.Implements, Methods: []itabMethodJSON{}, InModule: it.InModule, InTable: it.InTable,
		Interface: interfaceJSON{Addr: Hex(it.Interface.Addr), Name: it.Interface.Name, PkgPath: it.Interface.PkgPath, Methods: []imethodJSON{}}}
	for _, m := range it.Interface.Methods {
		j.Interface.Methods = append(j.Interface.Methods, imethodJSON{Name: m.Name, Type: m.Type})
	}
	for _, m := range it.Methods {
		j.Methods = append(j.Methods, itabMethodJSON{Name: m.Name, Fn: m.Fn.Name, PC: Hex(m.Fn.PC)})
	}
	return j
}

type ifaceJSON struct {
	Expr        string    `json:"expr"`
	Static      string    `json:"static"`
	Kind        string    `json:"kind"`
	Nil         bool      `json:"nil"`
	Addr        string    `json:"addr"`
	Word0       string    `json:"word0"`
	Data        string    `json:"data"`
	DirectValue bool      `json:"directValue"`
	Value       string    `json:"value"`
	Itab        *itabJSON `json:"itab"`
	Type        *typeJSON `json:"type"`
}

func ifaceKind(in *inspect.Iface) string {
	if in.Empty {
		return "eface"
	}
	return "iface"
}

func (v IfaceView) JSONValue() any {
	in := v.Iface
	return ifaceJSON{Expr: in.Expr, Static: in.Static, Kind: ifaceKind(in), Nil: in.Nil, Addr: Hex(in.Addr),
		Word0: Hex(in.Word0), Data: Hex(in.Data), DirectValue: in.Type != nil && in.Type.DirectIface, Value: in.Value,
		Itab: ItabJSON(in.Itab), Type: TypeJSON(in.Type)}
}

// word0Name is the name of an interface's first word.
func word0Name(in *inspect.Iface) string {
	if in.Empty {
		return "_type"
	}
	return "tab"
}

func (v IfaceView) WriteText(w io.Writer) error {
	in := v.Iface
	fmt.Fprintf(w, "%s (%s): %s at %#x\n", in.Expr, in.Static, ifaceKind(in), in.Addr)
	if in.Nil {
		fmt.Fprintf(w, "  %-5s %#x\n  data  %#x\n  nil interface: no dynamic type, no value\n", word0Name(in), in.Word0, in.Data)
		return nil
	}
	what := "itab"
	if in.Empty {
		what = "type " + in.Type.Name
	}
	fmt.Fprintf(w, "  %-5s %#x -> %s\n", word0Name(in), in.Word0, what)
	how := "points to the value"
	if in.Type.DirectIface {
		how = "is the value (pointer-shaped type)"
	}
	fmt.Fprintf(w, "  data  %#x %s\n", in.Data, how)
	fmt.Fprintf(w, "  value %s\n", in.Value)
	if it := in.Itab; it != nil {
		fmt.Fprintf(w, "\nitab %#x: interface %s, type %s, hash %#08x\n", it.Addr, it.Interface.Name, it.Type.Name, it.Hash)
		for i, m := range it.Methods {
			fmt.Fprintf(w, "  fun[%d] %-12s %s (%#x)", i, m.Name, m.Fn.Name, m.Fn.PC)
			if strings.HasPrefix(m.Fn.Name, "runtime.unreachableMethod") {
				fmt.Fprintf(w, "  (never called through an interface: the linker left a stub)")
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "\ninterfacetype %s at %#x (pkgPath %q), %d methods\n", it.Interface.Name, it.Interface.Addr, it.Interface.PkgPath, len(it.Interface.Methods))
		for _, m := range it.Interface.Methods {
			fmt.Fprintf(w, "  %-12s %s\n", m.Name, m.Type)
		}
	}
	fmt.Fprintln(w)
	writeTypeText(w, in.Type, "")
	return nil
}

// Graph draws the interface's two words, the itab and its fun slots with the functions they
// hold, the interface type's method list, the type descriptor and the value. The path of a
// method call is drawn in red: load the itab from the first word, load fun[k] from the itab,
// call. A call on a concrete type jumps straight to the function.
func (v IfaceView) Graph() *Graph {
	in := v.Iface
	limit := limitOr(v.Limit)
	g := NewGraph("iface")
	g.Attrs["nodesep"] = "0.3"
	g.Attrs["ranksep"] = "0.8"
	rows := [][]Cell{
		{{Text: fmt.Sprintf("%s  (%s)", in.Expr, in.Static), Bold: true, ColSpan: 2, Bg: colIfaceHead}},
		{{Text: ifaceKind(in) + " at " + Hex(in.Addr), ColSpan: 2}},
		{{Text: word0Name(in), Align: "LEFT"}, {Text: Hex(in.Word0), Port: "w0", Align: "LEFT"}},
		{{Text: "data", Align: "LEFT"}, {Text: Hex(in.Data), Port: "data", Align: "LEFT"}},
	}
	g.AddNode("iface", Table(rows...), true, nil)
	if in.Nil {
		g.AddNode("nil", "nil interface:\nno type, no value", false, map[string]string{"shape": "note", "style": "filled", "fillcolor": colValue})
		g.AddEdge("iface:w0", "nil", nil)
		return g
	}
	// The value the data word leads to.
	valueLabel := in.Value
	if len(valueLabel) > 64 {
		valueLabel = valueLabel[:61] + "..."
	}
	dataLabel := "points to a copy"
	if in.Type.DirectIface {
		dataLabel = "is the value (pointer-shaped)"
	}
	g.AddNode("value", Table(
		[]Cell{{Text: "dynamic value (" + in.Type.Name + ")", Bold: true, Bg: colValue}},
		[]Cell{{Text: valueLabel, Align: "LEFT"}}), true, nil)
	g.AddEdge("iface:data", "value", map[string]string{"label": "data " + dataLabel, "color": "#7f8c8d", "fontcolor": "#555555"})
	typeLimit := limit
	if typeLimit > 8 {
		typeLimit = 8 // the type's own method table is secondary here
	}
	typeNode(g, "type", in.Type, typeLimit, 0)
	if in.Empty {
		g.AddEdge("iface:w0", "type:head", map[string]string{"label": "_type"})
		return g
	}
	it := in.Itab
	itRows := [][]Cell{
		{{Text: "itab  " + Hex(it.Addr), Bold: true, ColSpan: 2, Bg: colItabHead, Port: "head"}},
		{{Text: "inter", Align: "LEFT"}, {Text: it.Interface.Name, Port: "inter", Align: "LEFT"}},
		{{Text: "_type", Align: "LEFT"}, {Text: it.Type.Name, Port: "type", Align: "LEFT"}},
		{{Text: "hash", Align: "LEFT"}, {Text: fmt.Sprintf("%#08x", it.Hash), Align: "LEFT"}},
	}
	for i, m := range it.Methods {
		if i == limit {
			itRows = append(itRows, []Cell{{Text: fmt.Sprintf("… %d more fun slots", len(it.Methods)-limit), ColSpan: 2, Port: "more"}})
			break
		}
		itRows = append(itRows, []Cell{{Text: fmt.Sprintf("fun[%d]", i), Align: "LEFT"}, {Text: m.Name, Port: fmt.Sprintf("f%d", i), Align: "LEFT"}})
	}
	if !it.Implements {
		itRows = append(itRows, []Cell{{Text: "fun[0] = 0: the type does not implement the interface", ColSpan: 2}})
	}
	g.AddNode("itab", Table(itRows...), true, nil)
	g.AddEdge("iface:w0", "itab:head", map[string]string{"label": "load 1: tab", "color": colCall, "fontcolor": colCall, "penwidth": "5"})
	for i, m := range it.Methods {
		if i == limit {
			g.AddNode("fnmore", fmt.Sprintf("%d more functions", len(it.Methods)-limit), false, map[string]string{"shape": "box", "style": "rounded"})
			g.AddEdge("itab:more", "fnmore", nil)
			break
		}
		id := fmt.Sprintf("fn%d", i)
		fnRows := [][]Cell{{{Text: m.Fn.Name, Bold: true, Bg: colFunc}}, {{Text: "code at " + Hex(m.Fn.PC)}}}
		if strings.HasPrefix(m.Fn.Name, "runtime.unreachableMethod") {
			fnRows = append(fnRows, []Cell{{Text: "the program never calls " + m.Name + "\nthrough an interface: the linker\nput a stub here"}})
		}
		if direct := directCall(in.Type, m.Name); direct != "" && direct != m.Fn.Name {
			fnRows = append(fnRows, []Cell{{Text: "wrapper: loads the value data points to,\nthen calls " + direct}})
		}
		g.AddNode(id, Table(fnRows...), true, nil)
		attrs := map[string]string{}
		if i == 0 {
			attrs = map[string]string{"label": "load 2: fun[k], then call", "color": colCall, "fontcolor": colCall, "penwidth": "5"}
		}
		g.AddEdge(fmt.Sprintf("itab:f%d", i), id, attrs)
	}
	// The interface type's method list.
	inRows := [][]Cell{
		{{Text: "interfacetype  " + Hex(it.Interface.Addr), Bold: true, ColSpan: 2, Bg: colInterHead, Port: "head"}},
		{{Text: "name", Align: "LEFT"}, {Text: it.Interface.Name, Align: "LEFT", Bold: true}},
		{{Text: "pkgPath", Align: "LEFT"}, {Text: it.Interface.PkgPath, Align: "LEFT"}},
	}
	for i, m := range it.Interface.Methods {
		if i == limit {
			inRows = append(inRows, []Cell{{Text: fmt.Sprintf("… %d more methods", len(it.Interface.Methods)-limit), ColSpan: 2}})
			break
		}
		inRows = append(inRows, []Cell{{Text: m.Name, Align: "LEFT"}, {Text: m.Type, Align: "LEFT"}})
	}
	g.AddNode("inter", Table(inRows...), true, nil)
	g.AddEdge("itab:inter", "inter:head", nil)
	g.AddEdge("itab:type", "type:head", nil)
	g.Attrs["label"] = "A method call through the interface loads the itab pointer from the first word (load 1), then the function pointer fun[k] from the itab (load 2),\nthen calls it with the data word as the receiver. A call on the concrete type jumps straight to the function: no loads, and it can be inlined."
	g.Attrs["labelloc"] = "b"
	g.Attrs["labeljust"] = "l"
	return g
}

// directCall is the function a direct call of the named method of t runs (the method table's
// Tfn), or "".
func directCall(t *inspect.Type, name string) string {
	for _, m := range t.Methods {
		if m.Name == name {
			return m.Tfn.Name
		}
	}
	return ""
}

// ItabsView lists itabs (`memlens itabs`).
type ItabsView struct {
	Itabs []*inspect.Itab
}

func (v ItabsView) JSONValue() any {
	list := make([]*itabJSON, 0, len(v.Itabs))
	for _, it := range v.Itabs {
		list = append(list, ItabJSON(it))
	}
	return map[string]any{"count": len(v.Itabs), "itabs": list}
}

func (v ItabsView) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ITAB\tINTERFACE\tTYPE\tFUN\tWHERE\n")
	for _, it := range v.Itabs {
		var where []string
		if it.InModule {
			where = append(where, "module")
		}
		if it.InTable {
			where = append(where, "itabTable")
		}
		fun := fmt.Sprint(len(it.Methods))
		if !it.Implements {
			fun = "none (does not implement)"
		}
		fmt.Fprintf(tw, "%#x\t%s\t%s\t%s\t%s\n", it.Addr, it.Interface.Name, it.Type.Name, fun, strings.Join(where, "+"))
	}
	fmt.Fprintf(tw, "%d itabs\n", len(v.Itabs))
	return tw.Flush()
}

// Graph is nil: an itab list is a table.
func (v ItabsView) Graph() *Graph { return nil }
