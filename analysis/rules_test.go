package analysis

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

func TestRulesRegistry(t *testing.T) {
	rules := Rules()
	if len(rules) != 11 {
		t.Fatalf("got %d rules, want 11", len(rules))
	}
	codes, names := map[string]bool{}, map[string]bool{}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	for i, r := range rules {
		if want := fmt.Sprintf("ABI%03d", i+1); r.Code != want {
			t.Errorf("rule %d has code %s, want %s (ordered, no gaps)", i, r.Code, want)
		}
		if codes[r.Code] || names[r.Name] {
			t.Errorf("%s: duplicate code or name %q", r.Code, r.Name)
		}
		codes[r.Code], names[r.Name] = true, true
		if !kebab.MatchString(r.Name) {
			t.Errorf("%s: name %q is not kebab-case", r.Code, r.Name)
		}
		for field, v := range map[string]string{"Summary": r.Summary, "What": r.What, "Why": r.Why,
			"Example": r.Example, "Instead": r.Instead, "FixSafety": r.FixSafety} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %s is empty", r.Code, field)
			}
		}
		if r.Example == r.Instead {
			t.Errorf("%s: Example and Instead are the same", r.Code)
		}
		switch r.Fix {
		case FixNone, FixSometimes, FixAlways:
		default:
			t.Errorf("%s: bad fix availability %q", r.Code, r.Fix)
		}
		if r.Severity < SeverityError || r.Severity > SeverityHint {
			t.Errorf("%s: bad severity %v", r.Code, r.Severity)
		}
		got, ok := RuleByCode(r.Code)
		if !ok || got.Name != r.Name {
			t.Errorf("RuleByCode(%s) = %v, %v", r.Code, got.Name, ok)
		}
	}
	if r, _ := RuleByCode("ABI006"); r.ABI3TSeverity != SeverityError || r.Severity != SeverityWarning {
		t.Errorf("ABI006 severities: %v / %v", r.Severity, r.ABI3TSeverity)
	}
	// The slice is fresh: changing it does not change the registry.
	rules[0].Name = "changed"
	if Rules()[0].Name == "changed" {
		t.Error("Rules() returns shared state")
	}
}

// Every rule has fixtures, and every rule that says it has fixes offers
// one somewhere in them.
func TestEveryRuleHasFixtures(t *testing.T) {
	a := newTestAnalyzer(t)
	wanted := map[string]int{}
	fixed := map[string]bool{}
	for _, fx := range loadFixtures(t) {
		for _, name := range fx.analyze {
			for _, w := range parseWants(fx.files[name]) {
				wanted[w.code]++
			}
			res, err := a.Analyze(context.Background(), fx.input(name, fx.files[name]))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Findings {
				for _, fix := range f.Fixes {
					if !strings.HasPrefix(fix.Title, "Ignore ") {
						fixed[f.Code] = true
					}
				}
			}
		}
	}
	for _, r := range Rules() {
		if wanted[r.Code] == 0 {
			t.Errorf("%s (%s) has no fixture expectation", r.Code, r.Name)
		}
		if r.Fix != FixNone && !fixed[r.Code] {
			t.Errorf("%s says fix %q but no fixture finding carries one", r.Code, r.Fix)
		}
		if r.Fix == FixNone && fixed[r.Code] {
			t.Errorf("%s says no fix but offers one", r.Code)
		}
	}
}

