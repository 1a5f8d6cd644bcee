package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/memlens/memlens/testdata/fixtures"
)

// chansEnv makes timer channels synchronous in the chans fixture (see inspect/chan_test.go).
var chansEnv = fixtures.Options{Env: []string{"GODEBUG=asynctimerchan=0"}}

// chanJSONOut is the part of `memlens chan --format json` the test reads.
type chanJSONOut struct {
	Kind     string `json:"kind"`
	Nil      bool   `json:"nil"`
	ElemType string `json:"elemType"`
	Cap      uint64 `json:"cap"`
	Len      uint64 `json:"len"`
	RecvX    uint64 `json:"recvx"`
	SendX    uint64 `json:"sendx"`
	Closed   bool   `json:"closed"`
	Timer    bool   `json:"timer"`
	Buffer   []struct {
		Slot  uint64 `json:"slot"`
		Addr  string `json:"addr"`
		Value string `json:"value"`
	} `json:"buffer"`
	BufferMore uint64 `json:"bufferMore"`
	SendQ      []struct {
		GoID     int64  `json:"goid"`
		Select   bool   `json:"select"`
		ElemAddr string `json:"elemAddr"`
		Value    string `json:"value"`
	} `json:"sendq"`
}

// TestChanCommand runs `memlens chan` through the CLI in every format and checks the output against
// what the chans fixture built.
func TestChanCommand(t *testing.T) {
	fixtures.ForEachWith(t, "chans", chansEnv, func(t *testing.T, tg *fixtures.Target) {
		r := tg.Report
		dir := t.TempDir()
		chanCmd := func(args ...string) (string, string) {
			t.Helper()
			code, out, errOut := memlens(append(append([]string{"chan"}, tg.Args()...), args...)...)
			if code != 0 {
				t.Fatalf("memlens chan %v: exit %d: %s", args, code, errOut)
			}
			return out, errOut
		}

		// Text: the header line the issue specifies, built from the fixture's own numbers.
		out, _ := chanCmd("main.ring")
		want := fmt.Sprintf("chan %s, cap %s, len %s, recvx %s, sendx %s, open\n", r.Get(t, "ring.elemtype"),
			r.Get(t, "ring.cap"), r.Get(t, "ring.len"), r.Get(t, "ring.recvx"), r.Get(t, "ring.sendx"))
		if !strings.HasPrefix(out, want) {
			t.Errorf("text starts %q, want %q", firstLine(out), want)
		}
		for _, v := range strings.Fields(r.Get(t, "ring.values")) {
			if !strings.Contains(out, "  "+v+"\n") {
				t.Errorf("text lacks buffered value %s:\n%s", v, out)
			}
		}

		// JSON lists every element without --limit, and only --limit of them with it.
		out, _ = chanCmd("main.large", "--format", "json")
		var j chanJSONOut
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if j.Kind != "chan" || j.Len != uint64(r.Int(t, "large.len")) || uint64(len(j.Buffer)) != j.Len || j.BufferMore != 0 {
			t.Errorf("JSON kind %q len %d, %d listed, %d more; fixture len %s", j.Kind, j.Len, len(j.Buffer), j.BufferMore, r["large.len"])
		}
		if n := len(j.Buffer); n > 0 && j.Buffer[n-1].Value != fmt.Sprint(r.Int(t, "large.first")+int64(n-1)*r.Int(t, "large.step")) {
			t.Errorf("last JSON value %q", j.Buffer[n-1].Value)
		}
		out, _ = chanCmd("main.large", "--format", "json", "--limit", "3")
		j = chanJSONOut{}
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if len(j.Buffer) != 3 || j.BufferMore != j.Len-3 {
			t.Errorf("JSON with --limit 3: %d listed, %d more", len(j.Buffer), j.BufferMore)
		}
		out, _ = chanCmd("main.unbuf", "-o", filepath.Join(dir, "unbuf.json"))
		b, err := os.ReadFile(filepath.Join(dir, "unbuf.json"))
		if err != nil {
			t.Fatal(err)
		}
		j = chanJSONOut{}
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		senders, values := r.Ints(t, "unbuf.senders"), strings.Fields(r.Get(t, "unbuf.values"))
		if len(j.SendQ) != len(senders) {
			t.Fatalf("JSON sendq %+v, fixture blocked %v", j.SendQ, senders)
		}
		for i, s := range j.SendQ {
			if s.GoID != senders[i] || s.Value != fmt.Sprintf("%q", values[i]) || s.Select || !strings.HasPrefix(s.ElemAddr, "0x") {
				t.Errorf("JSON sender %d: %+v; fixture: goroutine %d sends %q", i, s, senders[i], values[i])
			}
		}
		out, _ = chanCmd("main.nilChan", "--format", "json")
		j = chanJSONOut{}
		if err := json.Unmarshal([]byte(out), &j); err != nil || !j.Nil {
			t.Errorf("nil channel JSON %s (%v)", out, err)
		}

		// DOT: goroutine nodes for the senders, a bounded ring with an "N more" cell.
		out, _ = chanCmd("main.unbuf", "--format", "dot")
		for _, id := range senders {
			if !strings.Contains(out, fmt.Sprintf("goroutine %d<", id)) {
				t.Errorf("DOT lacks a node for sender %d", id)
			}
		}
		out, _ = chanCmd("main.large", "--format", "dot", "--limit", "4")
		if more := r.Int(t, "large.cap") - 4; !strings.Contains(out, fmt.Sprintf("… %d more slots", more)) || len(regexp.MustCompile(`PORT="s[0-9]+"`).FindAllString(out, -1)) != 4 {
			t.Errorf("DOT with --limit 4 should draw 4 slots and a %d more cell", more)
		}

		// SVG and PNG render.
		chanCmd("main.ring", "-o", filepath.Join(dir, "ring.svg"))
		chanCmd("main.recvs", "-o", filepath.Join(dir, "recvs.png"))
		if b, _ := os.ReadFile(filepath.Join(dir, "ring.svg")); !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("recvx = 3")) {
			t.Errorf("ring.svg is not an SVG of the ring")
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "recvs.png")); !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("recvs.png is not a PNG")
		}

		// Mistakes are one line and exit 1.
		code, _, errOut := memlens(append(append([]string{"chan"}, tg.Args()...), "main.notAChan")...)
		if code != 1 || !strings.Contains(errOut, "has type "+r.Get(t, "notachan.type")+", not a channel") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("memlens chan main.notAChan: exit %d, stderr %q", code, errOut)
		}
		if tg.Mode == fixtures.Live {
			tg.Ping(t)
		}
	})
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
