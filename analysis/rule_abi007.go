package analysis

import "fmt"

var ruleABI007 = Rule{
	Code:     "ABI007",
	Name:     "limited-api-defined-late",
	Severity: SeverityError,
	Summary:  "`Py_LIMITED_API` defined after Python.h was included, where it has no effect",
	What: "Flags a `#define Py_LIMITED_API` (or `Py_TARGET_ABI3T`) that comes after the first `#include " +
		"<Python.h>` of the file, directly or through a local header that includes it.",
	Why: "The headers read the macro while they are included. Defined afterwards, it changes nothing: the " +
		"extension is compiled against the full, version-specific API and the abi3 wheel it goes into is a " +
		"lie. (abi3ls still analyzes the file for the target the define states, which is what the author meant.)",
	Example: "#include <Python.h>\n#define Py_LIMITED_API 0x03080000\n",
	Instead: "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\n",
	Fix:     FixAlways,
	FixSafety: "The fix moves the define above the include. It is unsafe: the define then takes effect, and " +
		"code outside the Limited API stops compiling until the other findings are fixed.",
	CompilerVisible: false,
}

// abi007 reports a late target define.
func (p *pass) abi007(d *targetDefine) {
	line := 0
	if p.ti.pyInclude != nil {
		line = p.ti.pyInclude.Line
	} else if p.pp.PythonInclude != nil {
		line = p.pp.PythonInclude.Line
	}
	msg := d.def.Name + " is defined after Python.h is included"
	if line > 0 {
		msg += fmt.Sprintf(" (line %d)", line)
	}
	msg += ", so the headers never see it; define it before the first #include"
	f := Finding{Code: "ABI007", Start: d.def.NameStart, End: d.def.NameEnd, Message: msg, Symbol: d.def.Name}
	if fix := p.moveDefineFix(d); fix != nil {
		f.Fixes = append(f.Fixes, *fix)
	}
	p.report(f)
}

// moveDefineFix moves a define (with its line) above the Python.h include.
func (p *pass) moveDefineFix(d *targetDefine) *Fix {
	inc := p.ti.pyInclude
	if inc == nil {
		inc = p.pp.PythonInclude
	}
	if inc == nil || inc.Start >= d.def.Start {
		return nil
	}
	end := d.def.End
	if end < len(p.src) && p.src[end] == '\r' {
		end++
	}
	if end < len(p.src) && p.src[end] == '\n' {
		end++
	}
	text := string(p.src[d.def.Start:d.def.End])
	// Start of the include's line.
	at := inc.Start
	for at > 0 && p.src[at-1] != '\n' {
		at--
	}
	nl := "\n"
	if end > 0 && end-2 >= 0 && p.src[end-1] == '\n' && end-2 < len(p.src) && p.src[end-2] == '\r' {
		nl = "\r\n"
	}
	return &Fix{
		Title:         "Move the " + d.def.Name + " define above the Python.h include",
		Applicability: Unsafe,
		Kind:          "quickfix",
		Edits: []Edit{
			{Start: at, End: at, NewText: text + nl},
			{Start: d.def.Start, End: end, NewText: ""},
		},
	}
}
