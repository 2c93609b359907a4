package project

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

// The macros a declaration can set.
const (
	MacroLimitedAPI = "Py_LIMITED_API"
	MacroABI3T      = "Py_TARGET_ABI3T"
)

func isTargetMacro(s string) bool { return s == MacroLimitedAPI || s == MacroABI3T }

// setDefine records that d defines macro with value (as written). Without
// a value the macro is defined the way a compiler's -DNAME does it, to 1.
// Parse errors are kept in d.Err.
//
// A value holding a substitution ("{ver}" of a Python f-string or
// format(), meson's "@0@", CMake's "${VAR}") is computed: see setComputed.
func setDefine(d *Declaration, macro, value string, hasValue bool) {
	if hasValue && strings.ContainsAny(value, "{}@$") {
		setComputed(d, macro, value)
		return
	}
	d.Macro = macro
	d.Value = clip(value)
	v := strings.TrimSpace(value)
	if !hasValue {
		v = "1"
	}
	ver, err := abi.ParseLimitedAPI(v)
	if err != nil {
		d.Err = err.Error()
		return
	}
	setTargetVersion(d, macro, ver)
}

// setComputed records that d defines macro (or declares the stable ABI)
// with a value abi3ls does not evaluate (a variable, a function call): the
// declaration carries no version.
func setComputed(d *Declaration, macro, value string) {
	d.Macro = macro
	d.Value = clip(value)
	d.ABI3 = true
}

// setWheelVersion records a version written as "3.8" or a wheel tag "cp38".
func setWheelVersion(d *Declaration, value string) {
	d.Value = clip(value)
	ver, err := abi.ParseVersion(strings.TrimSpace(value))
	if err != nil {
		d.Err = err.Error()
		return
	}
	d.Target.Limited = ver
}

func setTargetVersion(d *Declaration, macro string, ver abi.Version) {
	if macro == MacroABI3T {
		d.Target.ABI3T = ver
	} else {
		d.Target.Limited = ver
	}
}

// parseDefineSpec splits "NAME=VALUE" / "NAME" (the argument of -D, or an
// entry of a compile-definitions list) and reports whether NAME is a
// target macro.
func parseDefineSpec(s string) (macro, value string, hasValue, ok bool) {
	name, val, has := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !isTargetMacro(name) {
		return "", "", false, false
	}
	return name, val, has, true
}

// flagDefine recognizes a single compiler argument that defines a target
// macro: -DNAME[=V], /DNAME[=V], --define-macro=NAME[=V]. A bare "-D" or
// "--define-macro" (value in the next argument) returns needNext.
func flagDefine(arg string) (macro, value string, hasValue, ok, needNext bool) {
	var spec string
	switch {
	case arg == "-D" || arg == "/D" || arg == "--define-macro":
		return "", "", false, false, true
	case strings.HasPrefix(arg, "--define-macro="):
		spec = arg[len("--define-macro="):]
	case strings.HasPrefix(arg, "-D"), strings.HasPrefix(arg, "/D"):
		spec = arg[2:]
	default:
		return "", "", false, false, false
	}
	macro, value, hasValue, ok = parseDefineSpec(spec)
	return macro, value, hasValue, ok, false
}

// flagUndef recognizes -UNAME / /UNAME / --undefine-macro=NAME for a target
// macro. A bare "-U" returns needNext.
func flagUndef(arg string) (macro string, ok, needNext bool) {
	var name string
	switch {
	case arg == "-U" || arg == "/U" || arg == "--undefine-macro":
		return "", false, true
	case strings.HasPrefix(arg, "--undefine-macro="):
		name = arg[len("--undefine-macro="):]
	case strings.HasPrefix(arg, "-U"), strings.HasPrefix(arg, "/U"):
		name = arg[2:]
	default:
		return "", false, false
	}
	name = strings.TrimSpace(name)
	return name, isTargetMacro(name), false
}
