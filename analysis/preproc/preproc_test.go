package preproc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Envs used by the tables.
var (
	env38 = Env{
		Defined:   map[string]string{"Py_LIMITED_API": "0x03080000"},
		Undefined: []string{"Py_TARGET_ABI3T", "Py_GIL_DISABLED"},
	}
	env310 = Env{
		Defined:   map[string]string{"Py_LIMITED_API": "0x030A0000"},
		Undefined: []string{"Py_TARGET_ABI3T", "Py_GIL_DISABLED"},
	}
	envFull = Env{ // a non-limited build: Py_LIMITED_API known undefined
		Undefined: []string{"Py_LIMITED_API", "Py_TARGET_ABI3T"},
	}
	envAbi3t = Env{
		Defined: map[string]string{"Py_TARGET_ABI3T": "0x030F0000", "Py_LIMITED_API": "0x030F0000",
			"Py_GIL_DISABLED": "1"},
	}
	envAudit = Env{} // nothing known
)

// checkInvariants verifies what every Result must satisfy.
func checkInvariants(t testing.TB, src []byte, r *Result) {
	t.Helper()
	n := len(src)
	prev := -1
	for _, d := range r.Dead {
		if d.Start < 0 || d.End > n || d.Start >= d.End {
			t.Fatalf("dead range %v out of bounds or empty (len %d)", d, n)
		}
		if d.Start <= prev {
			t.Fatalf("dead ranges not sorted/disjoint: %v", r.Dead)
		}
		prev = d.End
	}
	for _, d := range r.Defines {
		if !(0 <= d.Start && d.Start <= d.NameStart && d.NameStart < d.NameEnd && d.NameEnd <= d.End && d.End <= n) {
			t.Fatalf("define %q: bad ranges %+v (len %d)", d.Name, d, n)
		}
		if d.ValueStart > d.ValueEnd || d.ValueStart < d.NameEnd || d.ValueEnd > d.End {
			t.Fatalf("define %q: bad value range %+v", d.Name, d)
		}
		if d.Line < 1 {
			t.Fatalf("define %q: line %d", d.Name, d.Line)
		}
		if d.Live == r.IsDead(d.Start) {
			t.Fatalf("define %q: Live=%v but IsDead=%v", d.Name, d.Live, r.IsDead(d.Start))
		}
	}
	for _, c := range r.Conditionals {
		if !(0 <= c.DirectiveStart && c.DirectiveStart <= c.Start && c.Start <= c.End && c.End <= n) {
			t.Fatalf("conditional %q: bad ranges %+v (len %d)", c.Condition, c, n)
		}
		if c.Verdict < -1 || c.Verdict > 1 || c.Line < 1 {
			t.Fatalf("conditional %+v", c)
		}
	}
	for _, inc := range r.Includes {
		if !(0 <= inc.Start && inc.Start <= inc.PathStart && inc.PathStart <= inc.PathEnd && inc.PathEnd <= inc.End && inc.End <= n) {
			t.Fatalf("include %q: bad ranges %+v (len %d)", inc.Path, inc, n)
		}
	}
	for _, p := range r.Problems {
		if p.Start < 0 || p.Start > p.End || p.End > n {
			t.Fatalf("problem %+v out of bounds (len %d)", p, n)
		}
	}
}

type marker struct {
	word string
	off  int
}

// findMarkers returns each word DEADn / LIVEn of src with its offset.
func findMarkers(src string) []marker {
	var ms []marker
	for i := 0; i+4 <= len(src); i++ {
		if w := src[i : i+4]; w != "DEAD" && w != "LIVE" {
			continue
		}
		j := i + 4
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		ms = append(ms, marker{src[i:j], i})
		i = j - 1
	}
	return ms
}

func markers(src string, r *Result) map[string]string {
	got := map[string]string{}
	for _, m := range findMarkers(src) {
		got[m.word] = "live"
		if r.IsDead(m.off) {
			got[m.word] = "dead"
		}
	}
	return got
}

func wantMarkers(src string) map[string]string {
	want := map[string]string{}
	for _, m := range findMarkers(src) {
		want[m.word] = strings.ToLower(m.word[:4])
	}
	return want
}

