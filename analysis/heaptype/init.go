package heaptype

import (
	"fmt"
	"strings"
)

// elem is one element of a braced initializer.
type elem struct {
	field      string // canonical member name; "" when past the known members
	written    string // the member name as written (designated) or field
	designated bool
	start, end int     // the value's byte range
	toks       []token // the value's tokens
	estart     int     // start of the whole element (designator included)
}

// initList is a parsed braced initializer.
type initList struct {
	open, close int // offsets of "{" and "}"
	elems       []elem
	// head is the PyVarObject_HEAD_INIT / PyObject_HEAD_INIT element (or a
	// braced ob_base element); headArgs its arguments.
	head     *elem
	headName string
	headArgs [][]token
	problems []Problem
}

// get returns the element initializing field, if any.
func (l *initList) get(field string) *elem {
	for i := range l.elems {
		if l.elems[i].field == field {
			return &l.elems[i]
		}
	}
	return nil
}

// parseInit reads the initializer between the braces at open and close.
// fields lists the members after the head; aliases maps older member names;
// withHead says the struct starts with a PyObject header (PyTypeObject) or
// PyModuleDef_Base (headName "m_base").
func parseInit(src []byte, open, close int, fields []string, aliases map[string]string, withHead string) *initList {
	l := &initList{open: open, close: close}
	toks := tokenize(src, open+1, close, false)
	var list []string
	for _, t := range toks {
		if t.kind == tDirective {
			l.problems = append(l.problems, Problem{Start: t.start, End: t.end,
				Message: "a preprocessor directive inside the initializer: the conversion cannot tell which members are set; move the condition outside the initializer"})
			return l
		}
	}
	idx := 0
	// A PyVarObject_HEAD_INIT(...) is followed by no comma.
	if withHead == "ob_base" && len(toks) > 1 && toks[0].kind == tIdent && isPunct(src, toks[1], "(") {
		name := toks[0].text(src)
		if name == "PyVarObject_HEAD_INIT" || name == "PyObject_HEAD_INIT" {
			j := matchClose(src, toks, 1)
			if j < 0 {
				l.problems = append(l.problems, Problem{Start: toks[0].start, End: toks[0].end, Message: "unbalanced " + name + "(...)"})
				return l
			}
			l.head = &elem{field: "ob_base", written: "ob_base", start: toks[0].start, end: toks[j].end, toks: toks[:j+1], estart: toks[0].start}
			l.headName = name
			l.headArgs = splitTop(src, toks[2:j])
			toks = toks[j+1:]
			if len(toks) > 0 && isPunct(src, toks[0], ",") {
				toks = toks[1:]
			}
			// PyObject_HEAD_INIT(type) is a braced element too: in
			// Python 3 it initializes the whole ob_base (ob_size is left
			// 0), so tp_name comes next. (Python 2 code followed it with
			// ob_size, which Python 3 reads as tp_name.)
		}
	}
	if list == nil {
		list = fields
	}
	positionalHead := withHead != "" && l.head == nil
	for _, part := range splitHeads(src, splitTop(src, toks)) {
		if len(part) == 0 {
			continue
		}
		e := elem{estart: part[0].start}
		val := part
		// .member = value
		if len(part) >= 3 && isPunct(src, part[0], ".") && part[1].kind == tIdent {
			k := 2
			for k+1 < len(part) && isPunct(src, part[k], ".") && part[k+1].kind == tIdent {
				k += 2
			}
			if k >= len(part) || !isPunct(src, part[k], "=") || k != 2 {
				l.problems = append(l.problems, Problem{Start: part[0].start, End: part[len(part)-1].end,
					Message: "nested or unusual designator: the conversion reads only .member = value"})
				continue
			}
			name := part[1].text(src)
			e.written, e.designated = name, true
			canon := name
			if a, ok := aliases[name]; ok {
				canon = a
			}
			if canon == withHead {
				e.field = canon
				e.start, e.end, e.toks = part[3].start, part[len(part)-1].end, part[3:]
				if withHead == "ob_base" {
					l.head = &e
					if v := part[3:]; len(v) > 2 && v[0].kind == tIdent && isPunct(src, v[1], "(") {
						if j := matchClose(src, v, 1); j == len(v)-1 {
							l.headName = v[0].text(src)
							l.headArgs = splitTop(src, v[2:j])
						}
					}
				}
				positionalHead = false
				idx = 0
				continue
			}
			found := -1
			for i, f := range list {
				if f == canon {
					found = i
				}
			}
			if found < 0 {
				l.problems = append(l.problems, Problem{Start: part[1].start, End: part[1].end,
					Message: fmt.Sprintf("unknown member .%s", name)})
				continue
			}
			e.field = canon
			idx = found + 1
			val = part[3:]
		} else if len(part) >= 2 && (isPunct(src, part[0], "[") || part[0].kind == tIdent && isPunct(src, part[1], ":")) {
			l.problems = append(l.problems, Problem{Start: part[0].start, End: part[len(part)-1].end,
				Message: "unsupported designator"})
			continue
		} else {
			if positionalHead {
				// The first positional element is the header itself
				// (e.g. a braced ob_base or PyModuleDef_HEAD_INIT).
				positionalHead = false
				h := elem{field: withHead, written: withHead, start: part[0].start, end: part[len(part)-1].end, toks: part, estart: part[0].start}
				if withHead == "ob_base" {
					l.head = &h
				}
				l.elems = append(l.elems, h)
				continue
			}
			if idx < len(list) {
				e.field = list[idx]
			}
			e.written = e.field
			idx++
		}
		positionalHead = false
		if len(val) == 0 {
			continue
		}
		e.start, e.end, e.toks = val[0].start, val[len(val)-1].end, val
		l.elems = append(l.elems, e)
	}
	return l
}

