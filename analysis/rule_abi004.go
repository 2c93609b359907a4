package analysis

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

var ruleABI004 = Rule{
	Code:     "ABI004",
	Name:     "opaque-struct-field",
	Severity: SeverityError,
	Summary:  "A field of a struct that is opaque (or absent) in the Limited API",
	What: "Flags member accesses on CPython structs whose layout the Limited API does not expose: " +
		"`Py_TYPE(o)->tp_name`, `((PyListObject *)o)->ob_item`, `tstate->frame`. The base type is inferred " +
		"from declarations (locals, parameters, globals, struct members, typedefs of the file and its local " +
		"headers), casts (C and C++), and the return types of CPython functions and macros; every link of a " +
		"chain is checked. When the base type is unknown, only field names unique to CPython structs " +
		"(`tp_*`, `ob_item`, `nb_*` ...) are reported.",
	Why: "Opaque structs change layout between CPython versions: `tp_name` is at a different offset in 3.8 and " +
		"3.12, and `PyListObject` is not even declared under the Limited API. Reading a field compiles the " +
		"offset of the build-time headers into the binary, so an abi3 wheel reads garbage on another version.",
	Example: "static PyObject *type_name(PyObject *self, PyObject *o)\n{\n" +
		"    return PyUnicode_FromString(Py_TYPE(o)->tp_name);\n}\n",
	Instead: "static PyObject *type_name(PyObject *self, PyObject *o)\n{\n" +
		"    return PyType_GetName(Py_TYPE(o));  /* 3.11+, new reference */\n}\n",
	Fix: FixSometimes,
	FixSafety: "Reads of slot fields become `PyType_GetSlot` calls: `Py_TYPE(o)->tp_free(o)` -> " +
		"`((freefunc)PyType_GetSlot(Py_TYPE(o), Py_tp_free))(o)`; the fix is safe from 3.10, where " +
		"`PyType_GetSlot` also accepts static types, and unsafe below (heap types only). `tp_flags` -> " +
		"`PyType_GetFlags` is safe. `tp_name` -> `PyType_GetName` (3.11+) is offered as an unsafe refactoring " +
		"only: it returns a new reference to a `str`, not a `const char *`, so the surrounding code must change.",
	CompilerVisible: true,
}

// structStatus says how much of struct st the Limited API exposes:
// "opaque", "absent" (not in the Limited API) or "members" (some fields).
func (p *pass) structStatus(st string) string {
	if e, ok := p.db.Lookup(st); !ok || e == nil || e.Tier != abi.TierLimited {
		return "absent"
	}
	if p.db.StructOpaque(st) {
		return "opaque"
	}
	return "members"
}

// abi004 reports a field of an opaque struct.
func (p *pass) abi004(fu *fieldUse, fl abi.Field) {
	var why string
	switch p.structStatus(fl.Struct) {
	case "opaque":
		if p.audit {
			why = "which is opaque under the Limited API"
		} else {
			why = "which is opaque in the Limited API"
		}
	case "absent":
		if p.audit {
			why = "which is not available under the Limited API"
		} else {
			why = "which is not part of the Limited API"
		}
	default:
		why = "and " + notInLimited(p.audit)
	}
	msg := fu.name + " is a field of " + fl.Struct + ", " + why + fieldAltPhrase(fl)
	f := Finding{Code: "ABI004", Start: fu.start, End: fu.end, Message: msg, Symbol: fu.name}
	f.Fixes = p.fieldFixes004(fu, fl)
	p.report(f)
}

// fieldFixes004 offers the PyType_GetSlot / PyType_GetFlags / PyType_GetName
// rewrites of PyTypeObject fields.
func (p *pass) fieldFixes004(fu *fieldUse, fl abi.Field) []Fix {
	if fu.inMacro || fu.argStart < 0 || fl.Struct != "PyTypeObject" {
		return nil
	}
	if fu.role != roleRead && fu.role != roleCall {
		return nil
	}
	target := p.check.Effective()
	has := func(v abi.Version) bool { return p.audit || !target.Less(v) }
	arg := p.baseArg(fu)
	switch {
	case fu.name == "tp_flags":
		if !has(abi.V(3, 2)) {
			return nil
		}
		return []Fix{{Title: "Use PyType_GetFlags(" + arg + ")", Applicability: Safe, Kind: "quickfix",
			Edits: []Edit{{Start: fu.exprStart, End: fu.exprEnd, NewText: "PyType_GetFlags(" + arg + ")"}}}}
	case fu.name == "tp_name":
		if fu.role != roleRead || !has(abi.V(3, 11)) {
			return nil
		}
		return []Fix{{
			Title:         "Use PyType_GetName(" + arg + ") (refactoring: returns a new reference to a str, not a const char *; adapt the code and release it)",
			Applicability: Unsafe, Kind: "refactor.rewrite",
			Edits: []Edit{{Start: fu.exprStart, End: fu.exprEnd, NewText: "PyType_GetName(" + arg + ")"}},
		}}
	}
	slot := slotOf(fl.Alternative)
	if slot == "" || !has(fl.AltSince) || strings.TrimSpace(fl.Type) == "" {
		return nil
	}
	app, title := Safe, ""
	if !p.audit && target.Less(abi.V(3, 10)) {
		app, title = Unsafe, " (heap types only before 3.10)"
	}
	typ := strings.TrimSpace(fl.Type)
	repl := "((" + typ + ")PyType_GetSlot(" + arg + ", " + slot + "))"
	return []Fix{{Title: "Use PyType_GetSlot(" + arg + ", " + slot + ")" + title, Applicability: app, Kind: "quickfix",
		Edits: []Edit{{Start: fu.exprStart, End: fu.exprEnd, NewText: repl}}}}
}

// slotOf extracts "Py_tp_free" from "PyType_GetSlot(t, Py_tp_free)".
func slotOf(alt string) string {
	const pre = "PyType_GetSlot(t, "
	if !strings.HasPrefix(alt, pre) {
		return ""
	}
	rest := alt[len(pre):]
	i := strings.IndexByte(rest, ')')
	if i < 0 {
		return ""
	}
	s := strings.TrimSpace(rest[:i])
	if !isIdent(s) {
		return ""
	}
	return s
}

// baseArg is the object expression a field is read from, as a pointer:
// `o` for `o->f`, `&o` for `o.f`.
func (p *pass) baseArg(fu *fieldUse) string {
	a := string(p.src[fu.argStart:fu.argEnd])
	if !fu.arrow {
		if simplePostfix(a) {
			return "&" + a
		}
		return "&(" + a + ")"
	}
	if inner, ok := stripParens(a); ok && !strings.ContainsRune(inner, ',') {
		return inner
	}
	if strings.ContainsRune(a, ',') {
		return "(" + a + ")"
	}
	return a
}

// stripParens removes one pair of parentheses around a whole expression.
func stripParens(s string) (string, bool) {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return s, false
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return s, false
			}
		}
	}
	return s[1 : len(s)-1], true
}

// simplePostfix reports whether an expression is made of names, member
// accesses, calls and subscripts only (no operator binds looser than &).
func simplePostfix(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case depth > 0:
		case isIdentChar(c), c == '.':
		case c == '-' && i+1 < len(s) && s[i+1] == '>':
			i++
		default:
			return false
		}
	}
	return len(s) > 0 && isIdentStart(s[0])
}
