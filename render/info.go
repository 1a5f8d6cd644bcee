package render

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/memlens/memlens/inspect"
)

// InfoView shows a target summary (`memlens info`).
type InfoView struct{ Info *inspect.Info }

func (v InfoView) WriteText(w io.Writer) error {
	in := v.Info
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Go version:\t%s\n", in.GoVersion)
	fmt.Fprintf(tw, "Architecture:\t%s (%d-byte pointers)\n", in.Arch, in.PtrSize)
	switch in.Kind {
	case inspect.Live:
		fmt.Fprintf(tw, "Target:\tlive process %d\n", in.Pid)
	case inspect.CoreDump:
		fmt.Fprintf(tw, "Target:\tcore dump %s (pid %d)\n", in.Core, in.CorePid)
	default:
		fmt.Fprintf(tw, "Target:\texecutable only (no memory)\n")
	}
	fmt.Fprintf(tw, "Executable:\t%s\n", in.Exe)
	fmt.Fprintf(tw, "Build ID:\t%s\n", in.BuildID)
	if in.Kind != inspect.Static {
		fmt.Fprintf(tw, "Goroutines:\t%d (+%d runtime goroutines)\n", in.Goroutines, in.SystemGoroutines)
		fmt.Fprintf(tw, "Threads:\t%d\n", in.Threads)
	}
	return tw.Flush()
}

func (v InfoView) JSONValue() any { return v.Info }

// Graph draws the summary as one record.
func (v InfoView) Graph() *Graph {
	in := v.Info
	g := NewGraph("info")
	rows := [][]Cell{
		{{Text: "target", Bold: true, ColSpan: 2, Bg: "#dde8f5"}},
		{{Text: "Go version", Align: "LEFT"}, {Text: in.GoVersion, Align: "LEFT"}},
		{{Text: "arch", Align: "LEFT"}, {Text: fmt.Sprintf("%s, %d-byte pointers", in.Arch, in.PtrSize), Align: "LEFT"}},
		{{Text: "kind", Align: "LEFT"}, {Text: string(in.Kind), Align: "LEFT"}},
		{{Text: "exe", Align: "LEFT"}, {Text: in.Exe, Align: "LEFT"}},
	}
	if in.Kind != inspect.Static {
		rows = append(rows,
			[]Cell{{Text: "pid", Align: "LEFT"}, {Text: fmt.Sprint(in.Pid + in.CorePid), Align: "LEFT"}},
			[]Cell{{Text: "goroutines", Align: "LEFT"}, {Text: fmt.Sprintf("%d (+%d runtime)", in.Goroutines, in.SystemGoroutines), Align: "LEFT"}},
			[]Cell{{Text: "threads", Align: "LEFT"}, {Text: fmt.Sprint(in.Threads), Align: "LEFT"}})
	}
	g.AddNode("target", Table(rows...), true, nil)
	return g
}
