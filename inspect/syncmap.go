package inspect

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"

	"github.com/memlens/memlens/layouts"
)

// SyncAddr is a target address that marshals to JSON as memlens spells addresses ("0x...").
type SyncAddr uint64

func (a SyncAddr) MarshalJSON() ([]byte, error) {
	return []byte(`"` + fmt.Sprintf("%#x", uint64(a)) + `"`), nil
}

// The two sync.Map implementations.
const (
	// ReadDirty is the read/dirty sync.Map of Go 1.19-1.23 (and 1.24-1.25 built with
	// GOEXPERIMENT=nosynchashtriemap): src/sync/map.go.
	ReadDirty = "readdirty"
	// HashTrie is the sync.Map of Go 1.24+: a wrapper of internal/sync.HashTrieMap[any, any],
	// src/internal/sync/hashtriemap.go.
	HashTrie = "hashtrie"
)

// States of a read/dirty entry (the comment on type entry in src/sync/map.go).
const (
	EntryLive     = "live"     // entry.p points at an interface{} holding the value
	EntryDeleted  = "deleted"  // entry.p == nil: deleted; dirty is nil or holds this same entry
	EntryExpunged = "expunged" // entry.p == expunged: deleted, and not in dirty
)

// SyncMap is a decoded sync.Map.
type SyncMap struct {
	// Addr is the address of the sync.Map.
	Addr uint64
	// Impl is ReadDirty or HashTrie, decided by the fields of sync.Map in the target's DWARF.
	Impl string
	// Len counts the live entries (every entry a Range would visit).
	Len int
	// Entries is the live view: every key with its value, in no particular order (read/dirty:
	// read's entries, then dirty's own; hashtrie: by depth, then by entry address).
	Entries []SyncMapEntry
	// More counts live entries not decoded because of the entry limit.
	More int

	// Read/dirty only.
	// ReadOnly is the address of the readOnly struct read points at (0: read never stored).
	ReadOnly uint64
	// Amended is readOnly.amended: dirty holds keys that read lacks.
	Amended bool
	// Read lists the entries of read.m with their states; ReadMore counts those not decoded.
	Read     []SyncMapEntry
	ReadMore int
	// Dirty lists the entries of the dirty map; DirtyNil is true when dirty is nil.
	Dirty     []SyncMapEntry
	DirtyMore int
	DirtyNil  bool
	// Misses is the number of Loads that had to lock and look in dirty since it was last
	// promoted; at len(dirty) dirty becomes the new read.
	Misses int64
	// Expunged is the value of the sync.expunged sentinel in the target.
	Expunged uint64

	// HashTrie only.
	Trie *Trie
}

// SyncMapEntry is one key of a sync.Map.
type SyncMapEntry struct {
	// Key and Value are the dynamic values of the key and value interfaces, printed as Delve
	// prints them ("a" with quotes for a string, 10 for an int); Value is empty unless the entry
	// is live.
	Key, Value string
	// KeyType and ValueType are the dynamic types' names ("string", "int", "*main.T").
	KeyType, ValueType string
	// Entry is the address of the *entry (read/dirty: shared by read and dirty when both hold
	// the key; hashtrie: the entry node).
	Entry uint64
	// State is EntryLive, EntryDeleted or EntryExpunged (read/dirty; hashtrie entries are live).
	State string
	// Where says where a live read/dirty entry is: "read", "dirty" or "both".
	Where string
}

// Trie is the shape of a HashTrieMap: a tree of 16-way indirect nodes whose slots hold entry
// nodes (with overflow chains for keys of equal hash) or deeper indirect nodes.
type Trie struct {
	// Root is the root indirect node (nil when the map was never used).
	Root *TrieNode
	// Depth is the depth of the deepest node (the root is depth 0).
	Depth int
	// Nodes counts indirect nodes, Entries entry nodes, OverflowEntries the entry nodes in
	// overflow chains (beyond the first entry of each chain).
	Nodes, Entries, OverflowEntries int
	// Fanout is the number of children of an indirect node (nChildren, 16).
	Fanout int
}

