package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/testdata/fixtures"
)

func ifaceCLIJSON(t *testing.T, tg *fixtures.Target, v any, args ...string) {
	t.Helper()
	out, err := memlensOn(t, tg, append(args, "--format", "json")...)
	if err != nil {
		t.Fatalf("memlens %s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("memlens %s: bad JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

type ifaceCLIOut struct {
	Kind  string `json:"kind"`
	Nil   bool   `json:"nil"`
	Addr  string `json:"addr"`
	Data  string `json:"data"`
	Value string `json:"value"`
	Itab  *struct {
		Addr      string `json:"addr"`
		Interface struct {
			Name    string                  `json:"name"`
			Methods []struct{ Name string } `json:"methods"`
		} `json:"interface"`
		Type    *typeCLIOut `json:"type"`
		Hash    string      `json:"hash"`
		Methods []struct {
			Name string `json:"name"`
			Fn   string `json:"fn"`
			PC   string `json:"pc"`
		} `json:"methods"`
	} `json:"itab"`
	Type *typeCLIOut `json:"type"`
}

type typeCLIOut struct {
	Addr       string   `json:"addr"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Size       uint64   `json:"size"`
	Align      int      `json:"align"`
	FieldAlign int      `json:"fieldAlign"`
	PtrBytes   *uint64  `json:"ptrBytes"`
	Hash       string   `json:"hash"`
	TFlag      []string `json:"tflag"`
	PkgPath    string   `json:"pkgPath"`
	Methods    []struct {
		Name string `json:"name"`
	} `json:"methods"`
	Elem *typeCLIOut `json:"elem"`
	Key  *typeCLIOut `json:"key"`
}

// TestIfaceCommand checks `memlens iface` JSON against the fixture's report: the words, the itab's
// fun table (names, symbols, PCs), the dynamic type; eface by address; nil; a wrong expression.
func TestIfaceCommand(t *testing.T) {
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		r := tg.Report
		var res ifaceCLIOut
		ifaceCLIJSON(t, tg, &res, "iface", "main.resource")
		if res.Kind != "iface" || res.Nil || res.Data != r.Get(t, "resource.data") || res.Itab == nil || res.Type == nil {
			t.Fatalf("iface main.resource: %+v", res)
		}
		if res.Itab.Addr != r.Get(t, "resource.word0") || res.Itab.Interface.Name != "main.Resource" || res.Type.Name != r.Get(t, "resource.type.string") {
			t.Errorf("iface main.resource: itab %s (want %s) interface %s type %s", res.Itab.Addr, r.Get(t, "resource.word0"), res.Itab.Interface.Name, res.Type.Name)
		}
		var names, fns, pcs []string
		for _, m := range res.Itab.Methods {
			names, fns, pcs = append(names, m.Name), append(fns, m.Fn), append(pcs, m.PC)
		}
		if strings.Join(names, " ") != r.Get(t, "resource.ifaceMethods") || strings.Join(fns, " ") != r.Get(t, "resource.funcs") || strings.Join(pcs, " ") != r.Get(t, "resource.pcs") {
			t.Errorf("iface main.resource fun table %v %v %v; fixture: %s / %s / %s", names, fns, pcs,
				r.Get(t, "resource.ifaceMethods"), r.Get(t, "resource.funcs"), r.Get(t, "resource.pcs"))
		}
		if res.Type.Kind != "ptr" || res.Type.PtrBytes == nil || res.Type.Elem == nil || res.Type.Elem.Name != "main.File" {
			t.Errorf("iface main.resource type %+v", res.Type)
		}

		var eface ifaceCLIOut
		ifaceCLIJSON(t, tg, &eface, "iface", "--eface", r.Get(t, "anyStruct.addr"))
		if eface.Kind != "eface" || eface.Itab != nil || eface.Type == nil || eface.Type.Addr != r.Get(t, "anyStruct.word0") ||
			eface.Data != r.Get(t, "anyStruct.data") || !strings.Contains(eface.Value, "X: "+r.Get(t, "anyStruct.x")) {
			t.Errorf("iface --eface %s: %+v", r.Get(t, "anyStruct.addr"), eface)
		}
		var nilAny ifaceCLIOut
		ifaceCLIJSON(t, tg, &nilAny, "iface", "main.nilAny")
		if !nilAny.Nil || nilAny.Kind != "eface" || nilAny.Type != nil {
			t.Errorf("iface main.nilAny: %+v", nilAny)
		}
		// Wrong kind of expression: one clear user error.
		_, err := memlensOn(t, tg, "iface", "main.inventory")
		var te *inspect.TargetError
		if err == nil || !errors.As(err, &te) || strings.Contains(te.Msg, "\n") || !strings.Contains(te.Msg, "not an interface") {
			t.Errorf("iface main.inventory: error %v, want a one-line user error", err)
		}
		// The diagram: the words, the itab with one fun slot per method, and the dispatch path.
		dot, err := memlensOn(t, tg, "iface", "main.resource", "--format", "dot")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"iface":"w0" -> "itab":"head"`, `"itab":"f2" -> "fn2"`, `"iface":"data" -> "value"`, `"itab":"inter" -> "inter":"head"`, `"itab":"type" -> "type":"head"`} {
			if !strings.Contains(dot, want) {
				t.Errorf("iface DOT lacks %s", want)
			}
		}
		// --limit keeps the diagram bounded with a visible "more" row.
		dot, err = memlensOn(t, tg, "iface", "main.rw", "--format", "dot", "--limit", "1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(dot, "1 more fun slots") || !strings.Contains(dot, "fnmore") {
			t.Errorf("iface --limit 1 on a two-method itab shows no 'more' node")
		}
		if tg.Mode == fixtures.Live {
			tg.Ping(t)
		}
	})
}

