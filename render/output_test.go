package render

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/goccy/go-graphviz"
)

// testView is a View with awkward text in every format: quotes, angle brackets, newlines.
type testView struct{}

func (testView) WriteText(w io.Writer) error { _, err := io.WriteString(w, "text form\n"); return err }
func (testView) JSONValue() any              { return map[string]any{"addr": Hex(0xc000012000), "n": 3} }
func (testView) Graph() *Graph {
	g := NewGraph("test")
	g.AddNode("a", `say "hi"`+"\nline two", false, nil)
	g.AddNode("b", Table([]Cell{{Text: "<chan> & *T", Port: "p0", Bold: true}, {Text: "x"}}), true, map[string]string{"tooltip": `a "quoted" tip`})
	g.AddEdge("a", "b:p0", map[string]string{"label": "recvx"})
	return g
}

func TestFormats(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(strings.ToUpper(string(f))); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil {
		t.Error("ParseFormat accepted yaml")
	}
	for path, want := range map[string]Format{"a.json": JSON, "a.DOT": DOT, "a.gv": DOT, "a.svg": SVG, "a.png": PNG, "a.txt": Text, "a": Text} {
		if got := FormatForPath(path); got != want {
			t.Errorf("FormatForPath(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestWriteEveryFormat checks that escaping holds up: Graphviz parses the DOT and renders it.
func TestWriteEveryFormat(t *testing.T) {
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, f, testView{}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b := buf.Bytes()
		switch f {
		case Text:
			if string(b) != "text form\n" {
				t.Errorf("text: %q", b)
			}
		case JSON:
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil || v["addr"] != "0xc000012000" || v["n"] != float64(3) {
				t.Errorf("json: %s (%v)", b, err)
			}
		case DOT:
			g, err := graphviz.ParseBytes(b)
			if err != nil {
				t.Fatalf("DOT does not parse: %v\n%s", err, b)
			}
			g.Close()
			if !strings.Contains(string(b), "&lt;chan&gt; &amp; *T") {
				t.Errorf("HTML label text not escaped:\n%s", b)
			}
		case SVG:
			if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("recvx")) {
				t.Errorf("svg: %.300s", b)
			}
		case PNG:
			if !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Errorf("png signature: % x", b[:8])
			}
		}
	}
}

// TestPNGDrawsStrokes guards the PNG renderer (png.go): a box outline and an edge are strokes,
// which go-graphviz's own renderer loses. A horizontal scan through the middle of "a -> b" must cross
// dark pixels between the two boxes (the edge), not only inside them (the text).
func TestPNGDrawsStrokes(t *testing.T) {
	var buf bytes.Buffer
	dot := `digraph g { rankdir=LR; nodesep=1; node [shape=box label=" "]; a -> b [arrowhead=none]; }`
	if err := RenderDOT(&buf, PNG, dot); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	y := (b.Min.Y + b.Max.Y) / 2
	var runs int
	dark := false
	for x := b.Min.X; x < b.Max.X; x++ {
		r, g, bl, a := img.At(x, y).RGBA()
		d := a > 0x8000 && r+g+bl < 3*0x8000
		if d && !dark {
			runs++
		}
		dark = d
	}
	// a's left and right outline, the edge line (running into b's left outline), b's right outline.
	if runs < 3 {
		t.Errorf("the middle row of the PNG crosses %d dark runs; box outlines or the edge are not drawn", runs)
	}
}
