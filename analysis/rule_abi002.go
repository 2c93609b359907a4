package analysis

import (
	"fmt"

	"github.com/abi3ls/abi3ls/abi"
)

var ruleABI002 = Rule{
	Code:     "ABI002",
	Name:     "newer-than-target",
	Severity: SeverityError,
	Summary:  "A Limited API name that joined the Limited API after the file's target version",
	What: "Flags names that are in the Limited API, but only from a later version than the one the file " +
		"targets (`Py_LIMITED_API`, the compile flags, the build files or the configured target). The message " +
		"says which version the name needs and which define would allow it.",
	Why: "`Py_LIMITED_API 0x03090000` promises that the binary loads on CPython 3.9 and later. A function added " +
		"to the Limited API in 3.10 is not exported by 3.9, so the extension fails to import there (or the build " +
		"fails, when the headers hide the name below its version).",
	Example: "#define Py_LIMITED_API 0x03090000\n#include <Python.h>\n\n" +
		"static int exec_module(PyObject *m)\n{\n" +
		"    PyObject *t = PyType_FromModuleAndSpec(m, &spec, NULL);\n    return t ? 0 : -1;\n}\n",
	Instead: "#define Py_LIMITED_API 0x030A0000  /* raise the target, or ... */\n#include <Python.h>\n\n" +
		"static int exec_module(PyObject *m)\n{\n" +
		"    PyObject *t = PyType_FromSpec(&spec);  /* ... use API of the lower version */\n    return t ? 0 : -1;\n}\n",
	Fix: FixSometimes,
	FixSafety: "When the target comes from a `#define` in the file, an unsafe fix raises its value to the version " +
		"the name needs. It is unsafe because it drops support for the Python versions in between: review the " +
		"wheel tags and `python_requires` along with it.",
	CompilerVisible: true,
}

// abi002 reports a limited name newer than the target.
func (p *pass) abi002(u *use, e *abi.Entry, need abi.Version) {
	macro := macroLimited
	if !p.target.ABI3T.IsZero() && p.target.Limited.IsZero() {
		macro = macroABI3T
	}
	// What follows the name, and the fix raising the define, depend only
	// on need: kept per version for the file.
	nv, ok := p.newer[need]
	if !ok {
		nv = &newerText{
			rest: fmt.Sprintf(" is in the Limited API only since %s, but this file targets %s (%s); %s %s or higher allows it",
				need, versionText(p.target.Target), p.target.describe(), macro, need.Hex()),
			raise: p.raiseDefineFix(need),
		}
		if p.newer == nil {
			p.newer = map[abi.Version]*newerText{}
		}
		p.newer[need] = nv
	}
	msg := u.info.name + nv.rest
	if e.Alt != nil && e.Alt.Use != "" && !p.check.Effective().Less(e.Alt.Since) {
		msg += p.altPhraseFor(u, e.Alt)
	}
	f := Finding{Code: "ABI002", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name}
	if fix := p.altFix(u, e.Alt); fix != nil {
		f.Fixes = append(f.Fixes, *fix)
	}
	if nv.raise != nil {
		f.Fixes = append(f.Fixes, *nv.raise)
	}
	p.report(f)
}

// newerText is what ABI002 findings of one needed version share.
type newerText struct {
	rest  string
	raise *Fix // nil when the target cannot be raised in the file
}

// raiseDefineFix edits the file's Py_LIMITED_API define up to need.
func (p *pass) raiseDefineFix(need abi.Version) *Fix {
	if p.target.Kind != FromDefine || p.target.Limited.IsZero() {
		return nil
	}
	for _, d := range p.ti.defines {
		if d.version.IsZero() || d.def.Name != macroLimited || d.def.Start != p.target.Location.Start {
			continue
		}
		if d.def.ValueStart == d.def.ValueEnd {
			return &Fix{
				Title:         fmt.Sprintf("Raise Py_LIMITED_API to %s (%s)", need.Hex(), need),
				Applicability: Unsafe,
				Kind:          "quickfix",
				Edits:         []Edit{{Start: d.def.NameEnd, End: d.def.NameEnd, NewText: " " + need.Hex()}},
			}
		}
		return &Fix{
			Title:         fmt.Sprintf("Raise Py_LIMITED_API to %s (%s)", need.Hex(), need),
			Applicability: Unsafe,
			Kind:          "quickfix",
			Edits:         []Edit{{Start: d.def.ValueStart, End: d.def.ValueEnd, NewText: need.Hex()}},
		}
	}
	return nil
}

// sizeTNames are the argument parsers modsupport.h renames to
// `_<name>_SizeT` when PY_SSIZE_T_CLEAN is defined and declares under the
// Limited API only from 3.3 (the 3.2 DLL did not export them), so the
// names need 3.3 then. Py_BuildValue's variant is declared at 3.2.
var sizeTNames = map[string]bool{
	"PyArg_Parse": true, "PyArg_ParseTuple": true, "PyArg_ParseTupleAndKeywords": true,
	"PyArg_VaParse": true, "PyArg_VaParseTupleAndKeywords": true,
}

// sizeTSince is the Limited API version that declares the _SizeT variants.
var sizeTSince = abi.V(3, 3)

// abi002SizeT reports a sizeTNames function under PY_SSIZE_T_CLEAN at a
// target below 3.3.
func (p *pass) abi002SizeT(u *use, e *abi.Entry) {
	msg := fmt.Sprintf("%s needs the Limited API 3.3 when PY_SSIZE_T_CLEAN is defined (it becomes _%s_SizeT, "+
		"which the 3.2 Limited API does not declare), but this file targets %s (%s); %s %s or higher allows it",
		u.info.name, u.info.name, versionText(p.target.Target), p.target.describe(), macroLimited, sizeTSince.Hex())
	f := Finding{Code: "ABI002", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name}
	if fix := p.raiseDefineFix(sizeTSince); fix != nil {
		f.Fixes = append(f.Fixes, *fix)
	}
	p.report(f)
}
