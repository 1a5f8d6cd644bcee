package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
)

func init() {
	register(newMutexCmd)
	registerDemo(demoStep{Name: "mutex", Title: "A contended sync.Mutex and who waits on it", Order: 32,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			return mutexView(t, "main.demoMutex", 8)
		}})
	registerDemo(demoStep{Name: "rwmutex", Title: "A sync.RWMutex with readers inside and a writer pending", Order: 33,
		View: func(t *inspect.Target, _ map[string]string) (render.View, error) {
			return mutexView(t, "main.demoRWMutex", 8)
		}})
}

// mutexOptions are the flags of `memlens mutex`.
type mutexOptions struct {
	limit int
}

func newMutexCmd(a *app) *cobra.Command {
	opts := &mutexOptions{}
	cmd := &cobra.Command{
		Use:   "mutex EXPR",
		Short: "Decode a sync.Mutex or sync.RWMutex: state bits, and the goroutines parked on it",
		Long: `mutex decodes the sync.Mutex, sync.RWMutex or internal/sync.Mutex that EXPR names (or
points to): the state word's bits (locked, woken, starving, waiter count), and the goroutines parked
on its semaphores, found through the runtime's semaphore table in the order they will be woken.
For an RWMutex: readers inside, whether a writer is pending, waiting writers and readers.
Go records no owner, so memlens cannot say which goroutine holds a lock.`,
		Example: `  memlens mutex --pid 1234 main.mu
  memlens mutex --core core --exe ./server 'srv.cache.mu' -o mu.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.limit < 1 {
				return inspect.UserError("--limit must be at least 1")
			}
			return a.withTarget(func(t *inspect.Target) error {
				v, err := mutexView(t, args[0], opts.limit)
				if err != nil {
					return err
				}
				return a.emit(v)
			})
		},
	}
	cmd.Flags().IntVar(&opts.limit, "limit", 32, "waiting goroutines shown per semaphore in text and diagrams (JSON lists up to 1024)")
	return cmd
}

// maxMutexWaiters bounds the waiters decoded per semaphore.
const maxMutexWaiters = 1024

func mutexView(t *inspect.Target, expr string, limit int) (render.View, error) {
	v, err := t.MutexExpr(expr, maxMutexWaiters)
	if err != nil {
		return nil, err
	}
	switch m := v.(type) {
	case *inspect.Mutex:
		return render.MutexView{Expr: expr, Mutex: m, Limit: limit}, nil
	case *inspect.RWMutex:
		return render.MutexView{Expr: expr, RW: m, Limit: limit}, nil
	}
	return nil, fmt.Errorf("decoding %s: unexpected %T", expr, v)
}
