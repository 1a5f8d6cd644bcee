package inspect

import (
	"fmt"
	"go/constant"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/layouts"
)

// MutexConstants are the meanings of the bits of a sync.Mutex state word (src/sync/mutex.go up to
// Go 1.23, src/internal/sync/mutex.go from 1.24). The values have not changed since Go 1.9;
// memlens reads them from the target's DWARF constants (sync.mutexLocked or
// internal/sync.mutexLocked, ...) and falls back to these values only where DWARF lacks them.
type MutexConstants struct {
	// Locked is mutexLocked (1): the mutex is held.
	Locked int64 `json:"mutexLocked"`
	// Woken is mutexWoken (2): a waiter has been woken or is spinning, so Unlock need not wake one.
	Woken int64 `json:"mutexWoken"`
	// Starving is mutexStarving (4): starvation mode, Unlock hands the lock to the first waiter.
	Starving int64 `json:"mutexStarving"`
	// WaiterShift is mutexWaiterShift (3): state >> WaiterShift counts the blocked goroutines.
	WaiterShift int64 `json:"mutexWaiterShift"`
	// StarvationThresholdNs is starvationThresholdNs (1e6): a waiter that has waited longer than
	// this, in nanoseconds, switches the mutex to starvation mode.
	StarvationThresholdNs int64 `json:"starvationThresholdNs"`
	// RWMutexMaxReaders is rwmutexMaxReaders (1<<30): a writer subtracts it from readerCount.
	RWMutexMaxReaders int64 `json:"rwmutexMaxReaders"`
	// FromDWARF lists the constants that were read from the target's DWARF.
	FromDWARF []string `json:"fromDWARF"`
}

// defaultMutexConstants are the values in every Go version from 1.9 to 1.27.
var defaultMutexConstants = MutexConstants{Locked: 1, Woken: 2, Starving: 4, WaiterShift: 3,
	StarvationThresholdNs: 1e6, RWMutexMaxReaders: 1 << 30}

// MutexConstants reads the mutex constants from the target's DWARF: the package is internal/sync
// when sync.Mutex wraps an internal/sync.Mutex (1.24+), sync before. rwmutexMaxReaders is in sync.
func (t *Target) MutexConstants() MutexConstants {
	c := defaultMutexConstants
	pkg := "sync"
	if _, err := t.bi.FindType("internal/sync.Mutex"); err == nil {
		pkg = "internal/sync"
	}
	for _, k := range []struct {
		name string
		dst  *int64
	}{
		{pkg + ".mutexLocked", &c.Locked}, {pkg + ".mutexWoken", &c.Woken},
		{pkg + ".mutexStarving", &c.Starving}, {pkg + ".mutexWaiterShift", &c.WaiterShift},
		{pkg + ".starvationThresholdNs", &c.StarvationThresholdNs},
		{"sync.rwmutexMaxReaders", &c.RWMutexMaxReaders},
	} {
		if v, ok := t.dwarfConstant(k.name); ok {
			*k.dst = v
			c.FromDWARF = append(c.FromDWARF, k.name)
		}
	}
	return c
}

// dwarfConstant returns the value of a package-level constant recorded in the target's DWARF.
func (t *Target) dwarfConstant(name string) (int64, bool) {
	if t.proc == nil {
		return 0, false
	}
	// Delve's expression syntax for a package path with slashes: "internal/sync".mutexLocked.
	if i := strings.LastIndexByte(name, '.'); i > 0 && strings.Contains(name[:i], "/") {
		name = fmt.Sprintf("%q%s", name[:i], name[i:])
	}
	v, err := t.Eval(name, proc.LoadConfig{})
	if err != nil || v.Value == nil {
		return 0, false
	}
	switch v.Value.Kind() {
	case constant.Int:
		return constant.Int64Val(v.Value)
	case constant.Float: // 1e6 is written as a float literal
		f, _ := constant.Float64Val(v.Value)
		return int64(f), true
	}
	return 0, false
}