// deadCodeTests: every line holding a word DEADn must be dead and LIVEn
// live. The sources also seed FuzzEvaluate.
var deadCodeTests = []struct {
	name string
	env  Env
	src  string
}{
	{"ifdef limited, limited", env38, `
#ifdef Py_LIMITED_API
LIVE1
#else
DEAD1
#endif
LIVE2
`},
	{"ifdef limited, full build", envFull, `
#ifdef Py_LIMITED_API
DEAD1
#else
LIVE1
#endif
`},
	{"ifdef limited, audit: both live", envAudit, `
#ifdef Py_LIMITED_API
LIVE1
#else
LIVE2
#endif
`},
	{"ifndef", env38, `
#ifndef Py_LIMITED_API
DEAD1
#else
LIVE1
#endif
`},
	{"limited+0 idiom 3.8", env38, `
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 < 0x030A0000
LIVE1
#else
DEAD1
#endif
`},
	{"limited+0 idiom 3.10", env310, `
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 < 0x030A0000
DEAD1
#else
LIVE1
#endif
#if defined(Py_LIMITED_API) && Py_LIMITED_API+0 >= 0x030A0000
LIVE2
#endif
`},
	{"limited+0 idiom, full build", envFull, `
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 < 0x030A0000
LIVE1
#else
DEAD1
#endif
#if defined(Py_LIMITED_API) && UNKNOWN_MACRO
DEAD2
#endif
`},
	{"PY_VERSION_HEX undecidable", env38, `
#if PY_VERSION_HEX >= 0x030C0000
LIVE1
#else
LIVE2
#endif
`},
	{"PY_VERSION_HEX known", Env{Defined: map[string]string{"PY_VERSION_HEX": "0x030B02F0"}}, `
#if PY_VERSION_HEX >= 0x030C0000
DEAD1
#elif PY_VERSION_HEX >= 0x030B0000
LIVE1
#else
DEAD2
#endif
`},
	{"if 0 / if 1", envAudit, `
#if 0
DEAD1
#endif
#if 1
LIVE1
#else
DEAD2
#endif
`},
	{"elif chain", envAudit, `
#if 0
DEAD1
#elif 1
LIVE1
#elif 1
DEAD2
#else
DEAD3
#endif
`},
	{"elif after undecidable", envAudit, `
#if X
LIVE1
#elif 1
LIVE2
#elif 1
DEAD1
#else
DEAD2
#endif
`},
	{"else after undecidable", envAudit, `
#if X
LIVE1
#elif 0
DEAD1
#else
LIVE2
#endif
`},
	{"nested dead stays dead", env38, `
#ifndef Py_LIMITED_API
DEAD1
#  if 1
DEAD2
#  else
DEAD3
#  endif
DEAD4
#else
LIVE1
#  ifdef Py_LIMITED_API
LIVE2
#  else
DEAD5
#  endif
#endif
LIVE3
`},
	{"elifdef elifndef", env38, `
#ifdef Py_TARGET_ABI3T
DEAD1
#elifdef Py_LIMITED_API
LIVE1
#elifndef Py_GIL_DISABLED
DEAD2
#endif
#ifdef Py_TARGET_ABI3T
DEAD3
#elifndef Py_GIL_DISABLED
LIVE2
#endif
`},
	{"abi3t", envAbi3t, `
#ifdef Py_GIL_DISABLED
LIVE1
#else
DEAD1
#endif
#if defined(Py_TARGET_ABI3T)
LIVE2
#endif
#if !defined(Py_TARGET_ABI3T) && defined(Py_GIL_DISABLED)
DEAD2
#endif
`},
	{"define in file then test", envAudit, `
#define MY_LIMITED 0x03090000
#define Py_LIMITED_API MY_LIMITED
#include <Python.h>
#if Py_LIMITED_API >= 0x030A0000
DEAD1
#else
LIVE1
#endif
#if MY_LIMITED > 0x03080000 && defined(Py_LIMITED_API)
LIVE2
#else
DEAD2
#endif
`},
	{"undef affects later tests", env38, `
#undef Py_LIMITED_API
#ifdef Py_LIMITED_API
DEAD1
#endif
#if Py_LIMITED_API
DEAD2
#endif
#define Py_LIMITED_API 3
#if Py_LIMITED_API == 3
LIVE1
#endif
`},
	{"define in uncertain branch is unknown", envAudit, `
#ifdef SOMETHING
#define FLAG 1
#endif
#ifdef FLAG
LIVE1
#else
LIVE2
#endif
`},
	{"define in dead branch has no effect", env38, `
#ifndef Py_LIMITED_API
#define FLAG 1
#undef Py_LIMITED_API
#endif
#ifdef Py_LIMITED_API
LIVE1
#endif
#ifdef FLAG
LIVE2
#endif
`},
	{"unknown identifier is undecidable", env38, `
#if SOME_MACRO
LIVE1
#else
LIVE2
#endif
#if defined(SOME_MACRO)
LIVE3
#endif
`},
	{"known undefined identifier is 0", Env{Undefined: []string{"FOO"}}, `
#if FOO
DEAD1
#else
LIVE1
#endif
#if !FOO && !defined FOO
LIVE2
#endif
`},
	{"short circuit", env38, `
#if 0 && X
DEAD1
#endif
#if 1 || X
LIVE1
#else
DEAD2
#endif
#if X && 0
DEAD3
#endif
#if defined(Py_TARGET_ABI3T) && X
DEAD4
#endif
#if X ? 1 : 1
LIVE2
#else
DEAD5
#endif
`},
	{"division by zero undecidable", envAudit, `
#if 1 / 0
LIVE1
#else
LIVE2
#endif
#if 0 && 1 / 0
DEAD1
#endif
`},
	{"function-like macros", envAudit, `
#define VER(maj, min) ((maj) << 24 | (min) << 16)
#define STR(x) #x
#if VER(3, 10) == 0x030A0000
LIVE1
#else
DEAD1
#endif
#if STR(a)
LIVE2
#else
LIVE3
#endif
#if UNKNOWN_FN(1)
LIVE4
#else
LIVE5
#endif
`},
	{"recursive macros are undecidable", envAudit, `
#define A B
#define B A
#if A
LIVE1
#else
LIVE2
#endif
`},
	{"inside a function body", env38, `
static PyObject *f(PyObject *self) {
    int x = 0;
#ifdef Py_LIMITED_API
    x = LIVE1;
#else
    x = DEAD1;
#endif
    if (x) {
        #if Py_LIMITED_API+0 >= 0x03090000
        return DEAD2;
        #else
        return LIVE2;
        #endif
    }
}
`},
	{"leading space and # spacing", env38, "\n  #  ifdef Py_LIMITED_API\nLIVE1\n\t# else\nDEAD1\n #endif\n"},
	{"directive in block comment is not a directive", env38, `
/*
#if 0
*/
LIVE1
/* #if 0 */
LIVE2
#if 0 /* comment
#else
*/
DEAD1
#endif
`},
	{"directive in string is not a directive", env38, `
const char *s = "\
#if 0";
LIVE1
char c = '#'; const char *t = "x // y";
LIVE2
`},
	{"directive in line comment continued", env38, "// a comment \\\n#if 0\nLIVE1\n"},
	{"comment inside directive", env38, `
#if /* yes */ 0 // no
DEAD1
#elif 1 /* multi
line */
LIVE1
#endif
`},
	{"comment before hash", env38, "/* c */ #if 0\nDEAD1\n#endif\nLIVE1\n"},
	{"code before hash", env38, "x; #if 0\nLIVE1\n"},
	{"CRLF", env38, "#ifdef Py_LIMITED_API\r\nLIVE1\r\n#else\r\nDEAD1\r\n#endif\r\nLIVE2\r\n"},
	{"continuation", env38, "#if defined(Py_LIMITED_API) && \\\n    Py_LIMITED_API+0 >= 0x030A0000\nDEAD1\n#else\nLIVE1\n#endif\n"},
	{"continuation CRLF", env38, "#if 1 && \\\r\n 0\r\nDEAD1\r\n#endif\r\n"},
	{"continuation with trailing blank", env38, "#if 1 && \\  \n 0\nDEAD1\n#endif\n"},
	{"unbalanced endif", env38, `
#endif
LIVE1
#if 0
DEAD1
#endif
#endif
LIVE2
`},
	{"missing endif", env38, `
LIVE1
#if 0
DEAD1
#if 1
DEAD2
`},
	{"else after else", envAudit, `
#if 1
LIVE1
#else
DEAD1
#else
DEAD2
#endif
`},
	{"elif without if", envAudit, `
#elif 0
DEAD1
#endif
LIVE1
`},
	{"char literals", envAudit, `
#if 'A' == 65 && '\n' == 10 && '\x41' == 65 && '\0' == 0
LIVE1
#else
DEAD1
#endif
`},
	{"digraph hash", env38, "%:if 0\nDEAD1\n%:endif\nLIVE1\n"},
	{"raw string", env38, "const char *s = R\"x(\n#if 0\n)x\";\nLIVE1\n#if 0\nDEAD1\n#endif\n"},
	{"digit separator", env38, "int x = 1'000;\n#if 1'000 == 1000\nLIVE1\n#else\nDEAD1\n#endif\n"},
	{"apostrophe in dead prose", env38, "#if 0\nDon't DEAD1\n#endif\nLIVE1\n"},
	{"has_include undecidable", env38, "#if __has_include(<stdatomic.h>)\nLIVE1\n#else\nLIVE2\n#endif\n"},
	{"true false", envAudit, "#if true && !false\nLIVE1\n#else\nDEAD1\n#endif\n"},
	{"empty condition is undecidable", envAudit, "#if\nLIVE1\n#else\nLIVE2\n#endif\n"},
	{"ifdef without name", envAudit, "#ifdef\nLIVE1\n#endif\n"},
	{"no trailing newline", env38, "#if 0\nDEAD1\n#endif"},
	{"if 0 at EOF", env38, "LIVE1\n#if 0"},
	{"cplusplus guard", env38, "#ifdef __cplusplus\nextern \"C\" { LIVE1\n#endif\n"},
	{"empty define value", env38, "#define EMPTY\n#if defined(EMPTY) && EMPTY+0 == 0\nLIVE1\n#else\nDEAD1\n#endif\n"},
	{"include guard: defines inside follow", envAudit, `
#ifndef MYMOD_H
#define MYMOD_H
#define Py_LIMITED_API 0x03080000
#include <Python.h>
#if Py_LIMITED_API >= 0x030A0000
DEAD1
#else
LIVE1
#endif
#ifndef MYMOD_H
DEAD2
#endif
#endif
`},
	{"include guard with if !defined", envAudit, `
#if !defined(MYMOD_H)
#define MYMOD_H 1
#if MYMOD_H
LIVE1
#else
DEAD1
#endif
#endif
`},
	{"default value idiom: defined after", envAudit, `
#ifndef Py_LIMITED_API
#define Py_LIMITED_API 0x03080000
#endif
#ifdef Py_LIMITED_API
LIVE1
#else
DEAD1
#endif
#if Py_LIMITED_API >= 0x030A0000
LIVE2
#else
LIVE3
#endif
`},
	{"first test assumed in its branch, denied after", envAudit, `
#ifdef X
#  ifdef X
LIVE1
#  else
DEAD1
#  endif
#elif defined(X)
DEAD2
#else
#  ifndef X
LIVE2
#  else
DEAD3
#  endif
#endif
#ifdef X
LIVE3
#else
LIVE4
#endif
`},
	{"same value on both paths", envAudit, `
#ifdef X
#define V 1
#else
#define V (1)
#define W 2
#endif
#ifdef V
LIVE1
#else
DEAD1
#endif
#ifdef W
LIVE2
#else
LIVE3
#endif
`},
	{"equal values merge", envAudit, `
#ifdef X
#define V 1
#else
#define V 1
#endif
#if V == 1
LIVE1
#else
DEAD1
#endif
`},
	{"different values: defined, value unknown", envAudit, `
#ifdef X
#define V 1
#else
#define V 2
#endif
#ifdef V
LIVE1
#else
DEAD1
#endif
#if V == 1
LIVE2
#else
LIVE3
#endif
#if V == 1 || defined(V)
LIVE4
#else
DEAD2
#endif
`},
	{"define in certain branch persists", envAudit, `
#if 1
#define V 3
#else
#define V 4
#endif
#if V == 3
LIVE1
#else
DEAD1
#endif
`},
	{"undef in uncertain branch", envAudit, `
#define V 1
#ifdef X
#undef V
#endif
#ifdef V
LIVE1
#else
LIVE2
#endif
`},
	{"state inside nested groups", envAudit, `
#ifdef X
#  if 1
#    define V 1
#  endif
#  if V == 1
LIVE1
#  else
DEAD1
#  endif
#  ifdef Y
#    define W 1
#  else
#    define W 1
#  endif
#  if W
LIVE2
#  else
DEAD2
#  endif
#endif
#if defined(V) || defined(W)
LIVE3
#else
LIVE4
#endif
`},
	{"elif branch sees first test false", env38, `
#ifdef Z
#elif 1
#  ifdef Z
DEAD1
#  else
LIVE1
#  endif
#endif
`},
	{"env empty value", Env{Defined: map[string]string{"Py_LIMITED_API": ""}}, "#if Py_LIMITED_API+0 >= 0x03080000\nDEAD1\n#elif defined(Py_LIMITED_API)\nLIVE1\n#endif\n"},
}

