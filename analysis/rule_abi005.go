package analysis

import "github.com/abi3ls/abi3ls/analysis/heaptype"

var ruleABI005 = Rule{
	Code:     "ABI005",
	Name:     "opaque-type-by-value",
	Severity: SeverityError,
	Summary:  "An opaque type used by value or by size: `static PyTypeObject T = {...}`, `sizeof(PyTypeObject)`, `PyVarObject_HEAD_INIT`",
	What: "Flags objects, struct members and `sizeof` expressions whose type is a struct that is opaque in the " +
		"Limited API (most often `PyTypeObject`), and `PyVarObject_HEAD_INIT` used to initialize a statically " +
		"allocated object.",
	Why: "The size of an opaque struct is not part of the stable ABI: a `static PyTypeObject` compiled against " +
		"3.8 headers is too small or laid out differently for the CPython that loads it. Under the Limited API " +
		"types are created at run time from a `PyType_Spec`.",
	Example: "static PyTypeObject Custom_Type = {\n    PyVarObject_HEAD_INIT(NULL, 0)\n    .tp_name = \"custom.Custom\",\n" +
		"    .tp_basicsize = sizeof(CustomObject),\n    .tp_flags = Py_TPFLAGS_DEFAULT,\n};\n",
	Instead: "static PyType_Slot Custom_slots[] = {\n    {0, NULL},\n};\n\nstatic PyType_Spec Custom_spec = {\n" +
		"    .name = \"custom.Custom\",\n    .basicsize = sizeof(CustomObject),\n    .flags = Py_TPFLAGS_DEFAULT,\n" +
		"    .slots = Custom_slots,\n};\n\n/* in the module's exec function */\nPyObject *Custom_Type = PyType_FromSpec(&Custom_spec);\n",
	Fix: FixSometimes,
	FixSafety: "Unsafe. For a `static PyTypeObject` the fix is a refactoring (\"Convert Foo_Type to a heap type\", " +
		"`abi3ls fix --unsafe`): it writes the `PyType_Slot` array and `PyType_Spec`, replaces the object with a " +
		"`PyTypeObject *` created by `PyType_FromSpec*`, rewrites registration and `&Foo_Type` uses, and adds the " +
		"heap-type duties (`Py_DECREF` of the type in `tp_dealloc`, visiting it in `tp_traverse`). Heap types differ " +
		"in reference counting and deallocation, so review the result. When something cannot be converted safely, " +
		"the finding says what and the file is left unchanged.",
	CompilerVisible: true,
}

// abi005 reports an opaque struct used by value.
func (p *pass) abi005(bv *byValue, st string) {
	var msg string
	opaque := "which is opaque in the Limited API"
	if p.audit {
		opaque = "which is opaque under the Limited API"
	}
	switch bv.what {
	case "static":
		msg = bv.declName + " is a statically allocated " + st + ", " + opaque + " (its size and layout change between versions)"
		if st == "PyTypeObject" {
			msg += "; create the type at run time with PyType_FromSpec"
		}
	case "member":
		msg = "member " + bv.declName + " embeds " + st + " by value, " + opaque + "; store a pointer instead"
	case "sizeof":
		msg = "sizeof(" + st + ") depends on the layout of " + st + ", " + opaque
	default:
		msg = bv.declName + " holds a " + st + " by value, " + opaque + "; use a pointer"
	}
	f := Finding{Code: "ABI005", Start: bv.start, End: bv.end, Message: msg, Symbol: st}
	if bv.what == "static" && st == "PyTypeObject" {
		p.heapTypeFix(&f, bv.declName)
	}
	p.report(f)
}

// heapTypeFix attaches the heap-type refactoring to an ABI005 finding on a
// static PyTypeObject, or, when the conversion is not safe, says why in the
// finding's related information. It is offered only for an abi3 target: in
// audit mode there is no version to convert for, and the result still lays
// out the object with PyObject_HEAD, which abi3t excludes.
func (p *pass) heapTypeFix(f *Finding, typeVar string) {
	if p.audit || p.root == nil || !p.check.ABI3T.IsZero() {
		return
	}
	r := heaptype.Convert(p.root, p.src, p.lang, p.check.Effective(), typeVar)
	if len(r.Problems) > 0 {
		for _, pr := range r.Problems {
			loc := Location{Line: lineOf(p.lines, pr.Start), Start: pr.Start, End: pr.End}
			f.Related = append(f.Related, Related{Location: loc, Message: "cannot convert " + typeVar + " to a heap type: " + pr.Message})
		}
		return
	}
	if len(r.Edits) == 0 {
		return
	}
	edits := make([]Edit, len(r.Edits))
	for i, e := range r.Edits {
		edits[i] = Edit{Start: e.Start, End: e.End, NewText: e.NewText}
	}
	f.Fixes = append(f.Fixes, Fix{Title: heaptype.Title(typeVar), Kind: "refactor.rewrite", Applicability: Unsafe, Edits: edits})
}

// abi005HeadInit reports PyVarObject_HEAD_INIT outside a reported static
// type (which already covers it).
func (p *pass) abi005HeadInit(u *use) {
	msg := u.info.name + " initializes a statically allocated object; static types cannot be defined under the Limited API: create the type with PyType_FromSpec"
	p.report(Finding{Code: "ABI005", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name})
}
