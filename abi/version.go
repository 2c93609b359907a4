package abi

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Python minor version such as 3.10. The zero Version means
// "none".
type Version struct{ Major, Minor int }

// V returns the version major.minor.
func V(major, minor int) Version { return Version{major, minor} }

// Versions that matter to the Limited API.
var (
	// MinLimited is the first Limited API version (PEP 384); any
	// Py_LIMITED_API value below 0x03020000 means it.
	MinLimited = V(3, 2)
	// MinABI3T is the first version of the free-threaded stable ABI
	// (PEP 803): Py_TARGET_ABI3T below it is not supported.
	MinABI3T = V(3, 15)
	// Latest is the newest version the database knows about (the highest
	// `added` in stable_abi.toml).
	Latest = V(3, 15)
)

// IsZero reports whether v is the zero Version.
func (v Version) IsZero() bool { return v == Version{} }

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	return v.Minor < o.Minor
}

// AtLeast reports whether v is o or newer.
func (v Version) AtLeast(o Version) bool { return !v.Less(o) }

// String returns "3.10", or "" for the zero Version.
func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// Hex returns the Py_LIMITED_API value for v, e.g. "0x030A0000".
func (v Version) Hex() string { return fmt.Sprintf("0x%02X%02X0000", v.Major, v.Minor) }

// Tag returns the wheel python tag for v, e.g. "cp310".
func (v Version) Tag() string { return fmt.Sprintf("cp%d%d", v.Major, v.Minor) }

// Target is what a file is compiled for.
type Target struct {
	// Limited is the Py_LIMITED_API version; zero means no Limited API
	// target (audit mode) unless ABI3T is set.
	Limited Version
	// ABI3T is the Py_TARGET_ABI3T version (PEP 803, free-threaded stable
	// ABI); zero when not targeting abi3t.
	ABI3T Version
}

// IsLimited reports whether any Limited API target is set.
func (t Target) IsLimited() bool { return !t.Limited.IsZero() || !t.ABI3T.IsZero() }

// Effective is the version names are checked against: the higher of the two
// when both are set (the available API is the intersection).
func (t Target) Effective() Version {
	if t.Limited.Less(t.ABI3T) {
		return t.ABI3T
	}
	return t.Limited
}

// String is "abi3 3.10+", "abi3t 3.15+" or "audit".
func (t Target) String() string {
	switch {
	case !t.ABI3T.IsZero():
		return "abi3t " + t.Effective().String() + "+"
	case !t.Limited.IsZero():
		return "abi3 " + t.Limited.String() + "+"
	}
	return "audit"
}

// Validate reports a target the headers cannot honour: Py_TARGET_ABI3T
// below 3.15 (PEP 803 starts there), or a version newer than the database
// knows.
func (t Target) Validate() error {
	if !t.ABI3T.IsZero() && t.ABI3T.Less(MinABI3T) {
		return fmt.Errorf("Py_TARGET_ABI3T %s: the free-threaded stable ABI (abi3t, PEP 803) starts at %s; use %s",
			t.ABI3T, MinABI3T, MinABI3T.Hex())
	}
	if v := t.Effective(); Latest.Less(v) {
		return fmt.Errorf("target %s is newer than the newest Limited API abi3ls knows (%s)", v, Latest)
	}
	return nil
}

// ValueError is the error ParseLimitedAPI and ParseVersion return. Reason
// is a sentence the analysis can show to the user.
//
// When Usable is true the text is understood by the compiler but written in
// a misleading way (e.g. "0x3080000", which C reads as 0x03080000): Version
// then holds the version the compiler uses, and the caller may keep it and
// report Reason as a hint rather than a mistake.
type ValueError struct {
	Input   string
	Reason  string
	Usable  bool
	Version Version
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("invalid Py_LIMITED_API value %q: %s", e.Input, e.Reason)
}

func bad(in, format string, args ...any) error {
	return &ValueError{Input: in, Reason: fmt.Sprintf(format, args...)}
}

