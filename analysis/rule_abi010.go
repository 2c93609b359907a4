package analysis

import (
	"fmt"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/project"
)

var ruleABI010 = Rule{
	Code:     "ABI010",
	Name:     "target-mismatch",
	Severity: SeverityWarning,
	Summary:  "The file's define and the build files or compile flags disagree on the target",
	What: "Flags a `Py_LIMITED_API` / `Py_TARGET_ABI3T` define whose version differs from the one the build " +
		"declares for the file: `-DPy_LIMITED_API` in compile_commands.json or compile_flags.txt, setup.py " +
		"`define_macros`/`py_limited_api`, setup.cfg or pyproject.toml wheel tags (`cp38`), meson.build " +
		"`limited_api`, CMake `USE_SABI`.",
	Why: "The wheel tag promises which Pythons the binary loads on; the define decides which API the code may " +
		"use. With a define of 3.10 and a `cp38` tag, pip installs the wheel on 3.8, where the 3.10 functions " +
		"are missing. The other way round, the wheel needlessly excludes versions it supports.",
	Example: "/* setup.cfg: [bdist_wheel] py_limited_api = cp38 */\n#define Py_LIMITED_API 0x030A0000\n",
	Instead: "/* setup.cfg: [bdist_wheel] py_limited_api = cp310 */\n#define Py_LIMITED_API 0x030A0000\n",
	Fix:     FixSometimes,
	FixSafety: "An unsafe fix sets the define to the build's version; which of the two is right is the " +
		"author's call.",
	CompilerVisible: false,
}

// abi010 compares the file's define with a workspace declaration.
func (p *pass) abi010(d *targetDefine, decl project.Declaration) {
	var want abi.Version
	if d.def.Name == macroABI3T {
		want = decl.Target.ABI3T
	} else {
		want = decl.Target.Limited
	}
	if want.IsZero() || want == d.version {
		return
	}
	where := decl.Path
	if decl.Line > 0 {
		where += fmt.Sprintf(", line %d", decl.Line)
	}
	msg := fmt.Sprintf("%s is %s (%s) here, but %s declares %s (%s in %s); make them agree",
		d.def.Name, d.def.Value, d.version, decl.Source, want, decl.Text, where)
	f := Finding{Code: "ABI010", Start: d.def.ValueStart, End: d.def.ValueEnd, Message: msg, Symbol: d.def.Name,
		Related: []Related{{Location: Location{Path: decl.Path, Line: decl.Line, Start: -1, End: -1},
			Message: decl.Source + " declares " + want.String() + ": " + decl.Text}}}
	if f.Start == f.End {
		f.Start, f.End = d.def.NameStart, d.def.NameEnd
	} else {
		f.Fixes = append(f.Fixes, Fix{
			Title:         fmt.Sprintf("Set %s to %s to match %s", d.def.Name, want.Hex(), decl.Source),
			Applicability: Unsafe,
			Kind:          "quickfix",
			Edits:         []Edit{{Start: d.def.ValueStart, End: d.def.ValueEnd, NewText: want.Hex()}},
		})
	}
	p.report(f)
}
