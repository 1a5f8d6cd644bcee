package inspect

import (
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"
	"golang.org/x/sys/unix"

	"github.com/memlens/memlens/layouts"
)

// SemTable is the runtime's semaphore table (runtime.semtable, src/runtime/sema.go): a fixed array
// of semaRoots, each the root of a treap of the goroutines parked on the semaphore addresses that
// hash to it. sync.Mutex, sync.RWMutex and sync.WaitGroup park their waiters here.
//
// Facts relied on (every version 1.19-1.27, checked by TestSemTableLayout against the DWARF of
// every fixture target):
//   - var semtable semTable; type semTable [semTabSize]struct{ root semaRoot; pad [...]byte }.
//     The element size (the stride between roots) is cpu.CacheLinePadSize: 64 bytes on amd64,
//     64 on arm64 in 1.19 and 128 on arm64 from 1.20. It is taken from the array's DWARF type.
//   - semTabSize is 251 in every version; the element count is taken from DWARF too.
//   - rootFor(addr) = &semtable[(addr>>3) % semTabSize].root.
//   - semaRoot{lock mutex; treap *sudog; nwait uint32 (1.19) | atomic.Uint32 (1.20+)}.
type SemTable struct {
	// Addr is the address of runtime.semtable.
	Addr uint64
	// Stride is the size of one table element in bytes (semaRoot plus cache-line padding).
	Stride int64
	// Len is the number of roots (semTabSize).
	Len int64
	// RootOffset is the offset of the semaRoot inside one element (0 in every version).
	RootOffset int64
	// TreapOffset and NwaitOffset are the offsets of semaRoot.treap and semaRoot.nwait.
	TreapOffset, NwaitOffset int64
}

// SemTable finds runtime.semtable and its geometry in the target's DWARF.
func (t *Target) SemTable() (*SemTable, error) {
	v, err := t.Eval("runtime.semtable", proc.LoadConfig{})
	if err != nil {
		return nil, fmt.Errorf("finding runtime.semtable: %v", err)
	}
	arr, ok := godwarf.ResolveTypedef(v.RealType).(*godwarf.ArrayType)
	if !ok {
		return nil, fmt.Errorf("runtime.semtable in %s is a %s, not an array; this Go version's semaphore table is not supported", t.Exe, v.RealType)
	}
	st := &SemTable{Addr: v.Addr, Stride: arr.Type.Size(), Len: arr.Count}
	if st.Len <= 0 || st.Stride <= 0 || st.Len > 1<<16 {
		return nil, fmt.Errorf("runtime.semtable at %#x: implausible geometry (%d roots of %d bytes)", st.Addr, st.Len, st.Stride)
	}
	if elem, err := layoutOfType(t, arr.Type); err == nil && elem.Has("root") {
		st.RootOffset, _ = elem.Offset("root")
	}
	root, err := t.Layout("runtime.semaRoot")
	if err != nil {
		return nil, err
	}
	if st.TreapOffset, err = root.Offset("treap"); err != nil {
		return nil, err
	}
	if st.NwaitOffset, err = root.Offset("nwait"); err != nil {
		return nil, err
	}
	return st, nil
}

// RootFor returns the address of the semaRoot that semaphore address sema hashes to
// (semTable.rootFor).
func (st *SemTable) RootFor(sema uint64) uint64 {
	return st.Addr + uint64(int64((sema>>3)%uint64(st.Len))*st.Stride+st.RootOffset)
}

// SemaWaiter is one goroutine parked on a semaphore, as the semaphore table records it.
type SemaWaiter struct {
	// Sudog is the address of the waiter's runtime.sudog.
	Sudog SyncAddr `json:"sudog"`
	// GoID is the waiting goroutine's id.
	GoID int64 `json:"goid"`
	// G is the address of its runtime.g.
	G SyncAddr `json:"g"`
	// WaitReason is the goroutine's wait reason ("sync.Mutex.Lock"; "semacquire" in Go 1.19).
	WaitReason string `json:"waitReason,omitempty"`
	// AcquireTicks is sudog.acquiretime: the runtime's cputicks() when the goroutine blocked, set
	// only while mutex or block profiling is on (0 otherwise). Ticks are CPU-clock units, not ns.
	AcquireTicks int64 `json:"acquireTicks,omitempty"`
	// WaitSince is g.waitsince: the runtime's nanotime by which the goroutine was already blocked,
	// filled in by the first garbage collection that saw it waiting (0 if none has run since).
	WaitSince int64 `json:"waitSince,omitempty"`
	// WaitingFor is how long the goroutine has waited at least, in nanoseconds: now minus
	// WaitSince. Known only for live targets (a core records no "now") and when WaitSince is set.
	WaitingFor int64 `json:"waitingFor,omitempty"`
}

