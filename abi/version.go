package abi

import "fmt"

// Version is a Python minor version such as 3.10. The zero Version means
// "none".
type Version struct{ Major, Minor int }

// V returns the version major.minor.
func V(major, minor int) Version { return Version{major, minor} }

// IsZero reports whether v is the zero Version.
func (v Version) IsZero() bool { return v == Version{} }

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	return v.Minor < o.Minor
}

// String returns "3.10", or "" for the zero Version.
func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// Hex returns the Py_LIMITED_API value for v, e.g. "0x030A0000".
func (v Version) Hex() string { return fmt.Sprintf("0x%02X%02X0000", v.Major, v.Minor) }

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
