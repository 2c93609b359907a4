package analysis

import "sort"

var ruleABI009 = Rule{
	Code:     "ABI009",
	Name:     "build-time-version-check",
	Severity: SeverityWarning,
	Summary:  "A `PY_VERSION_HEX` test in code compiled for the Limited API",
	What: "Flags `PY_VERSION_HEX` in `#if` conditions that the target does not already decide, in macro " +
		"bodies and in code, when the file targets the Limited API.",
	Why: "`PY_VERSION_HEX` is the version of the headers the wheel is built with, not of the Python that loads " +
		"it. An abi3 wheel built on 3.12 also runs on 3.13 and 3.14, so a `PY_VERSION_HEX >= 0x030D0000` branch " +
		"is chosen once, at build time, for every version. Test `Py_LIMITED_API` (what the binary may assume) " +
		"instead, or `Py_Version` (3.11+) at run time.",
	Example: "#if PY_VERSION_HEX >= 0x030A0000\n    m = PyModule_AddType(mod, type);\n#endif\n",
	Instead: "#if Py_LIMITED_API+0 >= 0x030A0000\n    m = PyModule_AddType(mod, type);\n#endif\n",
	Fix:     FixNone,
	FixSafety: "No fix: whether the test should become a `Py_LIMITED_API` test or a run-time `Py_Version` check " +
		"depends on what it guards.",
	CompilerVisible: false,
}

// abi009 reports a build-time version test, unless the #if it sits in is
// decided by the target anyway.
func (p *pass) abi009(u *use) {
	if p.audit {
		return
	}
	if u.ctx == ctxCondition {
		cs := p.pp.Conditionals
		i := sort.Search(len(cs), func(i int) bool { return cs[i].End > u.start })
		if i < len(cs) && cs[i].Start <= u.start {
			if !cs[i].Live || cs[i].Verdict != 0 {
				return
			}
		}
	}
	msg := "PY_VERSION_HEX is the version of the headers the extension is built with, not of the Python that loads it: " +
		"an abi3 binary runs on later versions too; test Py_LIMITED_API instead, or Py_Version (3.11+) at run time"
	p.report(Finding{Code: "ABI009", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name})
}