// TrieNode is one node of a HashTrieMap. Its fields are kept small: a map of a million entries
// has a million of them.
type TrieNode struct {
	// Addr is the node's address.
	Addr uint64
	// HashPrefix is the top 4*Depth bits of the hash of every key at or below this node: the
	// slots on its path (the map stores no hashes, and memlens cannot run the target's hash
	// function).
	HashPrefix uint64
	// Children are an indirect node's non-nil children in slot order.
	Children []*TrieNode
	// For an entry node, the node and the entries of its overflow chain are
	// SyncMap.Entries[ChainStart : ChainStart+ChainLen], in chain order (ChainLen is 0 when the
	// entry limit was reached before them).
	ChainStart, ChainLen int32
	// Depth is 0 for the root, 1 for its children.
	Depth int16
	// Slot is the index of this node in its parent's children.
	Slot int16
	// Entry is true for an entry node, false for an indirect node.
	Entry bool
	// Dead is an indirect node's dead flag (set while it is pruned).
	Dead bool
}

// SyncMapOptions bound a decoding.
type SyncMapOptions struct {
	// MaxEntries bounds the entries decoded (0: DefaultMaxSyncMapEntries).
	MaxEntries int
}

// DefaultMaxSyncMapEntries bounds the entries of one sync.Map memlens decodes by default.
const DefaultMaxSyncMapEntries = 1 << 22

// maxTrieNodes bounds the nodes of one HashTrieMap walk, whatever the entry limit.
const maxTrieNodes = 1 << 24

// SyncMapExpr evaluates expr (a sync.Map or a pointer to one) and decodes it.
func (t *Target) SyncMapExpr(expr string, opts SyncMapOptions) (*SyncMap, error) {
	addr, typ, err := t.addrOfExpr(expr, "sync.Map")
	if err != nil {
		return nil, err
	}
	if typ != "sync.Map" {
		return nil, UserError("%s is a %s, not a sync.Map", expr, typ)
	}
	return t.SyncMapAt(addr, opts)
}

// SyncMapAt decodes the sync.Map at addr. The implementation is chosen by sync.Map's fields in the
// target's DWARF: read/dirty/misses for the read/dirty map, m (an internal/sync.HashTrieMap) for
// the hash-trie, never by the Go version.
func (t *Target) SyncMapAt(addr uint64, opts SyncMapOptions) (*SyncMap, error) {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxSyncMapEntries
	}
	l, err := t.Layout("sync.Map")
	if err != nil {
		return nil, err
	}
	if addr == 0 {
		return nil, UserError("the sync.Map pointer is nil")
	}
	d := &syncMapDecoder{t: t, mem: newChunkReader(t), fmt: newEfaceFormatter(t), opts: opts}
	d.fmt.mem = d.mem
	switch {
	case l.Has("read") && l.Has("dirty") && l.Has("misses"):
		return d.readDirty(l, addr)
	case l.Has("m"):
		return d.hashTrie(l, addr)
	}
	return nil, fmt.Errorf("sync.Map in %s has fields %s: neither the read/dirty nor the hash-trie implementation memlens knows", t.Exe, strings.Join(l.FieldNames(), ", "))
}

type syncMapDecoder struct {
	t    *Target
	mem  *chunkReader
	fmt  *efaceFormatter
	opts SyncMapOptions
}

// pointerField returns the offset of the pointer word of a field that is a plain pointer or an
// atomic.Pointer[T] ({_ [0]*T; _ noCopy; v unsafe.Pointer}): the DWARF says which.
func (d *syncMapDecoder) pointerField(l *layouts.Layout, name string) (int64, error) {
	f, err := l.Field(name)
	if err != nil {
		return 0, err
	}
	if _, ok := godwarf.ResolveTypedef(f.Type).(*godwarf.StructType); !ok {
		return f.Offset, nil
	}
	inner, err := layouts.FromDWARF(f.Type, d.t.Arch)
	if err != nil {
		return 0, err
	}
	v, err := inner.Field("v")
	if err != nil {
		return 0, fmt.Errorf("%s.%s (%s): %v", l.Name, name, f.TypeName, err)
	}
	return f.Offset + v.Offset, nil
}

