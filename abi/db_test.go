package abi

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
)

func TestDefaultLoads(t *testing.T) {
	db, err := DefaultErr()
	if err != nil {
		t.Fatal(err)
	}
	if db.Len() < 4000 {
		t.Fatalf("database has %d names, want thousands", db.Len())
	}
	if Default() != db {
		t.Fatal("Default is not loaded once")
	}
	if !slices.IsSorted(db.Names()) {
		t.Fatal("Names not sorted")
	}
}

// sharedDir is CPython's data beside the repository (CI has it).
func sharedDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("ABI3LS_SHARED")
	if d == "" {
		d = filepath.Join("..", "..", "shared", "cpython")
	}
	if _, err := os.Stat(filepath.Join(d, "stable_abi.toml")); err != nil {
		t.Skipf("CPython data not available: %v", err)
	}
	return d
}

type tomlItem struct {
	Added         string   `toml:"added"`
	ABIOnly       bool     `toml:"abi_only"`
	Ifdef         string   `toml:"ifdef"`
	StructABIKind string   `toml:"struct_abi_kind"`
	Members       []string `toml:"members"`
}

// readStableABI returns kind -> name -> item of stable_abi.toml.
func readStableABI(t *testing.T) map[string]map[string]tomlItem {
	t.Helper()
	var items map[string]map[string]tomlItem
	if _, err := toml.DecodeFile(filepath.Join(sharedDir(t), "stable_abi.toml"), &items); err != nil {
		t.Fatal(err)
	}
	return items
}

// TestEveryStableABIItem walks stable_abi.toml: every item is in the
// database with its kind, added version and details exactly.
func TestEveryStableABIItem(t *testing.T) {
	db := Default()
	n := 0
	for kind, byName := range readStableABI(t) {
		for name, it := range byName {
			n++
			e, ok := db.Lookup(name)
			if !ok {
				t.Errorf("%s %s: not in the database", kind, name)
				continue
			}
			if string(e.Kind) != kind {
				t.Errorf("%s: kind %s, want %s", name, e.Kind, kind)
			}
			if e.Added.String() != it.Added {
				t.Errorf("%s: added %q, want %q", name, e.Added, it.Added)
			}
			if !e.InStableABI || e.ABIOnly != it.ABIOnly || e.Ifdef != it.Ifdef || e.StructABIKind != it.StructABIKind {
				t.Errorf("%s: stable=%v abi_only=%v ifdef=%q struct=%q; want abi_only=%v ifdef=%q struct=%q",
					name, e.InStableABI, e.ABIOnly, e.Ifdef, e.StructABIKind, it.ABIOnly, it.Ifdef, it.StructABIKind)
			}
			if !slices.Equal(e.Members, it.Members) {
				t.Errorf("%s: members %v, want %v", name, e.Members, it.Members)
			}
			if it.ABIOnly && e.Tier != TierABIOnly && e.Tier != TierPrivate {
				t.Errorf("%s: abi_only item has tier %s", name, e.Tier)
			}
		}
	}
	if n < 1100 {
		t.Fatalf("walked only %d items", n)
	}
}

