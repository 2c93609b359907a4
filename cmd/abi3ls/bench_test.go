package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/abi3ls/abi3ls/bench/corpus"
)

// BenchmarkCheckTree runs `abi3ls check --format json` on a generated tree
// of 200 extension files of about 500 lines each (100k lines), on all
// cores, and reports lines and files per second.
func BenchmarkCheckTree(b *testing.B) {
	const files, lines = 200, 500
	dir := b.TempDir()
	total := 0
	for i := range files {
		src := corpus.Generate(corpus.Options{Lines: lines, Seed: uint64(i + 1), Module: fmt.Sprintf("m%d", i), Limited: "0x03080000"})
		total += bytes.Count(src, []byte("\n"))
		p := filepath.Join(dir, fmt.Sprintf("pkg%d", i%10), fmt.Sprintf("m%d.c", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, src, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		var stdout, stderr bytes.Buffer
		if code := run(env{args: []string{"check", "--exit-zero", "--format", "json", dir}, stdout: &stdout, stderr: &stderr}); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(total)/sec, "lines/s")
	b.ReportMetric(files/sec, "files/s")
}
