package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/memlens/memlens/inspect"
)

// TestChanWriteJSONMatchesEncoder checks that the streaming JSON writer gives exactly what the
// generic JSON path (encoding/json, indented) gives, for plain and escaped values.
func TestChanWriteJSONMatchesEncoder(t *testing.T) {
	for _, c := range []*inspect.Chan{
		{Nil: true},
		{Addr: 0x1000, ElemType: "int64", ElemSize: 8, DataQSiz: 4, QCount: 0, Buf: 0x1070},
		{Addr: 0x1000, ElemType: "main.T", ElemSize: 16, DataQSiz: 4, QCount: 3, RecvX: 3, SendX: 2, Buf: 0x2000,
			Buffer: []inspect.ChanSlot{
				{Slot: 3, Addr: 0x2030, Value: `main.T {S: "a<b>&\"c\"\n", N: 1}`},
				{Slot: 0, Addr: 0x2000, Value: "42"},
				{Slot: 1, Addr: 0x2010, Value: "héllo\u2028"},
			},
			SendQ:    []inspect.ChanWaiter{{GoID: 7, Elem: 0xc000, Value: "1"}},
			Problems: []string{"x < y"}},
	} {
		v := ChanView{Expr: "main.c", Chan: c}
		var want, got bytes.Buffer
		if err := Write(&want, JSON, v); err != nil {
			t.Fatal(err)
		}
		if err := v.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("WriteJSON differs from the encoder:\n got %s\nwant %s", got.String(), want.String())
		}
		if c.Nil && !strings.Contains(got.String(), `"nil": true`) {
			t.Errorf("nil channel JSON %s", got.String())
		}
	}
}