// isZero reports whether a value is a null pointer or zero constant,
// possibly cast: 0, NULL, nullptr, 0L, (destructor)0, (printfunc)NULL.
func isZero(src []byte, toks []token) bool {
	toks = stripCasts(src, toks)
	for len(toks) >= 2 && isPunct(src, toks[0], "(") && isPunct(src, toks[len(toks)-1], ")") && matchClose(src, toks, 0) == len(toks)-1 {
		toks = stripCasts(src, toks[1:len(toks)-1])
	}
	if len(toks) != 1 {
		return false
	}
	s := toks[0].text(src)
	switch s {
	case "NULL", "nullptr", "0", "0L", "0UL", "0l", "0ul", "0u", "0U":
		return true
	}
	return false
}

// stripCasts removes leading casts: (destructor)f -> f, (PyObject *)&x -> &x.
// A parenthesized expression that is not followed by an operand is kept.
func stripCasts(src []byte, toks []token) []token {
	for len(toks) > 2 && isPunct(src, toks[0], "(") {
		j := matchClose(src, toks, 0)
		if j < 0 || j == len(toks)-1 || !looksLikeType(src, toks[1:j]) {
			break
		}
		toks = toks[j+1:]
	}
	return toks
}

// looksLikeType reports whether toks can be a type name in a cast:
// identifiers (and keywords) followed by stars.
func looksLikeType(src []byte, toks []token) bool {
	if len(toks) == 0 || toks[0].kind != tIdent {
		return false
	}
	for _, t := range toks {
		if t.kind == tIdent || isPunct(src, t, "*") {
			continue
		}
		return false
	}
	return true
}

// refName returns the identifier a value names, with casts stripped:
// "(destructor)Foo_dealloc" -> "Foo_dealloc", addr false;
// "&Foo_as_number" -> "Foo_as_number", addr true.
func refName(src []byte, toks []token) (name string, addr, ok bool) {
	toks = stripCasts(src, stripCxxCast(src, toks))
	for len(toks) >= 3 && isPunct(src, toks[0], "(") && matchClose(src, toks, 0) == len(toks)-1 {
		toks = stripCasts(src, toks[1:len(toks)-1])
	}
	if len(toks) == 2 && isPunct(src, toks[0], "&") && toks[1].kind == tIdent {
		return toks[1].text(src), true, true
	}
	if len(toks) == 1 && toks[0].kind == tIdent {
		return toks[0].text(src), false, true
	}
	return "", false, false
}

// text returns the source of an element value, comments removed and line
// breaks folded: tokens are joined by one space where the source had
// whitespace or a comment between them.
func (e *elem) text(src []byte) string { return joinToks(src, e.toks) }

func joinToks(src []byte, toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && toks[i-1].end != t.start {
			b.WriteByte(' ')
		}
		b.Write(src[t.start:t.end])
	}
	return b.String()
}

// stripCxxCast removes a static_cast<T>(...), reinterpret_cast or
// const_cast around the whole value.
func stripCxxCast(src []byte, toks []token) []token {
	for len(toks) >= 5 && toks[0].kind == tIdent && isPunct(src, toks[1], "<") {
		switch toks[0].text(src) {
		case "static_cast", "reinterpret_cast", "const_cast":
		default:
			return toks
		}
		depth, j := 0, 1
		for ; j < len(toks); j++ {
			if isPunct(src, toks[j], "<") {
				depth++
			} else if isPunct(src, toks[j], ">") {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j+1 >= len(toks) || !isPunct(src, toks[j+1], "(") || matchClose(src, toks, j+1) != len(toks)-1 {
			return toks
		}
		toks = toks[j+2 : len(toks)-1]
	}
	return toks
}

// splitHeads splits a part after a PyVarObject_HEAD_INIT(...) that is not
// its last token: `.ob_base = PyVarObject_HEAD_INIT(NULL, 0) .tp_name = x`
// has no comma between the two (the macro brings it).
func splitHeads(src []byte, parts [][]token) [][]token {
	var out [][]token
	for _, p := range parts {
		for {
			cut := -1
			for i := 0; i+1 < len(p); i++ {
				if p[i].kind == tIdent && isPunct(src, p[i+1], "(") &&
					(isIdent(src, p[i], "PyVarObject_HEAD_INIT") || isIdent(src, p[i], "PyObject_HEAD_INIT")) {
					if j := matchClose(src, p, i+1); j >= 0 && j+1 < len(p) {
						cut = j + 1
					}
					break
				}
			}
			if cut < 0 {
				break
			}
			out = append(out, p[:cut])
			p = p[cut:]
		}
		out = append(out, p)
	}
	return out
}