// ParseLimitedAPI parses the value of Py_LIMITED_API / Py_TARGET_ABI3T as
// written in C or on a command line: "3" and any value below 0x03020000 mean
// 3.2; "0x030A0000"/"0x030A00F0" mean 3.10; decimal forms are accepted. It
// rejects malformed values ("0x3080000", "38", "3.8", "0x04000000") with an
// error whose text says why and what to write instead.
//
// Also accepted: an empty value and "1" (what `#define Py_LIMITED_API` and
// `-DPy_LIMITED_API` give: both mean 3.2), integer suffixes (0x030A0000UL),
// surrounding parentheses and Py_PACK_VERSION(3, 10).
func ParseLimitedAPI(s string) (Version, error) {
	in := s
	s = strings.TrimSpace(s)
	for len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if s == "" {
		return MinLimited, nil
	}
	if v, ok, err := parsePack(in, s); ok {
		return v, err
	}
	if strings.HasPrefix(s, "-") {
		return Version{}, bad(in, "a negative value is not a version; write e.g. 0x030A0000 for 3.10")
	}
	if looksDotted(s) {
		if v, err := parseDotted(s); err == nil {
			return Version{}, bad(in, "%s is not a C integer; write %s for %s", s, v.Hex(), v)
		}
		return Version{}, bad(in, "not an integer; write e.g. 0x030A0000 for 3.10")
	}
	body := strings.TrimRight(s, "uUlL")
	if body == "" {
		return Version{}, bad(in, "not an integer")
	}
	hex := strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X")
	var n uint64
	var err error
	digits := body
	switch {
	case hex:
		digits = body[2:]
		n, err = strconv.ParseUint(digits, 16, 64)
	case len(body) > 1 && body[0] == '0':
		return Version{}, bad(in, "%s is an octal number in C; write a hex value such as 0x030A0000", s)
	default:
		n, err = strconv.ParseUint(body, 10, 64)
	}
	if err != nil || digits == "" {
		return Version{}, bad(in, "not an integer; write e.g. 0x030A0000 for 3.10")
	}
	if n >= 1<<32 {
		return Version{}, bad(in, "value too large; Py_LIMITED_API is 0x03MMmmrr (e.g. 0x030A0000 for 3.10)")
	}
	major, minor := int(n>>24), int(n>>16&0xFF)
	if major != 0 && major != 3 {
		return Version{}, bad(in, "major version %d: the Limited API only exists for Python 3; write e.g. 0x030A0000 for 3.10", major)
	}
	if major == 0 {
		// Below 0x03020000 every #if in the headers fails: the value means
		// 3.2. Only the documented small values are taken silently; other
		// small numbers are almost always a version written the wrong way.
		if n <= 3 {
			return MinLimited, nil
		}
		if !hex {
			if v, ok := shorthand(body); ok {
				return Version{}, bad(in, "%s is not a hex version: it is below 0x03020000, so it would mean 3.2; write %s for %s", s, v.Hex(), v)
			}
			return Version{}, bad(in, "%s is below 0x03020000, so it would mean 3.2; write 3 or 0x03020000 for 3.2, or e.g. 0x030A0000 for 3.10", s)
		}
		if v, ok := shortHex(digits); ok {
			return Version{}, bad(in, "%s has %d hex digits: it is below 0x03020000, so it would mean 3.2; write %s for %s", s, len(digits), v.Hex(), v)
		}
		return Version{}, bad(in, "%s is below 0x03020000, so it would mean 3.2; write 0x03020000 (or 3) for 3.2", s)
	}
	v := V(3, minor)
	if v.Less(MinLimited) {
		return MinLimited, nil
	}
	if hex && len(digits) == 7 {
		return v, &ValueError{Input: in, Usable: true, Version: v,
			Reason: fmt.Sprintf("%s has 7 hex digits; C reads it as %s (%s), but write %s for %s so nobody reads it as a typo", s, v.Hex(), v, v.Hex(), v)}
	}
	return v, nil
}

