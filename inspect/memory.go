package inspect

import (
	"fmt"

	"github.com/go-delve/delve/pkg/proc"
)

// Memory is the target's memory, read-only: memlens never writes target memory, and this type has
// no way to.
type Memory interface {
	// ReadMemory fills buf from target address addr, like io.ReaderAt.
	ReadMemory(buf []byte, addr uint64) (n int, err error)
}

// MaxRead bounds one read of target memory, in bytes. A size read from the target (a buffer
// length, a count) that would need more is corrupt or too large to show, and decoders must say
// so rather than allocate it.
const MaxRead = 1 << 30

// readOnly hides the write half of Delve's memory.
type readOnly struct{ m proc.MemoryReadWriter }

func (r readOnly) ReadMemory(buf []byte, addr uint64) (int, error) { return r.m.ReadMemory(buf, addr) }

// Read reads n bytes of target memory at addr in one bulk read. what names the structure being
// read, for the error message ("hchan buffer").
func (t *Target) Read(what string, addr uint64, n int64) ([]byte, error) {
	mem, err := t.Memory()
	if err != nil {
		return nil, err
	}
	if n < 0 || n > MaxRead {
		return nil, fmt.Errorf("reading %s at %#x: size %d is out of range (at most %d bytes)", what, addr, n, MaxRead)
	}
	if addr == 0 && n > 0 {
		return nil, fmt.Errorf("reading %s: nil pointer", what)
	}
	buf := make([]byte, n)
	if n == 0 {
		return buf, nil
	}
	if _, err := mem.ReadMemory(buf, addr); err != nil {
		return nil, fmt.Errorf("reading %s at %#x (%d bytes): %v", what, addr, n, err)
	}
	return buf, nil
}

// ReadUint reads an unsigned integer of size bytes at addr in the target's byte order.
func (t *Target) ReadUint(what string, addr uint64, size int64) (uint64, error) {
	b, err := t.Read(what, addr, size)
	if err != nil {
		return 0, err
	}
	return t.Arch.Uint(b), nil
}

// ReadPtr reads one pointer-sized word at addr.
func (t *Target) ReadPtr(what string, addr uint64) (uint64, error) {
	return t.ReadUint(what, addr, int64(t.Arch.PtrSize))
}
