// Package preproc follows the C preprocessor over a tree-sitter tree: it
// evaluates #if/#ifdef/#ifndef/#elif/#else under a target, reports which byte
// ranges are dead, and collects the file's object-like #defines, the
// Py_LIMITED_API / Py_TARGET_ABI3T definitions and the #include directives.
//
// CONTRACT: the exported names in this file are used by analysis/. Extend
// them; do not rename or remove them.
package preproc

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
	Line       int // 1-based
	Live       bool
}

// Include is an #include directive.
type Include struct {
	Path       string // as written, without quotes or brackets
	System     bool   // <...>
	Start, End int
	Line       int
	Live       bool
}

// Conditional is one #if/#ifdef/#ifndef/#elif test, with its verdict.
type Conditional struct {
	Directive  string // "#if", "#ifdef", "#ifndef", "#elif"
	Condition  string // text of the condition
	Start, End int    // byte range of the condition text
	Line       int
	// Verdict: +1 true, 0 undecidable (treated as live), -1 false.
	Verdict int
	// Uses lists the macro names the condition tests (e.g. "PY_VERSION_HEX").
	Uses []string
}

// Env is what the evaluator knows before reading the file.
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
// STUB: the preproc engineer implements it.
func Evaluate(src []byte, env Env) *Result { return &Result{} }
