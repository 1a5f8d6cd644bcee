package main

import (
	"github.com/spf13/cobra"

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