// Every line holding a word DEADn must be dead and LIVEn live.
func TestDeadCode(t *testing.T) {
	for _, tt := range deadCodeTests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate([]byte(tt.src), tt.env)
			checkInvariants(t, []byte(tt.src), r)
			want := wantMarkers(tt.src)
			if len(want) == 0 {
				t.Fatal("test has no markers")
			}
			if diff := cmp.Diff(want, markers(tt.src, r)); diff != "" {
				t.Errorf("dead/live mismatch (-want +got):\n%s\ndead: %s", diff, deadText(tt.src, r))
			}
		})
	}
}

func deadText(src string, r *Result) string {
	var b strings.Builder
	for _, d := range r.Dead {
		fmt.Fprintf(&b, "[%d,%d)%q ", d.Start, d.End, src[d.Start:d.End])
	}
	return b.String()
}

// The exact extent of dead ranges: from the line after the directive to the
// start of the next directive's line.
func TestDeadRanges(t *testing.T) {
	tests := []struct {
		name string
		env  Env
		src  string
		want []string
	}{
		{"else", env38, "#ifdef Py_LIMITED_API\na\n#else\nb\nc\n  #endif\nd\n", []string{"b\nc\n"}},
		{"if 0 nested merged", env38, "#if 0\na\n#if 1\nb\n#endif\nc\n#endif\n", []string{"a\n#if 1\nb\n#endif\nc\n"}},
		{"elif branches", envAudit, "#if 0\na\n#elif 0\nb\n#else\nc\n#endif\n", []string{"a\n", "b\n"}},
		{"empty branch", envAudit, "#if 0\n#endif\n", nil},
		{"missing endif runs to EOF", envAudit, "#if 0\na\nb", []string{"a\nb"}},
		{"continued directive", envAudit, "#if 0 \\\n  && 1\na\n#endif\n", []string{"a\n"}},
		{"CRLF", envAudit, "#if 0\r\na\r\n#endif\r\n", []string{"a\r\n"}},
		{"directive with multi-line comment", envAudit, "#if 0 /*\n*/\na\n#endif\n", []string{"a\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate([]byte(tt.src), tt.env)
			checkInvariants(t, []byte(tt.src), r)
			var got []string
			for _, d := range r.Dead {
				got = append(got, tt.src[d.Start:d.End])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("dead ranges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefines(t *testing.T) {
	type def struct {
		Name, Value   string
		Params        []string
		Function      bool
		NameText      string // src[NameStart:NameEnd]
		ValueText     string // src[ValueStart:ValueEnd]
		Line          int
		Live, AfterPy bool
	}
	tests := []struct {
		name string
		env  Env
		src  string
		want []def
	}{
		{"object-like", env38, "#define Py_LIMITED_API 0x03080000\n",
			[]def{{Name: "Py_LIMITED_API", Value: "0x03080000", NameText: "Py_LIMITED_API", ValueText: "0x03080000", Line: 1, Live: true}}},
		{"trailing comment", env38, "#  define  Py_LIMITED_API   0x03080000  /* 3.8 */ // x\n",
			[]def{{Name: "Py_LIMITED_API", Value: "0x03080000", NameText: "Py_LIMITED_API", ValueText: "0x03080000", Line: 1, Live: true}}},
		{"empty", env38, "#define Py_LIMITED_API\n",
			[]def{{Name: "Py_LIMITED_API", NameText: "Py_LIMITED_API", Line: 1, Live: true}}},
		{"function-like", env38, "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n",
			[]def{{Name: "MAX", Value: "((a) > (b) ? (a) : (b))", Params: []string{"a", "b"}, Function: true, NameText: "MAX", ValueText: "((a) > (b) ? (a) : (b))", Line: 1, Live: true}}},
		{"function-like no params", env38, "#define F() 1\n",
			[]def{{Name: "F", Value: "1", Params: []string{}, Function: true, NameText: "F", ValueText: "1", Line: 1, Live: true}}},
		{"variadic", env38, "#define LOG(fmt, ...) printf(fmt, __VA_ARGS__)\n",
			[]def{{Name: "LOG", Value: "printf(fmt, __VA_ARGS__)", Params: []string{"fmt", "..."}, Function: true, NameText: "LOG", ValueText: "printf(fmt, __VA_ARGS__)", Line: 1, Live: true}}},
		{"space before paren is object-like", env38, "#define X (a)\n",
			[]def{{Name: "X", Value: "(a)", NameText: "X", ValueText: "(a)", Line: 1, Live: true}}},
		{"continued value", env38, "#define X 1 + \\\n   2\n",
			[]def{{Name: "X", Value: "1 + 2", NameText: "X", ValueText: "1 + \\\n   2", Line: 1, Live: true}}},
		{"continued CRLF", env38, "#define X 1 + \\\r\n   2\r\n",
			[]def{{Name: "X", Value: "1 + 2", NameText: "X", ValueText: "1 + \\\r\n   2", Line: 1, Live: true}}},
		{"string value keeps spaces", env38, "#define S \"a  b\"\n",
			[]def{{Name: "S", Value: "\"a  b\"", NameText: "S", ValueText: "\"a  b\"", Line: 1, Live: true}}},
		{"comment in value", env38, "#define X 1/* c */+2\n",
			[]def{{Name: "X", Value: "1 +2", NameText: "X", ValueText: "1/* c */+2", Line: 1, Live: true}}},
		{"dead and after Python.h", env38, "#include \"Python.h\"\n#ifndef Py_LIMITED_API\n#define A 1\n#endif\n#define Py_LIMITED_API 0x030A0000\n",
			[]def{
				{Name: "A", Value: "1", NameText: "A", ValueText: "1", Line: 3, AfterPy: true},
				{Name: "Py_LIMITED_API", Value: "0x030A0000", NameText: "Py_LIMITED_API", ValueText: "0x030A0000", Line: 5, Live: true, AfterPy: true},
			}},
		{"dead Python.h does not count", env38, "#if 0\n#include <Python.h>\n#endif\n#define Py_LIMITED_API 3\n",
			[]def{{Name: "Py_LIMITED_API", Value: "3", NameText: "Py_LIMITED_API", ValueText: "3", Line: 4, Live: true}}},
		{"line after comment", env38, "/* a\nb\n*/\n#define X 1\n",
			[]def{{Name: "X", Value: "1", NameText: "X", ValueText: "1", Line: 4, Live: true}}},
		{"no name", env38, "#define\n#define 1 2\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate([]byte(tt.src), tt.env)
			checkInvariants(t, []byte(tt.src), r)
			var got []def
			for _, d := range r.Defines {
				got = append(got, def{Name: d.Name, Value: d.Value, Params: d.Params, Function: d.Function,
					NameText: tt.src[d.NameStart:d.NameEnd], ValueText: tt.src[d.ValueStart:d.ValueEnd],
					Line: d.Line, Live: d.Live, AfterPy: d.AfterPython})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("defines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIncludes(t *testing.T) {
	type inc struct {
		Path      string
		System    bool
		Computed  bool
		PathText  string
		Line      int
		Live      bool
		Directive string
	}
	tests := []struct {
		name   string
		src    string
		want   []inc
		python int // index of PythonInclude, -1 for none
	}{
		{"quoted and system", "#include \"Python.h\"\n#include <stdio.h>\n",
			[]inc{{"Python.h", false, false, "Python.h", 1, true, "include"}, {"stdio.h", true, false, "stdio.h", 2, true, "include"}}, 0},
		{"angle with slashes", "#include <python3.11/Python.h> // c\n",
			[]inc{{"python3.11/Python.h", true, false, "python3.11/Python.h", 1, true, "include"}}, 0},
		{"dead first", "#ifndef Py_LIMITED_API\n#include <Python.h>\n#endif\n  #  include \"Python.h\"\n",
			[]inc{{"Python.h", true, false, "Python.h", 2, false, "include"}, {"Python.h", false, false, "Python.h", 4, true, "include"}}, 1},
		{"computed", "#define H <x.h>\n#include H\n",
			[]inc{{"H", false, true, "H", 2, true, "include"}}, -1},
		{"include_next", "#include_next <limits.h>\n",
			[]inc{{"limits.h", true, false, "limits.h", 1, true, "include_next"}}, -1},
		{"not python", "#include \"mypython.h\"\n#include \"Python.hpp\"\n",
			[]inc{{"mypython.h", false, false, "mypython.h", 1, true, "include"}, {"Python.hpp", false, false, "Python.hpp", 2, true, "include"}}, -1},
		{"CRLF", "#include \"Python.h\"\r\n",
			[]inc{{"Python.h", false, false, "Python.h", 1, true, "include"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate([]byte(tt.src), env38)
			checkInvariants(t, []byte(tt.src), r)
			var got []inc
			for _, i := range r.Includes {
				got = append(got, inc{i.Path, i.System, i.Computed, tt.src[i.PathStart:i.PathEnd], i.Line, i.Live, i.Directive})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("includes (-want +got):\n%s", diff)
			}
			switch {
			case tt.python < 0 && r.PythonInclude != nil:
				t.Errorf("PythonInclude = %+v, want nil", r.PythonInclude)
			case tt.python >= 0 && r.PythonInclude != &r.Includes[tt.python]:
				t.Errorf("PythonInclude = %+v, want Includes[%d]", r.PythonInclude, tt.python)
			}
		})
	}
}

func TestConditionals(t *testing.T) {
	type cond struct {
		Directive, Condition, Text string
		Line, Verdict              int
		Uses                       []string
		Live, BranchLive           bool
	}
	tests := []struct {
		name string
		env  Env
		src  string
		want []cond
	}{
		{"PY_VERSION_HEX", env38, "#if PY_VERSION_HEX >= 0x030C0000 // new\n#endif\n",
			[]cond{{"#if", "PY_VERSION_HEX >= 0x030C0000", "PY_VERSION_HEX >= 0x030C0000", 1, 0, []string{"PY_VERSION_HEX"}, true, true}}},
		{"uses through macro", env38, "#define NEW (PY_VERSION_HEX >= 0x030C0000)\n#if defined(X) || NEW\n#endif\n",
			[]cond{{"#if", "defined(X) || NEW", "defined(X) || NEW", 2, 0, []string{"X", "NEW", "PY_VERSION_HEX"}, true, true}}},
		{"ifdef ifndef elif", env38, "#ifdef Py_LIMITED_API\n#elif PY_VERSION_HEX\n#endif\n#ifndef Py_LIMITED_API\n#elifndef Py_GIL_DISABLED\n#endif\n",
			[]cond{
				{"#ifdef", "Py_LIMITED_API", "Py_LIMITED_API", 1, 1, []string{"Py_LIMITED_API"}, true, true},
				{"#elif", "PY_VERSION_HEX", "PY_VERSION_HEX", 2, 0, []string{"PY_VERSION_HEX"}, true, false},
				{"#ifndef", "Py_LIMITED_API", "Py_LIMITED_API", 4, -1, []string{"Py_LIMITED_API"}, true, false},
				{"#elifndef", "Py_GIL_DISABLED", "Py_GIL_DISABLED", 5, 1, []string{"Py_GIL_DISABLED"}, true, true},
			}},
		{"inside dead code", env38, "#if 0\n#if PY_VERSION_HEX > 1\n#endif\n#endif\n",
			[]cond{
				{"#if", "0", "0", 1, -1, nil, true, false},
				{"#if", "PY_VERSION_HEX > 1", "PY_VERSION_HEX > 1", 2, 0, []string{"PY_VERSION_HEX"}, false, false},
			}},
		{"continued condition", env38, "#if A && \\\n  B\n#endif\n",
			[]cond{{"#if", "A &&   B", "A && \\\n  B", 1, 0, []string{"A", "B"}, true, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate([]byte(tt.src), tt.env)
			checkInvariants(t, []byte(tt.src), r)
			var got []cond
			for _, c := range r.Conditionals {
				got = append(got, cond{c.Directive, c.Condition, tt.src[c.Start:c.End], c.Line, c.Verdict, c.Uses, c.Live, c.BranchLive})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("conditionals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUndefsAndProblems(t *testing.T) {
	src := "#undef Py_LIMITED_API // x\n#endif\n#else\n#if 1\n#else\n#else\n#elif 1\n#endif\n#if 0\n#ifdef\n"
	r := Evaluate([]byte(src), env38)
	checkInvariants(t, []byte(src), r)
	if len(r.Undefs) != 1 || r.Undefs[0].Name != "Py_LIMITED_API" || src[r.Undefs[0].NameStart:r.Undefs[0].NameEnd] != "Py_LIMITED_API" || !r.Undefs[0].Live {
		t.Errorf("undefs = %+v", r.Undefs)
	}
	var got []string
	for _, p := range r.Problems {
		got = append(got, fmt.Sprintf("%d: %s", p.Line, p.Message))
	}
	want := []string{
		"2: #endif without #if",
		"3: #else without #if",
		"6: #else after #else",
		"7: #elif after #else",
		"10: #ifdef without a macro name",
		"10: unterminated conditional: missing #endif",
		"9: unterminated conditional: missing #endif",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestIsDead(t *testing.T) {
	r := &Result{Dead: []Range{{2, 4}, {6, 7}}}
	for off, want := range []bool{false, false, true, true, false, false, true, false} {
		if got := r.IsDead(off); got != want {
			t.Errorf("IsDead(%d) = %v, want %v", off, got, want)
		}
	}
}

// A group with too many outcomes to keep gives up: its names end unknown.
func TestManyBranchOutcomes(t *testing.T) {
	var b strings.Builder
	b.WriteString("#define KEEP 1\n#if X == 0\n")
	for i := 0; i < 300; i++ {
		if i > 0 {
			fmt.Fprintf(&b, "#elif X == %d\n", i)
		}
		for j := 0; j < 300; j++ {
			fmt.Fprintf(&b, "#define N%d %d\n", j, i)
		}
	}
	b.WriteString("#endif\n#ifdef N0\nLIVE1\n#else\nLIVE2\n#endif\n#if KEEP\nLIVE3\n#else\nDEAD1\n#endif\n")
	src := b.String()
	r := Evaluate([]byte(src), envAudit)
	checkInvariants(t, []byte(src), r)
	if diff := cmp.Diff(wantMarkers(src), markers(src, r)); diff != "" {
		t.Errorf("dead/live mismatch (-want +got):\n%s", diff)
	}
}

func TestEmptyConditionRange(t *testing.T) {
	for _, src := range []string{"#if\n#endif\n", "#  elif  \n", "#if", "# ifdef /* c */\n#endif"} {
		r := Evaluate([]byte(src), envAudit)
		checkInvariants(t, []byte(src), r)
		if len(r.Conditionals) != 1 {
			t.Fatalf("%q: %d conditionals", src, len(r.Conditionals))
		}
		c := r.Conditionals[0]
		if c.Start != c.End || c.Condition != "" || c.Verdict != 0 {
			t.Errorf("%q: %+v, want an empty undecidable condition", src, c)
		}
		if len(r.Problems) == 0 {
			t.Errorf("%q: no problem reported", src)
		}
	}
}