// TestIssueExamples pins the examples of the foundation issue.
func TestIssueExamples(t *testing.T) {
	db := Default()
	tests := []struct {
		name    string
		tier    Tier
		kind    Kind
		since   Version
		added   Version
		altUse  string
		hasForm string
	}{
		{name: "Py_TYPE", tier: TierLimited, kind: KindFunction, since: V(3, 2), added: V(3, 14), hasForm: "macro"},
		{name: "PyTuple_GET_ITEM", tier: TierCPython, kind: KindMacro, altUse: "PyTuple_GetItem"},
		{name: "_PyObject_GC_TRACK", tier: TierPrivate, kind: KindMacro, altUse: "PyObject_GC_Track"},
		{name: "PyType_GetName", tier: TierLimited, kind: KindFunction, since: V(3, 11), added: V(3, 11)},
		{name: "PyType_FromModuleAndSpec", tier: TierLimited, kind: KindFunction, since: V(3, 10), added: V(3, 10)},
		{name: "Py_buffer", tier: TierLimited, kind: KindStruct, since: V(3, 11), added: V(3, 11)},
		{name: "PyObject_HEAD", tier: TierLimited, kind: KindMacro, since: V(3, 2)},
		{name: "Py_INCREF", tier: TierLimited, kind: KindFunction, since: V(3, 2), hasForm: "static_inline"},
		{name: "Py_RETURN_NONE", tier: TierLimited, kind: KindMacro, since: V(3, 2)},
		{name: "PyTuple_Check", tier: TierLimited, since: V(3, 2)},
		{name: "Py_VISIT", tier: TierLimited, kind: KindMacro, since: V(3, 2)},
		{name: "PyErr_GetRaisedException", tier: TierLimited, kind: KindFunction, since: V(3, 12), added: V(3, 12)},
	}
	for _, tt := range tests {
		e, ok := db.Lookup(tt.name)
		if !ok {
			t.Errorf("%s: not found", tt.name)
			continue
		}
		if e.Tier != tt.tier || (tt.kind != "" && e.Kind != tt.kind) || e.Since() != tt.since || e.Added != tt.added {
			t.Errorf("%s: tier %s kind %s since %v added %v; want %s %s %v %v",
				tt.name, e.Tier, e.Kind, e.Since(), e.Added, tt.tier, tt.kind, tt.since, tt.added)
		}
		if tt.altUse != "" && (e.Alt == nil || e.Alt.Use != tt.altUse) {
			t.Errorf("%s: alternative %+v, want %s", tt.name, e.Alt, tt.altUse)
		}
		if tt.hasForm != "" && !slices.Contains(e.Forms, tt.hasForm) {
			t.Errorf("%s: forms %v lack %s", tt.name, e.Forms, tt.hasForm)
		}
	}
}

func TestCheck(t *testing.T) {
	db := Default()
	abi3 := func(minor int) Target { return Target{Limited: V(3, minor)} }
	abi3t := Target{ABI3T: V(3, 15)}
	tests := []struct {
		name   string
		target Target
		want   Status
		need   Version
	}{
		{"PyTuple_GetItem", abi3(8), Available, Version{}},
		{"PyTuple_GetItem", Target{}, Available, Version{}},
		{"Py_TYPE", abi3(2), Available, Version{}},
		{"Py_INCREF", abi3(3), Available, Version{}},
		{"Py_NewRef", abi3(8), TooNew, V(3, 10)}, // static inline, but only in the 3.10+ headers
		{"Py_NewRef", abi3(10), Available, Version{}},
		{"Py_SET_TYPE", abi3(8), TooNew, V(3, 9)},  // macro from the 3.9 headers on
		{"Py_TYPE", abi3(2), Available, Version{}}, // a macro in every header set
		{"PyTuple_GET_ITEM", abi3(8), NotLimited, Version{}},
		{"PyTuple_GET_ITEM", Target{}, NotLimited, Version{}},
		{"PyUnstable_Code_New", abi3(12), NotLimited, Version{}},
		{"PyUnicode_AS_UNICODE", Target{}, NotLimited, Version{}}, // removed in 3.12
		{"PyEval_CallObject", abi3(8), NotLimited, Version{}},     // limited macro, removed in 3.13
		{"Py_MEMCPY", abi3(8), Available, Version{}},              // limited up to 3.10
		{"Py_MEMCPY", abi3(12), NotLimited, Version{}},
		{"PyErr_GetRaisedException", abi3(8), TooNew, V(3, 12)}, // toml wins over headers
		{"PyErr_GetRaisedException", abi3(12), Available, Version{}},
		{"PyErr_GetRaisedException", Target{}, Available, Version{}},
		{"PyType_GetName", abi3(10), TooNew, V(3, 11)},
		{"PyType_FromModuleAndSpec", abi3(9), TooNew, V(3, 10)},
		{"PyObject_DelAttr", abi3(8), TooNew, V(3, 13)}, // a function in 3.13 headers
		{"Py_buffer", abi3(10), TooNew, V(3, 11)},
		{"METH_FASTCALL", abi3(8), TooNew, V(3, 10)}, // toml 3.7, headers gate it at 3.10
		{"METH_FASTCALL", abi3(10), Available, Version{}},
		{"_PyObject_GC_TRACK", abi3(8), Private, Version{}},
		{"_Py_Dealloc", abi3(8), Private, Version{}},
		{"PyWeakref_GetObject", abi3(8), ABIOnly, Version{}},
		{"PyEval_CallObjectWithKeywords", abi3(8), ABIOnly, Version{}},
		{"PyObject_HEAD", abi3(15), Available, Version{}},
		{"PyObject_HEAD", abi3t, ExcludedABI3T, Version{}},
		{"PyModule_Create", abi3t, ExcludedABI3T, Version{}},
		{"PyModule_GetDef", abi3t, Available, Version{}}, // a caveat only
		{"PyErr_GetRaisedException", Target{Limited: V(3, 8), ABI3T: V(3, 15)}, Available, Version{}},
		{"Py_LIMITED_API", abi3(8), Available, Version{}},
		{"Py_TARGET_ABI3T", abi3t, Available, Version{}},
		{"NotACPythonName", abi3(8), Unknown, Version{}},
		{"", abi3(8), Unknown, Version{}},
	}
	for _, tt := range tests {
		r := db.Check(tt.name, tt.target)
		if r.Status != tt.want || r.Need != tt.need {
			t.Errorf("Check(%s, %s) = %s need %v; want %s need %v", tt.name, tt.target, r.Status, r.Need, tt.want, tt.need)
		}
		if (r.Entry == nil) != (tt.want == Unknown) {
			t.Errorf("Check(%s, %s): entry %v", tt.name, tt.target, r.Entry)
		}
	}
	for s := Unknown; s <= ExcludedABI3T; s++ {
		if s.String() == "" || (s != Unknown && s.String() == "unknown") {
			t.Errorf("Status(%d).String() = %q", s, s)
		}
	}
}

