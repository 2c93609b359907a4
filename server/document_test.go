package server

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"

	"github.com/google/go-cmp/cmp"
	sitter "github.com/tree-sitter/go-tree-sitter"
	"go.lsp.dev/protocol"
)

// refOffset is an independent, naive position -> offset conversion: it
// walks the text rune by rune from the start.
func refOffset(text string, p protocol.Position, utf16 bool) int {
	line, col := 0, 0
	for i := 0; i < len(text); {
		if line == int(p.Line) && col >= int(p.Character) {
			return i
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\r' || r == '\n' {
			if line == int(p.Line) {
				return i // clamp to the end of the line
			}
			if r == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				size = 2
			}
			line, col = line+1, 0
			i += size
			continue
		}
		n := size
		if utf16 {
			n = 1
			if r >= 0x10000 {
				n = 2
			}
		}
		if line == int(p.Line) && col+n > int(p.Character) {
			return i // inside a character: its start
		}
		col += n
		i += size
	}
	return len(text)
}

// refApply applies one change naively.
func refApply(text string, c change, utf16 bool) string {
	if c.Range == nil {
		return c.Text
	}
	a, b := refOffset(text, c.Range.Start, utf16), refOffset(text, c.Range.End, utf16)
	if b < a {
		a, b = b, a
	}
	return text[:a] + c.Text + text[b:]
}

var pieces = []string{
	"a", "x", " ", "é", "😀", "€", "\n", "\r\n", "\r", "BAD_", "BAD_y", "int ", ";", "(", ")", "{", "}",
	"#define Py_LIMITED_API 0x03080000\n", "/* c */", "\"s\"", "PyObject *o = PyTuple_GET_ITEM(t, 0);\n", "\t", "\x00",
	"Py_TYPE(o)->tp_name", "PyType_FromModuleAndSpec(m, s, NULL)", "#if PY_VERSION_HEX >= 0x030A0000\n", "#endif\n",
	"o->ob_refcnt", "_PyObject_GC_TRACK(o);", "static PyObject *f(PyObject *self) {\n",
}

func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pieces[r.Intn(len(pieces))])
	}
	return b.String()
}

func randomChange(r *rand.Rand, text string) change {
	if r.Intn(50) == 0 {
		return change{Text: randomText(r, r.Intn(20))} // full replacement
	}
	lines := strings.Count(text, "\n") + strings.Count(text, "\r") + 1
	rp := func() protocol.Position {
		return protocol.Position{Line: uint32(r.Intn(lines + 1)), Character: uint32(r.Intn(12))}
	}
	rng := protocol.Range{Start: rp(), End: rp()}
	if r.Intn(4) == 0 {
		rng.End = rng.Start // pure insertion
	}
	ins := ""
	if r.Intn(3) > 0 {
		ins = randomText(r, r.Intn(4))
	}
	return change{Range: &rng, Text: ins}
}

// newBareServer is a server that is never run, for driving documents and
// snapshots directly.
func newBareServer(t testing.TB) (*Server, *grammars.Pool) {
	return newBareServerWith(t, true)
}

func newBareServerWith(t testing.TB, fake bool) (*Server, *grammars.Pool) {
	pool := grammars.NewPool()
	t.Cleanup(pool.Close)
	s := New(strings.NewReader(""), &strings.Builder{}, Options{Analyzer: &analysis.Analyzer{DB: abi.Default(), Parse: pool}})
	if fake {
		s.eng = &fakeEngine{pool: pool}
	}
	return s, pool
}

type nodeSpan struct {
	Kind                string
	Start, End          uint
	StartRow, StartCol  uint
	EndRow, EndCol      uint
	Named, Err, Missing bool
}

func spans(tree *sitter.Tree) []nodeSpan {
	var out []nodeSpan
	walk(tree, func(n *sitter.Node) {
		sp, ep := n.StartPosition(), n.EndPosition()
		out = append(out, nodeSpan{n.Kind(), n.StartByte(), n.EndByte(), sp.Row, sp.Column, ep.Row, ep.Column, n.IsNamed(), n.IsError(), n.IsMissing()})
	})
	return out
}

// checkEdits applies a random edit sequence, one didChange at a time
// (several changes each), and checks after each step that the text equals
// the naive application and that the incrementally reparsed tree and its
// findings equal those of a fresh parse.
func checkEdits(t *testing.T, seed int64, steps int, enc encoding) {
	checkEditsWith(t, seed, steps, enc, true)
}