// SemaQueue is every goroutine parked on one semaphore address, in the order the runtime will
// wake them.
type SemaQueue struct {
	// Sema is the semaphore's address.
	Sema uint64
	// Root is the address of the semaRoot it hashes to, and RootWaiters that root's nwait (the
	// waiters on every address that hashes there).
	Root        uint64
	RootWaiters uint32
	// TreapDepth is how many treap nodes were visited to find the address.
	TreapDepth int
	// Waiters are the parked goroutines in queue order: the treap node first, then its waitlink
	// list.
	Waiters []SemaWaiter
	// More counts waiters beyond the limit the walk was asked for.
	More int
}

// maxTreapDepth bounds the descent of a semaRoot treap. A treap of n nodes is O(log n) deep; a
// million goroutines on distinct addresses of one root would still be far below this.
const maxTreapDepth = 4096

// SemaWaiters finds the goroutines parked on semaphore address sema: it hashes the address to its
// semaRoot, descends the treap (ordered by sudog.elem) to the node for the address and follows that
// node's waitlink list. The cost depends on the treap's depth and the queue's length, not on how
// many goroutines the program has. At most limit waiters are decoded (limit <= 0: no limit beyond
// MaxListWalk).
func (t *Target) SemaWaiters(st *SemTable, sema uint64, limit int) (*SemaQueue, error) {
	q := &SemaQueue{Sema: sema, Root: st.RootFor(sema)}
	if nwait, err := t.ReadUint("semaRoot.nwait", q.Root+uint64(st.NwaitOffset), 4); err == nil {
		q.RootWaiters = uint32(nwait)
	}
	node, err := t.ReadPtr("semaRoot.treap", q.Root+uint64(st.TreapOffset))
	if err != nil {
		return nil, err
	}
	// Descend the binary search tree: prev holds smaller addresses, next larger ones.
	var head *Sudog
	seen := map[uint64]bool{}
	for node != 0 {
		if seen[node] || q.TreapDepth >= maxTreapDepth {
			return nil, fmt.Errorf("semaphore treap of root %#x: cycle or depth over %d at sudog %#x (corrupt memory?)", q.Root, maxTreapDepth, node)
		}
		seen[node] = true
		q.TreapDepth++
		s, err := t.SudogAt(node)
		if err != nil {
			return nil, fmt.Errorf("semaphore treap of root %#x: %v", q.Root, err)
		}
		if s.Elem == sema {
			head = s
			break
		}
		if sema < s.Elem {
			node = s.Prev
		} else {
			node = s.Next
		}
	}
	if head == nil {
		return q, nil
	}
	if limit <= 0 || limit > MaxListWalk {
		limit = MaxListWalk
	}
	sudogs := map[uint64]*Sudog{head.Addr: head}
	addrs, walkErr := WalkList(fmt.Sprintf("wait list of semaphore %#x", sema), head.Addr, limit, func(addr uint64) (uint64, error) {
		s := sudogs[addr]
		if s == nil {
			var err error
			if s, err = t.SudogAt(addr); err != nil {
				return 0, err
			}
			sudogs[addr] = s
		}
		return s.WaitLink, nil
	})
	if walkErr != nil && len(addrs) < limit {
		return nil, walkErr
	}
	if len(addrs) == limit && walkErr != nil {
		// Cut at the limit: count the rest through the head's waiters counter where there is one
		// (Go 1.22+: the number of waiters behind the head, clamped at 0xffff).
		if int(head.Waiters)+1 > limit {
			q.More = int(head.Waiters) + 1 - limit
		} else {
			q.More = 1
		}
	}
	now := t.monotonicNow()
	for _, addr := range addrs {
		s := sudogs[addr]
		w := SemaWaiter{Sudog: SyncAddr(addr), G: SyncAddr(s.G), AcquireTicks: s.AcquireTime}
		if s.G != 0 {
			g, err := t.GoroutineAt(s.G)
			if err != nil {
				return nil, fmt.Errorf("waiter on semaphore %#x (sudog %#x): %v", sema, addr, err)
			}
			w.GoID, w.WaitReason, w.WaitSince = g.ID, g.WaitReason, g.WaitSince
			if now != 0 && g.WaitSince > 0 && now > g.WaitSince {
				w.WaitingFor = now - g.WaitSince
			}
		}
		q.Waiters = append(q.Waiters, w)
	}
	return q, nil
}

// layoutOfType builds the layout of an anonymous DWARF type (such as semTable's element struct).
func layoutOfType(t *Target, typ godwarf.Type) (*layouts.Layout, error) {
	return layouts.FromDWARF(typ, t.Arch)
}

// monotonicNow is the host's CLOCK_MONOTONIC in nanoseconds, which is the clock the Go runtime's
// nanotime reads on linux, so for a live process on this machine it is the target's "now". A core
// records no such time: 0.
func (t *Target) monotonicNow() int64 {
	if t.Kind != Live {
		return 0
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
