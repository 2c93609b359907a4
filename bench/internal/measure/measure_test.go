package measure

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/grammars"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i
	}
	tests := []struct {
		name string
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median odd", ms(3, 1, 2), 50, 2 * time.Millisecond},
		{"median even", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100", ms(hundred...), 100, 100 * time.Millisecond},
		{"p1", ms(hundred...), 1, 1 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.ds, tc.p); got != tc.want {
				t.Fatalf("Percentile(%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestRSSOfSelf(t *testing.T) {
	rss, peak, err := RSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || peak < rss {
		t.Fatalf("rss %d, peak %d", rss, peak)
	}
	if _, _, err := RSS(-1); err == nil {
		t.Fatal("RSS of a process that cannot exist succeeded")
	}
}

func TestBareParser(t *testing.T) {
	p, err := NewBareParser()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, src := range []string{"int main(void) { return 0; }\n", "", "}}}{{{ broken"} {
		if _, err := p.Parse([]byte(src)); err != nil {
			t.Fatalf("parse %q: %v", src, err)
		}
	}
}

func TestCPUOfSelf(t *testing.T) {
	before, err := CPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Spin until 30 ms of CPU are counted; on a busy machine that takes
	// longer than 30 ms of wall time, but never 10 s.
	var used time.Duration
	for start := time.Now(); used < 30*time.Millisecond; {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("10 s of spinning counted as %v of CPU", used)
		}
		after, err := CPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		used = after - before
	}
	if _, err := CPU(-1); err == nil {
		t.Fatal("CPU of a process that cannot exist succeeded")
	}
}

// TestReanalyses: the keystroke edits of a generated file are timed and
// re-analyzed incrementally (the figure would be hollow otherwise).
func TestReanalyses(t *testing.T) {
	src := corpus.Generate(corpus.Options{Lines: 400, Seed: 2, Limited: "0x03080000"})
	pool := grammars.NewPool()
	defer pool.Close()
	a := &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	points := corpus.EditPoints(src, 20, 1)
	n, incr := 0, 0
	err := Reanalyses(context.Background(), a, pool, "/t/gen.c", src, points, 40, func(i int, d time.Duration, inc bool) {
		if d <= 0 {
			t.Errorf("edit %d: duration %v", i, d)
		}
		n++
		if inc {
			incr++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 40 || incr < 30 {
		t.Errorf("%d edits timed, %d incremental; want 40 and most of them", n, incr)
	}
	if err := Reanalyses(context.Background(), a, pool, "/t/gen.c", src, nil, 1, func(int, time.Duration, bool) {}); err == nil {
		t.Error("no edit points: no error")
	}
}