func checkEditsWith(t *testing.T, seed int64, steps int, enc encoding, fake bool) {
	s, pool := newBareServerWith(t, fake)
	defer s.cleanup()
	r := rand.New(rand.NewSource(seed))
	ref := randomText(r, 30)
	d := &document{uri: "file:///fuzz.c", path: "/fuzz.c", lang: grammars.C, trees: &s.trees, text: []byte(ref)}
	d.lines = newLineIndex(d.text)
	s.docs[d.uri] = d
	for step := 0; step < steps; step++ {
		var changes []change
		for n := 1 + r.Intn(3); n > 0; n-- {
			c := randomChange(r, ref)
			ref = refApply(ref, c, enc == encUTF16)
			changes = append(changes, c)
		}
		d.mu.Lock()
		d.applyChanges(changes, enc)
		d.invalidate(true)
		d.mu.Unlock()
		if string(d.text) != ref {
			t.Fatalf("seed %d step %d: text mismatch\n got %q\nwant %q", seed, step, d.text, ref)
		}
		if want := newLineIndex(d.text); !cmp.Equal([]int(d.lines), []int(want)) {
			t.Fatalf("seed %d step %d: stale line index", seed, step)
		}
		// Reparse on some steps only, so edits also pile up on one tree.
		if r.Intn(3) > 0 && step != steps-1 {
			continue
		}
		sn := s.snapshotOf(d)
		res, err := sn.result(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := pool.Parse(grammars.C, []byte(ref), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(spans(fresh), spans(sn.tree)); diff != "" {
			t.Fatalf("seed %d step %d: incremental tree differs from a fresh parse (-fresh +incremental):\n%s\ntext %q", seed, step, diff, ref)
		}
		want, err := s.eng.Analyze(context.Background(), analysis.Input{Path: "/fuzz.c", Lang: grammars.C, Src: []byte(ref), Tree: fresh, Includes: sn.in.Includes})
		fresh.Close()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.Findings, res.Findings); diff != "" {
			t.Fatalf("seed %d step %d: findings differ (-fresh +incremental):\n%s", seed, step, diff)
		}
		sn.release()
	}
	d.mu.Lock()
	d.free()
	d.mu.Unlock()
	if n := s.LiveTrees(); n != 0 {
		t.Errorf("%d trees live after close", n)
	}
}

func TestRandomEdits(t *testing.T) {
	for seed := int64(1); seed <= 40; seed++ {
		enc := encUTF16
		if seed%4 == 0 {
			enc = encUTF8
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkEdits(t, seed, 60, enc) })
	}
}

// TestRandomEditsRealAnalysis: the same with the real analysis, whose
// findings after incremental reparses must equal a fresh analysis.
func TestRandomEditsRealAnalysis(t *testing.T) {
	for seed := int64(100); seed < 112; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkEditsWith(t, seed, 40, encUTF16, false) })
	}
}

func FuzzEdits(f *testing.F) {
	for _, seed := range []int64{0, 7, 99, 12345} {
		f.Add(seed, uint8(30), false)
	}
	f.Fuzz(func(t *testing.T, seed int64, steps uint8, utf8 bool) {
		enc := encUTF16
		if utf8 {
			enc = encUTF8
		}
		checkEdits(t, seed, int(steps%80)+1, enc)
	})
}

func TestApplyChanges(t *testing.T) {
	rg := func(l1, c1, l2, c2 uint32) *protocol.Range {
		return &protocol.Range{Start: pos(l1, c1), End: pos(l2, c2)}
	}
	for _, tc := range []struct {
		name    string
		text    string
		changes []change
		enc     encoding
		want    string
	}{
		{"full replacement", "old text", []change{{Text: "FULL"}}, encUTF16, "FULL"},
		{"insert at 0:0 is not a replacement", "old", []change{{Range: rg(0, 0, 0, 0), Text: "FULL"}}, encUTF16, "FULLold"},
		{"several changes apply in order", "abc", []change{{Range: rg(0, 1, 0, 2), Text: "XY"}, {Range: rg(0, 0, 0, 1), Text: ""}}, encUTF16, "XYc"},
		{"after a surrogate pair", "😀x", []change{{Range: rg(0, 2, 0, 3), Text: "y"}}, encUTF16, "😀y"},
		{"utf-8 columns", "😀x", []change{{Range: rg(0, 4, 0, 5), Text: "y"}}, encUTF8, "😀y"},
		{"CRLF lines", "a\r\nb\r\nc", []change{{Range: rg(1, 0, 2, 0), Text: ""}}, encUTF16, "a\r\nc"},
		{"end of CRLF line", "ab\r\ncd", []change{{Range: rg(0, 2, 1, 0), Text: " "}}, encUTF16, "ab cd"},
		{"reversed range is swapped", "abcdef", []change{{Range: rg(0, 4, 0, 1), Text: "-"}}, encUTF16, "a-ef"},
		{"out of range clamps", "ab\ncd", []change{{Range: rg(0, 99, 9, 9), Text: "!"}}, encUTF16, "ab!"},
		{"NUL bytes", "a\x00b", []change{{Range: rg(0, 2, 0, 3), Text: "\x00"}}, encUTF16, "a\x00\x00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newBareServer(t)
			d := &document{trees: &s.trees, text: []byte(tc.text), lang: grammars.C}
			d.lines = newLineIndex(d.text)
			d.applyChanges(tc.changes, tc.enc)
			if string(d.text) != tc.want {
				t.Errorf("got %q, want %q", d.text, tc.want)
			}
		})
	}
}
