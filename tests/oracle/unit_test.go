package oracle

// Unit tests of the suite's machinery. They run with plain `go test` (the
// suite itself needs -tags oracle): a tiny fake CPython header set checks
// name extraction, probe forms and the compiler's verdicts end to end.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"
	"github.com/google/go-cmp/cmp"
)

func TestParseJSONDiagnostics(t *testing.T) {
	// gcc 12 nests a second #error as a child of the first.
	in := `cc1: note: something
[{"kind": "error", "message": "#error one", "locations": [{"caret": {"file": "a.c", "line": 3}}],
  "children": [{"kind": "error", "message": "#error two", "locations": [{"caret": {"file": "a.c", "line": 6}}], "children": []},
               {"kind": "note", "message": "a note", "locations": [{"caret": {"file": "a.c", "line": 2}}], "children": []}]},
 {"kind": "warning", "message": "w", "locations": [{"caret": {"file": "b.h", "line": 9}}], "children": []}]`
	got, err := parseJSONDiagnostics([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []diagnostic{
		{Kind: "error", Message: "#error one", File: "a.c", Line: 3, Notes: []diagnostic{{Kind: "note", Message: "a note", File: "a.c", Line: 2}}},
		{Kind: "error", Message: "#error two", File: "a.c", Line: 6},
		{Kind: "warning", Message: "w", File: "b.h", Line: 9},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
	if ds, err := parseJSONDiagnostics(nil); err != nil || ds != nil {
		t.Errorf("empty output: %v %v", ds, err)
	}
	if _, err := parseJSONDiagnostics([]byte("gcc: fatal error: no input files")); err == nil {
		t.Error("text without JSON: want an error")
	}
}

func TestParseTextDiagnostics(t *testing.T) {
	in := `m.c: In function 'f':
m.c:2:20: error: implicit declaration of function 'PyTuple_GET_ITEM' [-Werror=implicit-function-declaration]
m.c:3:35: note: in expansion of macro 'ITEM'
m.c:4: error: no column here
/usr/include/x.h:1:1: warning: w
cc1: some warnings being treated as errors
`
	got, err := parseTextDiagnostics([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []diagnostic{
		{Kind: "error", Message: "implicit declaration of function 'PyTuple_GET_ITEM' [-Werror=implicit-function-declaration]", File: "m.c", Line: 2,
			Notes: []diagnostic{{Kind: "note", Message: "in expansion of macro 'ITEM'", File: "m.c", Line: 3}}},
		{Kind: "error", Message: "no column here", File: "m.c", Line: 4},
		{Kind: "warning", Message: "w", File: "/usr/include/x.h", Line: 1},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
	if got := diagLines(want[0], "m.c"); !cmp.Equal(got, []int{2, 3}) {
		t.Errorf("diagLines = %v", got)
	}
	if got := quotedIdentifiers(want[0].Message); !cmp.Equal(got, []string{"PyTuple_GET_ITEM"}) {
		t.Errorf("quotedIdentifiers = %v", got)
	}
}

func TestParseExceptions(t *testing.T) {
	tests := []struct {
		name, in string
		want     exceptions
		err      string
	}{
		{"ok", "# comment\n\nPyFoo  the reason\n@abi-only why\n", exceptions{"PyFoo": "the reason", "@abi-only": "why"}, ""},
		{"no reason", "PyFoo\n", nil, "no reason"},
		{"duplicate", "A x\nA y\n", nil, "twice"},
		{"unknown rule", "@nope x\n", nil, "unknown rule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseExceptions(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestExceptionsFileParses(t *testing.T) {
	ex, err := loadExceptions("exceptions.txt")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exceptions.txt: %d entries", len(ex))
}

func TestMacroHelpers(t *testing.T) {
	arity := []struct {
		params   string
		n        int
		variadic bool
	}{{"", 0, false}, {"a", 1, false}, {"a, b", 2, false}, {"fmt, ...", 1, true}, {"args...", 1, true}}
	for _, a := range arity {
		if n, v := macroArity(a.params); n != a.n || v != a.variadic {
			t.Errorf("macroArity(%q) = %d, %v", a.params, n, v)
		}
	}
	bal := map[string]bool{"(a)[b]{c}": true, "{ x;": false, `"{" ')'`: true, "a)": false, "": true}
	for s, want := range bal {
		if balanced(s) != want {
			t.Errorf("balanced(%q) = %v", s, !want)
		}
	}
	if got := callArgs(3, "o0"); got != "o, 0, 0" {
		t.Errorf("callArgs o0 = %q", got)
	}
	names := map[string]*declared{"Py_BEGIN_X": {}, "Py_END_X": {}, "Py_ALLOW_R": {}, "Py_END_ALLOW_R": {}, "A_START": {}, "A_END": {}}
	pairs := map[string][2]string{
		"Py_BEGIN_X": {"Py_BEGIN_X", "Py_END_X"}, "Py_END_X": {"Py_BEGIN_X", "Py_END_X"},
		"Py_ALLOW_R": {"Py_ALLOW_R", "Py_END_ALLOW_R"}, "Py_END_ALLOW_R": {"Py_ALLOW_R", "Py_END_ALLOW_R"},
		"A_START": {"A_START", "A_END"}, "A_END": {"A_START", "A_END"},
	}
	for n, want := range pairs {
		o, c, ok := partner(n, names)
		if !ok || o != want[0] || c != want[1] {
			t.Errorf("partner(%s) = %s, %s, %v", n, o, c, ok)
		}
	}
	if _, _, ok := partner("Py_LONELY_BEGIN", names); ok {
		t.Error("partner of an unpaired macro")
	}
}

func TestLimitedOnlyAndRanges(t *testing.T) {
	base := []diagnostic{{Kind: "warning", Message: "w", Line: 1}, {Kind: "error", Message: "e", Line: 2}}
	lim := []diagnostic{{Kind: "warning", Message: "w", Line: 1}, {Kind: "error", Message: "e", Line: 2}, {Kind: "error", Message: "e", Line: 2}, {Kind: "error", Message: "new", Line: 5}}
	got := limitedOnly(lim, base)
	if len(got) != 2 || got[0].Line != 2 || got[1].Message != "new" {
		t.Errorf("limitedOnly = %+v", got)
	}
	vs := []verdict{{T: abi.V(3, 2)}, {T: abi.V(3, 3)}, {T: abi.V(3, 5)}, {T: abi.V(3, 3)}, {T: abi.V(3, 9)}, {T: abi.V(3, 10)}}
	if r := targetRange(vs); r != "3.2-3.3,3.5,3.9-3.10" {
		t.Errorf("targetRange = %q", r)
	}
	li := newLineIndex([]byte("ab\ncd\n\nef"))
	for off, want := range map[int]int{0: 1, 2: 1, 3: 2, 6: 3, 7: 4} {
		if got := li.line(off); got != want {
			t.Errorf("line(%d) = %d, want %d", off, got, want)
		}
	}
}

func TestWithoutOwnDefine(t *testing.T) {
	dir := t.TempDir()
	src := "/* x */\n#define Py_LIMITED_API 0x03080000\n#include <Python.h>\n"
	if err := os.WriteFile(filepath.Join(dir, "a.c"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := loadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := files[0]
	if f.Own != abi.V(3, 8) || f.OwnLine != 2 || f.CPP {
		t.Fatalf("own target %v line %d", f.Own, f.OwnLine)
	}
	if got := string(f.withoutOwnDefine()); got != "/* x */\n\n#include <Python.h>\n" {
		t.Errorf("withoutOwnDefine = %q", got)
	}
}

// fakeHeaders writes a miniature CPython include directory.
func fakeHeaders(t *testing.T) headerSet {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("patchlevel.h", "#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 4\n#define PY_VERSION \"3.4.0\"\n")
	write("Python.h", `#ifndef Py_PYTHON_H
#define Py_PYTHON_H
#include "patchlevel.h"
typedef struct _object { long ob_refcnt; } PyObject;
typedef long Py_ssize_t;
#define NULL ((void *)0)
PyObject *PyLim_Func(PyObject *);
extern PyObject PyLim_Data;
#define PyLim_MACRO(o) PyLim_Func(o)
#define PyLim_CONST 42
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03030000
PyObject *PyNew_Func(void);
#endif
#ifndef Py_LIMITED_API
typedef struct { PyObject ob_base; PyObject *item[1]; } PyFullObject;
PyObject *PyFull_Func(PyObject *);
#define PyFull_GET(o, i) (((PyFullObject *)(o))->item[i])
#define PyFull_VIA(o) PyFull_Func(o)
static inline int PyFull_Inline(PyObject *o) { return o != 0; }
enum PyFull_Kind { PyFull_K1 = 1 };
#endif
#define PyLeak_GET(o) PyFull_Func(o)
__attribute__((__deprecated__)) typedef int PyOld_T;
#define Py_BEGIN_THING { int thing_ = 0;
#define Py_END_THING (void)thing_; }
#endif
`)
	return headerSet{Version: abi.V(3, 4), Full: "3.4.0", Dir: dir, Label: "fake 3.4"}
}

func TestNameRunOnFakeHeaders(t *testing.T) {
	ctx := context.Background()
	h := fakeHeaders(t)
	if v, full, err := readPatchlevel(h.Dir); err != nil || v != abi.V(3, 4) || full != "3.4.0" {
		t.Fatalf("readPatchlevel = %v %q %v", v, full, err)
	}
	cc := newCompiler(2, t.TempDir(), "")
	pool := grammars.NewPool()
	defer pool.Close()
	run, err := runNames(ctx, cc, pool, h)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for n, d := range run.Names {
		kinds[n] = d.Kind.String()
	}
	wantKinds := map[string]string{
		"PyObject": "typedef", "Py_ssize_t": "typedef", "PyOld_T": "typedef", "PyFullObject": "typedef", "PyFull_Kind": "struct tag",
		"PyLim_Func": "function", "PyNew_Func": "function", "PyFull_Func": "function", "PyFull_Inline": "function",
		"PyLim_Data": "data", "PyFull_K1": "enum constant",
		"PyLim_MACRO": "function-like macro", "PyFull_GET": "function-like macro", "PyFull_VIA": "function-like macro",
		"PyLeak_GET": "function-like macro", "PyLim_CONST": "macro", "NULL": "macro",
		"PY_MAJOR_VERSION": "macro", "PY_MINOR_VERSION": "macro", "PY_VERSION": "macro",
		"Py_BEGIN_THING": "macro", "Py_END_THING": "macro",
	}
	if d := cmp.Diff(wantKinds, kinds); d != "" {
		t.Errorf("names (-want +got):\n%s", d)
	}
	forms := map[string]string{}
	for n, p := range run.Chosen {
		forms[n] = p.Form.String()
	}
	for n, want := range map[string]string{"PyLim_Func": "address", "PyLim_MACRO": "call(o)", "PyFull_GET": "call(0)",
		"Py_BEGIN_THING": "pair(o)", "Py_END_THING": "pair(o)", "PyObject": "typedef", "PyLim_CONST": "expr"} {
		if forms[n] != want {
			t.Errorf("form of %s = %q, want %q", n, forms[n], want)
		}
	}
	rejected := func(tv abi.Version) []string {
		var out []string
		for n := range run.Rejected[tv] {
			out = append(out, n)
		}
		return sortedStrings(out)
	}
	// PyFull_Func is first used (implicitly declared) by the PyFull_VIA or
	// PyLeak_GET probe; its own probe must still count as rejected.
	notLimited := []string{"PyFullObject", "PyFull_Func", "PyFull_GET", "PyFull_Inline", "PyFull_K1", "PyFull_Kind", "PyFull_VIA", "PyLeak_GET"}
	if d := cmp.Diff(sortedStrings(append([]string{"PyNew_Func"}, notLimited...)), rejected(abi.V(3, 2))); d != "" {
		t.Errorf("rejected at 3.2 (-want +got):\n%s", d)
	}
	if d := cmp.Diff(notLimited, rejected(abi.V(3, 4))); d != "" {
		t.Errorf("rejected at 3.4 (-want +got):\n%s", d)
	}
	for _, tv := range run.Targets {
		if len(run.Stray[tv]) > 0 {
			t.Errorf("stray errors at %s: %+v", tv, run.Stray[tv])
		}
	}
}

func sortedStrings(s []string) []string {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return sortedNames(m)
}

func TestCompilerCache(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	src := []byte("int f(void) { return g(); }\n")
	for i, wantHits := range []int64{0, 1} {
		cc := newCompiler(1, t.TempDir(), cache)
		_, ds, err := cc.run(ctx, job{Src: src, JSON: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || !ds[0].isError() || !strings.Contains(ds[0].Message, "'g'") || !strings.HasPrefix(ds[0].File, cc.tmp) {
			t.Fatalf("run %d: diagnostics %+v", i, ds)
		}
		if cc.hits.Load() != wantHits {
			t.Errorf("run %d: %d cache hits, want %d", i, cc.hits.Load(), wantHits)
		}
	}
}
