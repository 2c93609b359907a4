// Package preproc follows the C preprocessor over the text of a file: it
// evaluates #if/#ifdef/#ifndef/#elif/#elifdef/#elifndef/#else under a
// target, reports which byte ranges are dead, and collects the file's
// #defines (Py_LIMITED_API / Py_TARGET_ABI3T among them), #undefs and
// #include directives. It reads the bytes once, without a parse tree.
//
// Conditions are evaluated as GCC does (64-bit intmax_t/uintmax_t
// arithmetic, signed plain char), with the file's macros and Env. What
// cannot be known makes a condition undecidable, and undecidable code is
// live: a name neither defined nor known undefined, a function-like macro
// that is not simple, division by zero, a syntax error. && || and ?: decide
// without the unknown operand when they can (`0 && X` is false). A #define
// or #undef holds for the rest of its branch; at #endif the possible
// outcomes of the group are merged (see state.go), so that include guards
// and `#ifndef X / #define X ... / #endif` keep what follows decidable.
//
// CONTRACT: the exported names in this file are used by analysis/. Extend
// them; do not rename or remove them.
package preproc

import "bytes"

// Range is a half-open byte range [Start, End).
type Range struct{ Start, End int }

// Define is an object-like or function-like #define in the file.
type Define struct {
	Name       string
	Value      string // replacement text, trimmed ("" for `#define X`)
	Params     []string
	Function   bool
	Start, End int // byte range of the whole directive
	NameStart  int // byte range of the name
	NameEnd    int
	ValueStart int // byte range of the value (== ValueEnd when empty)
	ValueEnd   int
	Line       int  // 1-based
	Live       bool // not in a dead range (defines in dead code have no effect)
	// AfterPython is true when the first live #include of Python.h comes
	// before this #define (a Py_LIMITED_API defined there has no effect).
	AfterPython bool
}

// Undef is an #undef directive.
type Undef struct {
	Name               string
	Start, End         int // byte range of the whole directive
	NameStart, NameEnd int
	Line               int
	Live               bool
}

// Problem is a malformed or unbalanced directive. Evaluation carries on.
type Problem struct {
	Start, End int
	Line       int
	Message    string
}

// Include is an #include directive.
type Include struct {
	Path       string // as written, without quotes or brackets
	System     bool   // <...>
	Start, End int    // byte range of the whole directive
	Line       int
	Live       bool
	// PathStart/PathEnd is the byte range of Path (inside the quotes).
	PathStart, PathEnd int
	// Computed is true for `#include MACRO`: Path is the text as written.
	Computed bool
	// Directive is "include", "include_next" or "import".
	Directive string
}

// Conditional is one #if/#ifdef/#ifndef/#elif test, with its verdict.
type Conditional struct {
	Directive  string // "#if", "#ifdef", "#ifndef", "#elif", "#elifdef", "#elifndef"
	Condition  string // text of the condition (comments blanked, continuations joined)
	Start, End int    // byte range of the condition text
	Line       int
	// Verdict: +1 true, 0 undecidable (treated as live), -1 false.
	Verdict int
	// Uses lists the macro names the condition tests (e.g. "PY_VERSION_HEX"),
	// directly or through the file's macros, in order of first appearance.
	Uses []string
	// DirectiveStart is the offset of the '#'.
	DirectiveStart int
	// Live: the directive is in live code (the enclosing branches are live).
	// Conditionals inside dead code are recorded with Verdict 0 and Live false.
	Live bool
	// BranchLive: the code this test guards is live. False when the test
	// is false, or an earlier branch of the same #if is certainly taken, or
	// the directive itself is dead.
	BranchLive bool
}

// Env is what the evaluator knows before reading the file. Every name that
// is neither defined (by the file or Env.Defined) nor listed in
// Env.Undefined is unknown: a condition whose value depends on it is
// undecidable and its code is live (PY_VERSION_HEX, __cplusplus, _WIN32,
// macros of other headers). Env.Defined holds object-like macros only; give
// `-DNAME` (no value) as "1".
type Env struct {
	// Defined maps macro name to value for macros defined from outside the
	// file (the target: "Py_LIMITED_API" -> "0x030A0000"; compile flags).
	Defined map[string]string
	// Undefined lists macros known NOT to be defined (e.g. Py_LIMITED_API in
	// audit mode is unknown, not undefined: leave it out of both).
	Undefined []string
}

// Result is the outcome of Evaluate.
type Result struct {
	Dead         []Range // sorted, non-overlapping; code inside gets no findings
	Defines      []Define
	Includes     []Include
	Conditionals []Conditional
	Undefs       []Undef
	Problems     []Problem
	// PythonInclude is the first live #include of Python.h ("Python.h" or
	// <Python.h>, any directory prefix), nil if none; it points into Includes.
	PythonInclude *Include
}

// IsDead reports whether byte offset off lies in a dead range.
func (r *Result) IsDead(off int) bool {
	lo, hi := 0, len(r.Dead)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case off < r.Dead[m].Start:
			hi = m
		case off >= r.Dead[m].End:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// Evaluate scans src's preprocessor directives (text-based: robust to
// unbalanced directives, directives inside function bodies, comments and
// line continuations) and evaluates conditionals under env. It never fails.
func Evaluate(src []byte, env Env) *Result {
	s := scanner{src: src, env: env, line: 1, pyInc: -1}
	s.ev.src = &s
	// most '#' start a directive and most directives are conditionals
	if h := bytes.Count(src, []byte{'#'}); h > 0 {
		s.res.Conditionals = make([]Conditional, 0, h/2+1)
		s.res.Dead = make([]Range, 0, h/4+1)
	}
	s.run()
	return s.finish()
}
