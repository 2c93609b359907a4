package abi

import (
	"bytes"
	_ "embed"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen

//go:embed data/abi.tsv.gz
var embedded []byte

// DB is the immutable Limited API database. Safe for concurrent use.
type DB struct {
	entries map[string]*Entry
	names   []string           // sorted
	fields  map[string][]Field // by struct name
	byField map[string][]Field // by member name
	structs map[string]*Struct
}

var loadDefault = sync.OnceValues(func() (*DB, error) {
	return Load(bytes.NewReader(embedded))
})

// Default returns the database built from the embedded data. It is loaded
// once and never mutated. The embedded data is generated and tested, so a
// failure to read it is a build defect: Default panics then (DefaultErr
// returns the error instead).
func Default() *DB {
	db, err := loadDefault()
	if err != nil {
		panic(err)
	}
	return db
}

// DefaultErr is Default returning the load error instead of panicking.
func DefaultErr() (*DB, error) { return loadDefault() }

// Len is the number of names in the database.
func (db *DB) Len() int { return len(db.names) }

// Names returns every name, sorted. The caller must not modify the slice.
func (db *DB) Names() []string { return db.names }

// Lookup returns the entry for name. The entry is shared: do not modify it.
func (db *DB) Lookup(name string) (*Entry, bool) { e, ok := db.entries[name]; return e, ok }

// Check returns the status of name under target t. With a zero target
// (audit), limited names are Available and everything else keeps its tier
// status.
func (db *DB) Check(name string, t Target) Result {
	e, ok := db.entries[name]
	if !ok {
		return Result{Status: Unknown}
	}
	r := Result{Entry: e}
	switch e.Tier {
	case TierPrivate:
		r.Status = Private
		return r
	case TierABIOnly:
		r.Status = ABIOnly
		return r
	case TierLimited:
	default: // cpython, unstable
		r.Status = NotLimited
		return r
	}
	if !t.IsLimited() {
		r.Status = Available
		if !e.LastSeen.IsZero() {
			r.Status = NotLimited
		}
		return r
	}
	if !t.ABI3T.IsZero() && e.ExcludedABI3T {
		r.Status = ExcludedABI3T
		return r
	}
	v := t.Effective()
	if since := e.Since(); !since.IsZero() && v.Less(since) {
		r.Status, r.Need = TooNew, since
		return r
	}
	if !e.LimitedUntil.IsZero() && e.LimitedUntil.Less(v) || !e.LastSeen.IsZero() {
		// Hidden again at later targets, or gone from the current headers.
		r.Status = NotLimited
		return r
	}
	r.Status = Available
	return r
}

// Field returns the member field of struct st (e.g. "PyTypeObject", "tp_name").
func (db *DB) Field(st, field string) (Field, bool) {
	for _, f := range db.fields[st] {
		if f.Name == field {
			return f, true
		}
	}
	return Field{}, false
}

// CheckField returns the status of accessing member f under target t:
// Available, NotLimited (the struct is opaque under the Limited API or the
// member is not visible there) or ExcludedABI3T (abi3t hides the struct,
// e.g. PyObject.ob_refcnt). Audit mode (zero target) allows everything.
func (db *DB) CheckField(f Field, t Target) Status {
	switch {
	case !t.IsLimited():
		return Available
	case !t.ABI3T.IsZero() && (f.ExcludedABI3T || db.StructOpaqueFor(f.Struct, t) && !db.StructOpaque(f.Struct)):
		return ExcludedABI3T
	case !f.LimitedVisible || db.StructOpaque(f.Struct):
		return NotLimited
	}
	return Available
}

// Fields returns all known members of struct st, in declaration order. The
// caller must not modify the slice.
func (db *DB) Fields(st string) []Field { return db.fields[st] }

// FieldsNamed returns every CPython struct member called field, for when the
// base expression's type is unknown. The caller must not modify the slice.
func (db *DB) FieldsNamed(field string) []Field { return db.byField[field] }

// Struct returns what the database knows about struct type name
// (a typedef name such as "PyTypeObject").
func (db *DB) Struct(name string) (*Struct, bool) { s, ok := db.structs[name]; return s, ok }

// StructOpaque reports whether struct name is opaque under the Limited API:
// its fields are not accessible and it cannot be used by value (declared,
// embedded in another struct, sizeof), only through pointers. PyTypeObject,
// PyListObject, PyTupleObject, PyFrameObject, PyThreadState... are; PyObject
// (a "members" struct) and Py_buffer (full ABI) are not.
func (db *DB) StructOpaque(name string) bool {
	s, ok := db.structs[name]
	return ok && s.Opaque
}

// StructOpaqueFor is StructOpaque for target t: nothing is opaque in audit
// mode, and abi3t also hides PyObject, PyVarObject, PyModuleDef and
// PyModuleDef_Base.
func (db *DB) StructOpaqueFor(name string, t Target) bool {
	s, ok := db.structs[name]
	switch {
	case !ok || !t.IsLimited():
		return false
	case !t.ABI3T.IsZero() && s.OpaqueABI3T:
		return true
	}
	return s.Opaque
}

// Structs returns the names of all structs the database describes, sorted.
func (db *DB) Structs() []string {
	out := make([]string, 0, len(db.structs))
	for n := range db.structs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Similar returns up to n names close to name (case-insensitive match,
// then small edit distance), for "did you mean" messages.
func (db *DB) Similar(name string, n int) []string {
	if n <= 0 || name == "" {
		return nil
	}
	type cand struct {
		name string
		d    int
	}
	lname := strings.ToLower(name)
	limit := 1 + len(name)/4
	var cs []cand
	for _, c := range db.names {
		if c == name {
			continue
		}
		lc := strings.ToLower(c)
		if lc == lname {
			cs = append(cs, cand{c, 0})
			continue
		}
		if abs(len(lc)-len(lname)) > limit {
			continue
		}
		if d := editDistance(lname, lc, limit); d <= limit {
			cs = append(cs, cand{c, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	out := make([]string, 0, n)
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the Levenshtein distance of a and b, or limit+1 when it
// exceeds limit.
func editDistance(a, b string, limit int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
