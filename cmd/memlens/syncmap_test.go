package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/memlens/memlens/testdata/fixtures"
)

// TestSyncMapCommand runs `memlens syncmap` on the syncs fixture on every target: the JSON keys the
// issue names with the values the fixture built, the streamed JSON equal to render.Write's, the
// text and diagram forms, and one-line errors for wrong expressions.
func TestSyncMapCommand(t *testing.T) {
	fixtures.ForEach(t, "syncs", func(t *testing.T, tg *fixtures.Target) {
		out, err := memlensOn(t, tg, "syncmap", "main.seqMap", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		impl := "hashtrie"
		if tg.Toolchain.Minor < 24 {
			impl = "readdirty"
		}
		if m["kind"] != "sync.Map" || m["impl"] != impl || m["len"] != 3.0 || !strings.HasPrefix(m["addr"].(string), "0x") {
			t.Errorf("kind/impl/len/addr = %v %v %v %v", m["kind"], m["impl"], m["len"], m["addr"])
		}
		live := map[string]string{}
		for _, e := range m["entries"].([]any) {
			e := e.(map[string]any)
			k, _ := strconv.Unquote(e["key"].(string))
			live[k] = e["value"].(string)
			if impl == "readdirty" && e["where"] == nil {
				t.Errorf("read/dirty entry %v has no where", e)
			}
		}
		var got []string
		for _, kv := range strings.Fields(tg.Report.Get(t, "seqMap.live")) {
			k, v, _ := strings.Cut(kv, "=")
			if live[k] != v {
				got = append(got, k)
			}
		}
		if len(got) > 0 || len(live) != 3 {
			t.Errorf("entries %v, fixture's Range saw %s", live, tg.Report.Get(t, "seqMap.live"))
		}
		if impl == "readdirty" {
			for _, k := range []string{"read", "dirty", "misses"} {
				if _, ok := m[k]; !ok {
					t.Errorf("read/dirty JSON has no %q", k)
				}
			}
			if m["misses"] != 1.0 || m["read"].(map[string]any)["amended"] != true {
				t.Errorf("misses %v, read %v", m["misses"], m["read"])
			}
		} else {
			trie := m["trie"].(map[string]any)
			for _, k := range []string{"depth", "nodes", "entries", "overflowEntries"} {
				if _, ok := trie[k]; !ok {
					t.Errorf("trie JSON has no %q", k)
				}
			}
			if trie["entries"] != 3.0 {
				t.Errorf("trie entries %v, want 3", trie["entries"])
			}
		}

		// The empty map: dirty null (read/dirty), no root (hashtrie).
		out, err = memlensOn(t, tg, "syncmap", "main.emptyMap", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil || m["len"] != 0.0 || len(m["entries"].([]any)) != 0 {
			t.Errorf("empty map: %v %s", err, out)
		}
		if impl == "readdirty" {
			if d, ok := m["dirty"]; !ok || d != nil {
				t.Errorf("empty read/dirty map: dirty = %v, want null", d)
			}
		}

		// Text is bounded by --limit; the diagram says how much it left out.
		out, err = memlensOn(t, tg, "syncmap", "main.bigMap", "--limit", "5")
		if err != nil {
			t.Fatal(err)
		}
		if n := tg.Report.Int(t, "bigMap.len"); !strings.Contains(out, strconv.Itoa(int(n))+" live entries") || !strings.Contains(out, strconv.Itoa(int(n)-5)+" more") {
			t.Errorf("text with --limit 5 does not say %d live entries and %d more:\n%s", n, n-5, out)
		}
		dot, err := memlensOn(t, tg, "syncmap", "main.bigMap", "--limit", "10", "--format", "dot")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(dot, "more") || strings.Count(dot, "[label=") > 40 {
			t.Errorf("diagram of %d entries with --limit 10: %d nodes, no 'more' node", tg.Report.Int(t, "bigMap.len"), strings.Count(dot, "[label="))
		}
		png := filepath.Join(t.TempDir(), "m.png")
		if _, err := memlensOn(t, tg, "syncmap", "main.seqMap", "-o", png); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("-o m.png did not write a PNG: %v", err)
		}

		for _, c := range []struct{ expr, want string }{
			{"main.muLocked", "not a sync.Map"},
			{"main.noSuchVar", "main.noSuchVar"},
		} {
			if _, err := memlensOn(t, tg, "syncmap", c.expr); err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("syncmap %s: err = %v, want one line saying %q", c.expr, err, c.want)
			}
		}
		if tg.Mode == fixtures.Live {
			tg.Ping(t)
		}
	})
}