// Mutex is a decoded sync.Mutex (or internal/sync.Mutex): the state word, the semaphore, and the
// goroutines parked on it. Go records no owner: nothing in memory says which goroutine holds a
// locked mutex.
type Mutex struct {
	// Kind is "sync.Mutex".
	Kind string `json:"kind"`
	// Addr is the address of the mutex.
	Addr uint64 `json:"-"`
	// State is the raw state word (int32): the bits below plus the waiter count.
	State int32 `json:"state"`
	// Sema is the raw semaphore count (uint32) waiters sleep on; its address is the key of the
	// waiters in the semaphore table.
	Sema uint32 `json:"sema"`
	// Locked, Woken and Starving are the state bits mutexLocked, mutexWoken, mutexStarving.
	Locked   bool `json:"locked"`
	Woken    bool `json:"woken"`
	Starving bool `json:"starving"`
	// Waiters is state >> mutexWaiterShift: the goroutines the mutex counts as blocked.
	Waiters int32 `json:"waiters"`
	// Waiting are the goroutines found parked on &sema in the semaphore table, in the order the
	// runtime will wake them.
	Waiting []SemaWaiter `json:"waiting"`
	// MoreWaiting counts waiters past the decoding limit.
	MoreWaiting int `json:"moreWaiting,omitempty"`
	// SemaAddr is the address of the sema field; SemaRoot the semaRoot it hashes to.
	SemaAddr uint64 `json:"-"`
	SemaRoot uint64 `json:"-"`
	// RootWaiters is the semaRoot's nwait: goroutines parked on every address that hashes to
	// that root; TreapDepth is how many treap nodes the search for &sema visited.
	RootWaiters uint32 `json:"-"`
	TreapDepth  int    `json:"-"`
	// Constants are the state-bit constants used to decode State.
	Constants MutexConstants `json:"constants"`
	// Owner is always "unknown": sync.Mutex has no owner field.
	Owner string `json:"owner"`
}

// NoOwner is what memlens says about a mutex's holder: Go does not record it.
const NoOwner = "unknown: Go mutexes do not record which goroutine holds them"

// RWMutex is a decoded sync.RWMutex.
type RWMutex struct {
	// Kind is "sync.RWMutex".
	Kind string `json:"kind"`
	// Addr is the address of the RWMutex.
	Addr uint64 `json:"-"`
	// Writer is the mutex writers hold while they own or wait for the lock (rw.w).
	Writer *Mutex `json:"writer"`
	// ReaderCount is readerCount (int32): readers holding or waiting, minus rwmutexMaxReaders
	// while a writer holds or waits for the lock.
	ReaderCount int32 `json:"readerCount"`
	// ReaderWait is readerWait (int32): readers a pending writer still waits to leave.
	ReaderWait int32 `json:"readerWait"`
	// Readers is how many readers hold the lock now: readerCount when no writer is pending,
	// readerWait when one is (the readers that arrived before it; later ones wait on readerSem).
	Readers int32 `json:"readers"`
	// WriterPending is true when readerCount is negative: a writer holds the lock or waits for
	// the readers inside to leave.
	WriterPending bool `json:"writerPending"`
	// WriterSem and ReaderSem are the raw semaphore counts.
	WriterSem uint32 `json:"writerSem"`
	ReaderSem uint32 `json:"readerSem"`
	// WaitingWriters are the goroutines parked on writerSem (the writer waiting for readers to
	// leave), then those parked on the writer mutex w (writers queued behind it).
	WaitingWriters []SemaWaiter `json:"waitingWriters"`
	// WaitingReaders are the goroutines parked on readerSem (readers queued behind a writer).
	WaitingReaders []SemaWaiter `json:"waitingReaders"`
	// WriterSemAddr and ReaderSemAddr are the semaphore addresses.
	WriterSemAddr, ReaderSemAddr uint64 `json:"-"`
	// Owner is always "unknown": RWMutex records neither its writer nor its readers.
	Owner string `json:"owner"`
}

