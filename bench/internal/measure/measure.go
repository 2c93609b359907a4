// Package measure holds the measurements shared by the go test benchmarks
// of package bench and the lspbench driver: keystroke and open latency
// through an LSP connection, bare tree-sitter parses, percentiles, RSS.
package measure

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/abi3ls/abi3ls/bench/internal/lspclient"
	"github.com/abi3ls/abi3ls/grammars"
)

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of ds,
// or 0 when ds is empty.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(p/100*float64(len(s)) + 0.999999)
	rank = max(1, min(rank, len(s)))
	return s[rank-1]
}

// Median is the 50th percentile.
func Median(ds []time.Duration) time.Duration { return Percentile(ds, 50) }

// Min is the smallest duration (0 when ds is empty).
func Min(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return slices.Min(ds)
}

// BareParser parses C with a plain tree-sitter parse, as the floor the
// analysis is compared against: the whole buffer parsed from scratch the
// cheapest way abi3ls knows (grammars.Pool: ts_parser_parse_string on the
// bytes in place, libc's allocator), tree closed after the clock stops,
// nothing else. The analysis parses the same way, so the ratio is what the
// analysis adds.
type BareParser struct{ p *grammars.Pool }

// NewBareParser returns a C parser; Close it when done.
func NewBareParser() (*BareParser, error) {
	return &BareParser{p: grammars.NewPool()}, nil
}

// Parse parses src from scratch and returns how long it took.
func (b *BareParser) Parse(src []byte) (time.Duration, error) {
	start := time.Now()
	t, err := b.p.Parse(grammars.C, src, nil)
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("measure: parse of %d bytes: %w", len(src), err)
	}
	t.Close()
	return d, nil
}

// ParseCPU is Parse that also returns the CPU time this process spent
// (all its threads, as CPU reads it), for ratios on CPU as well as wall.
func (b *BareParser) ParseCPU(src []byte) (wall, cpu time.Duration, err error) {
	self := os.Getpid()
	c0, err := CPU(self)
	if err != nil {
		return 0, 0, err
	}
	if wall, err = b.Parse(src); err != nil {
		return 0, 0, err
	}
	c1, err := CPU(self)
	if err != nil {
		return 0, 0, err
	}
	return wall, c1 - c0, nil
}

// Close releases the parser.
func (b *BareParser) Close() { b.p.Close() }

// Open sends didOpen of src as uri and returns the time until its
// diagnostics arrived (sending included).
func Open(ctx context.Context, c *lspclient.Client, uri string, src []byte) (time.Duration, lspclient.Publish, error) {
	start := time.Now()
	if err := c.Open(uri, src); err != nil {
		return 0, lspclient.Publish{}, err
	}
	p, err := c.Diagnostics(ctx, uri, 1)
	if err != nil {
		return 0, p, err
	}
	return p.At.Sub(start), p, nil
}

// Keystrokes types into the open document uri, whose text is src at
// version: edit 2k inserts "x" at points[k%len(points)], edit 2k+1 deletes
// it again, so the text is src after every other edit. It waits for the
// diagnostics of each edit and calls each(i, latency) with the time from
// sending the didChange to their arrival. It returns the last version sent.
func Keystrokes(ctx context.Context, c *lspclient.Client, uri string, src []byte, version int32, points []int, edits int, each func(i int, d time.Duration)) (int32, error) {
	if len(points) == 0 {
		return version, fmt.Errorf("measure: no edit points")
	}
	lines := lspclient.NewLines(src)
	for i := 0; i < edits; i++ {
		at := lines.Position(points[(i/2)%len(points)])
		next := lspclient.Position{Line: at.Line, Character: at.Character + 1}
		version++
		start := time.Now()
		var err error
		if i%2 == 0 {
			err = c.Change(uri, version, at, at, "x")
		} else {
			err = c.Change(uri, version, at, next, "")
		}
		if err != nil {
			return version, err
		}
		p, err := c.Diagnostics(ctx, uri, version)
		if err != nil {
			return version, err
		}
		if each != nil {
			each(i, p.At.Sub(start))
		}
	}
	return version, nil
}

// RSS returns the resident set size and its peak (VmRSS, VmHWM) of the
// process pid, in bytes, from /proc.
func RSS(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, fmt.Errorf("measure: read status of %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("measure: unexpected %s line %q", k, line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("measure: %s: %w", k, err)
		}
		if k == "VmRSS" {
			rss = n << 10
		} else {
			peak = n << 10
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("measure: no VmRSS for process %d", pid)
	}
	return rss, peak, nil
}

// MB is n bytes in mebibytes.
func MB(n int64) float64 { return float64(n) / (1 << 20) }

// CPU returns the CPU time the process pid has used so far, summed over
// its live threads from /proc/PID/task/*/schedstat (run time in ns; about
// 1 ms resolution per thread). Unlike wall time it barely moves when other
// work shares the cores, so it is the figure to trust on a busy machine.
func CPU(pid int) (time.Duration, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("measure: threads of %d: %w", pid, err)
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("measure: schedstat of %d/%s: %w", pid, t.Name(), err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}
