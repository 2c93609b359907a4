package heaptype

// A small C tokenizer. Tree-sitter cannot parse initializer lists that use
// PyVarObject_HEAD_INIT (a macro that expands to a braced element and a
// comma), so the elements of initializers are read from tokens instead.

type tokKind int

const (
	tIdent tokKind = iota
	tNumber
	tString // "..." (with an optional prefix such as L or u8)
	tChar   // '...'
	tPunct  // one operator or punctuation character (multi-character operators are split, except "->")
	tDirective
)

type token struct {
	kind       tokKind
	start, end int
	// inDirective is set for tokens inside a preprocessor directive line
	// (a #define body, an #if expression); the directive itself is a
	// tDirective token spanning the whole logical line.
	inDirective bool
}

func (t token) text(src []byte) string { return string(src[t.start:t.end]) }

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '$'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// tokenize returns the tokens of src[start:end], without comments or
// whitespace. Each preprocessor line yields a tDirective token for the
// whole logical line, followed by the tokens of its contents (marked
// inDirective) when withDirectiveBody is set.
func tokenize(src []byte, start, end int, withDirectiveBody bool) []token {
	out := make([]token, 0, (end-start)/5+1)
	i := start
	lineStart := true // only whitespace seen since the last newline
	for i < end {
		c := src[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '\\' && i+1 < end && (src[i+1] == '\n' || src[i+1] == '\r'):
			i += 2
			continue
		case c == '/' && i+1 < end && src[i+1] == '/':
			for i < end && src[i] != '\n' {
				if src[i] == '\\' && i+1 < end && src[i+1] == '\n' {
					i++
				}
				i++
			}
			continue
		case c == '/' && i+1 < end && src[i+1] == '*':
			j := i + 2
			for j < end && !(src[j] == '*' && j+1 < end && src[j+1] == '/') {
				j++
			}
			i = min(j+2, end)
			continue
		case c == '#' && lineStart:
			j := directiveEnd(src, i, end)
			out = append(out, token{kind: tDirective, start: i, end: j})
			if withDirectiveBody {
				for _, t := range tokenize(src, i+1, j, false) {
					t.inDirective = true
					out = append(out, t)
				}
			}
			i = j
			continue
		}
		lineStart = false
		switch {
		case c == '"' || c == '\'':
			j := skipQuoted(src, i, end)
			k := tString
			if c == '\'' {
				k = tChar
			}
			out = append(out, token{kind: k, start: i, end: j})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < end && isIdentChar(src[j]) {
				j++
			}
			// string/char prefixes: L"", u8"", u"", U"", R"" is not handled
			if j < end && (src[j] == '"' || src[j] == '\'') {
				p := string(src[i:j])
				if p == "L" || p == "u" || p == "U" || p == "u8" {
					k := skipQuoted(src, j, end)
					kind := tString
					if src[j] == '\'' {
						kind = tChar
					}
					out = append(out, token{kind: kind, start: i, end: k})
					i = k
					continue
				}
			}
			out = append(out, token{kind: tIdent, start: i, end: j})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < end && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < end && (isIdentChar(src[j]) || src[j] == '.' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E' || src[j-1] == 'p' || src[j-1] == 'P')) {
				j++
			}
			out = append(out, token{kind: tNumber, start: i, end: j})
			i = j
		case c == '-' && i+1 < end && src[i+1] == '>':
			out = append(out, token{kind: tPunct, start: i, end: i + 2})
			i += 2
		default:
			out = append(out, token{kind: tPunct, start: i, end: i + 1})
			i++
		}
	}
	return out
}

// directiveEnd returns the end of the logical preprocessor line starting at
// i (the offset of the newline, or end), honouring backslash continuations
// and comments that span lines.
func directiveEnd(src []byte, i, end int) int {
	for i < end {
		switch {
		case src[i] == '\\' && i+1 < end && src[i+1] == '\n':
			i += 2
		case src[i] == '\\' && i+2 < end && src[i+1] == '\r' && src[i+2] == '\n':
			i += 3
		case src[i] == '/' && i+1 < end && src[i+1] == '*':
			j := i + 2
			for j < end && !(src[j] == '*' && j+1 < end && src[j+1] == '/') {
				j++
			}
			i = min(j+2, end)
		case src[i] == '/' && i+1 < end && src[i+1] == '/':
			for i < end && src[i] != '\n' {
				i++
			}
		case src[i] == '"' || src[i] == '\'':
			i = skipQuoted(src, i, end)
		case src[i] == '\n':
			return i
		default:
			i++
		}
	}
	return end
}

// skipQuoted returns the offset after the string or character literal that
// starts at i (its opening quote). An unterminated literal ends at the line.
func skipQuoted(src []byte, i, end int) int {
	q := src[i]
	j := i + 1
	for j < end {
		switch src[j] {
		case '\\':
			j += 2
			continue
		case q:
			return j + 1
		case '\n':
			return j
		}
		j++
	}
	return end
}

// isPunct reports whether t is the punctuation p.
func isPunct(src []byte, t token, p string) bool {
	return t.kind == tPunct && t.end-t.start == len(p) && string(src[t.start:t.end]) == p
}

// isIdent reports whether t is the identifier name.
func isIdent(src []byte, t token, name string) bool {
	return t.kind == tIdent && t.end-t.start == len(name) && string(src[t.start:t.end]) == name
}

// matchClose returns the index of the token closing the bracket at toks[i]
// ("(", "[" or "{"), or -1 when it is not closed.
func matchClose(src []byte, toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		if toks[j].kind != tPunct {
			continue
		}
		switch src[toks[j].start] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// splitTop splits toks at top-level commas (outside brackets).
func splitTop(src []byte, toks []token) [][]token {
	var out [][]token
	depth, from := 0, 0
	for j, t := range toks {
		if t.kind != tPunct {
			continue
		}
		switch src[t.start] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, toks[from:j])
				from = j + 1
			}
		}
	}
	if from < len(toks) {
		out = append(out, toks[from:])
	}
	return out
}
