package main

import (
	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() {
	register(newSyncMapCmd)
	registerDemo(demoStep{Name: "syncmap", Title: "A sync.Map: where each entry lives and in what state", Order: 30,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			return syncMapView(t, "main.demoSyncMap", 24, 0)
		}})
}

// syncMapOptions are the flags of `memlens syncmap`.
type syncMapOptions struct {
	limit      int
	maxEntries int
}

func newSyncMapCmd(a *app) *cobra.Command {
	opts := &syncMapOptions{}
	cmd := &cobra.Command{
		Use:   "syncmap EXPR",
		Short: "Decode a sync.Map: its entries, and where and in what state each lives",
		Long: `syncmap decodes the sync.Map that EXPR names (or points to). The implementation is chosen by
what the target's DWARF contains: the read/dirty map of Go 1.19-1.23 (read and dirty maps, entry
states live/deleted/expunged, entries the two maps share, misses) or the hash-trie of Go 1.24+
(indirect nodes, entry nodes, overflow chains, depth). Keys and values are printed as Delve prints
them. --limit bounds the entries listed in text and the nodes drawn; JSON lists every entry up to
--max-entries.`,
		Example: `  memlens syncmap --pid 1234 main.cache
  memlens syncmap --core core --exe ./server 'srv.sessions' --format json
  memlens syncmap --pid 1234 main.cache --limit 40 -o cache.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.limit < 1 || opts.maxEntries < 1 {
				return inspect.UserError("--limit and --max-entries must be at least 1")
			}
			return a.withTarget(func(t *inspect.Target) error {
				v, err := syncMapView(t, args[0], opts.limit, opts.maxEntries)
				if err != nil {
					return err
				}
				return a.emit(v)
			})
		},
	}
	cmd.Flags().IntVar(&opts.limit, "limit", 64, "entries listed in text, nodes drawn in diagrams")
	cmd.Flags().IntVar(&opts.maxEntries, "max-entries", inspect.DefaultMaxSyncMapEntries, "entries decoded at most (the rest are counted)")
	return cmd
}

func syncMapView(t *inspect.Target, expr string, limit, maxEntries int) (render.SyncMapView, error) {
	m, err := t.SyncMapExpr(expr, inspect.SyncMapOptions{MaxEntries: maxEntries})
	if err != nil {
		return render.SyncMapView{}, err
	}
	return render.SyncMapView{Expr: expr, Map: m, Limit: limit}, nil
}
