package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() {
	register(newIfaceCmd)
	registerDemo(demoStep{Name: "iface", Title: "An io.ReadWriter holding a *bytes.Buffer: iface words, itab, method dispatch", Order: 20,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			in, err := t.IfaceOf("main.demoReadWriter")
			if err != nil {
				return nil, err
			}
			return render.IfaceView{Iface: in}, nil
		}})
	registerDemo(demoStep{Name: "iface-error", Title: "An error from errors.New", Order: 21,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			in, err := t.IfaceOf("main.demoError")
			if err != nil {
				return nil, err
			}
			return render.IfaceView{Iface: in}, nil
		}})
	registerDemo(demoStep{Name: "eface", Title: "An any holding a small struct: eface words and type descriptor", Order: 22,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			in, err := t.IfaceOf("main.demoAny")
			if err != nil {
				return nil, err
			}
			return render.IfaceView{Iface: in}, nil
		}})
}

type ifaceOptions struct {
	eface bool
	limit int
}

func newIfaceCmd(a *app) *cobra.Command {
	opts := &ifaceOptions{}
	cmd := &cobra.Command{
		Use:   "iface EXPR",
		Short: "Show an interface value: its two words, itab, method table and dynamic type",
		Long: `iface evaluates EXPR (a variable or field of interface type, in Delve's expression syntax)
and shows its two words, the itab the first word points to (interface type, dynamic type, and the
fun table a method call dispatches through, with each function's symbol), the interface type's
methods, the dynamic type's descriptor and the dynamic value.

With --eface, EXPR is an address (0x...) where an empty interface (any) is stored.`,
		Example: `  memlens iface --pid 1234 main.err
  memlens iface --core core --exe prog 'srv.handler' -o handler.png
  memlens iface --pid 1234 --eface 0xc000012340`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return ifaceRun(a, opts, args[0]) },
	}
	cmd.Flags().BoolVar(&opts.eface, "eface", false, "EXPR is the address of an empty interface (any)")
	cmd.Flags().IntVar(&opts.limit, "limit", render.DefaultTypeLimit, "list at most this many fun slots and methods in diagrams")
	return cmd
}

func ifaceRun(a *app, opts *ifaceOptions, expr string) error {
	var addr uint64
	if opts.eface {
		var err error
		addr, err = strconv.ParseUint(strings.TrimPrefix(strings.ToLower(expr), "0x"), 16, 64)
		if err != nil || !strings.HasPrefix(strings.ToLower(expr), "0x") {
			return inspect.UserError("with --eface, give the address of the interface value as 0x..., not %q", expr)
		}
	}
	return a.withTarget(func(t *inspect.Target) error {
		var in *inspect.Iface
		var err error
		if opts.eface {
			in, err = t.EfaceAt(addr)
		} else {
			in, err = t.IfaceOf(expr)
		}
		if err != nil {
			return err
		}
		return a.emit(render.IfaceView{Iface: in, Limit: opts.limit})
	})
}