// parsePack recognizes Py_PACK_VERSION(3, 10).
func parsePack(in, s string) (Version, bool, error) {
	rest, ok := strings.CutPrefix(s, "Py_PACK_VERSION")
	if !ok {
		return Version{}, false, nil
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '(' || rest[len(rest)-1] != ')' {
		return Version{}, true, bad(in, "malformed Py_PACK_VERSION call")
	}
	a, b, ok := strings.Cut(rest[1:len(rest)-1], ",")
	x, err1 := strconv.Atoi(strings.TrimSpace(a))
	y, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || x != 3 || y < 0 || y > 255 {
		return Version{}, true, bad(in, "Py_PACK_VERSION needs two integers, 3 and the minor version")
	}
	if v := V(3, y); v.Less(MinLimited) {
		return MinLimited, true, nil
	} else {
		return v, true, nil
	}
}

func looksDotted(s string) bool {
	return strings.Contains(s, ".") && !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X")
}

// shorthand recognizes version numbers written as 38, 310, 315.
func shorthand(dec string) (Version, bool) {
	if len(dec) < 2 || len(dec) > 3 || dec[0] != '3' {
		return Version{}, false
	}
	m, err := strconv.Atoi(dec[1:])
	if err != nil || (len(dec) == 3 && dec[1] == '0') {
		return Version{}, false
	}
	return V(3, m), true
}

// shortHex recognizes 0x308 / 0x30800 style values: a 3 followed by the
// minor in hex with too few zeros.
func shortHex(d string) (Version, bool) {
	if len(d) < 2 || d[0] != '3' {
		return Version{}, false
	}
	for _, w := range []int{2, 1} {
		if len(d) >= 1+w {
			m, err := strconv.ParseUint(d[1:1+w], 16, 8)
			if err == nil && strings.Trim(d[1+w:], "0") == "" && m >= 2 && m <= 0x40 {
				return V(3, int(m)), true
			}
		}
	}
	return Version{}, false
}

// ParseVersion parses "3.10" (also "cp310", "310" as wheel tags use) into a
// Version. "3", "cp3" and "py3" mean 3.2, the first Limited API version.
// Hex values (0x030A0000) are handed to ParseLimitedAPI.
func ParseVersion(s string) (Version, error) {
	in := s
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return ParseLimitedAPI(s)
	}
	t := strings.ToLower(s)
	t = strings.TrimPrefix(t, "cp")
	t = strings.TrimPrefix(t, "py")
	if t == "3" {
		return MinLimited, nil
	}
	if strings.Contains(t, ".") {
		v, err := parseDotted(t)
		if err != nil {
			return Version{}, &ValueError{Input: in, Reason: "not a version; write e.g. 3.10 or cp310"}
		}
		return clampVersion(in, v)
	}
	if len(t) >= 2 && len(t) <= 3 && t[0] == '3' && allDigits(t) {
		m, _ := strconv.Atoi(t[1:])
		return clampVersion(in, V(3, m))
	}
	return Version{}, &ValueError{Input: in, Reason: "not a version; write e.g. 3.10 or cp310"}
}

func clampVersion(in string, v Version) (Version, error) {
	if v.Major != 3 {
		return Version{}, &ValueError{Input: in, Reason: fmt.Sprintf("major version %d: the Limited API only exists for Python 3", v.Major)}
	}
	if v.Less(MinLimited) {
		return MinLimited, nil
	}
	return v, nil
}

// parseDotted parses "3.10" or "3.10.2" (the micro part is ignored).
func parseDotted(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("not a dotted version: %q", s)
	}
	var nums [3]int
	for i, p := range parts {
		if !allDigits(p) || len(p) > 3 {
			return Version{}, fmt.Errorf("not a dotted version: %q", s)
		}
		nums[i], _ = strconv.Atoi(p)
	}
	return V(nums[0], nums[1]), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