// readDirty decodes the read/dirty implementation.
//
// Layout facts (src/sync/map.go; checked by TestSyncMapLayouts on every target):
//   - Map{mu Mutex; read atomic.Value (1.19) | atomic.Pointer[readOnly] (1.20+); dirty
//     map[any]*entry; misses int}. An atomic.Value is {v any}: its eface data word points at a
//     heap copy of the readOnly struct. atomic.Pointer's word v points at the readOnly.
//   - readOnly{m map[any]*entry; amended bool}.
//   - entry{p unsafe.Pointer (1.19) | atomic.Pointer[any] (1.20+)}: nil = deleted, the value of
//     the package variable expunged = expunged, else a pointer to an eface holding the value.
func (d *syncMapDecoder) readDirty(l *layouts.Layout, addr uint64) (*SyncMap, error) {
	t := d.t
	m := &SyncMap{Addr: addr, Impl: ReadDirty}
	buf, err := t.Read("sync.Map", addr, l.Size)
	if err != nil {
		return nil, err
	}
	word := func(off int64) uint64 { return t.Arch.Ptr(buf[off:]) }
	readF, _ := l.Field("read")
	readL, err := layouts.FromDWARF(readF.Type, t.Arch)
	if err != nil {
		return nil, err
	}
	if v, err := readL.Field("v"); err == nil {
		if _, isEface := godwarf.ResolveTypedef(v.Type).(*godwarf.InterfaceType); isEface {
			// atomic.Value: {v any}; the readOnly is the eface's data.
			m.ReadOnly = word(readF.Offset + v.Offset + int64(t.Arch.PtrSize))
		} else {
			m.ReadOnly = word(readF.Offset + v.Offset)
		}
	} else {
		return nil, fmt.Errorf("sync.Map.read is a %s with no field v; not supported", readF.TypeName)
	}
	dirtyOff, _ := l.Offset("dirty")
	m.DirtyNil = word(dirtyOff) == 0
	missesF, _ := l.Field("misses")
	m.Misses = int64(t.Arch.Uint(buf[missesF.Offset : missesF.Offset+missesF.Size]))

	ev, err := t.Eval("sync.expunged", proc.LoadConfig{})
	if err != nil {
		return nil, fmt.Errorf("reading the sync.expunged sentinel: %v", err)
	}
	if m.Expunged, err = t.ReadPtr("sync.expunged", ev.Addr); err != nil {
		return nil, err
	}
	entryL, err := t.Layout("sync.entry")
	if err != nil {
		return nil, err
	}
	pOff, err := d.pointerField(entryL, "p")
	if err != nil {
		return nil, err
	}

	// The entries of both maps, walked by Delve (old hmap buckets and Swiss tables alike).
	if m.ReadOnly != 0 {
		ro, err := t.Layout("sync.readOnly")
		if err != nil {
			return nil, err
		}
		amendedOff, err := ro.Offset("amended")
		if err != nil {
			return nil, err
		}
		b, err := t.Read("sync.readOnly", m.ReadOnly, ro.Size)
		if err != nil {
			return nil, err
		}
		m.Amended = b[amendedOff] != 0
		m.Read, m.ReadMore, err = d.entryMap(fmt.Sprintf("(*(*%q)(%#x)).m", "sync.readOnly", m.ReadOnly), pOff, m.Expunged)
		if err != nil {
			return nil, err
		}
	}
	if !m.DirtyNil {
		m.Dirty, m.DirtyMore, err = d.entryMap(fmt.Sprintf("(*(*%q)(%#x)).dirty", "sync.Map", addr), pOff, m.Expunged)
		if err != nil {
			return nil, err
		}
	}
	// The live view: read's live entries (shared with dirty or not), then dirty's own.
	inDirty := map[uint64]bool{}
	for _, e := range m.Dirty {
		inDirty[e.Entry] = true
	}
	inRead := map[uint64]bool{}
	for _, e := range m.Read {
		inRead[e.Entry] = true
		if e.State != EntryLive {
			continue
		}
		e.Where = "read"
		if inDirty[e.Entry] {
			e.Where = "both"
		}
		m.Entries = append(m.Entries, e)
	}
	for _, e := range m.Dirty {
		if e.State == EntryLive && !inRead[e.Entry] {
			e.Where = "dirty"
			m.Entries = append(m.Entries, e)
		}
	}
	m.Len = len(m.Entries)
	m.More = m.ReadMore + m.DirtyMore
	return m, nil
}

// entryMapPage is how many map entries are loaded by Delve at a time. Delve appends every loaded
// key and value to one slice of its (large) Variables, so loading a big map at once spends most of
// its time growing that slice; pages keep it short. Each page after the first is a reslice
// m[skip:], which Delve serves by iterating past the skipped entries again, so pages must not be
// small either.
var entryMapPage = 32768 // a variable so that tests can make pages small