func TestStructs(t *testing.T) {
	db := Default()
	for _, n := range []string{"PyTypeObject", "PyListObject", "PyTupleObject", "PyFrameObject", "PyThreadState",
		"PyLongObject", "PyInterpreterState", "PyCodeObject", "PyDictObject", "PyModuleObject"} {
		if !db.StructOpaque(n) {
			t.Errorf("StructOpaque(%s) = false", n)
		}
	}
	for _, n := range []string{"PyObject", "PyVarObject", "Py_buffer", "PyMethodDef", "PyModuleDef", "PyType_Spec", "NotAStruct"} {
		if db.StructOpaque(n) {
			t.Errorf("StructOpaque(%s) = true", n)
		}
	}
	abi3t, abi3, audit := Target{ABI3T: V(3, 15)}, Target{Limited: V(3, 15)}, Target{}
	for _, tt := range []struct {
		name   string
		target Target
		want   bool
	}{
		{"PyObject", abi3t, true}, {"PyObject", abi3, false}, {"PyModuleDef", abi3t, true},
		{"PyModuleDef_Base", abi3t, true}, {"PyVarObject", abi3t, true}, {"Py_buffer", abi3t, false},
		{"PyTypeObject", abi3, true}, {"PyTypeObject", audit, false}, {"PyTypeObject", abi3t, true},
	} {
		if got := db.StructOpaqueFor(tt.name, tt.target); got != tt.want {
			t.Errorf("StructOpaqueFor(%s, %s) = %v", tt.name, tt.target, got)
		}
	}

	f, ok := db.Field("PyTypeObject", "tp_name")
	if !ok || f.LimitedVisible || !strings.HasPrefix(f.Alternative, "PyType_GetName") || f.AltSince != V(3, 11) {
		t.Errorf("PyTypeObject.tp_name = %+v", f)
	}
	f, ok = db.Field("PyTypeObject", "tp_free")
	if !ok || !strings.Contains(f.Alternative, "Py_tp_free") || f.AltSince != V(3, 4) || f.WriteAlt == "" {
		t.Errorf("PyTypeObject.tp_free = %+v", f)
	}
	f, ok = db.Field("PyObject", "ob_type")
	if !ok || !f.LimitedVisible || !f.InStableABI || f.Alternative != "Py_TYPE(o)" ||
		!strings.HasPrefix(f.WriteAlt, "Py_SET_TYPE") || !f.ExcludedABI3T || f.ABI3TReason == "" {
		t.Errorf("PyObject.ob_type = %+v", f)
	}
	f, ok = db.Field("PyVarObject", "ob_size")
	if !ok || !strings.HasPrefix(f.WriteAlt, "Py_SET_SIZE") || f.WriteAltSince.IsZero() {
		t.Errorf("PyVarObject.ob_size = %+v", f)
	}
	for _, tt := range []struct {
		st, field string
		target    Target
		want      Status
	}{
		{"PyTypeObject", "tp_name", abi3, NotLimited},
		{"PyTypeObject", "tp_name", audit, Available},
		{"PyTypeObject", "tp_name", abi3t, NotLimited},
		{"PyObject", "ob_refcnt", abi3, Available},
		{"PyObject", "ob_refcnt", abi3t, ExcludedABI3T},
		{"PyVarObject", "ob_size", abi3t, ExcludedABI3T},
		{"PyListObject", "ob_item", abi3, NotLimited},
		{"Py_buffer", "buf", abi3t, Available},
	} {
		f, ok := db.Field(tt.st, tt.field)
		if !ok {
			t.Errorf("no field %s.%s", tt.st, tt.field)
			continue
		}
		if got := db.CheckField(f, tt.target); got != tt.want {
			t.Errorf("CheckField(%s.%s, %s) = %s, want %s", tt.st, tt.field, tt.target, got, tt.want)
		}
	}
	if _, ok := db.Field("PyTypeObject", "no_such_field"); ok {
		t.Error("found a field that does not exist")
	}
	if len(db.Fields("PyTypeObject")) < 40 {
		t.Errorf("PyTypeObject has %d fields", len(db.Fields("PyTypeObject")))
	}
	var structs []string
	for _, f := range db.FieldsNamed("ob_refcnt") {
		structs = append(structs, f.Struct)
	}
	if !slices.Contains(structs, "PyObject") {
		t.Errorf("FieldsNamed(ob_refcnt) = %v", structs)
	}
	if s, ok := db.Struct("PyTypeObject"); !ok || s.ABIKind != "opaque" || !s.Opaque {
		t.Errorf("Struct(PyTypeObject) = %+v", s)
	}
	if len(db.Structs()) < 30 {
		t.Errorf("only %d structs", len(db.Structs()))
	}
}

