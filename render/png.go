package render

import (
	"bytes"
	"context"
	"image/color"
	"math"
	"sync"

	"github.com/fogleman/gg"
	"github.com/goccy/go-graphviz"
	"github.com/goccy/go-graphviz/gvc"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// pngEngine draws Graphviz's PNG output with fogleman/gg. It replaces go-graphviz's own PNG
// renderer, which in v0.2.10 strokes nothing (node outlines, table rules and edges vanish) and
// fills every edge curve (an edge with a pen width comes out as a filled blob): here every stroke
// gets a visible pen width, and curves are filled only when the object's fill type says so.
type pngEngine struct {
	*gvc.DefaultRenderEngine
	dc *gg.Context
}

func newPNGGraphviz(ctx context.Context) (*graphviz.Graphviz, error) {
	render, err := gvc.NewRenderPlugin(ctx, "png", &pngEngine{DefaultRenderEngine: new(gvc.DefaultRenderEngine)})
	if err != nil {
		return nil, err
	}
	device, err := gvc.PNGDevicePlugin(ctx)
	if err != nil {
		return nil, err
	}
	return graphviz.NewWithPlugins(ctx, render, device)
}

func (e *pngEngine) x(job *gvc.Job, v float64) float64 { return job.Scale().X() * v }
func (e *pngEngine) y(job *gvc.Job, v float64) float64 { return job.Scale().Y() * v }

func (e *pngEngine) BeginPage(_ context.Context, job *gvc.Job) error {
	e.dc = gg.NewContext(int(job.Width()), int(job.Height()))
	e.dc.SetColor(color.White)
	e.dc.Clear()
	t := job.Translation()
	e.dc.Translate(e.x(job, t.X()), e.y(job, -t.Y()))
	return nil
}

func (e *pngEngine) EndPage(_ context.Context, job *gvc.Job) error {
	var buf bytes.Buffer
	if err := e.dc.EncodePNG(&buf); err != nil {
		return err
	}
	job.SetOutputData(buf.Bytes())
	job.SetOutputDataPosition(uint(buf.Len()))
	return nil
}

func setColor(dc *gg.Context, c *gvc.Color) {
	rgba := c.RGBAUint()
	dc.SetRGBA255(int(rgba[0]), int(rgba[1]), int(rgba[2]), int(rgba[3]))
}

// pen prepares a stroke in the object's pen colour, width and dash style.
func (e *pngEngine) pen(job *gvc.Job) {
	o := job.Object()
	setColor(e.dc, o.PenColor())
	w := o.PenWidth() * job.Zoom()
	if w < 1 {
		w = 1
	}
	e.dc.SetLineWidth(w)
	switch o.Pen() {
	case gvc.PenDashed:
		e.dc.SetDash(6, 4)
	case gvc.PenDotted:
		e.dc.SetDash(2, 4)
	default:
		e.dc.SetDash()
	}
}

// finish fills the current path (when Graphviz asks for a filled shape) and strokes its outline,
// unless the pen is off.
func (e *pngEngine) finish(job *gvc.Job, filled bool) {
	o := job.Object()
	if filled {
		setColor(e.dc, o.FillColor())
		e.dc.FillPreserve()
	}
	if o.Pen() == gvc.PenNone {
		e.dc.ClearPath()
		return
	}
	e.pen(job)
	e.dc.Stroke()
}

func (e *pngEngine) path(job *gvc.Job, pts []*gvc.PointFloat, closed bool) {
	e.dc.NewSubPath()
	e.dc.MoveTo(e.x(job, pts[0].X()), e.y(job, -pts[0].Y()))
	for _, p := range pts[1:] {
		e.dc.LineTo(e.x(job, p.X()), e.y(job, -p.Y()))
	}
	if closed {
		e.dc.ClosePath()
	}
}

func (e *pngEngine) Polygon(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat, filled bool) error {
	if len(pts) == 0 {
		return nil
	}
	e.path(job, pts, true)
	e.finish(job, filled)
	return nil
}

func (e *pngEngine) Polyline(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat) error {
	if len(pts) == 0 {
		return nil
	}
	e.path(job, pts, false)
	e.finish(job, false)
	return nil
}

func (e *pngEngine) BezierCurve(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat, filled bool) error {
	if len(pts) == 0 {
		return nil
	}
	e.dc.NewSubPath()
	e.dc.MoveTo(e.x(job, pts[0].X()), e.y(job, -pts[0].Y()))
	for i := 1; i+2 < len(pts); i += 3 {
		e.dc.CubicTo(e.x(job, pts[i].X()), e.y(job, -pts[i].Y()),
			e.x(job, pts[i+1].X()), e.y(job, -pts[i+1].Y()),
			e.x(job, pts[i+2].X()), e.y(job, -pts[i+2].Y()))
	}
	// go-graphviz passes filled=true for every curve, edges included; the object's fill type is
	// the truth.
	e.finish(job, filled && job.Object().Fill() != gvc.FillNone)
	return nil
}

func (e *pngEngine) Ellipse(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat, filled bool) error {
	if len(pts) < 2 {
		return nil
	}
	rx := math.Abs(e.x(job, pts[1].X()-pts[0].X()))
	ry := math.Abs(e.y(job, pts[1].Y()-pts[0].Y()))
	e.dc.NewSubPath()
	e.dc.DrawEllipse(e.x(job, pts[0].X()), e.y(job, -pts[0].Y()), rx, ry)
	e.finish(job, filled)
	return nil
}

func (e *pngEngine) TextSpan(_ context.Context, job *gvc.Job, p *gvc.PointFloat, span *gvc.TextSpan) error {
	setColor(e.dc, job.Object().PenColor())
	f := span.Font()
	e.dc.SetFontFace(fontFace(f.Flags()&1 != 0, f.Size()*job.Zoom()))
	x := e.x(job, p.X())
	switch span.Just() {
	case 'r':
		x -= e.x(job, span.Size().X())
	case 'n':
		x -= e.x(job, span.Size().X()/2)
	}
	y := e.y(job, p.Y()+span.YOffsetCenterLine()+span.YOffsetLayout())
	e.dc.DrawStringAnchored(span.Text(), x, -y, 0, 0)
	return nil
}

var (
	fontsMu sync.Mutex
	fonts   = map[[2]float64]font.Face{}
)

// fontFace returns the Go font (regular or bold) at a size, cached.
func fontFace(bold bool, size float64) font.Face {
	key := [2]float64{0, size}
	src := goregular.TTF
	if bold {
		key[0], src = 1, gobold.TTF
	}
	fontsMu.Lock()
	defer fontsMu.Unlock()
	if f, ok := fonts[key]; ok {
		return f
	}
	ft, _ := truetype.Parse(src)
	f := truetype.NewFace(ft, &truetype.Options{Size: size})
	fonts[key] = f
	return f
}
