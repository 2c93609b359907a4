package project

import "strings"

// A small tokenizer for Python-like text (setup.py, meson.build): names,
// numbers, strings (with prefixes and triple quotes) and operators.
// Comments, whitespace and line continuations are dropped. It never fails:
// unterminated strings end at the end of the line (or of the text for
// triple-quoted ones). Linear in the input.

type tokKind uint8

const (
	tName tokKind = iota + 1
	tNumber
	tString
	tOp
)

type tok struct {
	kind       tokKind
	text       string // as written; for strings the content between the quotes
	start, end int    // byte offsets in the source, quotes and prefix included
	nl         bool   // a line break (not a continuation) precedes the token
}

func (t tok) is(kind tokKind, text string) bool { return t.kind == kind && t.text == text }

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isStringPrefix reports whether s may prefix a Python string literal.
func isStringPrefix(s string) bool {
	switch strings.ToLower(s) {
	case "r", "b", "u", "f", "t", "br", "rb", "fr", "rf", "tr", "rt":
		return true
	}
	return false
}

func lexPython(src []byte) []tok {
	var toks []tok
	n := len(src)
	i := 0
	nl := true
	emit := func(t tok) {
		t.nl = nl
		nl = false
		toks = append(toks, t)
	}
	for i < n {
		c := src[i]
		switch {
		case c == '#':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '\\' && i+1 < n && src[i+1] == '\n':
			i += 2
		case c == '\\' && i+2 < n && src[i+1] == '\r' && src[i+2] == '\n':
			i += 3
		case c == '\n':
			nl = true
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\\':
			i++
		case c == '\'' || c == '"':
			t, next := lexString(src, i, i)
			emit(t)
			i = next
		case isDigit(c) || c == '.' && i+1 < n && isDigit(src[i+1]):
			j := i + 1
			for j < n {
				d := src[j]
				if isIdentByte(d) || d == '.' {
					j++
					continue
				}
				if (d == '+' || d == '-') && (src[j-1] == 'e' || src[j-1] == 'E') && !strings.HasPrefix(strings.ToLower(string(src[i:j])), "0x") {
					j++
					continue
				}
				break
			}
			emit(tok{kind: tNumber, text: string(src[i:j]), start: i, end: j})
			i = j
		case isIdentByte(c):
			j := i + 1
			for j < n && isIdentByte(src[j]) {
				j++
			}
			if j < n && (src[j] == '\'' || src[j] == '"') && isStringPrefix(string(src[i:j])) {
				t, next := lexString(src, i, j)
				emit(t)
				i = next
				continue
			}
			emit(tok{kind: tName, text: string(src[i:j]), start: i, end: j})
			i = j
		default:
			j := i + 1
			if j < n && src[j] == '=' && strings.IndexByte("=!<>:+-*/%&|^@", c) >= 0 {
				j++
			}
			emit(tok{kind: tOp, text: string(src[i:j]), start: i, end: j})
			i = j
		}
	}
	return toks
}

// lexString scans a string literal whose prefix starts at start and whose
// opening quote is at q.
func lexString(src []byte, start, q int) (tok, int) {
	n := len(src)
	quote := src[q]
	triple := q+2 < n && src[q+1] == quote && src[q+2] == quote
	if triple {
		i := q + 3
		for i < n {
			if src[i] == '\\' {
				i += 2
				continue
			}
			if src[i] == quote && i+2 < n && src[i+1] == quote && src[i+2] == quote {
				return tok{kind: tString, text: string(src[q+3 : i]), start: start, end: i + 3}, i + 3
			}
			i++
		}
		end := min(n, max(q+3, i))
		return tok{kind: tString, text: string(src[min(q+3, n):end]), start: start, end: end}, end
	}
	i := q + 1
	for i < n {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case quote:
			return tok{kind: tString, text: string(src[q+1 : i]), start: start, end: i + 1}, i + 1
		case '\n':
			return tok{kind: tString, text: string(src[q+1 : i]), start: start, end: i}, i
		}
		i++
	}
	i = min(i, n)
	return tok{kind: tString, text: string(src[q+1 : i]), start: start, end: i}, i
}

// matchBrackets returns, for each opening bracket token, the index of its
// closing token (len(toks) when unclosed); other entries are -1. A closer
// that does not match the innermost opener is ignored.
func matchBrackets(toks []tok) []int {
	match := make([]int, len(toks))
	var stack []int
	for i, t := range toks {
		match[i] = -1
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			stack = append(stack, i)
		case ")", "]", "}":
			if len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			if closerOf(toks[top].text) == t.text {
				match[top] = i
				stack = stack[:len(stack)-1]
			}
		}
	}
	for _, s := range stack {
		match[s] = len(toks)
	}
	return match
}

func closerOf(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	case "{":
		return "}"
	}
	return ""
}

// callArg is one argument of a call: tokens [start, end), with its keyword
// name when written name=value (Python) or name: value (meson).
type callArg struct {
	kw         string
	start, end int // token indices of the value
}

