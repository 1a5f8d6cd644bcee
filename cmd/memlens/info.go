package main

import (
	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() { register(newInfoCmd) }

func newInfoCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Summarise the target: Go version, architecture, goroutines, threads, build ID",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withTarget(func(t *inspect.Target) error {
				info, err := t.Info()
				if err != nil {
					return err
				}
				return a.emit(render.InfoView{Info: info})
			})
		},
	}
}
