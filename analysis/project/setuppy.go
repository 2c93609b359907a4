package project

import (
	"strings"
)

// ParseSetupPy reads a setup.py as text (it is never executed) and returns
// the targets it declares:
//
//   - ("Py_LIMITED_API", "0x03080000") or ["Py_TARGET_ABI3T", ...] pairs,
//     wherever they are written (define_macros=[...], a variable holding
//     them); a value that is not a literal gives a declaration without a
//     version (ABI3 set);
//   - compiler flags in string literals: "-DPy_LIMITED_API=0x03080000";
//   - py_limited_api=True (keyword) or "py_limited_api": True: the stable
//     ABI without a version (ABI3 set);
//   - py_limited_api="cp38" / {"py_limited_api": "cp38"} (bdist_wheel
//     options): the wheel tag's version.
//
// Declarations written inside an Extension(...) call (any callee whose
// name ends in "Extension") with literal sources carry those sources in
// Files. path is the file's slash path relative to the workspace root.
// Comments and string contents never count.
func ParseSetupPy(path string, src []byte) ([]Declaration, []Problem) {
	const source = "setup.py"
	li := newLineIndex(src)
	toks := lexPython(src)
	match := matchBrackets(toks)
	type located struct {
		d   Declaration
		tok int // index of the first token, to find the enclosing Extension
	}
	var found []located
	add := func(d Declaration, at int) { found = append(found, located{d, at}) }

	closesAt := func(i, open int) bool {
		// toks[i] ends the pair: the closer of open, or a trailing comma
		// before it.
		if i < len(toks) && i == match[open] {
			return true
		}
		return i+1 < len(toks) && toks[i].is(tOp, ",") && i+1 == match[open]
	}

	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tOp:
			// ("Py_LIMITED_API", value) / ["Py_LIMITED_API", value]
			if (t.text != "(" && t.text != "[") || i+3 >= len(toks) {
				continue
			}
			name := toks[i+1]
			if name.kind != tString || !isTargetMacro(strings.TrimSpace(name.text)) || !toks[i+2].is(tOp, ",") {
				continue
			}
			end := match[i]
			if end < 0 || end > len(toks) {
				continue
			}
			endOff := len(src)
			if end < len(toks) {
				endOff = toks[end].end
			}
			d := li.decl(source, path, t.start, endOff)
			macro := strings.TrimSpace(name.text)
			v := toks[i+3]
			switch {
			case (v.kind == tString && !isFString(src, v) || v.kind == tNumber) && closesAt(i+4, i):
				setDefine(&d, macro, v.text, true)
			case v.is(tName, "None") && closesAt(i+4, i):
				setDefine(&d, macro, "", false)
			default:
				setComputed(&d, macro, textBetween(src, toks, i+3, end))
			}
			add(d, i)
		case tString:
			if m, val, has, ok, _ := flagDefine(strings.TrimSpace(t.text)); ok {
				d := li.decl(source, path, t.start, t.end)
				setDefine(&d, m, val, has)
				add(d, i)
				continue
			}
			// "py_limited_api": value
			if isPyLimitedKey(t.text) && i+2 < len(toks) && toks[i+1].is(tOp, ":") {
				if d, ok := pyLimitedValue(li, source, path, src, toks, t, i+2); ok {
					add(d, i)
				}
			}
		case tName:
			// py_limited_api=value
			if t.text == "py_limited_api" && i+2 < len(toks) && toks[i+1].is(tOp, "=") {
				if d, ok := pyLimitedValue(li, source, path, src, toks, t, i+2); ok {
					add(d, i)
				}
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}

	// Attach literal sources of enclosing Extension(...) calls.
	eval := newSrcEval(toks, match, dirOf(path))
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].kind != tName || !strings.HasSuffix(toks[i].text, "Extension") || !toks[i+1].is(tOp, "(") {
			continue
		}
		open, close := i+1, match[i+1]
		files := extensionSources(eval, open, close)
		if len(files) == 0 {
			continue
		}
		for k := range found {
			if found[k].tok > open && found[k].tok < close {
				found[k].d.Files = files
			}
		}
	}
	out := make([]Declaration, len(found))
	for k, f := range found {
		out[k] = f.d
	}
	return out, nil
}

func isPyLimitedKey(s string) bool { return s == "py_limited_api" || s == "py-limited-api" }

// pyLimitedValue reads the value of py_limited_api at toks[v]: True (the
// stable ABI, version unknown), a string (a wheel tag such as "cp38"), or
// anything else (False, a computed value: no declaration).
func pyLimitedValue(li *lineIndex, source, path string, src []byte, toks []tok, key tok, v int) (Declaration, bool) {
	val := toks[v]
	if v+1 < len(toks) {
		if next := toks[v+1]; next.kind != tOp || !strings.Contains(",)]}", next.text) {
			return Declaration{}, false // an expression: not evaluated
		}
	}
	d := li.decl(source, path, key.start, val.end)
	switch {
	case val.is(tName, "True"):
		d.ABI3 = true
		return d, true
	case val.kind == tString:
		s := strings.TrimSpace(val.text)
		switch strings.ToLower(s) {
		case "", "false", "0", "no", "none":
			return Declaration{}, false
		case "true", "1", "yes":
			d.ABI3 = true
			d.Value = clip(val.text)
			return d, true
		}
		setWheelVersion(&d, val.text)
		return d, true
	}
	return Declaration{}, false
}

// extensionSources returns the source paths of the Extension call whose
// arguments are toks(open, close): sources=... or the second positional
// argument; nil when they are not all known.
func extensionSources(e *srcEval, open, close int) []string {
	if close < 0 {
		return nil
	}
	pos := 0
	for _, a := range splitArgs(e.toks, e.match, open, close, "=") {
		var use bool
		switch a.kw {
		case "sources":
			use = true
		case "":
			pos++
			use = pos == 2
		}
		if !use {
			continue
		}
		files, ok := e.eval(a.start, a.end, open, maxSrcDepth)
		if !ok {
			return nil
		}
		return files
	}
	return nil
}

// textBetween is the source text of toks[from:to] (to may be len(toks)).
func textBetween(src []byte, toks []tok, from, to int) string {
	to = min(to, len(toks))
	if from < 0 || from >= to {
		return ""
	}
	return clipBytes(src[toks[from].start:toks[to-1].end])
}

// isFString reports whether the string token t has an f (or t) prefix: its
// value is computed.
func isFString(src []byte, t tok) bool {
	for i := t.start; i < t.end && i < len(src); i++ {
		switch src[i] {
		case 'f', 'F', 't', 'T':
			return true
		case '\'', '"':
			return false
		}
	}
	return false
}