func TestSignatures(t *testing.T) {
	db := Default()
	tests := []struct {
		name     string
		ret      string
		ref      Ref
		steals   string
		variadic bool
	}{
		{name: "PyTuple_GetItem", ret: "PyObject*", ref: RefBorrowed},
		{name: "PyList_New", ret: "PyObject*", ref: RefNew},
		{name: "PyTuple_SetItem", ret: "int", steals: "o"},
		{name: "PyList_SET_ITEM", ret: "void", steals: "o"},
		{name: "PyModule_AddObject", ret: "int", steals: "value"},
		{name: "PyErr_Restore", ret: "void", steals: "type"},
		{name: "Py_BuildValue", ret: "PyObject*", ref: RefNew, variadic: true},
	}
	for _, tt := range tests {
		e, ok := db.Lookup(tt.name)
		if !ok || e.Signature == nil {
			t.Errorf("%s: no signature", tt.name)
			continue
		}
		s := e.Signature
		if s.Return != tt.ret || s.ReturnRef != tt.ref || s.Variadic != tt.variadic {
			t.Errorf("%s: %+v", tt.name, s)
		}
		if tt.steals != "" {
			i := slices.IndexFunc(s.Params, func(p Param) bool { return p.Name == tt.steals })
			if i < 0 || s.Params[i].Ref != RefSteals {
				t.Errorf("%s: parameter %s does not steal: %+v", tt.name, tt.steals, s.Params)
			}
		}
	}
}

