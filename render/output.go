package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/goccy/go-graphviz"
)

// Format is an output format.
type Format string

const (
	Text Format = "text"
	JSON Format = "json"
	DOT  Format = "dot"
	SVG  Format = "svg"
	PNG  Format = "png"
)

// Formats lists every output format.
var Formats = []Format{Text, JSON, DOT, SVG, PNG}

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (use text, json, dot, svg or png)", s)
}

// FormatForPath picks the format from an output file's extension (".json", ".dot"/".gv", ".svg",
// ".png"); anything else is text.
func FormatForPath(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return JSON
	case ".dot", ".gv":
		return DOT
	case ".svg":
		return SVG
	case ".png":
		return PNG
	}
	return Text
}

// View is one decoded value, ready to be shown in every format.
type View interface {
	// WriteText writes the human-readable text form.
	WriteText(w io.Writer) error
	// JSONValue returns the value to marshal as the JSON form.
	JSONValue() any
	// Graph builds the diagram; nil when the view has no diagram.
	Graph() *Graph
}

// JSONStreamer is a View whose JSON form is large enough to be worth writing as it goes (a
// channel of a million values) instead of building it in memory first. WriteJSON must write
// exactly what the generic JSON path would.
type JSONStreamer interface {
	WriteJSON(w io.Writer) error
}

// Write writes v to w in format f.
func Write(w io.Writer, f Format, v View) error {
	switch f {
	case Text, "":
		return v.WriteText(w)
	case JSON:
		if s, ok := v.(JSONStreamer); ok {
			return s.WriteJSON(w)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v.JSONValue())
	}
	g := v.Graph()
	if g == nil {
		return fmt.Errorf("this view has no diagram; use --format text or json")
	}
	if f == DOT {
		_, err := io.WriteString(w, g.DOT())
		return err
	}
	return RenderDOT(w, f, g.DOT())
}

// RenderDOT renders DOT source to SVG or PNG in-process with go-graphviz.
func RenderDOT(w io.Writer, f Format, dot string) error {
	var gf graphviz.Format
	switch f {
	case SVG:
		gf = graphviz.SVG
	case PNG:
		gf = graphviz.PNG
	default:
		return fmt.Errorf("cannot render DOT as %s", f)
	}
	ctx := context.Background()
	var gv *graphviz.Graphviz
	var err error
	if f == PNG {
		gv, err = newPNGGraphviz(ctx)
	} else {
		gv, err = graphviz.New(ctx)
	}
	if err != nil {
		return fmt.Errorf("starting graphviz: %w", err)
	}
	defer gv.Close()
	graph, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return fmt.Errorf("parsing the diagram: %w", err)
	}
	defer graph.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, graph, gf, &buf); err != nil {
		return fmt.Errorf("rendering the diagram as %s: %w", f, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Hex formats an address the way JSON output spells addresses: "0x" and lower-case hex digits.
func Hex(addr uint64) string { return fmt.Sprintf("%#x", addr) }