// entryMap loads a map[any]*entry with Delve, a page at a time, and decodes each entry's state and
// value. It returns the entries decoded and how many more the map holds beyond the limit.
func (d *syncMapDecoder) entryMap(expr string, pOff int64, expunged uint64) ([]SyncMapEntry, int, error) {
	var out []SyncMapEntry
	total := -1
	for skip := 0; total < 0 || (skip < total && len(out) < d.opts.MaxEntries); {
		page := d.opts.MaxEntries - len(out)
		if page > entryMapPage {
			page = entryMapPage
		}
		cfg := proc.LoadConfig{FollowPointers: false, MaxVariableRecurse: 2, MaxStringLen: ValueLoadConfig.MaxStringLen,
			MaxArrayValues: page, MaxStructFields: -1}
		e := expr
		if skip > 0 {
			e = fmt.Sprintf("(%s)[%d:]", expr, skip)
		}
		v, err := d.t.Eval(e, cfg)
		if err != nil {
			return nil, 0, err
		}
		if v.Unreadable != nil {
			return nil, 0, fmt.Errorf("reading map %s: %v", expr, v.Unreadable)
		}
		if total < 0 {
			total = int(v.Len)
			if total < 0 || total > MaxRead {
				return nil, 0, fmt.Errorf("map %s: implausible length %d (corrupt memory?)", expr, total)
			}
		}
		if len(v.Children) < 2 {
			break
		}
		for i := 0; i+1 < len(v.Children); i += 2 {
			key, val := &v.Children[i], &v.Children[i+1]
			e := SyncMapEntry{}
			e.KeyType, e.Key = syncDynamicValue(key)
			if len(val.Children) == 1 {
				e.Entry = val.Children[0].Addr
			}
			if e.Entry == 0 {
				return out, 0, fmt.Errorf("map %s: key %s has a nil *entry (corrupt memory?)", expr, e.Key)
			}
			p, err := d.mem.ptr("sync.entry.p", e.Entry+uint64(pOff))
			if err != nil {
				return out, 0, err
			}
			switch p {
			case 0:
				e.State = EntryDeleted
			case expunged:
				e.State = EntryExpunged
			default:
				e.State = EntryLive
				if e.ValueType, e.Value, err = d.fmt.format(p); err != nil {
					return out, 0, fmt.Errorf("value of key %s (entry %#x): %v", e.Key, e.Entry, err)
				}
			}
			out = append(out, e)
		}
		skip += len(v.Children) / 2
	}
	more := total - len(out)
	if more < 0 {
		more = 0
	}
	return out, more, nil
}

// syncDynamicValue splits Delve's one-line form of an interface variable, "interface {}(string) "a"",
// into the dynamic type and the value as Delve prints it.
func syncDynamicValue(v *proc.Variable) (typ, val string) {
	a := api.ConvertVar(v)
	s := a.SinglelineString()
	if len(a.Children) != 1 || a.Children[0].Kind == reflect.Invalid {
		if strings.HasSuffix(s, " nil") || s == "nil" {
			return "", "nil"
		}
		return "", s
	}
	typ = a.Children[0].Type
	prefix := a.Type + "(" + typ + ") "
	return typ, strings.TrimPrefix(s, prefix)
}

