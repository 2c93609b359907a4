package server

import (
	"bytes"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/bench/corpus"
)

// BenchmarkDidChangeToPublish measures the time from sending a didChange
// (one-character edit in the middle of a 5,000-line file) to receiving its
// publishDiagnostics, without debounce, with the real analysis, over
// JSON-RPC on a pipe: framing, incremental parse, analysis, conversion.
func BenchmarkDidChangeToPublish(b *testing.B) {
	for _, lines := range []int{5000} {
		src := corpus.Generate(corpus.Options{Lines: lines, Seed: 1, Limited: "0x03080000"})
		b.Run("lines="+itoa(bytes.Count(src, []byte{'\n'})), func(b *testing.B) {
			c := newClient(b, Options{Debounce: -1}, false)
			c.initialize(nil)
			uri := "file:///bench/gen.c"
			start := time.Now()
			c.open(uri, string(src))
			p := c.diags(uri, 1)
			b.Logf("didOpen -> publish: %v (%d diagnostics, %d bytes)", time.Since(start), len(p.Diagnostics), len(src))
			mid := bytes.Count(src, []byte{'\n'}) / 2
			version := int32(1)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				version++
				if i%2 == 0 {
					c.change(uri, version, []int{mid, 0, mid, 0}, " ")
				} else {
					c.change(uri, version, []int{mid, 0, mid, 1}, "")
				}
				c.diags(uri, version)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/change")
			c.shutdownExit()
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
