package server

import (
	"context"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"

	"github.com/google/go-cmp/cmp"
	"go.lsp.dev/protocol"
)

// Fuzz targets where the fuzzer controls the bytes of the text and of the
// edits (FuzzEdits draws both from a fixed alphabet). Document text always
// arrives as JSON strings, which decode to valid UTF-8, so inputs are made
// valid the same way (invalid bytes become U+FFFD). Seeds are the f.Add
// calls and the files under testdata/fuzz/<Target>.

func validText(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// FuzzPosition: the line index equals a naive scan of the text, LSP
// position -> offset equals the naive rune-by-rune walk (refOffset), and
// offset -> position -> offset gives back every character boundary.
func FuzzPosition(f *testing.F) {
	f.Add([]byte("aé😀b\r\n€x\rlast"), uint32(0), uint32(3), false)
	f.Add([]byte("\r\r\n\n\n"), uint32(2), uint32(0), true)
	f.Add([]byte("a\u2028b\x00c\r"), uint32(1), uint32(9), false)
	f.Fuzz(func(t *testing.T, raw []byte, line, char uint32, u8 bool) {
		text := validText(raw)
		b := []byte(text)
		enc := encUTF16
		if u8 {
			enc = encUTF8
		}
		li := newLineIndex(b)
		want := []int{0}
		for i := 0; i < len(b); i++ {
			if b[i] == '\n' || b[i] == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
				want = append(want, i+1)
			}
		}
		if !cmp.Equal([]int(li), want) {
			t.Fatalf("line index of %q = %v, want %v", text, li, want)
		}
		// Keep the line near the text so most inputs land on a real line.
		p := protocol.Position{Line: line % uint32(len(li)+2), Character: char % 64}
		if got, want := li.offset(b, p, enc), refOffset(text, p, enc == encUTF16); got != want {
			t.Fatalf("offset(%q, %d:%d, %s) = %d, want %d", text, p.Line, p.Character, enc, got, want)
		}
		// Every offset of short texts, about 500 of long ones (position
		// scans from the start of the line).
		step := max(1, len(b)/500)
		for off := 0; off <= len(b); off += step {
			pos := li.position(b, off, enc)
			back := li.offset(b, pos, enc)
			boundary := off == len(b) || b[off]&0xC0 != 0x80 && !(off > 0 && b[off-1] == '\r' && b[off] == '\n')
			if boundary && back != off {
				t.Fatalf("offset %d -> %d:%d -> %d in %q (%s)", off, pos.Line, pos.Character, back, text, enc)
			}
			if back > off {
				t.Fatalf("offset %d maps forward to %d via %d:%d in %q (%s)", off, back, pos.Line, pos.Character, text, enc)
			}
		}
	})
}

// FuzzChange: one incremental change with fuzzed text, range and
// insertion gives the naive result and a fresh line index; the tree edited
// along with it and reparsed incrementally equals a fresh parse, and so do
// the findings of the real analysis on it.
func FuzzChange(f *testing.F) {
	src := "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\nPyObject *f(PyObject *o) {\r\n  return PyTuple_GET_ITEM(o, 0);\n}\n"
	f.Add([]byte(src), uint16(3), uint16(9), uint16(3), uint16(25), []byte("PyTuple_GetItem"), false, false)
	f.Add([]byte(src), uint16(0), uint16(32), uint16(0), uint16(33), []byte("A"), true, true)
	f.Add([]byte("a\r\nb"), uint16(0), uint16(1), uint16(1), uint16(0), []byte("\r"), false, false)
	f.Add([]byte("😀😀\n"), uint16(0), uint16(3), uint16(0), uint16(1), []byte("\n\r"), false, true)
	pool := grammars.NewPool()
	defer pool.Close()
	an := &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	f.Fuzz(func(t *testing.T, raw []byte, l1, c1, l2, c2 uint16, ins []byte, u8, cpp bool) {
		text, insText := validText(raw), validText(ins)
		enc := encUTF16
		if u8 {
			enc = encUTF8
		}
		lang := grammars.C
		if cpp {
			lang = grammars.CPP
		}
		var tt trees
		d := &document{uri: "file:///f.c", lang: lang, trees: &tt, text: []byte(text)}
		d.lines = newLineIndex(d.text)
		old, err := pool.Parse(lang, d.text, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.tree = tt.track(old)
		defer func() { tt.close(d.tree) }()

		lines := uint16(len(d.lines) + 1)
		rng := &protocol.Range{
			Start: protocol.Position{Line: uint32(l1 % lines), Character: uint32(c1 % 40)},
			End:   protocol.Position{Line: uint32(l2 % lines), Character: uint32(c2 % 40)},
		}
		c := change{Range: rng, Text: insText}
		want := refApply(text, c, enc == encUTF16)
		d.applyChanges([]change{c}, enc)
		if string(d.text) != want {
			t.Fatalf("%q with %v %q (%s): got %q, want %q", text, rng, insText, enc, d.text, want)
		}
		if fresh := newLineIndex(d.text); !cmp.Equal([]int(d.lines), []int(fresh)) {
			t.Fatalf("incremental line index %v, fresh %v (text %q)", d.lines, fresh, d.text)
		}

		inc, err := pool.Parse(lang, d.text, d.tree)
		if err != nil {
			t.Fatal(err)
		}
		defer inc.Close()
		fresh, err := pool.Parse(lang, d.text, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		if diff := cmp.Diff(spans(fresh), spans(inc)); diff != "" {
			t.Fatalf("incremental tree differs from a fresh parse (-fresh +incremental):\n%s\ntext %q", diff, d.text)
		}
		ctx := context.Background()
		in := analysis.Input{Path: "/f.c", Lang: lang, Src: d.text}
		in.Tree = fresh
		wantRes, err := an.Analyze(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Tree = inc
		gotRes, err := an.Analyze(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantRes.Findings, gotRes.Findings); diff != "" {
			t.Fatalf("findings differ (-fresh +incremental):\n%s", diff)
		}
	})
}

// FuzzEditsRealAnalysis is FuzzEdits with the real analysis: after every
// step of a random edit sequence the findings on the incrementally
// reparsed tree equal those of a fresh analysis.
func FuzzEditsRealAnalysis(f *testing.F) {
	for _, seed := range []int64{100, 101, 4242} {
		f.Add(seed, uint8(20))
	}
	f.Fuzz(func(t *testing.T, seed int64, steps uint8) {
		checkEditsWith(t, seed, int(steps%40)+1, encUTF16, false)
	})
}

// sanity check that the fuzz helpers agree on a known case, so a broken
// reference cannot make the fuzz targets pass vacuously.
func TestFuzzReferences(t *testing.T) {
	text := "aé😀b\r\nx"
	for _, tc := range []struct {
		p    protocol.Position
		u16  bool
		want int
	}{
		{pos(0, 4), true, 7},
		{pos(0, 7), false, 7},
		{pos(1, 1), true, 11},
		{pos(0, 99), true, 8},
	} {
		if got := refOffset(text, tc.p, tc.u16); got != tc.want {
			t.Errorf("refOffset(%d:%d, utf16=%v) = %d, want %d", tc.p.Line, tc.p.Character, tc.u16, got, tc.want)
		}
	}
	if got := validText([]byte("a\xffb")); got != "a\uFFFDb" {
		t.Errorf("validText = %q", got)
	}
}