// splitArgs splits the tokens between an opening bracket at open and its
// closer at close into top-level comma-separated arguments. kwSep is "="
// for Python and ":" for meson.
func splitArgs(toks []tok, match []int, open, close int, kwSep string) []callArg {
	var args []callArg
	i := open + 1
	argStart := i
	flush := func(end int) {
		if end <= argStart {
			return
		}
		a := callArg{start: argStart, end: end}
		if end-argStart >= 2 && toks[argStart].kind == tName && toks[argStart+1].is(tOp, kwSep) {
			a.kw = toks[argStart].text
			a.start = argStart + 2
		}
		args = append(args, a)
	}
	for i < close && i < len(toks) {
		t := toks[i]
		if t.kind == tOp {
			if m := match[i]; m > i {
				i = m + 1
				continue
			}
			if t.text == "," {
				flush(i)
				argStart = i + 1
			}
		}
		i++
	}
	flush(min(close, len(toks)))
	return args
}

// srcEval evaluates the source lists of setup.py and meson.build calls:
// string literals, lists and tuples of them, meson files(...) calls,
// variables assigned such values at the top level (the latest assignment
// before the use), and + / += concatenation. Anything else (a glob(), a
// comprehension, an unknown variable) makes the list incomplete, and an
// incomplete list is not used: a declaration limited to some of a
// module's files would wrongly not apply to the others.
type srcEval struct {
	toks  []tok
	match []int
	dir   string
	vars  map[string][]srcAssign
}

type srcAssign struct {
	at    int // token index of the name
	files []string
	ok    bool
}

// maxSrcDepth bounds how deep lists are followed, and maxSrcFiles how
// long a list may grow, which keeps evaluation linear on adversarial
// input; a longer list counts as incomplete.
const (
	maxSrcDepth = 3
	maxSrcFiles = 1024
)

func newSrcEval(toks []tok, match []int, dir string) *srcEval {
	e := &srcEval{toks: toks, match: match, dir: dir, vars: map[string][]srcAssign{}}
	// Statement-level assignments: NAME = expr / NAME += expr at depth 0
	// at the start of a line.
	depth := 0
	var open []int
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tOp {
			switch {
			case match[i] >= 0:
				open = append(open, i)
				depth++
			case len(open) > 0 && match[open[len(open)-1]] == i:
				open = open[:len(open)-1]
				depth--
			}
		}
		if depth != 0 || t.kind != tName || !t.nl || i+2 >= len(toks) {
			continue
		}
		op := toks[i+1]
		if !op.is(tOp, "=") && !op.is(tOp, "+=") {
			continue
		}
		end := e.statementEnd(i + 2)
		files, ok := e.eval(i+2, end, i, maxSrcDepth)
		if op.text == "+=" {
			prev, found := e.lookup(t.text, i)
			ok = ok && found && prev.ok && len(prev.files)+len(files) <= maxSrcFiles
			if ok {
				files = append(append([]string(nil), prev.files...), files...)
			}
		}
		if !ok {
			files = nil
		}
		e.vars[t.text] = append(e.vars[t.text], srcAssign{at: i, files: files, ok: ok})
	}
	return e
}

// statementEnd returns the index after the expression starting at from:
// the next token at the same bracket level that starts a new line, unless
// the line ended with an operator that continues the expression.
func (e *srcEval) statementEnd(from int) int {
	for i := from; i < len(e.toks); {
		if i > from && e.toks[i].nl {
			prev := e.toks[i-1]
			if !(prev.kind == tOp && (prev.text == "+" || prev.text == ",")) {
				return i
			}
		}
		if m := e.match[i]; m > i {
			i = m + 1
			continue
		}
		i++
	}
	return len(e.toks)
}

func (e *srcEval) lookup(name string, at int) (srcAssign, bool) {
	as := e.vars[name]
	for k := len(as) - 1; k >= 0; k-- {
		if as[k].at < at {
			return as[k], true
		}
	}
	return srcAssign{}, false
}

// eval evaluates toks[start:end] (used at token index at) to a list of
// root-relative source paths; ok is false when the list is incomplete.
func (e *srcEval) eval(start, end, at, depth int) (files []string, ok bool) {
	ok = true
	toks := e.toks
	end = min(end, len(toks))
	for i := start; i < end; {
		t := toks[i]
		switch {
		case t.kind == tString:
			name := strings.TrimSpace(t.text)
			if strings.ContainsAny(name, "*?[{$@") {
				ok = false
			} else if p, good := joinRel(e.dir, name); good && isSourceName(p) {
				files = append(files, p)
			}
			i++
		case t.is(tOp, "+") || t.is(tOp, ","):
			i++
		case t.is(tOp, "[") || t.is(tOp, "(") || t.kind == tName && t.text == "files" && i+1 < end && toks[i+1].is(tOp, "("):
			if t.kind == tName {
				i++
			}
			m := min(e.match[i], end)
			if depth <= 0 {
				ok = false
			} else {
				f, good := e.eval(i+1, m, at, depth-1)
				files = append(files, f...)
				ok = ok && good
			}
			i = m + 1
		case t.kind == tName && !(i+1 < end && (toks[i+1].is(tOp, "(") || toks[i+1].is(tOp, ".") || toks[i+1].is(tOp, "["))):
			v, found := e.lookup(t.text, at)
			ok = ok && found && v.ok && len(files)+len(v.files) <= maxSrcFiles
			if ok {
				files = append(files, v.files...)
			}
			i++
		default:
			// A call, an attribute, a subscript, a comprehension: unknown.
			ok = false
			if i+1 < end && e.match[i+1] > i+1 {
				i = e.match[i+1] + 1 // skip the call's arguments
			} else {
				i++
			}
		}
	}
	if !ok || len(files) > maxSrcFiles {
		return nil, false
	}
	return files, ok
}
