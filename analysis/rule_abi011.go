package analysis

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

var ruleABI011 = Rule{
	Code:          "ABI011",
	Name:          "abi3t-incompatible",
	Severity:      SeverityError,
	ABI3TSeverity: SeverityError,
	Summary:       "Under abi3t: `PyObject_HEAD` in a struct, single-phase `PyInit_*`, and other PEP 803 exclusions",
	What: "Only when the file targets the free-threaded stable ABI (`Py_TARGET_ABI3T`): flags " +
		"`PyObject_HEAD`/`PyObject_VAR_HEAD` members, `PyObject` or `PyVarObject` held by value or measured " +
		"with `sizeof`, statically initialized objects (`PyObject_HEAD_INIT`, `PyModuleDef_HEAD_INIT`), " +
		"`PyInit_*` functions that create their module with `PyModule_Create` (single-phase initialization), " +
		"and every name the database marks as unavailable under abi3t.",
	Why: "abi3t makes `PyObject` opaque (PEP 803): its size is not known at build time, so an object struct " +
		"cannot start with it, and modules are defined with a `PyModExport_*` export hook (PEP 793) instead of " +
		"a `PyModuleDef`. Such code does not compile for abi3t, or crashes on a free-threaded interpreter.",
	Example: "typedef struct {\n    PyObject_HEAD\n    int value;\n} CustomObject;\n\n" +
		"PyMODINIT_FUNC PyInit_custom(void) { return PyModule_Create(&custom_module); }\n",
	Instead: "typedef struct {\n    int value;\n} CustomData;  /* with a negative basicsize; get it with PyObject_GetTypeData */\n\n" +
		"PyMODEXPORT_FUNC PyModExport_custom(void) { return custom_slots; }\n",
	Fix:             FixNone,
	FixSafety:       "No fix: the changes are structural.",
	CompilerVisible: true,
}

// abi3tReasons are the names abi3ls knows to be unusable under abi3t even
// when the database does not mark them.
var abi3tReasons = map[string]string{
	"PyObject_HEAD":         "an object struct cannot embed PyObject, which is opaque under abi3t; allocate the data with a negative basicsize and reach it with PyObject_GetTypeData",
	"PyObject_VAR_HEAD":     "an object struct cannot embed PyVarObject, which is opaque under abi3t; allocate the data with a negative basicsize and reach it with PyObject_GetTypeData",
	"PyObject_HEAD_INIT":    "statically allocated objects need PyObject's layout, which is opaque under abi3t",
	"PyVarObject_HEAD_INIT": "statically allocated objects need PyObject's layout, which is opaque under abi3t",
	"PyModuleDef_HEAD_INIT": "PyModuleDef embeds a PyObject header; under abi3t define the module with a PyModExport_* export hook (PEP 793)",
}

// abi011Name reports a name unusable under abi3t.
func (p *pass) abi011Name(u *use, reason string) {
	msg := u.info.name + " is not available under the free-threaded stable ABI (abi3t)"
	if reason != "" {
		msg += ": " + reason
	}
	p.report(Finding{Code: "ABI011", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name})
}

// abi011ByValue reports PyObject / PyVarObject by value under abi3t.
func (p *pass) abi011ByValue(bv *byValue, st string) {
	var msg string
	if bv.what == "sizeof" {
		msg = "sizeof(" + st + ") is not known under the free-threaded stable ABI (abi3t), where " + st + " is opaque"
	} else {
		msg = bv.declName + " holds a " + st + " by value, but " + st + " is opaque under the free-threaded stable ABI (abi3t)"
	}
	p.report(Finding{Code: "ABI011", Start: bv.start, End: bv.end, Message: msg, Symbol: st})
}

// checkPyInit reports single-phase PyInit_* entry points under abi3t.
func (p *pass) checkPyInit() {
	if p.audit || p.check.ABI3T.IsZero() || len(p.w.f.pyInits) == 0 {
		return
	}
	for _, ni := range p.w.names {
		if ni.user && strings.HasPrefix(ni.name, "PyModExport_") {
			return // the PyInit_ function is a fallback for older Pythons
		}
	}
	for _, pi := range p.w.f.pyInits {
		single := false
		for i := range p.w.f.uses {
			u := &p.w.f.uses[i]
			if u.fn == pi.name && (u.info.name == "PyModule_Create" || u.info.name == "PyModule_Create2") {
				single = true
				break
			}
		}
		if !single {
			continue
		}
		msg := pi.name + " creates its module with single-phase initialization (PyModule_Create), which the free-threaded stable ABI (abi3t) does not support"
		if _, reason, ok := abi.ModuleInitABI3T(pi.name); ok {
			msg += ": " + reason
		}
		p.report(Finding{Code: "ABI011", Start: pi.start, End: pi.end, Message: msg, Symbol: pi.name})
	}
}

// abi011Field reports a member of a struct that abi3t makes opaque.
func (p *pass) abi011Field(fu *fieldUse, fl abi.Field) {
	msg := fu.name + " is a field of " + fl.Struct + ", which is opaque under the free-threaded stable ABI (abi3t)"
	if fl.ABI3TReason != "" {
		msg += ": " + fl.ABI3TReason
	}
	p.report(Finding{Code: "ABI011", Start: fu.start, End: fu.end, Message: msg, Symbol: fu.name})
}