func TestAlternatives(t *testing.T) {
	db := Default()
	// Every name the issue lists has an alternative.
	for _, n := range []string{
		"PyTuple_GET_ITEM", "PyTuple_SET_ITEM", "PyTuple_GET_SIZE", "PyList_GET_ITEM", "PyList_SET_ITEM",
		"PyList_GET_SIZE", "PySequence_Fast_GET_ITEM", "PySequence_Fast_GET_SIZE", "PySequence_Fast_ITEMS",
		"PyBytes_AS_STRING", "PyBytes_GET_SIZE", "PyFloat_AS_DOUBLE", "PyUnicode_GET_LENGTH",
		"PyUnicode_READ_CHAR", "PyUnicode_READY", "PyUnicode_AS_UNICODE", "PyUnicode_AsUTF8", "PyErr_Fetch",
		"PyErr_Restore", "PyModule_AddObject", "PyType_Ready", "PyDict_GetItem", "PyDict_GetItemString",
		"PyWeakref_GetObject", "PyImport_AddModule", "PyFrame_GetBack", "PyObject_CallOneArg",
		"PyObject_CallNoArgs", "PyArg_ParseTupleAndKeywords",
	} {
		e, ok := db.Lookup(n)
		if !ok || e.Alt == nil || e.Alt.Note == "" {
			t.Errorf("%s: no alternative", n)
		}
	}
	tests := []struct {
		name       string
		use        string
		since      Version
		mechanical bool
		when       string
	}{
		{"PyTuple_GET_ITEM", "PyTuple_GetItem", V(3, 2), true, WhenUnusable},
		{"PyTuple_SET_ITEM", "PyTuple_SetItem", V(3, 2), false, WhenUnusable},
		{"PyUnicode_GET_LENGTH", "PyUnicode_GetLength", V(3, 7), true, WhenUnusable},
		{"PyUnicode_AsUTF8", "PyUnicode_AsUTF8AndSize", V(3, 10), true, WhenUnusable},
		{"PyErr_Fetch", "PyErr_GetRaisedException", V(3, 12), false, WhenPreferred},
		{"PyWeakref_GetObject", "PyWeakref_GetRef", V(3, 13), false, WhenUnusable},
		{"PyType_Ready", "PyType_FromSpec", V(3, 2), false, WhenStaticType},
		{"PyObject_CallNoArgs", "PyObject_CallObject", V(3, 2), true, WhenUnusable},
		{"PyArg_ParseTupleAndKeywords", "PyArg_ParseTupleAndKeywords", V(3, 2), false, WhenHashFormat},
	}
	for _, tt := range tests {
		e, _ := db.Lookup(tt.name)
		if e == nil || e.Alt == nil {
			continue
		}
		a := e.Alt
		if a.Use != tt.use || a.Since != tt.since || a.Mechanical != tt.mechanical || a.When != tt.when {
			t.Errorf("%s: alternative %+v", tt.name, a)
		}
	}
	// Every replacement is limited from the version the alternative says.
	for _, n := range db.Names() {
		e, _ := db.Lookup(n)
		if e.Alt == nil || e.Alt.Use == "" {
			continue
		}
		id := e.Alt.Use
		if i := strings.IndexAny(id, "( "); i >= 0 {
			id = id[:i]
		}
		r, ok := db.Lookup(id)
		if !ok || !r.Limited() || r.Since() != e.Alt.Since {
			t.Errorf("%s: replacement %s is not limited since %v", n, e.Alt.Use, e.Alt.Since)
		}
	}
}

func TestDocURL(t *testing.T) {
	db := Default()
	for _, tt := range []struct{ name, want string }{
		{"PyTuple_GetItem", "https://docs.python.org/3/c-api/tuple.html#c.PyTuple_GetItem"},
		{"Py_INCREF", "https://docs.python.org/3/c-api/refcounting.html#c.Py_INCREF"},
		{"Py_TYPE", "https://docs.python.org/3/c-api/structures.html#c.Py_TYPE"},
		{"PyObject_CallOneArg", "https://docs.python.org/3/c-api/call.html#c.PyObject_CallOneArg"},
		{"PyType_GetName", "https://docs.python.org/3/c-api/type.html#c.PyType_GetName"},
		{"METH_VARARGS", "https://docs.python.org/3/c-api/structures.html#c.METH_VARARGS"},
		{"PyErr_GetRaisedException", "https://docs.python.org/3/c-api/exceptions.html#c.PyErr_GetRaisedException"},
		{"Py_LIMITED_API", "https://docs.python.org/3/c-api/stable.html#c.Py_LIMITED_API"},
		{"PY_SSIZE_T_CLEAN", "https://docs.python.org/3/c-api/arg.html#c.PY_SSIZE_T_CLEAN"},
		{"_PyObject_GC_TRACK", ""},
		{"_Py_Dealloc", ""},
	} {
		e, ok := db.Lookup(tt.name)
		if !ok {
			t.Errorf("%s: not found", tt.name)
			continue
		}
		if got := e.DocURL(); got != tt.want {
			t.Errorf("%s.DocURL() = %q, want %q", tt.name, got, tt.want)
		}
	}
	var nilEntry *Entry
	if nilEntry.DocURL() != "" {
		t.Error("nil entry has a URL")
	}
}

