package inspect

import (
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
)

// Goroutine is what memlens shows of a runtime.g: enough to name a goroutine and say what it waits for.
type Goroutine struct {
	// Addr is the address of the runtime.g.
	Addr uint64 `json:"addr"`
	// ID is the goroutine id (g.goid).
	ID int64 `json:"goid"`
	// Status is the scheduling state by name ("waiting", "runnable", ...), from g.atomicstatus.
	Status string `json:"status"`
	// WaitReason is why a waiting goroutine is parked ("chan receive", "sync.Mutex.Lock"), as the
	// target's own runtime.waitReasonStrings spells it; empty when not waiting.
	WaitReason string `json:"waitReason,omitempty"`
	// WaitSince is g.waitsince: the runtime's nanotime when the goroutine blocked, as far as the
	// runtime recorded it (it is often 0: the GC fills it in only for long waits).
	WaitSince int64 `json:"waitSince,omitempty"`
	// StartFunc is the function the goroutine started in (from g.startpc), when known.
	StartFunc string `json:"startFunc,omitempty"`
	// System is true for the runtime's own goroutines (GC workers, finalizers, ...), decided as
	// the runtime's isSystemGoroutine does: started in a runtime.* function other than runtime.main.
	System bool `json:"system"`
}

// gStatusNames are the g.atomicstatus values (src/runtime/runtime2.go): 0-9 mean the same from Go
// 1.19 to 1.27; 10 (_Gleaked) and 11 (_Gdeadextra) exist from 1.26. The _Gscan bit (0x1000) is
// masked off first. TestGoroutineStatusConstants checks them against the DWARF constants.
var gStatusNames = []string{"idle", "runnable", "running", "syscall", "waiting", "moribund", "dead", "enqueue", "copystack", "preempted", "leaked", "deadextra"}

const gScanBit = 0x1000

// GoroutineAt decodes the runtime.g at addr. Fields used (runtime.g, every version): goid (int64
// in 1.19, uint64 from 1.20), atomicstatus (uint32, wrapped in an atomic type from 1.20),
// waitreason (uint8 enum renumbered in most releases, so it is named through the target's
// runtime.waitReasonStrings), waitsince (int64).
func (t *Target) GoroutineAt(addr uint64) (*Goroutine, error) {
	l, err := t.Layout("runtime.g")
	if err != nil {
		return nil, err
	}
	if addr == 0 {
		return nil, fmt.Errorf("reading runtime.g: nil pointer")
	}
	buf, err := t.Read("runtime.g", addr, l.Size)
	if err != nil {
		return nil, err
	}
	g := &Goroutine{Addr: addr}
	field := func(name string) (uint64, error) { return l.Uint(buf, name) }
	goid, err := field("goid")
	if err != nil {
		return nil, err
	}
	g.ID = int64(goid)
	status, err := field("atomicstatus")
	if err != nil {
		return nil, err
	}
	status &^= gScanBit
	if status < uint64(len(gStatusNames)) {
		g.Status = gStatusNames[status]
	} else {
		g.Status = fmt.Sprintf("status(%d)", status)
	}
	if since, err := field("waitsince"); err == nil {
		g.WaitSince = int64(since)
	}
	if g.Status == "waiting" {
		if reason, err := field("waitreason"); err == nil {
			g.WaitReason = t.waitReasonName(int(reason))
		}
	}
	if startpc, err := field("startpc"); err == nil {
		if fn := t.bi.PCToFunc(startpc); fn != nil {
			g.StartFunc = fn.Name
			g.System = strings.HasPrefix(fn.Name, "runtime.") && fn.Name != "runtime.main" && fn.Name != "runtime.handleAsyncEvent"
		}
	}
	return g, nil
}

// MaxGoroutines bounds the goroutine table memlens reads (runtime.allglen). A count above it is
// taken as corrupt memory (for instance a core opened with --force and the wrong executable).
const MaxGoroutines = 50_000_000

// Goroutines decodes every goroutine that is not dead, from the runtime's own table
// (runtime.allgs, a []*g, and runtime.allglen), read in one bulk read and bounded: corrupt memory
// gives an error, never a hang. Delve's own goroutine listing is not used because it trusts
// these counts.
func (t *Target) Goroutines() ([]*Goroutine, error) {
	if t.proc == nil {
		return nil, userErr("goroutines need a live process (--pid) or a core dump (--core)")
	}
	allgs, err := t.Eval("runtime.allgs", proc.LoadConfig{})
	if err != nil {
		return nil, fmt.Errorf("reading the goroutine table runtime.allgs: %w", err)
	}
	n := allgs.Len
	if n < 0 || n > MaxGoroutines || n > allgs.Cap {
		return nil, fmt.Errorf("runtime.allgs has an implausible length %d (cap %d): corrupt memory or the wrong executable?", n, allgs.Cap)
	}
	word := int64(t.Arch.PtrSize)
	ptrs, err := t.Read("runtime.allgs", allgs.Base, n*word)
	if err != nil {
		return nil, err
	}
	var gs []*Goroutine
	for i := int64(0); i < n; i++ {
		addr := t.Arch.Ptr(ptrs[i*word:])
		if addr == 0 {
			continue
		}
		g, err := t.GoroutineAt(addr)
		if err != nil {
			return nil, fmt.Errorf("goroutine %d of runtime.allgs: %w", i, err)
		}
		if g.Status != "dead" {
			gs = append(gs, g)
		}
	}
	return gs, nil
}

// waitReasonName names a waitReason value through the target's runtime.waitReasonStrings.
func (t *Target) waitReasonName(reason int) string {
	if t.waitReasons == nil {
		t.waitReasons = []string{}
		cfg := proc.LoadConfig{MaxStringLen: 64, MaxArrayValues: 256}
		if v, err := t.Eval("runtime.waitReasonStrings", cfg); err == nil {
			for _, c := range v.Children {
				t.waitReasons = append(t.waitReasons, api.ConvertVar(&c).Value)
			}
		}
	}
	if reason >= 0 && reason < len(t.waitReasons) && t.waitReasons[reason] != "" {
		return t.waitReasons[reason]
	}
	return fmt.Sprintf("waitReason(%d)", reason)
}
