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
	Use   string  // e.g. "PyTuple_GetItem"; empty when the fix is to delete the call or there is none
	Since Version // first Limited API version that has Use
	// Mechanical is true when rewriting the name (same arguments) keeps
	// behaviour, so a safe quick fix may apply it. When Template is set,
	// it is the rewrite that keeps behaviour.
	Mechanical bool
	Note       string // caveat shown to the user (e.g. "returns a new reference")
	// Template is the rewritten call when the arguments change: $1, $2 ...
	// stand for the original arguments, e.g. "PyUnicode_AsUTF8AndSize($1, NULL)".
	Template string
	// When says in which situation the alternative applies:
	//   WhenUnusable ("")   the name is not usable for the target (not
	//                       limited, too new, private, abi-only)
	//   WhenPreferred       the name is usable but the replacement is better
	//                       (deprecated or error-prone) once target >= Since
	//   WhenStaticType      the name is used with a statically allocated type
	//   WhenHashFormat      a format string uses '#' without PY_SSIZE_T_CLEAN
	When string
}

// Values of Alternative.When.
const (
	WhenUnusable   = ""
	WhenPreferred  = "preferred"
	WhenStaticType = "static-type"
	WhenHashFormat = "hash-format"
)

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
	// A non-empty ABI3TReason with ExcludedABI3T false is a caveat: the name
	// works under abi3t but behaves differently.
	ExcludedABI3T bool
	ABI3TReason   string

	// MacroFrom is set for stable_abi.toml items that the headers also
	// provide as a macro or static inline function (which does not need the
	// exported symbol) at targets below Added: the lowest such target, e.g.
	// 3.2 for Py_TYPE (added as a function in 3.14).
	MacroFrom Version
	// LimitedUntil is the last target at which the headers expose the name
	// when later targets hide it again (removed from the Limited API).
	LimitedUntil Version
	// FirstSeen is the oldest CPython whose headers declare the name, among
	// those checked (3.6 to 3.13, then the 3.15 snapshot): 3.6 means "3.6 or
	// earlier". A macro or inline available from an old target may still
	// need new headers to build (Py_NewRef: 3.10).
	FirstSeen Version
	// LastSeen is set for names the current headers no longer declare: the
	// newest CPython whose headers do (e.g. 3.11 for PyUnicode_AS_UNICODE).
	LastSeen Version
	// Documented is set for names with an entry in the C API reference.
	Documented bool
	Note       string // extra facts (e.g. headers that disagree with the toml)
}

// Since is the version from which the name is usable under the Limited API:
// Added when the name is in stable_abi.toml (or MacroFrom when the headers
// provide it as a macro earlier; or LimitedFrom when the headers hide it
// until a later target, as METH_FASTCALL: added 3.7, declared from 3.10),
// else LimitedFrom.
func (e *Entry) Since() Version {
	s := e.LimitedFrom
	switch {
	case !e.MacroFrom.IsZero() && (e.Added.IsZero() || e.MacroFrom.Less(e.Added)):
		s = e.MacroFrom
	case !e.Added.IsZero() && e.LimitedFrom.Less(e.Added):
		s = e.Added
	}
	// A macro or inline that old targets may use still has to exist in the
	// headers of the oldest Python the wheel supports: Py_NewRef works at a
	// 3.8 target only with 3.10+ headers, and an author building against
	// the 3.8 headers gets an implicit declaration. FirstSeen 3.6 (the oldest
	// headers scanned) means "3.6 or earlier" and gates nothing.
	if oldestScanned.Less(e.FirstSeen) && s.Less(e.FirstSeen) {
		s = e.FirstSeen
	}
	return s
}

// oldestScanned is the oldest CPython whose headers the database scanned.
var oldestScanned = V(3, 6)

// Limited reports whether the name is part of the Limited API of the
// current headers (for some target). Names that left the headers (LastSeen
// set) are not, whatever their tier was.
func (e *Entry) Limited() bool { return e.Tier == TierLimited && e.LastSeen.IsZero() }

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
	WriteAlt       string  // replacement for assignments, e.g. "Py_SET_TYPE(o, type)"
	WriteAltSince  Version // first Limited API version that has WriteAlt
	Note           string  // caveat shown with the alternatives
	// ExcludedABI3T is set when the member is not accessible under abi3t
	// (its struct is opaque there); ABI3TReason says why.
	ExcludedABI3T bool
	ABI3TReason   string
}

// Struct is what the database knows about a CPython struct type.
type Struct struct {
	Name    string // typedef name, e.g. "PyTypeObject"
	ABIKind string // stable_abi.toml struct_abi_kind: "opaque", "members", "full-abi"; "" if not listed
	Header  string
	// Opaque is true when the Limited API does not define the struct's
	// members: its fields cannot be accessed and it cannot be used by value
	// (declared, embedded, sizeof), only through pointers.
	Opaque bool
	// OpaqueABI3T is true when the struct is opaque under abi3t (PEP 803),
	// which hides PyObject, PyVarObject, PyModuleDef and PyModuleDef_Base too.
	OpaqueABI3T bool
	ABI3TReason string
	Note        string
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
