package inspect_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/memlens/memlens/inspect"
	"github.com/memlens/memlens/render"
	"github.com/memlens/memlens/testdata/fixtures"
)

// BenchmarkChanJSON decodes a channel holding 1,048,576 buffered int64 values (the bigchan
// fixture, Go 1.26, amd64) and writes it as JSON, from a core and from a live process. The target is
// opened once; one iteration is EvalChan (header, element type, one bulk read per contiguous
// range of the ring, formatting) plus writing the JSON as `memlens chan --format json` does
// (render.ChanView.WriteJSON). Goal: under 1 s per iteration.
//
//	go test ./inspect -run '^$' -bench ChanJSON -benchtime 5x
func BenchmarkChanJSON(b *testing.B) {
	tc := fixtures.Toolchains[1] // go1.26
	for _, mode := range []string{fixtures.Core, fixtures.Live} {
		b.Run(mode, func(b *testing.B) {
			tg := fixtures.Start(b, "bigchan", tc, "amd64", mode, nil)
			opts := inspect.Options{Exe: tg.Exe, Core: tg.Core}
			if mode == fixtures.Live {
				opts = inspect.Options{Pid: tg.Pid}
			}
			target, err := inspect.Open(opts)
			if err != nil {
				b.Fatal(err)
			}
			defer target.Close()
			want := tg.Report.Int(b, "big.len")
			last := fmt.Sprint(tg.Report.Int(b, "big.first") + (want-1)*tg.Report.Int(b, "big.step"))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c, err := target.EvalChan("main.big", inspect.ChanOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if int64(len(c.Buffer)) != want || c.Buffer[len(c.Buffer)-1].Value != last {
					b.Fatalf("decoded %d values (last %q); the fixture holds %d (last %s)", len(c.Buffer), c.Buffer[len(c.Buffer)-1].Value, want, last)
				}
				if err := (render.ChanView{Expr: "main.big", Chan: c}).WriteJSON(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
