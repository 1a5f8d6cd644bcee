package inspect

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// syncFakeMemory is target memory made of byte ranges set by a test; reads outside them fail.
type syncFakeMemory struct {
	base uint64
	data []byte
}

func (f *syncFakeMemory) ReadMemory(buf []byte, addr uint64) (int, error) {
	if addr < f.base || addr+uint64(len(buf)) > f.base+uint64(len(f.data)) {
		return 0, fmt.Errorf("address %#x not mapped", addr)
	}
	copy(buf, f.data[addr-f.base:])
	return len(buf), nil
}

func (f *syncFakeMemory) put(addr, v uint64) { binary.LittleEndian.PutUint64(f.data[addr-f.base:], v) }

// syncFakeTarget is a Target over fake memory with the Go 1.25 sudog layout (amd64).
func syncFakeTarget(size int) (*Target, *syncFakeMemory) {
	mem := &syncFakeMemory{base: 0x10000, data: make([]byte, size)}
	f := func(name string, off, size int64) layouts.Field {
		return layouts.Field{Name: name, Offset: off, Size: size}
	}
	t := &Target{Kind: CoreDump, Arch: arch.AMD64, mem: mem, layouts: map[string]*layouts.Layout{
		"runtime.sudog": {Name: "runtime.sudog", Size: 88, Fields: []layouts.Field{
			f("g", 0, 8), f("next", 8, 8), f("prev", 16, 8), f("elem", 24, 8), f("acquiretime", 32, 8),
			f("releasetime", 40, 8), f("ticket", 48, 4), f("isSelect", 52, 1), f("success", 53, 1),
			f("waiters", 54, 2), f("parent", 56, 8), f("waitlink", 64, 8), f("waittail", 72, 8), f("c", 80, 8)}},
	}}
	return t, mem
}

// TestSemaWaitersCorrupt: a treap or wait list that loops must end in an error, not a hang.
func TestSemaWaitersCorrupt(t *testing.T) {
	const root, a, b, sema = 0x10000, 0x10100, 0x10200, 0x20000
	st := &SemTable{Addr: root, Stride: 64, Len: 1, TreapOffset: 8, NwaitOffset: 16}

	// The treap node's elem is below the semaphore, so the search goes right: to itself.
	tg, mem := syncFakeTarget(0x1000)
	mem.put(root+8, a)
	mem.put(a+24, 0x1000)
	mem.put(a+8, a)
	if _, err := tg.SemaWaiters(st, sema, 0); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("treap whose node is its own right child: err = %v, want a cycle error", err)
	}

	// The node for the address is found, but its waitlink list loops a -> b -> a.
	tg, mem = syncFakeTarget(0x1000)
	mem.put(root+8, a)
	mem.put(a+24, sema)
	mem.put(a+64, b)
	mem.put(b+24, sema)
	mem.put(b+64, a)
	if _, err := tg.SemaWaiters(st, sema, 0); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("wait list a -> b -> a: err = %v, want a cycle error", err)
	}

	// A treap pointer into unmapped memory is an error naming the root.
	tg, mem = syncFakeTarget(0x1000)
	mem.put(root+8, 0xdead0000)
	if _, err := tg.SemaWaiters(st, sema, 0); err == nil || !strings.Contains(err.Error(), "treap") {
		t.Errorf("treap pointer to unmapped memory: err = %v", err)
	}

	// A semaphore nobody waits on: no waiters, no error.
	tg, _ = syncFakeTarget(0x1000)
	if q, err := tg.SemaWaiters(st, sema, 0); err != nil || len(q.Waiters) != 0 {
		t.Errorf("empty root: %+v, %v", q, err)
	}
}

// syncTrieFake builds a decoder over fake memory with the Go 1.26 HashTrieMap[any,any] geometry.
func syncTrieFake(mem *syncFakeMemory, t *Target) *trieWalk {
	d := &syncMapDecoder{t: t, mem: newChunkReader(t), fmt: newEfaceFormatter(t), opts: SyncMapOptions{MaxEntries: 100}}
	d.fmt.mem = d.mem
	g := &trieGeometry{fanout: 16, bits: 4, childrenOff: 24, childStride: 8, deadOff: 4,
		overflowOff: 8, keyOff: 16, valueOff: 32, indSize: 152, entSize: 48}
	return &trieWalk{d: d, g: g, m: &SyncMap{Impl: HashTrie, Trie: &Trie{Fanout: 16}}}
}

// TestTrieWalkCorrupt: a trie whose nodes loop, or whose overflow chain loops, ends in an error.
func TestTrieWalkCorrupt(t *testing.T) {
	const root, e1, e2 = 0x10000, 0x10400, 0x10500

	// An indirect node that is its own child: the walk must stop at the hash's depth.
	tg, mem := syncFakeTarget(0x1000)
	mem.put(root+24+3*8, root)
	if _, err := syncTrieFake(mem, tg).walk(root); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("indirect node that is its own child: err = %v, want a depth error", err)
	}

	// An entry whose overflow chain loops e1 -> e2 -> e1 (keys and values nil interfaces).
	tg, mem = syncFakeTarget(0x1000)
	mem.put(root+24, e1)
	mem.data[e1-mem.base] = 1 // isEntry
	mem.data[e2-mem.base] = 1
	mem.put(e1+8, e2)
	mem.put(e2+8, e1)
	if _, err := syncTrieFake(mem, tg).walk(root); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("overflow chain e1 -> e2 -> e1: err = %v, want a cycle error", err)
	}

	// The same chain, ended: two entries, one of them in an overflow chain.
	tg, mem = syncFakeTarget(0x1000)
	mem.put(root+24, e1)
	mem.data[e1-mem.base] = 1
	mem.data[e2-mem.base] = 1
	mem.put(e1+8, e2)
	w := syncTrieFake(mem, tg)
	n, err := w.walk(root)
	if err != nil {
		t.Fatal(err)
	}
	if w.m.Trie.Entries != 2 || w.m.Trie.OverflowEntries != 1 || len(n.Children) != 1 || n.Children[0].ChainLen != 2 || w.m.Entries[0].Key != "nil" {
		t.Errorf("trie with one overflow chain: %+v, root %+v, entries %+v", w.m.Trie, n, w.m.Entries)
	}
}

// TestChunkReader: reads inside, across and outside chunks return the right bytes or an error.
func TestChunkReader(t *testing.T) {
	tg, mem := syncFakeTarget(3 * chunkSize)
	for i := range mem.data {
		mem.data[i] = byte(i * 7)
	}
	c := newChunkReader(tg)
	for _, r := range []struct {
		addr uint64
		n    int64
	}{{0x10000, 8}, {0x10000 + chunkSize - 4, 8}, {0x10000 + 2*chunkSize, 100}, {0x10000 + 3*chunkSize - 8, 8}} {
		b, err := c.read("test", r.addr, r.n)
		if err != nil {
			t.Fatalf("read %#x+%d: %v", r.addr, r.n, err)
		}
		want := mem.data[r.addr-mem.base : r.addr-mem.base+uint64(r.n)]
		if string(b) != string(want) {
			t.Errorf("read %#x+%d = %x, want %x", r.addr, r.n, b, want)
		}
	}
	if _, err := c.read("test", 0x10000+3*chunkSize, 8); err == nil {
		t.Error("read past the mapping succeeded")
	}
	if _, err := c.read("test", 0, 8); err == nil {
		t.Error("read at nil succeeded")
	}
}
