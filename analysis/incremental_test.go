package analysis

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// editDoc is a document being edited: text and an incrementally edited tree.
type editDoc struct {
	t    *testing.T
	pool *grammars.Pool
	lang grammars.Lang
	src  []byte
	tree *sitter.Tree
}

func point(src []byte, off int) sitter.Point {
	var p sitter.Point
	for _, c := range src[:off] {
		if c == '\n' {
			p.Row++
			p.Column = 0
		} else {
			p.Column++
		}
	}
	return p
}

// replace replaces src[s:e] with text, editing and reparsing the tree.
func (d *editDoc) replace(s, e int, text string) {
	d.t.Helper()
	ns := make([]byte, 0, len(d.src)-(e-s)+len(text))
	ns = append(append(append(ns, d.src[:s]...), text...), d.src[e:]...)
	sp := point(d.src, s)
	d.tree.Edit(&sitter.InputEdit{StartByte: uint(s), OldEndByte: uint(e), NewEndByte: uint(s + len(text)),
		StartPosition: sp, OldEndPosition: point(d.src, e), NewEndPosition: point(ns, s+len(text))})
	nt, err := d.pool.Parse(d.lang, ns, d.tree)
	if err != nil {
		d.t.Fatal(err)
	}
	d.tree.Close()
	d.tree, d.src = nt, ns
}

// randomEdit makes one edit: mostly keystrokes in identifiers (the
// incremental path), sometimes characters that force a full analysis.
func randomEdit(r *rand.Rand, d *editDoc) {
	src := d.src
	for try := 0; try < 100; try++ {
		o := r.IntN(len(src))
		if !isIdentChar(src[o]) {
			continue
		}
		switch k := r.IntN(10); {
		case k < 4:
			d.replace(o, o, string(rune('a'+r.IntN(26))))
		case k < 6:
			d.replace(o, o+1, "")
		case k < 8:
			d.replace(o, o+1, string(rune('A'+r.IntN(26))))
		default:
			unsafe := []string{"{", "}", "#", "\"", "/*", "\n", ";", "(", "*", " x ", "->", "_Py", "PyList_New"}
			d.replace(o, o, unsafe[r.IntN(len(unsafe))])
		}
		return
	}
}

// TestReanalyzeEqualsAnalyze edits files at random and checks after every
// edit that the incremental analysis equals a fresh one, and that the
// incremental path is actually taken.
func TestReanalyzeEqualsAnalyze(t *testing.T) {
	type tc struct {
		name  string
		src   []byte
		lang  grammars.Lang
		conf  Config
		edits int
		// keystrokes: type and delete an 'x' inside API names in function
		// bodies (as bench/ does) instead of random edits.
		keystrokes bool
	}
	var cases []tc
	gen := corpus.Generate(corpus.Options{Lines: 600, Seed: 7, Limited: "0x03080000"})
	cases = append(cases, tc{"generated-keystrokes", gen, grammars.C, Config{}, 200, true},
		tc{"generated", gen, grammars.C, Config{}, 300, false},
		tc{"generated-abi3t", gen, grammars.C, Config{Target: abi.Target{Limited: abi.V(3, 15), ABI3T: abi.V(3, 15)}}, 100, false})
	files, _ := filepath.Glob("../testdata/corpus/*.c*")
	if len(files) < 30 {
		t.Fatalf("corpus: %d files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tc{filepath.Base(f), b, grammars.ForPath(f), Config{}, 40, false})
	}
	pool := grammars.NewPool()
	defer pool.Close()
	a := &Analyzer{DB: abi.Default(), Parse: pool}
	ctx := context.Background()
	total, incr := 0, 0
	reasons := map[string]int{}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tree, err := pool.Parse(c.lang, c.src, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := &editDoc{t: t, pool: pool, lang: c.lang, src: c.src, tree: tree}
			defer func() { d.tree.Close() }()
			path := "/w/" + c.name
			_, st, err := a.AnalyzeKeep(ctx, Input{Path: path, Lang: c.lang, Src: d.src, Tree: d.tree, Config: c.conf})
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(uint64(i), 99))
			var points []int
			if c.keystrokes {
				points = corpus.EditPoints(d.src, c.edits/2, uint64(i))
			}
			n, ni := 0, 0
			for e := 0; e < c.edits; e++ {
				switch {
				case c.keystrokes && e%2 == 0:
					d.replace(points[e/2], points[e/2], "x")
				case c.keystrokes:
					d.replace(points[e/2], points[e/2]+1, "")
				default:
					randomEdit(r, d)
				}
				in := Input{Path: path, Lang: c.lang, Src: d.src, Tree: d.tree, Config: c.conf}
				prevRes := st.Result()
				got, next, inc, err := a.Reanalyze(ctx, st, in)
				if err != nil {
					t.Fatal(err)
				}
				st = next
				total++
				n++
				if inc {
					incr++
					ni++
					checkReuse(t, got, prevRes)
				} else {
					reasons[next.Fallback]++
				}
				fresh := in
				fresh.Tree = nil // a parse from scratch, not the edited tree
				want, err := a.Analyze(ctx, fresh)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Findings) == 0 && len(want.Findings) == 0 {
					got.Findings, want.Findings = nil, nil
				}
				if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.Min, want.Min) ||
					!reflect.DeepEqual(got.Target, want.Target) {
					t.Fatalf("edit %d (incremental %v): results differ\n%s", e, inc, diffFindings(got, want))
				}
			}
			if c.keystrokes && ni*100 < n*95 {
				t.Errorf("keystrokes in API names: only %d of %d edits took the incremental path", ni, n)
			}
		})
	}
	t.Logf("%d edits, %d incremental; full analyses: %v", total, incr, reasons)
	if incr*5 < total {
		t.Errorf("only %d of %d edits took the incremental path", incr, total)
	}
}