// TestTypeAndItabsCommands checks `memlens type` (by name and address) and `memlens itabs`
// JSON against the fixture's reflect and unsafe reports.
func TestTypeAndItabsCommands(t *testing.T) {
	fixtures.ForEach(t, "ifaces", func(t *testing.T, tg *fixtures.Target) {
		r := tg.Report
		for _, key := range []string{"inventory", "points", "counts"} {
			k := "type." + key
			for _, arg := range []string{r.Get(t, k+".dwarfName"), r.Get(t, k+".addr")} {
				var ty typeCLIOut
				ifaceCLIJSON(t, tg, &ty, "type", arg)
				if ty.Addr != r.Get(t, k+".addr") || ty.Name != r.Get(t, k+".string") || ty.Kind != r.Get(t, k+".kind") ||
					fmt.Sprint(ty.Size) != r.Get(t, k+".size") || fmt.Sprint(ty.Align) != r.Get(t, k+".align") || ty.TFlag == nil || ty.Hash == "" {
					t.Errorf("type %s: %+v", arg, ty)
				}
				if want, ok := r[k+".elem"]; ok && (ty.Elem == nil || ty.Elem.Name != want) {
					t.Errorf("type %s: elem %+v, want %s", arg, ty.Elem, want)
				}
				if want, ok := r[k+".key"]; ok && (ty.Key == nil || ty.Key.Name != want) {
					t.Errorf("type %s: key %+v, want %s", arg, ty.Key, want)
				}
			}
		}
		var list struct {
			Count int `json:"count"`
			Itabs []struct {
				Addr      string                `json:"addr"`
				Interface struct{ Name string } `json:"interface"`
				Type      struct{ Name string } `json:"type"`
				InModule  bool                  `json:"inModule"`
				InTable   bool                  `json:"inTable"`
			} `json:"itabs"`
		}
		ifaceCLIJSON(t, tg, &list, "itabs", "--interface", "main.Opener")
		if list.Count != 1 || len(list.Itabs) != 1 || list.Itabs[0].Addr != r.Get(t, "opener.word0") || list.Itabs[0].Type.Name != "*main.File" || list.Itabs[0].InModule || !list.Itabs[0].InTable {
			t.Errorf("itabs --interface main.Opener: %+v, want the run-time itab %s", list, r.Get(t, "opener.word0"))
		}
		ifaceCLIJSON(t, tg, &list, "itabs", "--type", "*bytes.Buffer", "--interface", "io.ReadWriter")
		if list.Count != 1 || list.Itabs[0].Addr != r.Get(t, "rw.word0") {
			t.Errorf("itabs --type *bytes.Buffer --interface io.ReadWriter: %+v, want %s", list, r.Get(t, "rw.word0"))
		}
		if _, err := memlensOn(t, tg, "type", "main.NoSuchType"); err == nil {
			t.Errorf("type main.NoSuchType: no error")
		}
	})
}