func TestABI3T(t *testing.T) {
	db := Default()
	for _, n := range []string{"PyObject_HEAD", "PyObject_VAR_HEAD", "PyObject_HEAD_INIT", "PyVarObject_HEAD_INIT",
		"Py_SET_TYPE", "PyModuleDef_HEAD_INIT", "PyModule_Create", "PyModule_Create2", "PyModuleDef_Init",
		"PyModule_FromDefAndSpec", "PyModule_FromDefAndSpec2"} {
		e, ok := db.Lookup(n)
		if !ok || !e.ExcludedABI3T || e.ABI3TReason == "" {
			t.Errorf("%s: not excluded under abi3t", n)
		}
	}
	for _, n := range []string{"Py_TYPE", "Py_SIZE", "Py_INCREF", "PyType_FromSpec", "PyObject_GetTypeData"} {
		if e, _ := db.Lookup(n); e == nil || e.ExcludedABI3T {
			t.Errorf("%s: excluded under abi3t", n)
		}
	}
	rep, why, ok := ModuleInitABI3T("PyInit_spam")
	if !ok || rep != "PyModExport_spam" || !strings.Contains(why, "PEP 803") {
		t.Errorf("ModuleInitABI3T(PyInit_spam) = %q, %q, %v", rep, why, ok)
	}
	for _, n := range []string{"PyInit_", "spam", "PyModExport_spam"} {
		if _, _, ok := ModuleInitABI3T(n); ok {
			t.Errorf("ModuleInitABI3T(%q) matched", n)
		}
	}
}

func TestSimilar(t *testing.T) {
	db := Default()
	for _, tt := range []struct{ in, want string }{
		{"PyTuple_Getitem", "PyTuple_GetItem"},
		{"PyTuple_GetIem", "PyTuple_GetItem"},
		{"py_incref", "Py_INCREF"},
		{"PyErr_GetRaisedExeption", "PyErr_GetRaisedException"},
	} {
		if got := db.Similar(tt.in, 3); !slices.Contains(got, tt.want) {
			t.Errorf("Similar(%q) = %v, want %s among them", tt.in, got, tt.want)
		}
	}
	if got := db.Similar("Qzx", 3); len(got) != 0 {
		t.Errorf("Similar(Qzx) = %v", got)
	}
}

// TestRoundTrip checks Encode and Load agree.
func TestRoundTrip(t *testing.T) {
	db := Default()
	data, err := Encode(db, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	db2, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(db, db2, cmp.AllowUnexported(DB{})); diff != "" {
		t.Errorf("round trip differs (-want +got):\n%s", diff)
	}
	bad := New([]Entry{{Name: "Bad\tName"}}, nil, nil)
	if _, err := Encode(bad, "", true); err == nil {
		t.Error("Encode accepted a name with a tab")
	}
	if _, err := Load(strings.NewReader("not gzip")); err == nil {
		t.Error("Load accepted garbage")
	}
}

func BenchmarkDefaultLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(bytes.NewReader(embedded)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(embedded)), "data-bytes")
}

func BenchmarkLookup(b *testing.B) {
	db := Default()
	names := []string{"PyTuple_GetItem", "Py_INCREF", "PyTuple_GET_ITEM", "NotAName", "_Py_Dealloc"}
	t := Target{Limited: V(3, 8)}
	for b.Loop() {
		for _, n := range names {
			db.Check(n, t)
		}
	}
}
