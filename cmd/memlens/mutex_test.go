package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/memlens/memlens/testdata/fixtures"
)

// TestMutexCommand runs `memlens mutex` on the syncs fixture on every target and checks the JSON
// keys the issue names against what the fixture built.
func TestMutexCommand(t *testing.T) {
	fixtures.ForEach(t, "syncs", func(t *testing.T, tg *fixtures.Target) {
		out, err := memlensOn(t, tg, "mutex", "main.muContended", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		for _, k := range []string{"kind", "addr", "state", "sema", "locked", "woken", "starving", "waiters", "waiting"} {
			if _, ok := m[k]; !ok {
				t.Errorf("mutex JSON has no %q", k)
			}
		}
		if m["kind"] != "sync.Mutex" || m["state"] != float64(tg.Report.Int(t, "muContended.state")) || m["locked"] != true || m["waiters"] != 3.0 {
			t.Errorf("kind %v state %v locked %v waiters %v", m["kind"], m["state"], m["locked"], m["waiters"])
		}
		var ids []int64
		for _, w := range m["waiting"].([]any) {
			ids = append(ids, int64(w.(map[string]any)["goid"].(float64)))
		}
		if want := tg.Report.Ints(t, "contended"); len(ids) != len(want) || ids[0] != want[0] || ids[2] != want[2] {
			t.Errorf("waiting %v, fixture parked %v", ids, want)
		}

		out, err = memlensOn(t, tg, "mutex", "main.rw", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		m = nil
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"kind", "addr", "writer", "readerCount", "readerWait", "readers", "writerPending", "waitingWriters", "waitingReaders"} {
			if _, ok := m[k]; !ok {
				t.Errorf("rwmutex JSON has no %q", k)
			}
		}
		if m["kind"] != "sync.RWMutex" || m["readers"] != 2.0 || m["writerPending"] != true || len(m["waitingReaders"].([]any)) != 1 || len(m["waitingWriters"].([]any)) != 2 {
			t.Errorf("rwmutex: %v", m)
		}
		if w := m["writer"].(map[string]any); w["kind"] != "sync.Mutex" || w["addr"] == nil {
			t.Errorf("writer: %v", w)
		}

		text, err := memlensOn(t, tg, "mutex", "main.muStarving")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "starving: yes") || !strings.Contains(text, "no owner") {
			t.Errorf("text of the starving mutex:\n%s", text)
		}
		dot, err := memlensOn(t, tg, "mutex", "main.muContended", "--limit", "1", "--format", "dot")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(dot, "2 more") || !strings.Contains(dot, "waiters") {
			t.Errorf("diagram with --limit 1 has no '2 more' node:\n%s", dot)
		}
		if _, err := memlensOn(t, tg, "mutex", "main.bigMap"); err == nil || !strings.Contains(err.Error(), "not a sync.Mutex") {
			t.Errorf("mutex of a sync.Map: err = %v", err)
		}
		if tg.Mode == fixtures.Live {
			tg.Ping(t)
		}
	})
}
