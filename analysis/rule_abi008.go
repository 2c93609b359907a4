package analysis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

var ruleABI008 = Rule{
	Code:     "ABI008",
	Name:     "invalid-limited-api-value",
	Severity: SeverityError,
	Summary:  "A malformed `Py_LIMITED_API` value (`0x3080000`, `38`, `3.8`)",
	What: "Flags a `Py_LIMITED_API` or `Py_TARGET_ABI3T` define whose value is not a `PY_VERSION_HEX`-style " +
		"number (`0x030A0000`) or `3`.",
	Why: "The headers compare the macro numerically with `0x03XX0000` values. `38` or a hex number with a " +
		"digit missing compares below every version, so the build silently uses the 3.2 Limited API (or fails " +
		"on a `3.8` that is not an integer), and the version the author meant is never checked.",
	Example: "#define Py_LIMITED_API 38\n",
	Instead: "#define Py_LIMITED_API 0x03080000\n",
	Fix:     FixSometimes,
	FixSafety: "When the intended version is clear (`3.8`, `38`, `cp38`, a hex value with a missing digit), an " +
		"unsafe fix rewrites the value as `0x03080000`: unsafe because the effective target changes.",
	CompilerVisible: false,
}

// abi008 reports a malformed target define.
func (p *pass) abi008(d *targetDefine) {
	start, end := d.def.ValueStart, d.def.ValueEnd
	if start == end {
		start, end = d.def.NameStart, d.def.NameEnd
	}
	why := strings.TrimSpace(d.err.Error())
	var ve *abi.ValueError
	if errors.As(d.err, &ve) && ve.Reason != "" {
		why = ve.Reason
	}
	msg := fmt.Sprintf("%s value %s is malformed: %s", d.def.Name, strings.TrimSpace(d.def.Value), why)
	f := Finding{Code: "ABI008", Start: start, End: end, Message: msg, Symbol: d.def.Name}
	if v, ok := intendedVersion(d.def.Value); ok && d.def.ValueStart < d.def.ValueEnd {
		f.Fixes = append(f.Fixes, Fix{
			Title:         fmt.Sprintf("Write %s as %s (%s)", d.def.Name, v.Hex(), v),
			Applicability: Unsafe,
			Kind:          "quickfix",
			Edits:         []Edit{{Start: d.def.ValueStart, End: d.def.ValueEnd, NewText: v.Hex()}},
		})
	}
	p.report(f)
}

// intendedVersion guesses the version a malformed value meant.
func intendedVersion(v string) (abi.Version, bool) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X") {
		n, err := strconv.ParseUint(v[2:], 16, 64)
		if err != nil {
			return abi.Version{}, false
		}
		// A digit dropped at the front: 0x3080000 -> 0x03080000.
		if n>>24 == 3 && (n>>16)&0xff <= 40 {
			return abi.V(3, int((n>>16)&0xff)), true
		}
		if n>>20 == 3 && (n>>12)&0xff <= 40 && len(v) == 8 {
			return abi.V(3, int((n>>12)&0xff)), true
		}
		return abi.Version{}, false
	}
	if ver, err := abi.ParseVersion(v); err == nil && ver.Major == 3 {
		return ver, true
	}
	return abi.Version{}, false
}
