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
	for i < n {
		c := src[i]
		switch {
		case c == '#':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\\':
			i++
		case c == '\'' || c == '"':
			t, next := lexString(src, i, i)
			toks = append(toks, t)
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
			toks = append(toks, tok{kind: tNumber, text: string(src[i:j]), start: i, end: j})
			i = j
		case isIdentByte(c):
			j := i + 1
			for j < n && isIdentByte(src[j]) {
				j++
			}
			if j < n && (src[j] == '\'' || src[j] == '"') && isStringPrefix(string(src[i:j])) {
				t, next := lexString(src, i, j)
				toks = append(toks, t)
				i = next
				continue
			}
			toks = append(toks, tok{kind: tName, text: string(src[i:j]), start: i, end: j})
			i = j
		default:
			j := i + 1
			if j < n && src[j] == '=' && strings.IndexByte("=!<>:+-*/%&|^@", c) >= 0 {
				j++
			}
			toks = append(toks, tok{kind: tOp, text: string(src[i:j]), start: i, end: j})
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

// stringsIn returns the string literals among toks[start:end] (any depth).
func stringsIn(toks []tok, start, end int) []tok {
	var out []tok
	for i := start; i < end && i < len(toks); i++ {
		if toks[i].kind == tString {
			out = append(out, toks[i])
		}
	}
	return out
}
