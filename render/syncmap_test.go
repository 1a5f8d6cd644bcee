package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/memlens/memlens/inspect"
)

// TestAppendJSONString checks the hand-written JSON string writer against encoding/json's
// Encoder (HTML escaping on, as render.Write uses it) on awkward strings.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `"quoted"`, `back\slash`, "ctl\x00\x01\x1f\b\f\n\r\t", "<a&b>",
		"caf\u00e9 \u2028 \u2029 \U0001F600", "bad\xffutf8\xc3", `interface {}(string) "x"`} {
		var want bytes.Buffer
		json.NewEncoder(&want).Encode(s)
		got := string(appendJSONString(nil, s)) + "\n"
		if got != want.String() {
			t.Errorf("appendJSONString(%q) = %s, encoding/json writes %s", s, got, want.String())
		}
	}
}

// TestSyncMapWriteJSON checks that the streaming JSON writer writes exactly what render.Write's
// JSON writes, for both implementations, empty and not.
func TestSyncMapWriteJSON(t *testing.T) {
	entries := []inspect.SyncMapEntry{
		{Key: `"a"`, Value: "10", Entry: 0xc000012028, State: inspect.EntryLive, Where: "both"},
		{Key: `"b<&>"`, Value: "", Entry: 0xc000012030, State: inspect.EntryExpunged},
	}
	maps := []*inspect.SyncMap{
		{Addr: 0x1000, Impl: inspect.ReadDirty, DirtyNil: true},
		{Addr: 0x1000, Impl: inspect.ReadDirty, Len: 1, Entries: entries[:1], ReadOnly: 0x2000, Amended: true,
			Read: entries, Dirty: entries[:1], Misses: 3, Expunged: 0x3000, More: 2},
		{Addr: 0x1000, Impl: inspect.HashTrie, Trie: &inspect.Trie{Fanout: 16}},
		{Addr: 0x1000, Impl: inspect.HashTrie, Len: 2, Entries: entries,
			Trie: &inspect.Trie{Root: &inspect.TrieNode{Addr: 0x4000}, Depth: 1, Nodes: 1, Entries: 2, Fanout: 16}},
	}
	for i, m := range maps {
		v := SyncMapView{Expr: "m", Map: m, Limit: 10}
		var want, got bytes.Buffer
		if err := Write(&want, JSON, v); err != nil {
			t.Fatal(err)
		}
		if err := v.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("map %d: WriteJSON wrote\n%s\nrender.Write wrote\n%s", i, got.String(), want.String())
		}
	}
}
