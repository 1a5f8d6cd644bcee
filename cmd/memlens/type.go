package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() { register(newTypeCmd) }

type typeOptions struct{ limit int }

func newTypeCmd(a *app) *cobra.Command {
	opts := &typeOptions{}
	cmd := &cobra.Command{
		Use:   "type NAME|0xADDR",
		Short: "Show a runtime type descriptor: size, kind, flags, name, methods, element types",
		Long: `type shows the runtime's descriptor of a type (internal/abi.Type; runtime._type before Go
1.21) as the program's own type data has it: size, alignment, ptrBytes, hash, tflag bits, kind,
equality function, the name from the runtime's name data, the package path and method table of
named types, and the element and key types of pointers, slices, arrays, channels and maps.

NAME is the type as DWARF and Delve spell it ("main.T", "*net/http.Client", "[]main.Point",
"map[string]int"); 0xADDR is the address of a descriptor.`,
		Example: `  memlens type --pid 1234 main.Inventory
  memlens type --core core --exe prog 'map[string]int' --format json
  memlens type --pid 1234 0x4c5e20`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return typeRun(a, opts, args[0]) },
	}
	cmd.Flags().IntVar(&opts.limit, "limit", render.DefaultTypeLimit, "list at most this many methods in diagrams")
	return cmd
}

func typeRun(a *app, opts *typeOptions, arg string) error {
	return a.withTarget(func(t *inspect.Target) error {
		var ty *inspect.Type
		var err error
		if strings.HasPrefix(strings.ToLower(arg), "0x") {
			addr, perr := strconv.ParseUint(arg[2:], 16, 64)
			if perr != nil {
				return inspect.UserError("%q is not a hexadecimal address", arg)
			}
			ty, err = t.TypeAt(addr)
		} else {
			ty, err = t.TypeByName(arg)
		}
		if err != nil {
			return err
		}
		return a.emit(render.TypeView{Type: ty, Limit: opts.limit})
	})
}
