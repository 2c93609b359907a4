package analysis

import "github.com/abi3ls/abi3ls/abi"

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
	msg := u.info.name + " " + notInLimited(p.audit) + " (" + tierPhrase(e) + ")" + altPhrase(e.Alt)
	f := Finding{Code: "ABI001", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name}
	if fix := p.altFix(u, e.Alt); fix != nil {
		f.Fixes = append(f.Fixes, *fix)
	}
	p.report(f)
}

// altFix renames a use to its mechanical alternative when the target has it.
func (p *pass) altFix(u *use, alt *abi.Alternative) *Fix {
	if alt == nil || !alt.Mechanical || !isIdent(alt.Use) {
		return nil
	}
	if !p.audit && p.check.Effective().Less(alt.Since) {
		return nil
	}
	return &Fix{
		Title:         "Replace " + u.info.name + " with " + alt.Use,
		Applicability: Safe,
		Kind:          "quickfix",
		Edits:         []Edit{{Start: u.start, End: u.end, NewText: alt.Use}},
	}
}