// hashTrie decodes the hash-trie implementation.
//
// Layout facts (src/internal/sync/hashtriemap.go, Go 1.24-1.27; checked by TestSyncMapLayouts):
//   - sync.Map{_ noCopy; m internal/sync.HashTrieMap[any, any]}.
//   - HashTrieMap{inited atomic.Uint32; initMu Mutex; root atomic.Pointer[indirect]; keyHash;
//     valEqual; seed}. root is nil until first use.
//   - indirect{node; dead atomic.Bool; mu Mutex; parent *indirect; children
//     [nChildren]atomic.Pointer[node]}; entry{node; overflow atomic.Pointer[entry]; key K; value V};
//     node{isEntry bool} is the first field of both, so a child's first byte says which it is.
//   - The hash is consumed from the top, nChildrenLog2 (4) bits per level: a node at depth d
//     (root children at 1) is in slot (hash >> (64 - 4*d)) & 15 of its parent.
func (d *syncMapDecoder) hashTrie(l *layouts.Layout, addr uint64) (*SyncMap, error) {
	t := d.t
	m := &SyncMap{Addr: addr, Impl: HashTrie}
	mf, _ := l.Field("m")
	htName := mf.TypeName
	ht, err := t.Layout(htName)
	if err != nil {
		return nil, err
	}
	rootOff, err := d.pointerField(ht, "root")
	if err != nil {
		return nil, err
	}
	args := strings.TrimPrefix(htName, "internal/sync.HashTrieMap")
	if args == htName {
		return nil, fmt.Errorf("sync.Map.m is a %s, not an internal/sync.HashTrieMap; not supported", htName)
	}
	ind, err := trieLayout(t, "internal/sync.indirect", args)
	if err != nil {
		return nil, err
	}
	ent, err := trieLayout(t, "internal/sync.entry", args)
	if err != nil {
		return nil, err
	}
	g := &trieGeometry{}
	childrenF, err := ind.Field("children")
	if err != nil {
		return nil, err
	}
	arr, ok := godwarf.ResolveTypedef(childrenF.Type).(*godwarf.ArrayType)
	if !ok || arr.Count <= 0 || arr.Count > 1<<10 {
		return nil, fmt.Errorf("internal/sync.indirect.children is %s; expected an array of child pointers", childrenF.TypeName)
	}
	g.fanout, g.childStride, g.childrenOff = int(arr.Count), arr.Type.Size(), childrenF.Offset
	g.bits = 0
	for 1<<g.bits < g.fanout {
		g.bits++
	}
	if v, ok := t.dwarfConstant("internal/sync.nChildrenLog2"); ok && v > 0 && v < 16 {
		g.bits = int(v)
	}
	if g.deadOff, err = ind.Offset("dead"); err != nil {
		return nil, err
	}
	g.indSize, g.entSize = ind.Size, ent.Size
	if g.overflowOff, err = d.pointerField(ent, "overflow"); err != nil {
		return nil, err
	}
	if g.keyOff, err = ent.Offset("key"); err != nil {
		return nil, err
	}
	if g.valueOff, err = ent.Offset("value"); err != nil {
		return nil, err
	}
	// node is the first field of both; isEntry is its first byte.
	g.isEntryOff = 0

	root, err := d.mem.ptr("HashTrieMap.root", addr+uint64(mf.Offset+rootOff))
	if err != nil {
		return nil, err
	}
	m.Trie = &Trie{Fanout: g.fanout}
	if root != 0 {
		w := &trieWalk{d: d, g: g, m: m}
		node, err := w.walk(root)
		if err != nil {
			return nil, err
		}
		m.Trie.Root = node
	}
	m.Len = len(m.Entries) + m.More
	return m, nil
}

// trieLayout finds the layout of a node type of a HashTrieMap instantiation. The DWARF may hold
// only the compiler's shape instantiation: Go 1.27 binaries have no
// internal/sync.entry[interface {},interface {}], only entry[go.shape.interface {},go.shape.interface {}],
// which has the same layout (a shape stands for every type argument of the same underlying type).
func trieLayout(t *Target, generic, args string) (*layouts.Layout, error) {
	l, err := t.Layout(generic + args)
	if err == nil {
		return l, nil
	}
	shape := strings.ReplaceAll(args, "interface {}", "go.shape.interface {}")
	if ls, err2 := t.Layout(generic + shape); err2 == nil {
		return ls, nil
	}
	return nil, err
}

// trieGeometry is where the fields of the trie's nodes are.
type trieGeometry struct {
	fanout, bits                      int
	childrenOff, childStride, deadOff int64
	overflowOff, keyOff, valueOff     int64
	indSize, entSize, isEntryOff      int64
}

// trieWalk is one walk over a HashTrieMap. Corrupt memory cannot make it run away: indirect nodes
// nest at most 64/nChildrenLog2 deep, every overflow chain is checked for cycles, and the whole
// walk stops after maxTrieNodes nodes (which also bounds a trie whose subtrees are shared).
type trieWalk struct {
	d     *syncMapDecoder
	g     *trieGeometry
	m     *SyncMap
	nodes int
	// slab is where new TrieNodes are allocated from, a block at a time: a million separately
	// allocated nodes cost the garbage collector far more than a few hundred blocks.
	slab []TrieNode
}

// newNode returns a new zero TrieNode.
func (w *trieWalk) newNode() *TrieNode {
	if len(w.slab) == 0 {
		w.slab = make([]TrieNode, 4096)
	}
	n := &w.slab[0]
	w.slab = w.slab[1:]
	return n
}

