package bench

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/bench/internal/lspclient"
	"github.com/abi3ls/abi3ls/bench/internal/measure"
	"github.com/abi3ls/abi3ls/grammars"
	"github.com/abi3ls/abi3ls/server"
)

// source20k is the editor file: a generated 20,000-line extension
// module under a Limited API target.
func source20k() []byte {
	return corpus.Generate(corpus.Options{Lines: 20000, Seed: 1, Limited: "0x03080000"})
}

const uri20k = "file:///bench/gen20k.c"

// inProcess is a server.Server on pipes with a client attached.
type inProcess struct {
	c    *lspclient.Client
	srv  *server.Server
	exit chan int
	in   *io.PipeWriter
	once sync.Once
}

// startServer runs a server with no debounce and the real analysis.
func startServer(tb testing.TB) *inProcess {
	tb.Helper()
	pool := grammars.NewPool()
	toServer, serverIn := io.Pipe()
	fromServer, serverOut := io.Pipe()
	srv := server.New(toServer, serverOut, server.Options{
		Debounce: -1,
		Analyzer: &analysis.Analyzer{DB: abi.Default(), Parse: pool},
	})
	p := &inProcess{c: lspclient.New(fromServer, serverIn), srv: srv, exit: make(chan int, 1), in: serverIn}
	go func() {
		code := srv.Run()
		serverOut.Close()
		pool.Close()
		p.exit <- code
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.c.Initialize(ctx, ""); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.stop(tb) })
	return p
}

// stop shuts the server down (once) and checks every tree was freed.
func (p *inProcess) stop(tb testing.TB) { p.once.Do(func() { p.doStop(tb) }) }

func (p *inProcess) doStop(tb testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.c.Shutdown(ctx); err != nil {
		tb.Errorf("shutdown: %v", err)
	}
	select {
	case code := <-p.exit:
		if code != 0 {
			tb.Errorf("server exited with %d", code)
		}
	case <-ctx.Done():
		tb.Errorf("server did not exit")
	}
	p.in.Close()
	if n := p.srv.LiveTrees(); n != 0 {
		tb.Errorf("%d tree-sitter trees live after exit", n)
	}
}

