package bench

import (
	"context"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/bench/internal/measure"
	"github.com/abi3ls/abi3ls/grammars"
)

// BenchmarkReanalyze20k is the analysis share of figure 1, in process: on
// the 20k-line file, each iteration types or deletes one character in a
// CPython API name (as the keystroke benchmark does), edits the tree,
// reparses incrementally and re-analyzes (analysis.Reanalyze). It reports
// p50/p99 of reparse + analysis, and the share of edits analyzed
// incrementally.
func BenchmarkReanalyze20k(b *testing.B) {
	src := source20k()
	pool := grammars.NewPool()
	defer pool.Close()
	a := &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	points := corpus.EditPoints(src, 1000, 1)
	var lat []time.Duration
	incr := 0
	b.ResetTimer()
	err := measure.Reanalyses(context.Background(), a, pool, "/bench/gen20k.c", src, points, b.N, func(i int, d time.Duration, inc bool) {
		lat = append(lat, d)
		if inc {
			incr++
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ms(measure.Percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(measure.Percentile(lat, 99)), "p99-ms")
	b.ReportMetric(float64(incr)/float64(max(1, b.N)), "incremental")
}