// mutexLayout finds the state and sema words of a Mutex type by its DWARF: sync.Mutex is
// {state int32; sema uint32} up to Go 1.23 and {_ noCopy; mu internal/sync.Mutex} from 1.24, where
// internal/sync.Mutex is {state int32; sema uint32}. Both are 8 bytes.
func (t *Target) mutexLayout(typeName string) (stateOff, semaOff int64, err error) {
	l, err := t.Layout(typeName)
	if err != nil {
		return 0, 0, err
	}
	if l.Has("state") && l.Has("sema") {
		s, _ := l.Offset("state")
		m, _ := l.Offset("sema")
		return s, m, nil
	}
	if f, err := l.Field("mu"); err == nil {
		inner := strings.TrimPrefix(f.TypeName, "*")
		s, m, err := t.mutexLayout(inner)
		return f.Offset + s, f.Offset + m, err
	}
	return 0, 0, fmt.Errorf("%s in %s has neither state/sema nor mu fields (fields: %s); this Go version's mutex is not supported", typeName, t.Exe, strings.Join(l.FieldNames(), ", "))
}

// MutexAt decodes the mutex of type typeName ("sync.Mutex" or "internal/sync.Mutex") at addr
// and finds its waiters in the semaphore table, decoding at most limit of them.
func (t *Target) MutexAt(typeName string, addr uint64, st *SemTable, limit int) (*Mutex, error) {
	stateOff, semaOff, err := t.mutexLayout(typeName)
	if err != nil {
		return nil, err
	}
	buf, err := t.Read(typeName, addr, 8)
	if err != nil {
		return nil, err
	}
	c := t.MutexConstants()
	m := &Mutex{Kind: "sync.Mutex", Addr: addr, Constants: c, Owner: NoOwner,
		State:    int32(t.Arch.Uint(buf[stateOff : stateOff+4])),
		Sema:     uint32(t.Arch.Uint(buf[semaOff : semaOff+4])),
		SemaAddr: addr + uint64(semaOff)}
	decodeMutexState(m, c)
	if st == nil {
		if st, err = t.SemTable(); err != nil {
			return nil, err
		}
	}
	q, err := t.SemaWaiters(st, m.SemaAddr, limit)
	if err != nil {
		return nil, err
	}
	m.SemaRoot, m.Waiting, m.MoreWaiting = q.Root, q.Waiters, q.More
	m.RootWaiters, m.TreapDepth = q.RootWaiters, q.TreapDepth
	if m.Waiting == nil {
		m.Waiting = []SemaWaiter{}
	}
	return m, nil
}

// decodeMutexState sets the bits and the waiter count from m.State.
func decodeMutexState(m *Mutex, c MutexConstants) {
	s := int64(m.State)
	m.Locked = s&c.Locked != 0
	m.Woken = s&c.Woken != 0
	m.Starving = s&c.Starving != 0
	m.Waiters = int32(uint32(m.State) >> uint(c.WaiterShift))
}