// TestHarness runs the benchmark harness on a small file so it cannot rot:
// open, edits in API names (diagnostics for every version), close.
func TestHarness(t *testing.T) {
	src := corpus.Generate(corpus.Options{Lines: 300, Seed: 4, Limited: "0x03080000"})
	p := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	uri := "file:///bench/small.c"
	d, pub, err := measure.Open(ctx, p.c, uri, src)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Count == 0 || d <= 0 {
		t.Fatalf("open: %d diagnostics after %v; the corpus should have findings", pub.Count, d)
	}
	var lat []time.Duration
	points := corpus.EditPoints(src, 4, 1)
	last, err := measure.Keystrokes(ctx, p.c, uri, src, 1, points, 8, func(i int, d time.Duration) { lat = append(lat, d) })
	if err != nil {
		t.Fatal(err)
	}
	if last != 9 || len(lat) != 8 {
		t.Fatalf("last version %d, %d latencies; want 9 and 8", last, len(lat))
	}
	if err := p.c.Close(uri); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkParse20k is the floor: a bare tree-sitter parse of the 20k-line
// file.
func BenchmarkParse20k(b *testing.B) {
	src := source20k()
	bp, err := measure.NewBareParser()
	if err != nil {
		b.Fatal(err)
	}
	defer bp.Close()
	b.SetBytes(int64(len(src)))
	c := startCPU(b)
	for b.Loop() {
		if _, err := bp.Parse(src); err != nil {
			b.Fatal(err)
		}
	}
	c.report(b)
}

// cpuMeter reports the process's CPU time per iteration of a benchmark
// loop ("cpu-ms"), steadier than wall time on a shared machine. Work the
// loop leaves running in the background (trees freed by goroutines) is
// counted: report waits a little for it.
type cpuMeter struct{ start time.Duration }

func startCPU(b *testing.B) cpuMeter {
	c, err := measure.CPU(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	return cpuMeter{c}
}

func (m cpuMeter) report(b *testing.B) {
	b.StopTimer()
	time.Sleep(50 * time.Millisecond)
	c, err := measure.CPU(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ms(c-m.start)/float64(b.N), "cpu-ms")
}

// BenchmarkAnalyze20k is a full analysis (parse included) of the same file.
func BenchmarkAnalyze20k(b *testing.B) {
	src := source20k()
	pool := grammars.NewPool()
	defer pool.Close()
	a := &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	in := analysis.Input{Path: "gen20k.c", Lang: grammars.C, Src: src}
	b.SetBytes(int64(len(src)))
	c := startCPU(b)
	for b.Loop() {
		if _, err := a.Analyze(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	c.report(b)
}

// BenchmarkAnalysisOverParse is figure 4: a full analysis against a bare
// parse of the same bytes, interleaved, best of b.N each (target <= 1.3).
func BenchmarkAnalysisOverParse(b *testing.B) {
	src := source20k()
	bp, err := measure.NewBareParser()
	if err != nil {
		b.Fatal(err)
	}
	defer bp.Close()
	pool := grammars.NewPool()
	defer pool.Close()
	a := &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	in := analysis.Input{Path: "gen20k.c", Lang: grammars.C, Src: src}
	var parse, full []time.Duration
	for b.Loop() {
		d, err := bp.Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		parse = append(parse, d)
		start := time.Now()
		if _, err := a.Analyze(context.Background(), in); err != nil {
			b.Fatal(err)
		}
		full = append(full, time.Since(start))
	}
	b.ReportMetric(ms(measure.Min(parse)), "parse-ms")
	b.ReportMetric(ms(measure.Min(full)), "analyze-ms")
	b.ReportMetric(float64(measure.Min(full))/float64(measure.Min(parse)), "analyze/parse")
}

// BenchmarkOpen20k is figure 2 in process: didOpen of the 20k-line file
// to its diagnostics, against a bare parse of the same bytes.
func BenchmarkOpen20k(b *testing.B) {
	src := source20k()
	bp, err := measure.NewBareParser()
	if err != nil {
		b.Fatal(err)
	}
	defer bp.Close()
	p := startServer(b)
	ctx := context.Background()
	var parse, open []time.Duration
	for b.Loop() {
		d, err := bp.Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		parse = append(parse, d)
		d, _, err = measure.Open(ctx, p.c, uri20k, src)
		if err != nil {
			b.Fatal(err)
		}
		open = append(open, d)
		if err := p.c.Close(uri20k); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(ms(measure.Min(parse)), "parse-ms")
	b.ReportMetric(ms(measure.Min(open)), "open-ms")
	b.ReportMetric(float64(measure.Min(open))/float64(measure.Min(parse)), "open/parse")
}

// BenchmarkKeystroke20k is figure 1 in process: one-character edits inside
// API names of the open 20k-line file, didChange to diagnostics, no
// debounce; b.N edits (use -benchtime 1000x for the figure).
func BenchmarkKeystroke20k(b *testing.B) {
	src := source20k()
	p := startServer(b)
	ctx := context.Background()
	if _, _, err := measure.Open(ctx, p.c, uri20k, src); err != nil {
		b.Fatal(err)
	}
	points := corpus.EditPoints(src, 1000, 1)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	if _, err := measure.Keystrokes(ctx, p.c, uri20k, src, 1, points, b.N, func(i int, d time.Duration) { lat = append(lat, d) }); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(ms(measure.Percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(measure.Percentile(lat, 99)), "p99-ms")
	b.ReportMetric(float64(bytes.Count(src, []byte{'\n'})), "lines")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkOpenMany is figure 5a in process: 500 documents of 2,000 lines
// (50 with -short) open in one server (b.N rounds of opening and closing them all); it
// reports the Go heap in use and the process RSS with all of them open.
// Profile with -memprofile (Go heap) and compare with RSS (the rest is
// mostly tree-sitter's C memory).
func BenchmarkOpenMany(b *testing.B) {
	docs, lines := 500, 2000
	if testing.Short() {
		docs = 50
	}
	srcs := make([][]byte, docs)
	for i := range srcs {
		srcs[i] = corpus.Generate(corpus.Options{Lines: lines, Seed: uint64(1000 + i), Module: "doc" + strconv.Itoa(i), Limited: "0x03080000"})
	}
	p := startServer(b)
	ctx := context.Background()
	var heap, rss float64
	var trees int64
	for b.Loop() {
		for i, src := range srcs {
			if err := p.c.Open("file:///bench/open/doc"+strconv.Itoa(i)+".c", src); err != nil {
				b.Fatal(err)
			}
		}
		for i := range srcs {
			if _, err := p.c.Diagnostics(ctx, "file:///bench/open/doc"+strconv.Itoa(i)+".c", 1); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = measure.MB(int64(ms.HeapInuse))
		r, _, err := measure.RSS(os.Getpid())
		if err != nil {
			b.Fatal(err)
		}
		rss = measure.MB(r)
		trees = p.srv.LiveTrees()
		if *openHeapProfile != "" {
			writeHeapProfile(b, *openHeapProfile)
		}
		b.StartTimer()
		for i := range srcs {
			if err := p.c.Close("file:///bench/open/doc" + strconv.Itoa(i) + ".c"); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(heap, "heap-MB")
	b.ReportMetric(rss, "rss-MB")
	b.ReportMetric(float64(trees), "trees")
}

var openHeapProfile = flag.String("openheapprofile", "", "BenchmarkOpenMany writes a heap profile with all documents open to this file")

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEditMemory is figure 5b in process: 10,000 one-character edits
// (200 with -short) of a 2,000-line document, each waited for; it
// reports the growth from the first tenth of the edits to the end of the
// process RSS, of the Go heap in use after a GC, and the live trees at the
// end. Growth in RSS without growth of the Go heap is C memory
// (tree-sitter).
func BenchmarkEditMemory(b *testing.B) {
	edits := 10000
	if testing.Short() {
		edits = 200
	}
	src := corpus.Generate(corpus.Options{Lines: 2000, Seed: 77, Limited: "0x03080000"})
	uri := "file:///bench/edits.c"
	points := corpus.EditPoints(src, 1000, 2)
	sample := func() (rss, heap float64) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r, _, err := measure.RSS(os.Getpid())
		if err != nil {
			b.Fatal(err)
		}
		return measure.MB(r), measure.MB(int64(ms.HeapInuse))
	}
	var rss0, heap0, rss1, heap1 float64
	var trees int64
	for b.Loop() {
		p := startServer(b)
		ctx := context.Background()
		if _, _, err := measure.Open(ctx, p.c, uri, src); err != nil {
			b.Fatal(err)
		}
		v, err := measure.Keystrokes(ctx, p.c, uri, src, 1, points, edits/10, nil)
		if err != nil {
			b.Fatal(err)
		}
		rss0, heap0 = sample()
		if _, err := measure.Keystrokes(ctx, p.c, uri, src, v, points, edits-edits/10, nil); err != nil {
			b.Fatal(err)
		}
		rss1, heap1 = sample()
		trees = p.srv.LiveTrees()
		p.stop(b)
	}
	b.ReportMetric(100*(rss1-rss0)/rss0, "rss-growth-%")
	b.ReportMetric(100*(heap1-heap0)/heap0, "heap-growth-%")
	b.ReportMetric(rss1, "rss-MB")
	b.ReportMetric(heap1, "heap-MB")
	b.ReportMetric(float64(trees), "trees")
}

// BenchmarkFlatten20k is the cost of flattening the 20k-line file's tree
// in one cgo call (grammars.Flatten), which the analysis walks instead of
// the tree.
func BenchmarkFlatten20k(b *testing.B) {
	src := source20k()
	pool := grammars.NewPool()
	defer pool.Close()
	tree, err := pool.Parse(grammars.C, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	root := tree.RootNode()
	var buf []grammars.FlatNode
	for b.Loop() {
		buf = grammars.Flatten(root, buf)
	}
	b.ReportMetric(float64(len(buf)), "nodes")
	b.ReportMetric(float64(root.DescendantCount()), "all-nodes")
}

// BenchmarkAnalysisCPU is figure 4 by CPU time: per run, the process's CPU
// time of a bare parse (tree freed) and of a full analysis, each measured
// after a pause and until work the analysis left running in the
// background (freeing its tree) is done; medians and the ratio of the
// medians, with the best wall times.
func BenchmarkAnalysisCPU(b *testing.B) {
	src := source20k()
	bp, err := measure.NewBareParser()
	if err != nil {
		b.Fatal(err)
	}
	defer bp.Close()
	pool := grammars.NewPool()
	defer pool.Close()
	a := &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	in := analysis.Input{Path: "gen20k.c", Lang: grammars.C, Src: src}
	cpu := func() time.Duration {
		c, err := measure.CPU(os.Getpid())
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	var parse, full, parseCPU, fullCPU []time.Duration
	for b.Loop() {
		time.Sleep(20 * time.Millisecond)
		c0 := cpu()
		d, err := bp.Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		parseCPU = append(parseCPU, cpu()-c0)
		parse = append(parse, d)
		time.Sleep(20 * time.Millisecond)
		c0 = cpu()
		start := time.Now()
		if _, err := a.Analyze(context.Background(), in); err != nil {
			b.Fatal(err)
		}
		full = append(full, time.Since(start))
		time.Sleep(30 * time.Millisecond)
		fullCPU = append(fullCPU, cpu()-c0)
	}
	med := func(d []time.Duration) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return s[len(s)/2]
	}
	b.ReportMetric(ms(med(parseCPU)), "parse-cpu-ms")
	b.ReportMetric(ms(med(fullCPU)), "analyze-cpu-ms")
	b.ReportMetric(float64(med(fullCPU))/float64(med(parseCPU)), "cpu-ratio")
	b.ReportMetric(float64(measure.Min(full))/float64(measure.Min(parse)), "wall-ratio")
}
