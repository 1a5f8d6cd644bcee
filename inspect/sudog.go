package inspect

import "fmt"

// Sudog is a runtime.sudog: a goroutine waiting on a channel or a semaphore, as one entry of a
// wait queue (a channel's recvq/sendq) or of a semaphore's treap.
type Sudog struct {
	// Addr is the address of the sudog.
	Addr uint64
	// G is the address of the waiting goroutine's runtime.g.
	G uint64
	// Next and Prev link a channel wait queue; Parent links the semaphore treap; WaitLink and
	// WaitTail link the list of waiters on one semaphore address.
	Next, Prev, Parent, WaitLink, WaitTail uint64
	// Elem is the data element: for a channel sender, the address of the value being sent; for a
	// receiver, where the received value goes; for a semaphore, the semaphore's address.
	Elem uint64
	// Chan is the channel the sudog waits on (sudog.c), when set.
	Chan uint64
	// AcquireTime and ReleaseTime are the runtime's nanotime stamps (0 unless profiling asked).
	AcquireTime, ReleaseTime int64
	// Ticket is the treap priority of a semaphore waiter (or 1 for a handed-off starving lock).
	Ticket uint32
	// IsSelect is true when the goroutine waits inside a select.
	IsSelect bool
	// Success reports, after wake-up, whether a value was delivered (false: the channel closed).
	Success bool
	// Waiters counts waiters behind a semaphore treap node (sudog.waiters, Go 1.22+; 0 before).
	Waiters uint16
}

// SudogAt decodes the runtime.sudog at addr.
//
// Layout facts relied on (src/runtime/runtime2.go; shared/runtime-layouts.md §1.4):
//   - elem is unsafe.Pointer up to Go 1.25; from 1.26 it is runtime.maybeTraceablePtr{vp, vu}
//     and vu is the source of truth (vp may be nil while vu is set). Likewise c: *hchan up to
//     1.25, runtime.maybeTraceableChan (embedding maybeTraceablePtr) from 1.26.
//   - waiters (uint16) exists from Go 1.22.
//
// The shape of elem and c is decided by the field's size in the target's DWARF, not by version.
func (t *Target) SudogAt(addr uint64) (*Sudog, error) {
	l, err := t.Layout("runtime.sudog")
	if err != nil {
		return nil, err
	}
	if addr == 0 {
		return nil, fmt.Errorf("reading runtime.sudog: nil pointer")
	}
	buf, err := t.Read("runtime.sudog", addr, l.Size)
	if err != nil {
		return nil, err
	}
	word := int64(t.Arch.PtrSize)
	get := func(name string) uint64 {
		f, err := l.Field(name)
		if err != nil {
			return 0
		}
		off, size := f.Offset, f.Size
		if size == 2*word { // maybeTraceablePtr{vp, vu}: read vu
			off, size = off+word, word
		}
		if size > 8 {
			return 0
		}
		return t.Arch.Uint(buf[off : off+size])
	}
	for _, name := range []string{"g", "next", "prev", "elem", "c", "parent", "waitlink", "waittail", "ticket", "isSelect", "success"} {
		if !l.Has(name) {
			return nil, fmt.Errorf("runtime.sudog in %s has no field %q; this Go version's sudog is not supported", t.Exe, name)
		}
	}
	s := &Sudog{
		Addr: addr, G: get("g"), Next: get("next"), Prev: get("prev"), Parent: get("parent"),
		WaitLink: get("waitlink"), WaitTail: get("waittail"), Elem: get("elem"), Chan: get("c"),
		AcquireTime: int64(get("acquiretime")), ReleaseTime: int64(get("releasetime")),
		Ticket: uint32(get("ticket")), IsSelect: get("isSelect") != 0, Success: get("success") != 0,
		Waiters: uint16(get("waiters")),
	}
	return s, nil
}

// MaxListWalk bounds every linked-list walk over target memory (wait queues, treaps, span lists):
// a list longer than this is reported as corrupt or cut short, never followed forever.
const MaxListWalk = 1 << 20

// WalkList follows a linked list of target objects from first, calling next to get each node's
// successor, stopping at 0. It stops with an error on a cycle or after limit nodes, so corrupt
// memory never hangs memlens; nodes visited before the error are returned.
func WalkList(what string, first uint64, limit int, next func(addr uint64) (uint64, error)) ([]uint64, error) {
	seen := map[uint64]bool{}
	var out []uint64
	for addr := first; addr != 0; {
		if seen[addr] {
			return out, fmt.Errorf("%s: cycle at %#x after %d entries (corrupt memory?)", what, addr, len(out))
		}
		if len(out) >= limit {
			return out, fmt.Errorf("%s: more than %d entries; stopped (corrupt memory?)", what, limit)
		}
		seen[addr] = true
		out = append(out, addr)
		n, err := next(addr)
		if err != nil {
			return out, err
		}
		addr = n
	}
	return out, nil
}
