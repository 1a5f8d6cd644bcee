package render

import (
	"fmt"
	"html"
	"sort"
	"strings"
)

// Graph is a diagram: nodes and edges, written as DOT. It is the one model behind the DOT, SVG
// and PNG formats.
type Graph struct {
	// Name is the graph's DOT identifier.
	Name string
	// Attrs are graph attributes (rankdir, label, ...).
	Attrs map[string]string
	// NodeDefaults and EdgeDefaults apply to every node and edge.
	NodeDefaults, EdgeDefaults map[string]string
	Nodes                      []*Node
	Edges                      []*Edge
}

// Node is one box of a diagram.
type Node struct {
	// ID is unique in the graph.
	ID string
	// Label is plain text, or a Graphviz HTML-like label when HTML is set (build it with the
	// Table helpers so that text is escaped).
	Label string
	HTML  bool
	Attrs map[string]string
}

// Edge links two nodes; From and To may name a port as "node:port".
type Edge struct {
	From, To string
	Attrs    map[string]string
}

// NewGraph returns an empty left-to-right graph with memlens's default look.
func NewGraph(name string) *Graph {
	return &Graph{
		Name:         name,
		Attrs:        map[string]string{"rankdir": "LR", "fontname": "Helvetica", "fontsize": "12"},
		NodeDefaults: map[string]string{"shape": "plaintext", "fontname": "Helvetica", "fontsize": "11"},
		EdgeDefaults: map[string]string{"fontname": "Helvetica", "fontsize": "10"},
	}
}

// AddNode adds a node and returns it.
func (g *Graph) AddNode(id, label string, html bool, attrs map[string]string) *Node {
	n := &Node{ID: id, Label: label, HTML: html, Attrs: attrs}
	g.Nodes = append(g.Nodes, n)
	return n
}

// AddEdge adds an edge and returns it.
func (g *Graph) AddEdge(from, to string, attrs map[string]string) *Edge {
	e := &Edge{From: from, To: to, Attrs: attrs}
	g.Edges = append(g.Edges, e)
	return e
}

// DOT writes the graph in the Graphviz DOT language.
func (g *Graph) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", quoteID(g.Name))
	writeAttrs(&b, "  graph", g.Attrs)
	writeAttrs(&b, "  node", g.NodeDefaults)
	writeAttrs(&b, "  edge", g.EdgeDefaults)
	for _, n := range g.Nodes {
		attrs := map[string]string{}
		for k, v := range n.Attrs {
			attrs[k] = v
		}
		fmt.Fprintf(&b, "  %s [", quoteID(n.ID))
		if n.HTML {
			fmt.Fprintf(&b, "label=<%s>", n.Label)
		} else {
			fmt.Fprintf(&b, "label=%s", quote(n.Label))
		}
		for _, k := range sortedKeys(attrs) {
			fmt.Fprintf(&b, " %s=%s", k, quote(attrs[k]))
		}
		b.WriteString("];\n")
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "  %s -> %s", endpoint(e.From), endpoint(e.To))
		if len(e.Attrs) > 0 {
			b.WriteString(" [")
			for i, k := range sortedKeys(e.Attrs) {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%s=%s", k, quote(e.Attrs[k]))
			}
			b.WriteByte(']')
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func writeAttrs(b *strings.Builder, what string, attrs map[string]string) {
	if len(attrs) == 0 {
		return
	}
	fmt.Fprintf(b, "%s [", what)
	for i, k := range sortedKeys(attrs) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(b, "%s=%s", k, quote(attrs[k]))
	}
	b.WriteString("];\n")
}

// endpoint quotes "node" or "node:port".
func endpoint(s string) string {
	if id, port, ok := strings.Cut(s, ":"); ok {
		return quoteID(id) + ":" + quoteID(port)
	}
	return quoteID(s)
}

func quoteID(s string) string { return quote(s) }

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Esc escapes text for an HTML-like label.
func Esc(s string) string { return html.EscapeString(s) }

// Cell is one cell of an HTML-like table label.
type Cell struct {
	// Text is escaped when the label is built.
	Text string
	// Port names the cell so that edges can start or end at it.
	Port string
	// Bg is the background colour; Bold sets bold text; ColSpan spans columns; Width sets a
	// minimum width in points.
	Bg      string
	Bold    bool
	ColSpan int
	Width   int
	// Align is LEFT, CENTER or RIGHT (default CENTER).
	Align string
}

// Table builds an HTML-like table label from rows of cells. Cell borders are drawn as 1-point gaps
// over a dark table background, because go-graphviz's in-process PNG renderer draws no cell
// borders; cells without a Bg are white.
func Table(rows ...[]Cell) string {
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="4" BGCOLOR="#555555">`)
	for _, row := range rows {
		b.WriteString("<TR>")
		for _, c := range row {
			b.WriteString("<TD")
			if c.Port != "" {
				fmt.Fprintf(&b, ` PORT="%s"`, Esc(c.Port))
			}
			bg := c.Bg
			if bg == "" {
				bg = "white"
			}
			fmt.Fprintf(&b, ` BGCOLOR="%s"`, Esc(bg))
			if c.ColSpan > 1 {
				fmt.Fprintf(&b, ` COLSPAN="%d"`, c.ColSpan)
			}
			if c.Width > 0 {
				fmt.Fprintf(&b, ` WIDTH="%d"`, c.Width)
			}
			if c.Align != "" {
				fmt.Fprintf(&b, ` ALIGN="%s"`, c.Align)
			}
			b.WriteString(">")
			text := Esc(c.Text)
			text = strings.ReplaceAll(text, "\n", "<BR/>")
			if text == "" {
				text = " "
			}
			if c.Bold {
				text = "<B>" + text + "</B>"
			}
			b.WriteString(text)
			b.WriteString("</TD>")
		}
		b.WriteString("</TR>")
	}
	b.WriteString("</TABLE>")
	return b.String()
}
