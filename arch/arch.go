// Package arch describes what differs between the architectures memlens decodes: word size, byte
// order, cache line, page and heap-arena geometry. Every decoder takes these facts from the target's
// Arch, never from the machine memlens runs on, so an arm64 core is decoded correctly on amd64.
//
// arch imports nothing from memlens; every other package may import it.
package arch

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// Arch is one target architecture as the Go runtime sees it on linux.
type Arch struct {
	// Name is the GOARCH spelling: "amd64" or "arm64".
	Name string
	// PtrSize is the size of a pointer and of uintptr, in bytes.
	PtrSize int
	// ByteOrder is the order of bytes in multi-byte integers in target memory.
	ByteOrder binary.ByteOrder
	// CacheLine is the hardware cache-line size, in bytes, used to draw cache-line boundaries in
	// layout diagrams. The runtime's own padding constant is CacheLinePadSize, which can differ.
	CacheLine int
	// PhysPageSize is the usual OS page size in bytes. On arm64 the kernel may use 16 or 64 KiB
	// pages; the target's runtime.physPageSize variable is the truth for one process.
	PhysPageSize int
	// GoPageSize is the runtime's heap page (_PageSize / gc.PageSize), in bytes: 8192 on both.
	GoPageSize uint64
	// HeapArenaBytes is the size of one heap arena (heapArenaBytes), in bytes: 64 MiB on linux 64-bit.
	HeapArenaBytes uint64
	// ArenaBaseOffset is subtracted from an address before it is split into arena indexes
	// (runtime.arenaBaseOffset): 0xffff800000000000 on amd64, 0 on arm64.
	ArenaBaseOffset uint64
	// ArenaL1Bits and ArenaL2Bits split an arena index into the two levels of mheap_.arenas
	// (0 and 22 on linux for both architectures).
	ArenaL1Bits, ArenaL2Bits uint
	// ELFMachine is the e_machine value of this architecture's ELF files.
	ELFMachine elf.Machine
}

// The facts below come from src/runtime/malloc.go and src/internal/goarch of Go 1.19 through 1.27
// (shared/runtime-layouts.md §5.1 and §7); arch_test.go checks the arena constants against the
// DWARF constants of fixture binaries built with every supported toolchain.
var (
	AMD64 = &Arch{
		Name: "amd64", PtrSize: 8, ByteOrder: binary.LittleEndian,
		CacheLine: 64, PhysPageSize: 4096, GoPageSize: 8192,
		HeapArenaBytes: 64 << 20, ArenaBaseOffset: 0xffff800000000000,
		ArenaL1Bits: 0, ArenaL2Bits: 22, ELFMachine: elf.EM_X86_64,
	}
	ARM64 = &Arch{
		Name: "arm64", PtrSize: 8, ByteOrder: binary.LittleEndian,
		CacheLine: 64, PhysPageSize: 4096, GoPageSize: 8192,
		HeapArenaBytes: 64 << 20, ArenaBaseOffset: 0,
		ArenaL1Bits: 0, ArenaL2Bits: 22, ELFMachine: elf.EM_AARCH64,
	}
)

var byName = map[string]*Arch{"amd64": AMD64, "arm64": ARM64}

// Supported lists the names of the architectures memlens decodes, sorted.
func Supported() []string {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ByName returns the architecture with the given GOARCH name.
func ByName(name string) (*Arch, error) {
	if a, ok := byName[strings.ToLower(name)]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("unsupported architecture %q (supported: %s)", name, strings.Join(Supported(), ", "))
}

// FromMachine returns the architecture of an ELF e_machine value.
func FromMachine(m elf.Machine) (*Arch, error) {
	for _, a := range byName {
		if a.ELFMachine == m {
			return a, nil
		}
	}
	return nil, fmt.Errorf("unsupported ELF machine %v (memlens decodes %s)", m, strings.Join(Supported(), ", "))
}

// FromELF reads the architecture from the header of an ELF file: an executable or a core dump.
func FromELF(path string) (*Arch, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable ELF file: %w", path, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 {
		return nil, fmt.Errorf("%s is a 32-bit ELF file; memlens decodes 64-bit targets only", path)
	}
	return FromMachine(f.Machine)
}

// CacheLinePadSize is internal/cpu.CacheLinePadSize for a Go minor version (19 for Go 1.19): the
// padding the runtime puts between per-CPU or contended structures such as semTable entries and
// mheap.central. It is 64 on amd64 in every version and on arm64 up to Go 1.19, and 128 on arm64
// from Go 1.20 (src/internal/cpu/cpu_arm64.go).
func (a *Arch) CacheLinePadSize(goMinor int) int {
	if a.Name == "arm64" && goMinor >= 20 {
		return 128
	}
	return 64
}

// ArenaIndex returns the index of the heap arena holding addr in the flattened arena index
// (runtime.arenaIndex): (addr - ArenaBaseOffset) / HeapArenaBytes, with uintptr wrap-around.
func (a *Arch) ArenaIndex(addr uint64) uint64 {
	return (addr - a.ArenaBaseOffset) / a.HeapArenaBytes
}

// ArenaBase returns the first address of the heap arena with the given index (runtime.arenaBase).
func (a *Arch) ArenaBase(index uint64) uint64 {
	return index*a.HeapArenaBytes + a.ArenaBaseOffset
}

// Uint reads an unsigned integer of size 1, 2, 4 or 8 bytes from b in the target's byte order.
func (a *Arch) Uint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(a.ByteOrder.Uint16(b))
	case 4:
		return uint64(a.ByteOrder.Uint32(b))
	case 8:
		return a.ByteOrder.Uint64(b)
	}
	panic(fmt.Sprintf("arch: Uint of %d bytes", len(b)))
}

// Ptr reads one pointer-sized word from the start of b.
func (a *Arch) Ptr(b []byte) uint64 { return a.Uint(b[:a.PtrSize]) }