func (w *trieWalk) visit() error {
	w.nodes++
	if w.nodes > maxTrieNodes {
		return fmt.Errorf("HashTrieMap has more than %d nodes; stopped (corrupt memory?)", maxTrieNodes)
	}
	return nil
}

// pendingNode is a child pointer found in an indirect node and not yet read: it goes to
// (*slot) once read.
type pendingNode struct {
	addr   uint64
	slot   **TrieNode
	index  int
	prefix uint64 // the hash bits the path to it spells
}

// entryNode is an entry node found by the walk, to be decoded with its chain.
type entryNode struct {
	addr uint64
	node *TrieNode
}

// walk decodes the trie from the root indirect node at root in two passes.
//
// The first pass reads the tree's shape level by level. Within a level the nodes are read in
// address order, not in trie order: trie order is hash order, which jumps across the whole heap,
// while address order follows the order the nodes were allocated in, so the reads (and the CPU's
// caches and TLB) go through memory almost sequentially. The second pass decodes the entries,
// again in address order, so that their keys and values (allocated next to them, in the same
// order) are read sequentially too; it knows how many entries there are, so the entry list is
// allocated once. For a million entries this is several times faster than a depth-first walk.
func (w *trieWalk) walk(root uint64) (*TrieNode, error) {
	g := w.g
	tr := w.m.Trie
	rootNode := &TrieNode{Addr: root}
	level, err := w.readIndirect(rootNode, 0, nil)
	if err != nil {
		return nil, err
	}
	var entries []entryNode
	for depth := 1; len(level) > 0; depth++ {
		if depth*g.bits > 64 {
			return nil, fmt.Errorf("HashTrieMap at depth %d: deeper than a 64-bit hash allows (corrupt memory?)", depth)
		}
		slices.SortFunc(level, func(a, b pendingNode) int { return cmp.Compare(a.addr, b.addr) })
		// First the kind of every node of the level (its first byte), so that the lists below
		// grow once per level instead of doubling a million entries at a time.
		isEntry := make([]bool, len(level))
		nIndirect := 0
		for i, p := range level {
			b, err := w.d.mem.read("internal/sync.node", p.addr, 1)
			if err != nil {
				return nil, err
			}
			isEntry[i] = b[0] != 0
			if !isEntry[i] {
				nIndirect++
			}
		}
		if len(level) > 0 && depth > tr.Depth {
			tr.Depth = depth
		}
		entries = slices.Grow(entries, len(level)-nIndirect)
		// Deep indirect nodes hold two or three children, not fanout: start there and let
		// append grow the list, rather than reserving fanout slots per node.
		next := make([]pendingNode, 0, 2*nIndirect)
		for i, p := range level {
			n := w.newNode()
			*n = TrieNode{Addr: p.addr, Depth: int16(depth), Slot: int16(p.index), HashPrefix: p.prefix}
			*p.slot = n
			if isEntry[i] {
				n.Entry = true
				entries = append(entries, entryNode{p.addr, n})
				continue
			}
			if next, err = w.readIndirect(n, p.prefix, next); err != nil {
				return nil, err
			}
		}
		level = next
	}
	slices.SortFunc(entries, func(a, b entryNode) int { return cmp.Compare(a.addr, b.addr) })
	w.m.Entries = make([]SyncMapEntry, 0, min(len(entries), w.d.opts.MaxEntries))
	for _, e := range entries {
		if err := w.entryChain(e.node); err != nil {
			return nil, err
		}
	}
	return rootNode, nil
}

// readIndirect reads the indirect node n (whose path spells prefix): its children slice gets one
// element per non-nil child, in slot order, each filled in when the pending node it appends is read.
func (w *trieWalk) readIndirect(n *TrieNode, prefix uint64, pending []pendingNode) ([]pendingNode, error) {
	g := w.g
	if err := w.visit(); err != nil {
		return nil, err
	}
	buf, err := w.d.mem.read("internal/sync.indirect", n.Addr, g.indSize)
	if err != nil {
		return nil, err
	}
	n.Dead = buf[g.deadOff] != 0
	w.m.Trie.Nodes++
	var children [64]uint64
	count := 0
	for i := 0; i < g.fanout && i < len(children); i++ {
		children[i] = w.d.t.Arch.Ptr(buf[g.childrenOff+int64(i)*g.childStride:])
		if children[i] != 0 {
			count++
		}
	}
	n.Children = make([]*TrieNode, count)
	k := 0
	for i := 0; i < g.fanout && i < len(children); i++ {
		if children[i] != 0 {
			pending = append(pending, pendingNode{addr: children[i], slot: &n.Children[k], index: i, prefix: prefix<<uint(g.bits) | uint64(i)})
			k++
		}
	}
	return pending, nil
}

