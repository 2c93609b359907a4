package analysis

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

var ruleABI006 = Rule{
	Code:          "ABI006",
	Name:          "direct-object-member",
	Severity:      SeverityWarning,
	ABI3TSeverity: SeverityError,
	Summary:       "`ob_refcnt`, `ob_type` or `ob_size` read or written directly",
	What: "Flags direct accesses to the members of the object header: `o->ob_type`, `o->ob_refcnt`, " +
		"`((PyVarObject *)o)->ob_size`, and writes to them.",
	Why: "These members are part of abi3, so the code works today, but the free-threaded stable ABI (abi3t, " +
		"PEP 803) makes `PyObject` opaque: there the reference count is split in two fields and the header " +
		"layout differs. `Py_TYPE`, `Py_REFCNT`, `Py_SIZE` and `Py_SET_TYPE`/`Py_SET_SIZE` work everywhere.",
	Example: "if (o->ob_type == &PyLong_Type && o->ob_refcnt == 1) {\n    ((PyVarObject *)o)->ob_size = 0;\n}\n",
	Instead: "if (Py_TYPE(o) == &PyLong_Type && Py_REFCNT(o) == 1) {\n    Py_SET_SIZE(o, 0);\n}\n",
	Fix:     FixSometimes,
	FixSafety: "Reads become `Py_TYPE(o)` / `Py_REFCNT(o)` / `Py_SIZE(o)` (safe). An assignment statement " +
		"`o->ob_type = t;` becomes `Py_SET_TYPE(o, t);` (`Py_SET_SIZE`, `Py_SET_REFCNT` likewise), safe when the " +
		"target is 3.9 or later, where those macros exist; in audit mode the fix is unsafe for that reason. " +
		"Increments, compound assignments and address-taking have no automatic fix.",
	CompilerVisible: false,
}

var objectMemberAPI = map[string]struct{ get, set string }{
	"ob_type":   {"Py_TYPE", "Py_SET_TYPE"},
	"ob_refcnt": {"Py_REFCNT", "Py_SET_REFCNT"},
	"ob_size":   {"Py_SIZE", "Py_SET_SIZE"},
}

// abi006 reports a direct access to the object header.
func (p *pass) abi006(fu *fieldUse, fl abi.Field) {
	api := objectMemberAPI[fu.name]
	if n := callName(fl.WriteAlt); n != "" {
		api.set = n
	}
	x := "o"
	if fu.argStart >= 0 && fu.argEnd-fu.argStart <= 40 {
		x = p.baseArg(fu)
	}
	var use string
	switch fu.role {
	case roleWrite:
		use = api.set + "(" + x + ", ...) (3.9+)"
	case roleUpdate:
		if fu.name == "ob_refcnt" {
			use = "Py_INCREF(" + x + ") / Py_DECREF(" + x + ")"
		} else {
			use = api.set + "(" + x + ", " + api.get + "(" + x + ") + n) (3.9+)"
		}
	default:
		use = api.get + "(" + x + ")"
	}
	what := fu.name + " is read directly"
	switch fu.role {
	case roleWrite, roleUpdate:
		what = fu.name + " is written directly"
	case roleAddr:
		what = "the address of " + fu.name + " is taken"
	}
	msg := what + "; use " + use + " (the object header is opaque under the free-threaded stable ABI, abi3t)"
	f := Finding{Code: "ABI006", Start: fu.start, End: fu.end, Message: msg, Symbol: fu.name}
	if fix := p.fix006(fu, api.get, api.set); fix != nil {
		f.Fixes = append(f.Fixes, *fix)
	}
	p.report(f)
}

func (p *pass) fix006(fu *fieldUse, get, set string) *Fix {
	if fu.inMacro || fu.argStart < 0 {
		return nil
	}
	arg := p.baseArg(fu)
	switch fu.role {
	case roleRead:
		return &Fix{Title: "Use " + get + "(" + arg + ")", Applicability: Safe, Kind: "quickfix",
			Edits: []Edit{{Start: fu.exprStart, End: fu.exprEnd, NewText: get + "(" + arg + ")"}}}
	case roleWrite:
		if !fu.inStmt || fu.rhsEnd <= fu.rhsStart {
			return nil
		}
		app := Safe
		title := "Use " + set + "(" + arg + ", ...)"
		if p.audit {
			app = Unsafe
			title += " (needs Python 3.9 headers)"
		} else if p.check.Effective().Less(abi.V(3, 9)) {
			// Py_SET_TYPE / Py_SET_SIZE / Py_SET_REFCNT need 3.9 headers.
			return nil
		}
		rhs := string(p.src[fu.rhsStart:fu.rhsEnd])
		return &Fix{Title: title, Applicability: app, Kind: "quickfix",
			Edits: []Edit{{Start: fu.assignStart, End: fu.assignEnd, NewText: set + "(" + arg + ", " + rhs + ")"}}}
	}
	return nil
}

// callName is "Py_SET_TYPE" for "Py_SET_TYPE(o, type)"; "" when s is not a
// call.
func callName(s string) string {
	i := strings.IndexByte(s, '(')
	if i <= 0 || !isIdent(s[:i]) {
		return ""
	}
	return s[:i]
}
