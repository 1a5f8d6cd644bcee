package main

import (
	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() {
	register(newSpanCmd)
	registerDemo(demoStep{Name: "heap-span", Title: "One span's slots: which are allocated, where freeindex is", Order: 40,
		View: func(t *inspect.Target, report map[string]string) (render.View, error) {
			addr, err := parseAddr("heap.gridObject", report["heap.gridObject"])
			if err != nil {
				return nil, err
			}
			loc, err := t.Locate(addr)
			if err != nil {
				return nil, err
			}
			return render.SpanView{Loc: loc, PageSize: t.Arch.GoPageSize}, nil
		}})
}

func newSpanCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "span ADDR",
		Short: "Say where an address lives: arena, page, span, slot, and whether the slot is allocated",
		Long: `span finds the span holding ADDR the way the runtime does (arena index, then the arena's
page-to-span table) and prints the arena, page, span, slot index and base address, and whether the
slot is allocated and marked. An interior pointer resolves to its object's base. An address outside
the heap is named: a goroutine stack, a global, read-only data or code of the executable.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddr("address", args[0])
			if err != nil {
				return err
			}
			return a.withTarget(func(t *inspect.Target) error {
				loc, err := t.Locate(addr)
				if err != nil {
					return err
				}
				return a.emit(render.SpanView{Loc: loc, PageSize: t.Arch.GoPageSize})
			})
		},
	}
}