// entryChain decodes the entry node n and its overflow chain (entries whose keys hash alike).
func (w *trieWalk) entryChain(n *TrieNode) error {
	g := w.g
	tr := w.m.Trie
	var chain map[uint64]bool // allocated only for chains longer than one entry
	for e, i := n.Addr, 0; e != 0; i++ {
		if err := w.visit(); err != nil {
			return err
		}
		if i > 0 {
			if chain == nil {
				chain = map[uint64]bool{n.Addr: true}
			}
			if chain[e] {
				return fmt.Errorf("HashTrieMap overflow chain from entry %#x: cycle at %#x (corrupt memory?)", n.Addr, e)
			}
			chain[e] = true
		}
		buf, err := w.d.mem.read("internal/sync.entry", e, g.entSize)
		if err != nil {
			return err
		}
		tr.Entries++
		if i > 0 {
			tr.OverflowEntries++
		}
		if len(w.m.Entries) >= w.d.opts.MaxEntries {
			w.m.More++
		} else {
			se := SyncMapEntry{Entry: e, State: EntryLive}
			if se.KeyType, se.Key, err = w.d.fmt.format(e + uint64(g.keyOff)); err != nil {
				return fmt.Errorf("key of HashTrieMap entry %#x: %v", e, err)
			}
			if se.ValueType, se.Value, err = w.d.fmt.format(e + uint64(g.valueOff)); err != nil {
				return fmt.Errorf("value of HashTrieMap entry %#x: %v", e, err)
			}
			if n.ChainLen == 0 {
				n.ChainStart = int32(len(w.m.Entries))
			}
			n.ChainLen++
			w.m.Entries = append(w.m.Entries, se)
		}
		e = w.d.t.Arch.Ptr(buf[g.overflowOff:])
	}
	return nil
}

// efaceFormatter prints the dynamic value of an interface{} (an eface: type word, data word) as
// Delve prints it.
//
// Delve evaluation costs a scope set-up and several reads per value, which would make a million
// entries take minutes. So the first value of each dynamic type is printed by Delve, and when
// that type is a bool, integer or string and memlens's own printing of that first value is
// identical to Delve's, later values of the type are printed by memlens directly from the data
// word (a pointer to the value; for a string to its header). Other types always go through Delve.
type efaceFormatter struct {
	t     *Target
	mem   *chunkReader
	types map[uint64]*efaceType
}

type efaceType struct {
	name string
	// fast is the reflect.Kind memlens prints itself, or reflect.Invalid to ask Delve.
	fast reflect.Kind
	size int64
}

func newEfaceFormatter(t *Target) *efaceFormatter {
	return &efaceFormatter{t: t, types: map[uint64]*efaceType{}}
}

// format prints the eface stored at addr.
func (f *efaceFormatter) format(addr uint64) (typ, val string, err error) {
	w, err := f.mem.read("interface{}", addr, int64(2*f.t.Arch.PtrSize))
	if err != nil {
		return "", "", err
	}
	typeWord, data := f.t.Arch.Ptr(w), f.t.Arch.Ptr(w[f.t.Arch.PtrSize:])
	if typeWord == 0 {
		return "", "nil", nil
	}
	et := f.types[typeWord]
	if et != nil && et.fast != reflect.Invalid {
		if s, ok := f.fastFormat(et, data); ok {
			return et.name, s, nil
		}
	}
	v, err := f.t.Eval(fmt.Sprintf("*(*%q)(%#x)", "interface {}", addr), ValueLoadConfig)
	if err != nil {
		return "", "", err
	}
	typ, val = syncDynamicValue(v)
	if et == nil {
		et = &efaceType{name: typ}
		if len(v.Children) == 1 && v.Children[0].RealType != nil {
			c := &v.Children[0]
			switch c.Kind {
			case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.String:
				cand := &efaceType{name: typ, fast: c.Kind, size: c.RealType.Size()}
				if s, ok := f.fastFormat(cand, data); ok && s == val {
					et = cand
				}
			}
		}
		f.types[typeWord] = et
	}
	return typ, val, nil
}

