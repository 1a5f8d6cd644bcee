package main

import (
	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() { register(newItabsCmd) }

type itabsOptions struct{ iface, typ string }

func newItabsCmd(a *app) *cobra.Command {
	opts := &itabsOptions{}
	cmd := &cobra.Command{
		Use:   "itabs",
		Short: "List the program's itabs: the linker's and the runtime's itab table",
		Long: `itabs lists every itab of the program: those the linker laid out in the module
(moduledata.itablinks up to Go 1.26, the itab block of Go 1.27) and those in the runtime's itab hash
table (runtime.itabTable), which also holds the itabs built at run time by type assertions, and
negative entries for failed assertions (shown with no fun slots).`,
		Example: `  memlens itabs --pid 1234 --interface error
  memlens itabs --core core --exe prog --type '*bytes.Buffer' --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return itabsRun(a, opts) },
	}
	cmd.Flags().StringVar(&opts.iface, "interface", "", "only itabs of this interface type (as the runtime names it: error, io.Reader)")
	cmd.Flags().StringVar(&opts.typ, "type", "", "only itabs of this concrete type (as the runtime names it: *bytes.Buffer)")
	return cmd
}

func itabsRun(a *app, opts *itabsOptions) error {
	return a.withTarget(func(t *inspect.Target) error {
		all, err := t.Itabs()
		if err != nil {
			return err
		}
		var list []*inspect.Itab
		for _, it := range all {
			if opts.iface != "" && it.Interface.Name != opts.iface {
				continue
			}
			if opts.typ != "" && it.Type.Name != opts.typ {
				continue
			}
			list = append(list, it)
		}
		return a.emit(render.ItabsView{Itabs: list})
	})
}
