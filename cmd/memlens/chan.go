package main

import (
	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() {
	register(newChanCmd)
	for _, s := range []struct{ name, title, expr string }{
		{"chan-ring", "A buffered channel whose ring has wrapped", "main.chanRing"},
		{"chan-closed", "A closed channel that still holds values", "main.chanClosed"},
		{"chan-senders", "An unbuffered channel with blocked senders", "main.chanSenders"},
		{"chan-receivers", "A channel with blocked receivers, one in a select", "main.chanReceivers"},
	} {
		expr := s.expr
		registerDemo(demoStep{Name: s.name, Title: s.title, Order: 10,
			View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
				c, err := t.EvalChan(expr, inspect.ChanOptions{MaxSlots: render.DefaultChanLimit})
				if err != nil {
					return nil, err
				}
				return render.ChanView{Expr: expr, Chan: c, Limit: render.DefaultChanLimit}, nil
			}})
	}
}

// chanOptions are the arguments of `memlens chan`.
type chanOptions struct {
	// expr names the channel.
	expr string
	// limit bounds slots and waiters; limitSet says --limit was given (JSON lists everything
	// otherwise).
	limit    int
	limitSet bool
}

func newChanCmd(a *app) *cobra.Command {
	opts := &chanOptions{}
	cmd := &cobra.Command{
		Use:   "chan EXPR",
		Short: "Show a channel: its ring buffer slot by slot and the goroutines waiting on it",
		Long: `chan decodes the runtime.hchan behind a channel: the header (cap, len, recvx, sendx,
closed, element type, timer), the buffered values in receive order with their slots and
addresses, and the goroutines queued to receive (recvq) and to send (sendq), with the values
the senders are waiting to hand over.

EXPR is a Delve expression of channel type (main.jobs, a local with --goroutine/--frame, a
struct field such as main.ticker.C) or a bare address 0x... read as a *runtime.hchan.

Text and diagrams show at most --limit slots and waiters; JSON lists every buffered value
unless --limit is given.`,
		Example: `  memlens chan --pid 4242 main.jobs
  memlens chan --core core --exe ./server 'main.srv.queue' -o queue.svg
  memlens chan --pid 4242 --format json 0xc000120000`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.expr = args[0]
			opts.limitSet = cmd.Flags().Changed("limit")
			return chanRun(a, opts)
		},
	}
	cmd.Flags().IntVar(&opts.limit, "limit", render.DefaultChanLimit, "show at most this many slots and waiters (JSON: all unless given)")
	return cmd
}

func chanRun(a *app, opts *chanOptions) error {
	if opts.limit < 1 {
		return inspect.UserError("--limit %d: give a positive number of slots", opts.limit)
	}
	format, err := a.outputFormat()
	if err != nil {
		return err
	}
	decode := inspect.ChanOptions{MaxSlots: opts.limit}
	if opts.limitSet && opts.limit > inspect.DefaultMaxFormatted {
		decode.MaxFormatted = opts.limit
	}
	if format == render.JSON && !opts.limitSet {
		decode.MaxSlots = 0 // every buffered value
	}
	return a.withTarget(func(t *inspect.Target) error {
		c, err := t.EvalChan(opts.expr, decode)
		if err != nil {
			return err
		}
		return a.emit(render.ChanView{Expr: opts.expr, Chan: c, Limit: opts.limit})
	})
}
