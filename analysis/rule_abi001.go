package analysis

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

var ruleABI001 = Rule{
	Code:     "ABI001",
	Name:     "not-limited-api",
	Severity: SeverityError,
	Summary:  "A CPython function, macro, type, variable or constant outside the Limited API",
	What: "Flags uses of C API names that are public in CPython but not part of the Limited API: " +
		"everything declared in `Include/cpython/`, names hidden when `Py_LIMITED_API` is defined, and the " +
		"`PyUnstable_*` API. Names the project defines itself (functions, macros, typedefs in the file or " +
		"its local headers) are never flagged, nor are names in comments, strings or dead preprocessor branches.",
	Why: "An extension built with `Py_LIMITED_API` promises to run unchanged on every later CPython (an abi3 " +
		"wheel). Names outside the Limited API are either missing from the headers under that define (the build " +
		"fails) or are macros and inline functions that bake one version's struct layout into the binary, which " +
		"then crashes or misbehaves on another version.",
	Example: "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\n\n" +
		"static PyObject *first(PyObject *self, PyObject *args)\n{\n" +
		"    PyObject *item = PyTuple_GET_ITEM(args, 0);\n    Py_INCREF(item);\n    return item;\n}\n",
	Instead: "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\n\n" +
		"static PyObject *first(PyObject *self, PyObject *args)\n{\n" +
		"    PyObject *item = PyTuple_GetItem(args, 0);\n    Py_XINCREF(item);\n    return item;\n}\n",
	Fix: FixSometimes,
	FixSafety: "When the database lists a limited alternative that takes the same arguments and keeps behaviour " +
		"(a macro and its function form, such as `PyTuple_GET_ITEM` and `PyTuple_GetItem`), and the alternative " +
		"is available at the file's target, a safe fix renames the call. Other alternatives are named in the " +
		"message only.",
	CompilerVisible: true,
}

// abi001 reports a name outside the Limited API.
func (p *pass) abi001(u *use, e *abi.Entry) {
	msg := u.info.name + " " + notInLimited(p.audit) + " (" + tierPhrase(e) + ")" + p.altPhraseFor(u, e.Alt)
	f := Finding{Code: "ABI001", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name}
	if fix := p.altFix(u, e.Alt); fix != nil {
		f.Fixes = append(f.Fixes, *fix)
	}
	p.report(f)
}

// altFix renames a use to its mechanical alternative when the target has it.
func (p *pass) altFix(u *use, alt *abi.Alternative) *Fix {
	if alt == nil || !alt.Mechanical || !isIdent(alt.Use) || alt.When != abi.WhenUnusable {
		return nil
	}
	if !p.audit && p.check.Effective().Less(alt.Since) {
		return nil
	}
	if alt.Template != "" {
		if u.argsEnd <= u.argsStart {
			return nil
		}
		args := splitArgs(p.src[u.argsStart:u.argsEnd])
		text, ok := expandTemplate(alt.Template, args)
		if !ok {
			return nil
		}
		return &Fix{
			Title:         "Replace " + u.info.name + " with " + alt.Use,
			Applicability: Safe,
			Kind:          "quickfix",
			Edits:         []Edit{{Start: u.start, End: u.argsEnd, NewText: text}},
		}
	}
	return &Fix{
		Title:         "Replace " + u.info.name + " with " + alt.Use,
		Applicability: Safe,
		Kind:          "quickfix",
		Edits:         []Edit{{Start: u.start, End: u.end, NewText: alt.Use}},
	}
}

// splitArgs splits "(a, f(b, c), \"x,y\")" into its top-level arguments.
func splitArgs(list []byte) []string {
	if len(list) < 2 || list[0] != '(' || list[len(list)-1] != ')' {
		return nil
	}
	body := list[1 : len(list)-1]
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '"', '\'':
			i = skipQuoted(body, i, c) - 1
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(string(body[start:i])))
				start = i + 1
			}
		}
	}
	if last := strings.TrimSpace(string(body[start:])); last != "" || len(out) > 0 {
		out = append(out, last)
	}
	return out
}

// expandTemplate substitutes $1, $2 ... in t; false when t names an
// argument the call does not have.
func expandTemplate(t string, args []string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] == '$' && i+1 < len(t) && t[i+1] >= '1' && t[i+1] <= '9' {
			n := int(t[i+1] - '0')
			if n > len(args) {
				return "", false
			}
			b.WriteString(args[n-1])
			i++
			continue
		}
		b.WriteByte(t[i])
	}
	return b.String(), true
}
