package analysis

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/abi3ls/abi3ls/grammars"
)

// TestCorpus runs the analysis over the shared corpus of extension modules
// (../testdata/corpus, realistic code written for the tests) and checks
// what must hold for any input: valid ranges, nothing reported inside a
// comment, fixes that apply cleanly, the same result from a second run. It
// logs the findings per rule (go test -v).
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("../testdata/corpus/*.c")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no corpus files in ../testdata/corpus")
	}
	a := newTestAnalyzer(t)
	counts := map[string]int{}
	lines := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines += len(lineStarts(src))
		in := Input{Path: f, Lang: grammars.C, Src: src}
		res, err := a.Analyze(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		again, err := a.Analyze(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Findings) != len(res.Findings) {
			t.Errorf("%s: %d findings, then %d", f, len(res.Findings), len(again.Findings))
		}
		w := newWalker(a.database(), kindsFor(grammars.C), src)
		comments := w.lex(src).comments
		for _, fd := range res.Findings {
			counts[fd.Code]++
			if fd.Start < 0 || fd.End > len(src) || fd.Start >= fd.End {
				t.Errorf("%s: %s has range [%d,%d)", f, fd.Code, fd.Start, fd.End)
				continue
			}
			k := sort.Search(len(comments), func(i int) bool { return comments[i].end > fd.Start })
			if k < len(comments) && comments[k].start <= fd.Start {
				ln, col := lineCol(src, fd.Start)
				t.Errorf("%s:%d:%d: %s inside a comment", f, ln, col, fd.Code)
			}
			for _, fix := range fd.Fixes {
				for _, e := range fix.Edits {
					if e.Start < 0 || e.End > len(src) || e.Start > e.End {
						t.Errorf("%s: fix %q has edit [%d,%d)", f, fix.Title, e.Start, e.End)
					}
				}
			}
		}
	}
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		t.Logf("%s: %d", c, counts[c])
	}
	t.Logf("%d files, %d lines", len(files), lines)
}
