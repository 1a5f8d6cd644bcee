package main

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() { register(newSpansCmd) }

// spansOptions are the flags of `memlens spans`.
type spansOptions struct {
	class     int
	noscan    bool
	noscanSet bool
	state     string
	addr      string
	limit     int
}

func newSpansCmd(a *app) *cobra.Command {
	opts := &spansOptions{}
	cmd := &cobra.Command{
		Use:   "spans",
		Short: "List spans with their occupancy; draw one span's slots",
		Long: `spans lists the spans of the heap (runtime.mheap_.allspans) that match the filters, one row
each with allocated/slots and an occupancy bar. The diagram is one span's slot grid (the span
holding --addr, or the first listed): allocated, free and marked slots, and freeindex.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.noscanSet = cmd.Flags().Changed("noscan")
			return spansRun(a, opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.class, "class", -1, "only spans of this size class (0: large objects)")
	f.BoolVar(&opts.noscan, "noscan", false, "only noscan spans (--noscan=false: only spans whose objects hold pointers)")
	f.StringVar(&opts.state, "state", "", "only spans in this state: inuse, manual or free")
	f.StringVar(&opts.addr, "addr", "", "draw the slot grid of the span holding this address")
	f.IntVar(&opts.limit, "limit", 100, "list at most this many spans")
	return cmd
}

// parseAddr parses an address given in hex (0x...) or decimal.
func parseAddr(what, s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, inspect.UserError("%s %q is not an address (use hex like 0xc000012000, or decimal)", what, s)
	}
	return v, nil
}

// matchSpans applies the filters to the heap's spans, in address order.
func matchSpans(h *inspect.Heap, opts *spansOptions) []*inspect.Span {
	all := h.Spans
	if opts.state == string(inspect.SpanFree) {
		all = h.Free
	}
	var out []*inspect.Span
	for _, s := range all {
		if opts.state != "" && string(s.State) != opts.state {
			continue
		}
		if opts.class >= 0 && (s.State != inspect.SpanInUse || s.Class != opts.class) {
			continue
		}
		if opts.noscanSet && (s.State != inspect.SpanInUse || s.Noscan != opts.noscan) {
			continue
		}
		out = append(out, s)
	}
	return out
}

func spansRun(a *app, opts *spansOptions) error {
	switch opts.state {
	case "", "inuse", "manual", "free":
	default:
		return inspect.UserError("--state %q: use inuse, manual or free", opts.state)
	}
	if opts.limit <= 0 {
		return inspect.UserError("--limit must be positive")
	}
	var addr uint64
	if opts.addr != "" {
		var err error
		if addr, err = parseAddr("--addr", opts.addr); err != nil {
			return err
		}
	}
	return a.withTarget(func(t *inspect.Target) error {
		progress, done := a.progress("reading spans")
		h, err := t.Heap(inspect.HeapOptions{Progress: progress})
		done()
		if err != nil {
			return err
		}
		if opts.class >= len(h.SizeClasses) {
			return inspect.UserError("--class %d: the target has size classes 0 to %d", opts.class, len(h.SizeClasses)-1)
		}
		matched := matchSpans(h, opts)
		view := render.SpansView{Total: len(matched), PageSize: h.PageSize}
		if len(matched) > opts.limit {
			matched = matched[:opts.limit]
		}
		view.Spans = matched
		if opts.addr != "" {
			view.Grid = h.SpanOf(addr)
			if view.Grid == nil {
				return inspect.UserError("--addr %#x is not in any heap span", addr)
			}
		} else if len(matched) > 0 {
			view.Grid = matched[0]
		}
		load := matched
		if view.Grid != nil {
			load = append(append([]*inspect.Span{}, matched...), view.Grid)
		}
		if err := t.LoadSpanBits(load); err != nil {
			return err
		}
		return a.emit(view)
	})
}