func diffFindings(got, want *Result) string {
	s := ""
	n := max(len(got.Findings), len(want.Findings))
	for i := 0; i < n; i++ {
		var g, w Finding
		if i < len(got.Findings) {
			g = got.Findings[i]
		}
		if i < len(want.Findings) {
			w = want.Findings[i]
		}
		if !reflect.DeepEqual(g, w) {
			s += "got  " + findingString(g) + "\nwant " + findingString(w) + "\n"
			if len(s) > 3000 {
				break
			}
		}
	}
	if !reflect.DeepEqual(got.Min, want.Min) {
		s += "min differs\n"
	}
	return s
}

func findingString(f Finding) string {
	return f.Code + " " + itoa(f.Start) + "-" + itoa(f.End) + " " + f.Message + " fixes=" + itoa(len(f.Fixes))
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestDiffRegion(t *testing.T) {
	long := bytes.Repeat([]byte("abcdefgh"), 2000)
	mod := append(append(append([]byte{}, long[:9000]...), 'X'), long[9000:]...)
	for _, c := range []struct {
		old, new string
		want     region
	}{
		{"abc", "abc", region{3, 3, 3}},
		{"abc", "abxc", region{2, 2, 3}},
		{"abxc", "abc", region{2, 3, 2}},
		{"aaa", "aaaa", region{3, 3, 4}},
		{"", "x", region{0, 0, 1}},
		{"x", "", region{0, 1, 0}},
		{"PyTuple", "PyxTuple", region{2, 2, 3}},
		{string(long), string(mod), region{9000, 9000, 9001}},
		{string(mod), string(long), region{9000, 9001, 9000}},
	} {
		if got := diffRegion([]byte(c.old), []byte(c.new)); got != c.want {
			t.Errorf("diffRegion(%.10q, %.10q) = %v, want %v", c.old, c.new, got, c.want)
		}
	}
}

func TestOnDirectiveLine(t *testing.T) {
	src := []byte("int a;\n  #ifdef X\nint b; \\\n c\n#define M 1 \\\r\n  2\nx")
	for _, c := range []struct {
		at   string
		want bool
	}{
		{"a;", false}, {"X", true}, {"b;", false}, {" c", true}, {"M 1", true}, {"2", true}, {"x", false},
	} {
		off := bytes.Index(src, []byte(c.at))
		if got := onDirectiveLine(src, off); got != c.want {
			t.Errorf("onDirectiveLine(%q) = %v, want %v", c.at, got, c.want)
		}
	}
}

// checkReuse checks what Result.Reuse claims against the findings.
func checkReuse(t *testing.T, got, prev *Result) {
	t.Helper()
	ru := got.Reuse
	if ru == nil {
		t.Fatal("incremental result without Reuse")
	}
	if ru.Head+ru.Tail > len(got.Findings) || ru.Head > len(prev.Findings) || ru.Tail > len(prev.Findings) {
		t.Fatalf("Reuse %+v out of range (%d findings, %d before)", *ru, len(got.Findings), len(prev.Findings))
	}
	for k := 0; k < ru.Head; k++ {
		if !reflect.DeepEqual(got.Findings[k], prev.Findings[k]) || got.Findings[k].End > ru.EditStart {
			t.Fatalf("head finding %d changed or after the edit", k)
		}
	}
	for k := 1; k <= ru.Tail; k++ {
		g, p := got.Findings[len(got.Findings)-k], prev.Findings[len(prev.Findings)-k]
		if g.Start != p.Start+ru.Shift || g.End != p.End+ru.Shift || g.Code != p.Code || g.Message != p.Message || g.Start < ru.EditEnd {
			t.Fatalf("tail finding %d is not the previous one moved by %d", k, ru.Shift)
		}
	}
}
