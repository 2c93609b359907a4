package grammars

import (
	"testing"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

func TestForPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want Lang
	}{
		{"a.c", C}, {"dir/x.h", C}, {"A.C", C}, {"x.cpp", CPP}, {"x.cc", CPP}, {"x.cxx", CPP},
		{"x.hpp", CPP}, {"x.hh", CPP}, {"x.hxx", CPP}, {"setup.py", Unknown}, {"Makefile", Unknown},
	} {
		if got := ForPath(tc.path); got != tc.want {
			t.Errorf("ForPath(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestParseAndIncremental(t *testing.T) {
	pool := NewPool()
	defer pool.Close()
	src := []byte("static PyObject *f(PyObject *o) { return PyTuple_GET_ITEM(o, 0); }\n")
	tree, err := pool.Parse(C, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if got := tree.RootNode().Kind(); got != "translation_unit" {
		t.Fatalf("root kind %q", got)
	}
	// Insert "x" at the end of the identifier "f" -> "fx" and reparse.
	at := 18
	newSrc := append(append(append([]byte{}, src[:at]...), 'x'), src[at:]...)
	tree.Edit(&sitter.InputEdit{
		StartByte: uint(at), OldEndByte: uint(at), NewEndByte: uint(at + 1),
		StartPosition: sitter.Point{Row: 0, Column: uint(at)}, OldEndPosition: sitter.Point{Row: 0, Column: uint(at)},
		NewEndPosition: sitter.Point{Row: 0, Column: uint(at + 1)},
	})
	tree2, err := pool.Parse(C, newSrc, tree)
	if err != nil {
		t.Fatal(err)
	}
	defer tree2.Close()
	fresh, err := pool.Parse(C, newSrc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if a, b := tree2.RootNode().ToSexp(), fresh.RootNode().ToSexp(); a != b {
		t.Fatalf("incremental tree differs from fresh parse:\n%s\n%s", a, b)
	}
}

func TestParseLargeChunked(t *testing.T) {
	pool := NewPool()
	defer pool.Close()
	var src []byte
	for i := 0; i < 5000; i++ {
		src = append(src, "int f(void) { return Py_TYPE(o)->tp_flags; }\n"...)
	}
	for _, l := range []Lang{C, CPP} {
		tree, err := pool.Parse(l, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := tree.RootNode().EndByte(); got != uint(len(src)) {
			t.Errorf("%v: root ends at %d, want %d", l, got, len(src))
		}
		if tree.RootNode().NamedChildCount() != 5000 {
			t.Errorf("%v: %d top-level nodes", l, tree.RootNode().NamedChildCount())
		}
		tree.Close()
	}
}

// TestParseStringLayout pins what parseString assumes of go-tree-sitter:
// Parser and Tree are one C pointer each, and the trees it makes are
// go-tree-sitter's (the same as a parse through the read callback, usable
// and closable, incremental parsing included).
func TestParseStringLayout(t *testing.T) {
	var p uintptr
	if unsafe.Sizeof(sitter.Parser{}) != unsafe.Sizeof(p) || unsafe.Sizeof(sitter.Tree{}) != unsafe.Sizeof(p) {
		t.Fatalf("sitter.Parser is %d bytes, sitter.Tree %d: not one pointer", unsafe.Sizeof(sitter.Parser{}), unsafe.Sizeof(sitter.Tree{}))
	}
	ps := sitter.NewParser()
	defer ps.Close()
	for name, in := range flatInputs(t) {
		if err := ps.SetLanguage(in.lang.Language()); err != nil {
			t.Fatal(err)
		}
		got := parseString(ps, in.src, nil)
		want := parseWith(ps, in.src, nil)
		if got == nil || want == nil {
			t.Fatalf("%s: parse failed", name)
		}
		if a, b := got.RootNode().ToSexp(), want.RootNode().ToSexp(); a != b || got.RootNode().EndByte() != want.RootNode().EndByte() {
			t.Errorf("%s: parseString and the read callback disagree", name)
		}
		if len(in.src) > 10 {
			// Delete the first byte and reparse incrementally.
			end := sitter.Point{Column: 1}
			if in.src[0] == '\n' {
				end = sitter.Point{Row: 1}
			}
			got.Edit(&sitter.InputEdit{StartByte: 0, OldEndByte: 1, NewEndByte: 0, OldEndPosition: end})
			inc := parseString(ps, in.src[1:], got)
			fresh := parseWith(ps, in.src[1:], nil)
			if inc.RootNode().ToSexp() != fresh.RootNode().ToSexp() {
				t.Errorf("%s: incremental parseString differs from a fresh parse", name)
			}
			inc.Close()
			fresh.Close()
		}
		got.Close()
		want.Close()
	}
}
