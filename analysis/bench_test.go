package analysis

import (
	"bytes"
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/grammars"
)

// benchSource is a generated 20k-line extension module under a Limited API
// target (findings in every function).
func benchSource() []byte {
	return corpus.Generate(corpus.Options{Lines: 20000, Seed: 1, Limited: "0x030A0000"})
}

func BenchmarkParse20k(b *testing.B) {
	src := benchSource()
	pool := grammars.NewPool()
	defer pool.Close()
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t, err := pool.Parse(grammars.C, src, nil)
		if err != nil {
			b.Fatal(err)
		}
		t.Close()
	}
}

func BenchmarkAnalyze20k(b *testing.B) {
	src := benchSource()
	a := newTestAnalyzer(b)
	in := Input{Path: "gen.c", Lang: grammars.C, Src: src}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Analyze(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeVsParse reports the ratio of a full Analyze (which
// parses and frees its tree) to a bare parse-and-free of the same 20k-line
// file; the target is <= 1.3. Runs are interleaved; the figures are the
// fastest wall-clock run of each and the total CPU time of each (process
// user+system time, steadier than wall time on a shared machine).
func BenchmarkAnalyzeVsParse(b *testing.B) {
	src := benchSource()
	a := newTestAnalyzer(b)
	in := Input{Path: "gen.c", Lang: grammars.C, Src: src}
	parse, analyze := time.Duration(1<<62), time.Duration(1<<62)
	var parseCPU, analyzeCPU time.Duration
	var findings int
	for i := 0; i < b.N; i++ {
		c0 := cpuTime()
		t0 := time.Now()
		t, err := a.Parse.Parse(grammars.C, src, nil)
		if err != nil {
			b.Fatal(err)
		}
		t.Close()
		parse = min(parse, time.Since(t0))
		c1 := cpuTime()
		t0 = time.Now()
		res, err := a.Analyze(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		analyze = min(analyze, time.Since(t0))
		c2 := cpuTime()
		parseCPU += c1 - c0
		analyzeCPU += c2 - c1
		findings = len(res.Findings)
	}
	b.ReportMetric(float64(analyze)/float64(parse), "wall-ratio")
	b.ReportMetric(float64(analyzeCPU)/float64(parseCPU), "cpu-ratio")
	b.ReportMetric(float64(parse.Microseconds())/1000, "parse-ms")
	b.ReportMetric(float64(analyze.Microseconds())/1000, "analyze-ms")
	b.ReportMetric(float64(findings), "findings")
	b.ReportMetric(float64(bytes.Count(src, []byte{'\n'})), "lines")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWalk20k splits the walk of the 20k-line file: the lexical
// pre-pass, flattening what the walk reads (one cgo call; and split
// between two threads), flattening the whole tree for comparison, and the
// walk over the flattened nodes; with the node counts.
func BenchmarkWalk20k(b *testing.B) {
	src := benchSource()
	a := newTestAnalyzer(b)
	tree, err := a.Parse.Parse(grammars.C, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	root := tree.RootNode()
	var lex, sel, par, all, walk time.Duration
	var selNodes, allNodes int
	var buf []grammars.FlatNode
	for b.Loop() {
		tl := time.Now()
		w := newWalker(a.database(), kindsFor(grammars.C), src)
		lr := w.lex(src)
		w.cands = lr.cands
		t1 := time.Now()
		lex += t1.Sub(tl)
		buf = grammars.Flatten(root, buf)
		t0 := time.Now()
		all += t0.Sub(t1)
		w.nodes = grammars.FlattenSelect(root, w.selection(), w.nodes)
		t2 := time.Now()
		sel += t2.Sub(t0)
		w.nodes = grammars.FlattenParallel(root, w.selection(), w.nodes)
		t3 := time.Now()
		par += t3.Sub(t2)
		w.frames = w.frames[:0]
		w.visit(0, w.cls(0))
		walk += time.Since(t3)
		selNodes, allNodes = len(w.nodes), len(buf)
	}
	n := float64(b.N) * 1e6
	b.ReportMetric(float64(lex)/n, "lex-ms")
	b.ReportMetric(float64(sel)/n, "select-ms")
	b.ReportMetric(float64(par)/n, "parallel-ms")
	b.ReportMetric(float64(all)/n, "flatten-all-ms")
	b.ReportMetric(float64(walk)/n, "visit-ms")
	b.ReportMetric(float64(selNodes), "selected")
	b.ReportMetric(float64(allNodes), "named")
	b.ReportMetric(float64(root.DescendantCount()), "nodes")
}
