// Package abi is the Limited API database: every name of CPython's C API with
// its tier, the version it joined the Limited API, its signature and reference
// semantics, and the limited alternative where there is one. It also owns
// versions and targets. It uses the standard library only (builds with
// CGO_ENABLED=0) and does no IO beyond reading its embedded data.
//
// CONTRACT: the exported names in this file are used by analysis/, server/
// and cmd/. Extend them freely; do not rename or remove them.
package abi

// Kind is the kind of an API item.
type Kind string

const (
	KindFunction     Kind = "function"      // exported or static inline function
	KindData         Kind = "data"          // exported variable
	KindConst        Kind = "const"         // object-like macro with a constant value, enum constant
	KindMacro        Kind = "macro"         // function-like or non-constant object-like macro
	KindType         Kind = "typedef"       // non-struct typedef, enum tag
	KindStruct       Kind = "struct"        // struct/union tag or typedef of one
	KindFeatureMacro Kind = "feature_macro" // e.g. HAVE_FORK, MS_WINDOWS
)

// Tier says which part of the C API a name belongs to.
type Tier string

const (
	TierLimited  Tier = "limited"  // in the Limited API (see Entry.Added / LimitedFrom for since when)
	TierCPython  Tier = "cpython"  // public but not limited (Include/cpython/, or hidden by Py_LIMITED_API)
	TierUnstable Tier = "unstable" // PyUnstable_*
	TierPrivate  Tier = "private"  // leading underscore
	TierABIOnly  Tier = "abi_only" // in the stable ABI but not in the Limited API
)

// Ref is reference semantics from refcounts.dat.
type Ref string

const (
	RefNone     Ref = ""         // not an object, or unknown
	RefNew      Ref = "new"      // returns a new (strong) reference (+1)
	RefBorrowed Ref = "borrowed" // returns a borrowed reference (0)
	RefSteals   Ref = "steals"   // a parameter whose reference is stolen (-1)
)

// Param is one parameter of a signature.
type Param struct {
	Type string
	Name string
	Ref  Ref // RefSteals when the callee steals the reference
}

// Signature is a function's C signature with reference semantics.
type Signature struct {
	Return    string // C return type, e.g. "PyObject*"
	ReturnRef Ref    // RefNew / RefBorrowed for object returns
	Params    []Param
	Variadic  bool
}

// Alternative is the Limited API replacement for a non-limited (or
// too-new) name.
type Alternative struct {
	Use   string  // e.g. "PyTuple_GetItem"
	Since Version // first Limited API version that has Use
	// Mechanical is true when rewriting the name (same arguments) keeps
	// behaviour, so a safe quick fix may apply it.
	Mechanical bool
	Note       string // caveat shown to the user (e.g. "returns a new reference")
}

// Entry is everything the database knows about one name.
type Entry struct {
	Name   string
	Kind   Kind
	Tier   Tier
	Header string // e.g. "cpython/tupleobject.h"; empty when unknown
	Forms  []string

	InStableABI bool    // listed in stable_abi.toml
	Added       Version // stable_abi.toml `added`; zero when not listed
	LimitedFrom Version // lowest Py_LIMITED_API at which the headers expose it; zero if never
	ABIOnly     bool
	Ifdef       string // feature macro the item depends on

	StructABIKind string   // "opaque", "members", "full-abi" for structs in the toml
	Members       []string // stable members of a "members" struct

	InPythonH bool // reachable from Python.h alone
	Signature *Signature
	Alt       *Alternative

	// ExcludedABI3T is set for names not available when Py_TARGET_ABI3T
	// (PEP 803, free-threaded stable ABI) is defined; Reason says why.
	ExcludedABI3T bool
	ABI3TReason   string
}

// Since is the version from which the name is usable under the Limited API:
// Added when the name is in stable_abi.toml, else LimitedFrom.
func (e *Entry) Since() Version {
	if !e.Added.IsZero() {
		return e.Added
	}
	return e.LimitedFrom
}

// Field is a member of a CPython struct.
type Field struct {
	Struct         string // typedef name, e.g. "PyTypeObject"
	Name           string // e.g. "tp_name"
	Type           string
	Header         string
	LimitedVisible bool   // the definition is visible under Py_LIMITED_API
	InStableABI    bool   // part of the stable ABI (members/full-abi structs)
	Alternative    string // e.g. "PyType_GetName(type)"; empty if none
	AltSince       Version
}

// Status is the verdict of Check for a name under a target.
type Status int

const (
	Unknown       Status = iota // not a CPython API name
	Available                   // usable under the target
	NotLimited                  // public API outside the Limited API
	TooNew                      // limited, but only from Result.Need
	Private                     // _Py* names
	ABIOnly                     // in the stable ABI, not in the Limited API
	ExcludedABI3T               // not available under Py_TARGET_ABI3T
)

func (s Status) String() string {
	switch s {
	case Available:
		return "available"
	case NotLimited:
		return "not-limited"
	case TooNew:
		return "too-new"
	case Private:
		return "private"
	case ABIOnly:
		return "abi-only"
	case ExcludedABI3T:
		return "excluded-under-abi3t"
	}
	return "unknown"
}

// Result is what Check returns.
type Result struct {
	Status Status
	Need   Version // for TooNew: the version the name needs
	Entry  *Entry  // nil for Unknown
}
