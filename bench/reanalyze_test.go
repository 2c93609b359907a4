package bench

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/bench/internal/measure"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// BenchmarkReanalyze20k is the analysis share of figure 1, in process:
// on the 20k-line file, each iteration types or deletes one character in
// a CPython API name (as the keystroke benchmark does), edits the tree,
// reparses incrementally and re-analyzes (analysis.Reanalyze). It reports
// p50/p99 of reparse + analysis, and how many edits took the incremental
// path.
func BenchmarkReanalyze20k(b *testing.B) {
	src := source20k()
	pool := grammars.NewPool()
	defer pool.Close()
	a := &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	ctx := context.Background()
	tree, err := pool.Parse(grammars.C, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { tree.Close() }()
	const path = "/bench/gen20k.c"
	_, st, err := a.AnalyzeKeep(ctx, analysis.Input{Path: path, Lang: grammars.C, Src: src, Tree: tree})
	if err != nil {
		b.Fatal(err)
	}
	points := corpus.EditPoints(src, 1000, 1)
	var lat []time.Duration
	incr := 0
	i := 0
	for b.Loop() {
		at := points[(i/2)%len(points)]
		var ns []byte
		var ed sitter.InputEdit
		if i%2 == 0 { // type an x
			ns = append(append(append(make([]byte, 0, len(src)+1), src[:at]...), 'x'), src[at:]...)
			ed = sitter.InputEdit{StartByte: uint(at), OldEndByte: uint(at), NewEndByte: uint(at + 1)}
		} else { // delete it again
			ns = append(append(make([]byte, 0, len(src)), src[:at]...), src[at+1:]...)
			ed = sitter.InputEdit{StartByte: uint(at), OldEndByte: uint(at + 1), NewEndByte: uint(at)}
		}
		i++
		start := time.Now()
		ed.StartPosition = pointOf(src, at)
		ed.OldEndPosition = pointOf(src, int(ed.OldEndByte))
		ed.NewEndPosition = pointOf(ns, int(ed.NewEndByte))
		tree.Edit(&ed)
		nt, err := pool.Parse(grammars.C, ns, tree)
		if err != nil {
			b.Fatal(err)
		}
		tree.Close()
		tree, src = nt, ns
		_, next, inc, err := a.Reanalyze(ctx, st, analysis.Input{Path: path, Lang: grammars.C, Src: src, Tree: tree})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		st = next
		if inc {
			incr++
		}
	}
	b.ReportMetric(ms(measure.Percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(measure.Percentile(lat, 99)), "p99-ms")
	b.ReportMetric(float64(incr)/float64(max(1, i)), "incremental")
}

// pointOf is the tree-sitter point of byte offset off (bytes, not runes).
func pointOf(src []byte, off int) sitter.Point {
	row := bytes.Count(src[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(src[:off], '\n') + 1)
	return sitter.Point{Row: uint(row), Column: uint(col)}
}