// RWMutexAt decodes the sync.RWMutex at addr: its writer mutex and reader counts, and the
// goroutines parked on writerSem, the writer mutex's sema and readerSem.
//
// Layout (src/sync/rwmutex.go, every version; checked by TestMutexLayouts): w Mutex; writerSem
// uint32; readerSem uint32; readerCount and readerWait are int32 up to 1.19 and atomic.Int32
// (a struct whose int32 is field v) from 1.20; the DWARF says which.
func (t *Target) RWMutexAt(addr uint64, limit int) (*RWMutex, error) {
	l, err := t.Layout("sync.RWMutex")
	if err != nil {
		return nil, err
	}
	buf, err := t.Read("sync.RWMutex", addr, l.Size)
	if err != nil {
		return nil, err
	}
	field := func(name string) (int64, error) {
		f, err := l.Field(name)
		if err != nil {
			return 0, err
		}
		off := f.Offset
		if _, ok := godwarf.ResolveTypedef(f.Type).(*godwarf.StructType); ok && strings.HasPrefix(name, "reader") {
			inner, err := layouts.FromDWARF(f.Type, t.Arch)
			if err != nil {
				return 0, err
			}
			v, err := inner.Field("v")
			if err != nil {
				return 0, fmt.Errorf("sync.RWMutex.%s: %v", name, err)
			}
			off += v.Offset
		}
		if off < 0 || off+4 > int64(len(buf)) {
			return 0, fmt.Errorf("sync.RWMutex.%s at offset %d is outside the %d-byte struct", name, off, len(buf))
		}
		return off, nil
	}
	offs := map[string]int64{}
	for _, name := range []string{"w", "writerSem", "readerSem", "readerCount", "readerWait"} {
		if offs[name], err = field(name); err != nil {
			return nil, err
		}
	}
	word := func(name string) uint32 { return uint32(t.Arch.Uint(buf[offs[name] : offs[name]+4])) }
	st, err := t.SemTable()
	if err != nil {
		return nil, err
	}
	wf, _ := l.Field("w")
	w, err := t.MutexAt(wf.TypeName, addr+uint64(offs["w"]), st, limit)
	if err != nil {
		return nil, err
	}
	rw := &RWMutex{Kind: "sync.RWMutex", Addr: addr, Writer: w, Owner: NoOwner,
		ReaderCount: int32(word("readerCount")), ReaderWait: int32(word("readerWait")),
		WriterSem: word("writerSem"), ReaderSem: word("readerSem"),
		WriterSemAddr: addr + uint64(offs["writerSem"]), ReaderSemAddr: addr + uint64(offs["readerSem"])}
	rw.WriterPending = rw.ReaderCount < 0
	if rw.WriterPending {
		rw.Readers = rw.ReaderWait
	} else {
		rw.Readers = rw.ReaderCount
	}
	wq, err := t.SemaWaiters(st, rw.WriterSemAddr, limit)
	if err != nil {
		return nil, err
	}
	rq, err := t.SemaWaiters(st, rw.ReaderSemAddr, limit)
	if err != nil {
		return nil, err
	}
	rw.WaitingWriters = append(append([]SemaWaiter{}, wq.Waiters...), w.Waiting...)
	rw.WaitingReaders = append([]SemaWaiter{}, rq.Waiters...)
	return rw, nil
}

// MutexExpr evaluates expr and decodes the sync.Mutex, internal/sync.Mutex or sync.RWMutex it
// names (or points to). It returns a *Mutex or a *RWMutex.
func (t *Target) MutexExpr(expr string, limit int) (any, error) {
	addr, typ, err := t.addrOfExpr(expr, "sync.Mutex or sync.RWMutex")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "sync.Mutex", "internal/sync.Mutex":
		return t.MutexAt(typ, addr, nil, limit)
	case "sync.RWMutex":
		return t.RWMutexAt(addr, limit)
	}
	return nil, UserError("%s is a %s, not a sync.Mutex or sync.RWMutex", expr, typ)
}

// addrOfExpr evaluates expr to the address and type name of the value it names, following one
// pointer (so both m and &m, or a *sync.Mutex field, work). want names what the command expects,
// for the error message.
func (t *Target) addrOfExpr(expr, want string) (uint64, string, error) {
	v, err := t.Eval(expr, proc.LoadConfig{})
	if err != nil {
		return 0, "", err
	}
	typ := godwarf.ResolveTypedef(v.RealType)
	if p, ok := typ.(*godwarf.PtrType); ok {
		ptr, err := t.ptrValue(v)
		if err != nil {
			return 0, "", err
		}
		if ptr == 0 {
			return 0, "", UserError("%s is a nil *%s", expr, p.Type.Common().Name)
		}
		return ptr, p.Type.Common().Name, nil
	}
	if v.Addr == 0 {
		return 0, "", UserError("%s has no address in memory (a constant or a computed value?); name a variable holding a %s", expr, want)
	}
	return v.Addr, v.RealType.Common().Name, nil
}

// ptrValue returns the value of a pointer variable.
func (t *Target) ptrValue(v *proc.Variable) (uint64, error) {
	if len(v.Children) == 1 {
		return v.Children[0].Addr, nil
	}
	if v.Addr != 0 {
		return t.ReadPtr("pointer "+v.Name, v.Addr)
	}
	return 0, UserError("cannot read the pointer value of %s", v.Name)
}