// fastFormat prints a bool, integer or string value whose eface data word is data.
func (f *efaceFormatter) fastFormat(et *efaceType, data uint64) (string, bool) {
	if et.fast == reflect.String {
		hdr, err := f.mem.read("string header", data, int64(2*f.t.Arch.PtrSize))
		if err != nil {
			return "", false
		}
		p, n := f.t.Arch.Ptr(hdr), int64(f.t.Arch.Ptr(hdr[f.t.Arch.PtrSize:]))
		if n < 0 || n > MaxRead {
			return "", false
		}
		show := n
		if max := int64(ValueLoadConfig.MaxStringLen); show > max {
			show = max
		}
		b, err := f.mem.read("string", p, show)
		if err != nil {
			return "", false
		}
		s := string(b)
		if show < n {
			s = fmt.Sprintf("%s...+%d more", s, n-show)
		}
		return strconv.Quote(s), true
	}
	if et.size <= 0 || et.size > 8 {
		return "", false
	}
	b, err := f.mem.read("value", data, et.size)
	if err != nil {
		return "", false
	}
	u := f.t.Arch.Uint(b)
	switch et.fast {
	case reflect.Bool:
		return strconv.FormatBool(u != 0), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		shift := uint(64 - 8*et.size)
		return strconv.FormatInt(int64(u<<shift)>>shift, 10), true
	default:
		return strconv.FormatUint(u, 10), true
	}
}

// chunkReader reads target memory in aligned chunks and keeps the most recent ones, so that a walk
// over many small heap objects in address order (trie nodes, boxed keys) costs one read per chunk
// instead of one per object. Ranges that cross a chunk or fall in a chunk that cannot be read
// whole (the edge of a mapping) are read directly. At most maxChunks chunks are kept (the oldest
// is evicted and its buffer reused), so memory stays bounded however large the map.
type chunkReader struct {
	t      *Target
	chunks map[uint64][]byte // nil value: the chunk is not readable whole
	order  []uint64          // kept chunks, oldest first
	// lastBase and last are the chunk used last: most reads fall in the same chunk as the one
	// before.
	lastBase uint64
	last     []byte
}

const (
	chunkSize = 64 << 10
	maxChunks = 512 // 32 MiB
)

func newChunkReader(t *Target) *chunkReader {
	return &chunkReader{t: t, chunks: map[uint64][]byte{}}
}

// read returns n bytes at addr; the slice must not be modified and is valid until the next read.
func (c *chunkReader) read(what string, addr uint64, n int64) ([]byte, error) {
	if addr == 0 {
		return nil, fmt.Errorf("reading %s: nil pointer", what)
	}
	base := addr &^ (chunkSize - 1)
	if n <= 0 || n > chunkSize || addr+uint64(n) > base+chunkSize || addr+uint64(n) < addr {
		return c.t.Read(what, addr, n)
	}
	off := addr - base
	if base == c.lastBase && c.last != nil {
		return c.last[off : off+uint64(n)], nil
	}
	chunk, ok := c.chunks[base]
	if !ok {
		var buf []byte
		if len(c.order) >= maxChunks {
			oldest := c.order[0]
			buf = c.chunks[oldest]
			delete(c.chunks, oldest)
			c.order = c.order[1:]
		}
		if buf == nil {
			buf = make([]byte, chunkSize)
		}
		if mem, err := c.t.Memory(); err != nil {
			return nil, err
		} else if _, err := mem.ReadMemory(buf, base); err != nil {
			buf = nil // not readable whole: read such ranges directly
		}
		c.chunks[base] = buf
		c.order = append(c.order, base)
		chunk = buf
	}
	if chunk == nil {
		return c.t.Read(what, addr, n)
	}
	c.lastBase, c.last = base, chunk
	return chunk[off : off+uint64(n)], nil
}

// ptr reads one pointer-sized word.
func (c *chunkReader) ptr(what string, addr uint64) (uint64, error) {
	b, err := c.read(what, addr, int64(c.t.Arch.PtrSize))
	if err != nil {
		return 0, err
	}
	return c.t.Arch.Ptr(b), nil
}