// TestFixesConverge applies every fix of every fixture finding alone: the
// finding it belongs to goes away (one fewer finding of that code and
// symbol), the edit does not break the parse, and fix-all reaches a fixed
// point.
func TestFixesConverge(t *testing.T) {
	a := newTestAnalyzer(t)
	ctx := context.Background()
	for _, fx := range loadFixtures(t) {
		for _, name := range fx.analyze {
			src := fx.files[name]
			res, err := a.Analyze(ctx, fx.input(name, src))
			if err != nil {
				t.Fatal(err)
			}
			before := countBy(res)
			brokeBefore := hasSyntaxError(t, a, name, src)
			for _, f := range res.Findings {
				for _, fix := range f.Fixes {
					if len(fix.Edits) == 0 || fix.Title == "" {
						t.Errorf("%s %s: empty fix %+v", name, f.Code, fix)
						continue
					}
					for i := 1; i < len(fix.Edits); i++ {
						if fix.Edits[i-1].End > fix.Edits[i].Start {
							t.Errorf("%s %s %q: edits overlap or are unsorted", name, f.Code, fix.Title)
						}
					}
					out := applyEdits(src, fix.Edits)
					res2, err := a.Analyze(ctx, fx.input(name, out))
					if err != nil {
						t.Fatal(err)
					}
					key := f.Code + " " + f.Symbol
					if after := countBy(res2); after[key] >= before[key] {
						t.Errorf("%s: fix %q of %s at %d does not remove it (%d -> %d)\n%s",
							filepath.Base(fx.path)+"/"+name, fix.Title, key, f.Start, before[key], after[key], out)
					}
					if !brokeBefore && hasSyntaxError(t, a, name, out) {
						t.Errorf("%s: fix %q breaks the parse:\n%s", name, fix.Title, out)
					}
				}
			}
			// Fix-all twice: the second pass changes nothing.
			once := applyFixAll(t, a, fx, name, src, func(f Fix) bool { return f.Applicability == Safe })
			res3, err := a.Analyze(ctx, fx.input(name, once))
			if err != nil {
				t.Fatal(err)
			}
			if again, changed := applyFixes(once, res3, func(f Fix) bool { return f.Applicability == Safe }); changed {
				t.Errorf("%s: fix-all is not idempotent:\n%s", name, again)
			}
		}
	}
}

func countBy(res *Result) map[string]int {
	m := map[string]int{}
	for _, f := range res.Findings {
		m[f.Code+" "+f.Symbol]++
	}
	return m
}

