package inspect_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

// unquoteKey turns a printed string key ("a" with quotes) back into the string.
func unquote(t *testing.T, s string) string {
	t.Helper()
	u, err := strconv.Unquote(s)
	if err != nil {
		t.Fatalf("%s is not a quoted string: %v", s, err)
	}
	return u
}

// TestSyncMapSequence decodes main.seqMap, which the fixture drove through stores, loads that
// promote dirty, a delete, a store that rebuilds dirty (expunging the deleted entry), an update of
// a shared entry and a delete of a shared entry. Every target: the live view equals what the
// fixture's own Range saw. Read/dirty targets: the exact read/dirty split and entry states the
// sequence produces by construction (see buildSeqMap in the fixture).
func TestSyncMapSequence(t *testing.T) {
	fixtures.ForEach(t, "syncs", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		m, err := target.SyncMapExpr("main.seqMap", inspect.SyncMapOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var live []string
		for _, e := range m.Entries {
			live = append(live, unquote(t, e.Key)+"="+e.Value)
		}
		sort.Strings(live)
		if got, want := strings.Join(live, " "), tg.Report.Get(t, "seqMap.live"); got != want {
			t.Errorf("live entries %q, fixture's Range saw %q", got, want)
		}
		if m.Len != 3 {
			t.Errorf("len %d, want 3", m.Len)
		}
		wantImpl := inspect.HashTrie
		if tg.Toolchain.Minor < 24 {
			wantImpl = inspect.ReadDirty
		}
		if m.Impl != wantImpl {
			t.Fatalf("impl %s, want %s for %s", m.Impl, wantImpl, tg.Toolchain.Name)
		}
		if m.Impl == inspect.HashTrie {
			if m.Trie == nil || m.Trie.Root == nil || m.Trie.Entries != 3 || m.Trie.Nodes < 1 || m.Trie.Depth < 1 {
				t.Errorf("trie %+v: want 3 entries under a root", m.Trie)
			}
			return
		}
		type st struct{ state, value string }
		states := func(es []inspect.SyncMapEntry) map[string]st {
			out := map[string]st{}
			for _, e := range es {
				out[unquote(t, e.Key)] = st{e.State, e.Value}
			}
			return out
		}
		wantRead := map[string]st{"a": {"live", "10"}, "b": {"expunged", ""}, "c": {"deleted", ""}, "d": {"live", "4"}}
		wantDirty := map[string]st{"a": {"live", "10"}, "c": {"deleted", ""}, "d": {"live", "4"}, "e": {"live", "5"}}
		if got := states(m.Read); fmt.Sprint(got) != fmt.Sprint(wantRead) {
			t.Errorf("read: %v, want %v", got, wantRead)
		}
		if got := states(m.Dirty); fmt.Sprint(got) != fmt.Sprint(wantDirty) {
			t.Errorf("dirty: %v, want %v", got, wantDirty)
		}
		if !m.Amended || m.DirtyNil || m.Misses != 1 {
			t.Errorf("amended=%v dirtyNil=%v misses=%d, want true false 1", m.Amended, m.DirtyNil, m.Misses)
		}
		where := map[string]string{}
		for _, e := range m.Entries {
			where[unquote(t, e.Key)] = e.Where
		}
		if want := map[string]string{"a": "both", "d": "both", "e": "dirty"}; fmt.Sprint(where) != fmt.Sprint(want) {
			t.Errorf("where: %v, want %v", where, want)
		}
		// Entries in both maps are one shared *entry.
		entryOf := func(es []inspect.SyncMapEntry, key string) uint64 {
			for _, e := range es {
				if unquote(t, e.Key) == key {
					return e.Entry
				}
			}
			return 0
		}
		for _, k := range []string{"a", "c", "d"} {
			if r, d := entryOf(m.Read, k), entryOf(m.Dirty, k); r == 0 || r != d {
				t.Errorf("key %s: read entry %#x, dirty entry %#x; the sequence shares one entry", k, r, d)
			}
		}
		if m.Expunged == 0 {
			t.Error("sync.expunged not read")
		}
	})
}

