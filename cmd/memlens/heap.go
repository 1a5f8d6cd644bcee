package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() {
	register(newHeapCmd)
	registerDemo(demoStep{Name: "heap-arenas", Title: "The heap: arenas and what holds their pages", Order: 40,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			h, err := t.Heap(inspect.HeapOptions{})
			if err != nil {
				return nil, err
			}
			return render.HeapView{Summary: h.Summary(), Heap: h}, nil
		}})
}

// heapOptions are the flags of `memlens heap`.
type heapOptions struct {
	// limit bounds the arenas the map draws.
	limit int
}

func newHeapCmd(a *app) *cobra.Command {
	opts := &heapOptions{}
	cmd := &cobra.Command{
		Use:   "heap",
		Short: "Summarise the allocator: arenas, spans by state, size classes in use",
		Long: `heap reads runtime.mheap_ and every span in its allspans list and prints totals (arenas,
spans by state, bytes in in-use spans, allocated and free slot bytes) and one row per size class
in use. heapInuse is what runtime.MemStats.HeapInuse counts. The diagram is a map of each arena's
pages coloured by what holds them (size class range, large objects, stacks, free).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return heapRun(a, opts) },
	}
	cmd.Flags().IntVar(&opts.limit, "limit", render.DefaultArenaLimit, "draw at most this many arenas in the map")
	return cmd
}

func heapRun(a *app, opts *heapOptions) error {
	if opts.limit <= 0 {
		return inspect.UserError("--limit must be positive")
	}
	return a.withTarget(func(t *inspect.Target) error {
		progress, done := a.progress("reading spans")
		h, err := t.Heap(inspect.HeapOptions{Progress: progress})
		done()
		if err != nil {
			return err
		}
		return a.emit(render.HeapView{Summary: h.Summary(), Heap: h, Limit: opts.limit})
	})
}

// progressThreshold is the number of items below which a scan is quick enough to need no
// progress bar.
const progressThreshold = 20000

// progress returns a progress callback for a long scan that draws a bar on stderr when stderr is
// a terminal (and nothing otherwise), and a function that removes the bar when the scan ends.
// Short scans (fewer than progressThreshold items) draw nothing either.
func (a *app) progress(what string) (func(done, total int), func()) {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	update := func(done, total int) {
		if total < progressThreshold {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(io.Writer(f)),
				progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		bar.Set(done)
	}
	return update, func() {
		if bar != nil {
			bar.Finish()
		}
	}
}