func hasSyntaxError(t *testing.T, a *Analyzer, name string, src []byte) bool {
	t.Helper()
	tree, err := a.Parse.Parse(grammars.ForPath(name), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	return tree.RootNode().HasError()
}

func TestAuditDefineFix(t *testing.T) {
	a := newTestAnalyzer(t)
	ctx := context.Background()
	src := []byte("/* m */\r\n#include <Python.h>\r\nstatic PyObject *f(PyObject *m) { return PyModule_GetNameObject(m); }\r\n")
	in := Input{Path: "m.c", Lang: grammars.C, Src: src}
	res, err := a.Analyze(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	fix := AuditDefineFix(res, src)
	if fix == nil {
		t.Fatal("no audit define fix")
	}
	out := applyEdits(src, fix.Edits)
	want := "/* m */\r\n#define Py_LIMITED_API 0x03070000\r\n#include <Python.h>\r\n"
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("got %q, want prefix %q", out, want)
	}
	in.Src = out
	res2, err := a.Analyze(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Target.Kind != FromDefine || res2.Target.Limited.String() != "3.7" || len(res2.Findings) != 0 {
		t.Errorf("after the fix: target %+v, findings %v", res2.Target, res2.Findings)
	}
	if AuditDefineFix(res2, out) != nil {
		t.Error("fix offered on a file with a target")
	}
	// No Python.h include: nothing to anchor the define to.
	res3, err := a.Analyze(ctx, Input{Path: "x.h", Src: []byte("int x;\n")})
	if err != nil {
		t.Fatal(err)
	}
	if AuditDefineFix(res3, []byte("int x;\n")) != nil {
		t.Error("fix offered without a Python.h include")
	}
}

func TestCancelled(t *testing.T) {
	a := newTestAnalyzer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Analyze(ctx, Input{Path: "a.c", Src: []byte("int x;")}); err == nil {
		t.Error("Analyze with a cancelled context returned no error")
	}
	if _, err := a.Hover(ctx, Input{Path: "a.c", Src: []byte("int x;")}, nil, 0); err == nil {
		t.Error("Hover with a cancelled context returned no error")
	}
}

// A caller-owned tree gives the same result and stays usable.
func TestCallerTree(t *testing.T) {
	a := newTestAnalyzer(t)
	src := []byte("#define Py_LIMITED_API 0x03080000\n#include <Python.h>\nPyObject *f(PyObject *o) { return PyTuple_GET_ITEM(o, 0); }\n")
	tree, err := a.Parse.Parse(grammars.C, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	in := Input{Path: "a.c", Lang: grammars.C, Src: src}
	want, err := a.Analyze(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	in.Tree = tree
	got, err := a.Analyze(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Findings) != fmt.Sprint(want.Findings) {
		t.Errorf("with tree %v\nwithout %v", got.Findings, want.Findings)
	}
	if tree.RootNode().ChildCount() == 0 {
		t.Error("caller's tree unusable after Analyze")
	}
}

// ParseAndAnalyze gives Analyze's result and the tree, from scratch and
// incrementally, and frees what it parsed when cancelled.
func TestParseAndAnalyze(t *testing.T) {
	a := newTestAnalyzer(t)
	ctx := context.Background()
	src := []byte("#define Py_LIMITED_API 0x03080000\n#include <Python.h>\nPyObject *f(PyObject *o) { return PyTuple_GET_ITEM(o, 0); }\n")
	in := Input{Path: "a.c", Lang: grammars.C, Src: src}
	want, err := a.Analyze(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, tree, err := a.ParseAndAnalyze(ctx, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if fmt.Sprint(got.Findings) != fmt.Sprint(want.Findings) || len(got.Findings) == 0 {
		t.Errorf("ParseAndAnalyze %v\nAnalyze %v", got.Findings, want.Findings)
	}
	if int(tree.RootNode().EndByte()) != len(src) {
		t.Errorf("tree ends at %d, the text at %d", tree.RootNode().EndByte(), len(src))
	}
	// An edit: PyTuple_GET_ITEM becomes PyTuple_GetItem.
	at := bytes.Index(src, []byte("GET_ITEM"))
	src2 := append(append(append([]byte{}, src[:at]...), "GetItem"...), src[at+len("GET_ITEM"):]...)
	tree.Edit(&sitter.InputEdit{StartByte: uint(at), OldEndByte: uint(at + 8), NewEndByte: uint(at + 7),
		StartPosition:  sitter.Point{Row: 2, Column: uint(at - bytes.LastIndexByte(src[:at], '\n') - 1)},
		OldEndPosition: sitter.Point{Row: 2, Column: uint(at + 8 - bytes.LastIndexByte(src[:at], '\n') - 1)},
		NewEndPosition: sitter.Point{Row: 2, Column: uint(at + 7 - bytes.LastIndexByte(src[:at], '\n') - 1)}})
	in.Src = src2
	got2, tree2, err := a.ParseAndAnalyze(ctx, in, tree)
	if err != nil {
		t.Fatal(err)
	}
	defer tree2.Close()
	want2, err := a.Analyze(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got2.Findings) != fmt.Sprint(want2.Findings) || len(got2.Findings) == len(got.Findings) {
		t.Errorf("after the edit: ParseAndAnalyze %v\nAnalyze %v", got2.Findings, want2.Findings)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if res, tr, err := a.ParseAndAnalyze(cctx, in, nil); err == nil || res != nil || tr != nil {
		t.Errorf("cancelled: %v, %v, %v", res, tr, err)
	}
}

// Odd input never panics and never reports ERROR nodes.
func TestBrokenInput(t *testing.T) {
	a := newTestAnalyzer(t)
	for _, src := range []string{
		"", "#", "#if", "#endif\n#else\n", "struct { PyObject_HEAD", "static PyTypeObject T = {",
		"o->", "->ob_type", "Py_TYPE(", "#define Py_LIMITED_API", "#define Py_LIMITED_API 0x\n#include <Python.h>",
		"\x00\xff\xfe", "typedef typedef;", "int f() { return ((PyListObject *)o)->; }",
		strings.Repeat("(", 5000), strings.Repeat("{", 3000) + "PyTuple_GET_ITEM(t, 0);",
	} {
		for _, lang := range []grammars.Lang{grammars.C, grammars.CPP} {
			res, err := a.Analyze(context.Background(), Input{Path: "x", Lang: lang, Src: []byte(src)})
			if err != nil {
				t.Errorf("%q: %v", src, err)
				continue
			}
			for _, f := range res.Findings {
				if f.Start < 0 || f.End > len(src) || f.Start > f.End {
					t.Errorf("%q: bad range %+v", src, f)
				}
			}
			for off := 0; off <= len(src) && off < 64; off++ {
				if _, err := a.Hover(context.Background(), Input{Path: "x", Lang: lang, Src: []byte(src)}, res, off); err != nil {
					t.Errorf("hover %q@%d: %v", src, off, err)
				}
			}
		}
	}
}

func TestHover(t *testing.T) {
	a := newTestAnalyzer(t)
	src := `#define Py_LIMITED_API 0x03090000
#include <Python.h>
static PyObject *f(PyObject *o, PyObject *m)
{
    PyObject *x = PyTuple_GET_ITEM(o, 0);
    const char *n = Py_TYPE(o)->tp_name;
    (void)o->ob_refcnt;
    PyObject *t = PyType_FromModuleAndSpec(m, NULL, NULL);
    /* PyTuple_GET_ITEM in a comment */
    return PyLong_FromLong(1);
}
`
	in := Input{Path: "a.c", Lang: grammars.C, Src: []byte(src)}
	res, err := a.Analyze(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	at := func(needle string, nth int) int {
		i := -1
		for k := 0; k <= nth; k++ {
			j := strings.Index(src[i+1:], needle)
			if j < 0 {
				t.Fatalf("no %q", needle)
			}
			i += 1 + j
		}
		return i
	}
	for _, tc := range []struct {
		off   int
		first string   // the first line, exactly
		has   []string // further content
	}{
		{at("Py_LIMITED_API", 0), "**Target: abi3 3.9+** (Py_LIMITED_API 0x03090000, line 1)",
			[]string{"Minimum needed: 3.10, pinned by `PyType_FromModuleAndSpec` (line 8)", "Findings in this file: 4 (3 errors, 1 warning)"}},
		{at("PyTuple_GET_ITEM", 0), "**`PyTuple_GET_ITEM`** — not in the Limited API (CPython-specific macro)",
			[]string{"Header: `cpython/tupleobject.h`", "Instead: `PyTuple_GetItem` (Limited API since 3.2)"}},
		{at("tp_name", 0), "**`tp_name`** — field of `PyTypeObject`, not reachable under abi3 3.9+ (PyTypeObject is opaque in the Limited API)",
			[]string{"Instead: `PyType_GetName(t)"}},
		{at("ob_refcnt", 0), "**`ob_refcnt`** — field of `PyObject`, reachable under abi3 but not under abi3t (the object header is opaque there)",
			[]string{"Instead: `Py_REFCNT(o)`"}},
		{at("PyType_FromModuleAndSpec", 0), "**`PyType_FromModuleAndSpec`** — needs 3.10: function in the Limited API only since 3.10, this file targets 3.9", nil},
		{at("PyLong_FromLong", 0), "**`PyLong_FromLong`** — available under abi3 3.9+ (function in the Limited API since 3.2)", nil},
	} {
		h, err := a.Hover(context.Background(), in, res, tc.off+1)
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			t.Errorf("@%d: no hover, want %q", tc.off, tc.first)
			continue
		}
		if h.Start != tc.off {
			t.Errorf("@%d: hover starts at %d", tc.off, h.Start)
		}
		first, _, _ := strings.Cut(h.Markdown, "\n")
		if first != tc.first {
			t.Errorf("@%d: first line\n got %q\nwant %q", tc.off, first, tc.first)
		}
		for _, s := range tc.has {
			if !strings.Contains(h.Markdown, s) {
				t.Errorf("@%d: hover lacks %q:\n%s", tc.off, s, h.Markdown)
			}
		}
	}
	for _, off := range []int{at("PyTuple_GET_ITEM", 1), at("static", 0), at("(void)", 0)} {
		if h, err := a.Hover(context.Background(), in, res, off+1); err != nil || h != nil {
			t.Errorf("@%d: want no hover, got %+v, %v", off, h, err)
		}
	}
	if os.Getenv("ABI3LS_SHOW_HOVER") != "" {
		for _, n := range []string{"Py_LIMITED_API", "PyTuple_GET_ITEM", "tp_name", "ob_refcnt"} {
			h, _ := a.Hover(context.Background(), in, res, at(n, 0))
			t.Logf("%s:\n%s\n", n, h.Markdown)
		}
	}
}

// startOf reads TSNode memory directly; it must agree with the library.
func TestStartOfMatchesStartByte(t *testing.T) {
	a := newTestAnalyzer(t)
	src := []byte("/* x */ static PyObject *f(PyObject *o) { return Py_TYPE(o)->tp_name ? o : NULL; }\n")
	for _, lang := range []grammars.Lang{grammars.C, grammars.CPP} {
		tree, err := a.Parse.Parse(lang, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := tree.RootNode().Walk()
		n := 0
		for {
			node := c.Node()
			if got, want := startOf(node), int(node.StartByte()); got != want {
				t.Fatalf("startOf = %d, StartByte = %d", got, want)
			}
			n++
			if c.GotoFirstChild() {
				continue
			}
			for !c.GotoNextSibling() {
				if !c.GotoParent() {
					goto done
				}
			}
		}
	done:
		c.Close()
		tree.Close()
		if n < 20 {
			t.Fatalf("walked only %d nodes", n)
		}
	}
}