// TestSyncMapEmptyAndLarge decodes a never-used sync.Map and one of a few thousand entries whose
// contents the fixture built (key i -> "v<i>"), on every target.
func TestSyncMapEmptyAndLarge(t *testing.T) {
	fixtures.ForEach(t, "syncs", func(t *testing.T, tg *fixtures.Target) {
		target := openFixture(t, tg)
		empty, err := target.SyncMapExpr("main.emptyMap", inspect.SyncMapOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if empty.Len != 0 || len(empty.Entries) != 0 || len(empty.Read) != 0 || len(empty.Dirty) != 0 {
			t.Errorf("empty map: len %d, %d entries", empty.Len, len(empty.Entries))
		}
		if empty.Impl == inspect.ReadDirty && (empty.ReadOnly != 0 || !empty.DirtyNil) {
			t.Errorf("empty read/dirty map: readOnly %#x dirtyNil %v", empty.ReadOnly, empty.DirtyNil)
		}
		if empty.Impl == inspect.HashTrie && (empty.Trie == nil || empty.Trie.Root != nil) {
			t.Errorf("empty hash-trie: %+v, want no root", empty.Trie)
		}

		big, err := target.SyncMapExpr("&main.bigMap", inspect.SyncMapOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n := int(tg.Report.Int(t, "bigMap.len"))
		if big.Len != n || len(big.Entries) != n {
			t.Fatalf("bigMap: len %d with %d entries, fixture stored %d", big.Len, len(big.Entries), n)
		}
		seen := map[int]bool{}
		for _, e := range big.Entries {
			k, err := strconv.Atoi(e.Key)
			if err != nil || e.KeyType != "int" || e.ValueType != "string" {
				t.Fatalf("bigMap entry %+v: want an int key and a string value", e)
			}
			if v := unquote(t, e.Value); v != fmt.Sprintf("v%d", k) {
				t.Errorf("bigMap[%d] = %q, fixture stored %q", k, v, fmt.Sprintf("v%d", k))
			}
			seen[k] = true
		}
		if len(seen) != n {
			t.Errorf("bigMap: %d distinct keys, want %d", len(seen), n)
		}
		if big.Impl == inspect.ReadDirty {
			// The same map read by Delve in pages of 700 entries: the same entries.
			restore := inspect.SetEntryMapPage(700)
			paged, err := target.SyncMapExpr("main.bigMap", inspect.SyncMapOptions{})
			restore()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, e := range paged.Entries {
				got[e.Key] = e.Value
			}
			if len(got) != n || len(paged.Entries) != n {
				t.Errorf("paged read: %d entries (%d distinct), want %d", len(paged.Entries), len(got), n)
			}
			for _, e := range big.Entries {
				if got[e.Key] != e.Value {
					t.Errorf("paged read: key %s = %q, unpaged %q", e.Key, got[e.Key], e.Value)
					break
				}
			}
		}
		if big.Impl == inspect.HashTrie {
			tr := big.Trie
			chained := 0
			var walk func(nd *inspect.TrieNode)
			walk = func(nd *inspect.TrieNode) {
				chained += int(nd.ChainLen)
				for _, c := range nd.Children {
					walk(c)
				}
			}
			walk(tr.Root)
			if tr.Entries != n || chained != n || tr.Depth < 3 || tr.Nodes < 16 || tr.Fanout != 16 {
				t.Errorf("bigMap trie: %d entries (%d in chains), depth %d, %d nodes, fanout %d", tr.Entries, chained, tr.Depth, tr.Nodes, tr.Fanout)
			}
		}
		if _, err := target.SyncMapExpr("main.muLocked", inspect.SyncMapOptions{}); err == nil || !strings.Contains(err.Error(), "not a sync.Map") {
			t.Errorf("a mutex as a sync.Map: err = %v, want a 'not a sync.Map' error", err)
		}
		if tg.Mode == fixtures.Live {
			target.Close()
			tg.Ping(t)
		}
	})
}
