package heaptype

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"
)

// convertChecked converts every static type of src and checks the result
// is well formed: no internal error, edits within the text and ordered.
func convertChecked(t testing.TB, pool *grammars.Pool, lang grammars.Lang, src []byte, target abi.Version, names []string) {
	tree, err := pool.Parse(lang, src, nil)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	defer tree.Close()
	root := tree.RootNode()
	names = append(names, StaticTypes(root, src)...)
	for _, name := range names {
		r := Convert(root, src, lang, target, name)
		for _, p := range r.Problems {
			if strings.Contains(p.Message, "internal error") {
				t.Fatalf("%s: %s\n--- source\n%s", name, p.Message, src)
			}
			if p.Start < 0 || p.End < p.Start || p.End > len(src) {
				t.Fatalf("%s: problem range %d-%d outside the text (%d bytes)", name, p.Start, p.End, len(src))
			}
		}
		if len(r.Problems) > 0 && len(r.Edits) > 0 {
			t.Fatalf("%s: problems and edits", name)
		}
		if err := checkEdits(r.Edits, len(src)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestDamagedInput converts truncated and cut-up versions of every test
// module: the conversion may refuse, but never fails internally or returns
// bad edits.
func TestDamagedInput(t *testing.T) {
	pool := grammars.NewPool()
	defer pool.Close()
	rng := rand.New(rand.NewSource(9))
	for _, tc := range loadCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := pool.Parse(tc.lang, tc.input, nil)
			if err != nil {
				t.Fatal(err)
			}
			names := StaticTypes(tree.RootNode(), tc.input)
			tree.Close()
			n := len(tc.input)
			for i := 0; i < 40; i++ {
				var src []byte
				switch i % 3 {
				case 0: // truncated
					src = append([]byte(nil), tc.input[:rng.Intn(n)]...)
				case 1: // a span deleted
					a := rng.Intn(n)
					b := min(n, a+1+rng.Intn(200))
					src = append(append([]byte(nil), tc.input[:a]...), tc.input[b:]...)
				default: // a span duplicated
					a := rng.Intn(n)
					b := min(n, a+1+rng.Intn(300))
					src = append(append(append([]byte(nil), tc.input[:b]...), tc.input[a:b]...), tc.input[b:]...)
				}
				convertChecked(t, pool, tc.lang, src, tc.target, names)
			}
		})
	}
}

func FuzzConvert(f *testing.F) {
	f.Add([]byte("static PyTypeObject T = { PyVarObject_HEAD_INIT(NULL, 0) \"m.T\", 0 };\nint f(void){ return PyType_Ready(&T); }\n"))
	f.Add([]byte("static PyTypeObject T = { PyObject_HEAD_INIT(NULL) .tp_name = \"m.T\", .tp_as_number = &n, };"))
	f.Add([]byte("static PyTypeObject T = { {0}, \"m.T\", [3] = 0, .x.y = 1, tp_doc: 0 };"))
	f.Add([]byte("static PyNumberMethods n = { 0, 0, f };\nstatic PyTypeObject T = {\n#if X\n};"))
	pool := grammars.NewPool()
	defer pool.Close()
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<14 {
			return
		}
		convertChecked(t, pool, grammars.C, src, abi.V(3, 9), []string{"T"})
		convertChecked(t, pool, grammars.CPP, src, abi.V(3, 12), []string{"T"})
	})
}

func TestInitParse(t *testing.T) {
	tests := []struct {
		init string
		want string // field=value;...
	}{
		{`{ PyVarObject_HEAD_INIT(NULL, 0) "m.A", sizeof(A), 0, (destructor)A_dealloc, }`,
			`tp_name="m.A";tp_basicsize=sizeof(A);tp_itemsize=0;tp_dealloc=(destructor)A_dealloc`},
		{`{ PyObject_HEAD_INIT(NULL) "m.A" /* name */, 0 }`, `tp_name="m.A";tp_basicsize=0`},
		{`{ PyVarObject_HEAD_INIT(NULL, 0) .tp_flags = Py_TPFLAGS_DEFAULT | // x
		      Py_TPFLAGS_BASETYPE, "next" }`, `tp_flags=Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;tp_doc="next"`},
		{`{ PyVarObject_HEAD_INIT(NULL, 0) .tp_print = 0, .tp_reserved = 0 }`, `tp_vectorcall_offset=0;tp_as_async=0`},
		{`{ .ob_base = PyVarObject_HEAD_INIT(NULL, 0) .tp_name = "x" }`, `tp_name="x"`},
	}
	for _, tt := range tests {
		src := []byte(tt.init)
		il := parseInit(src, 0, len(src)-1, typeFields, typeFieldAliases, "ob_base")
		if len(il.problems) > 0 {
			t.Errorf("%s: problems %v", tt.init, il.problems)
			continue
		}
		if il.head == nil {
			t.Errorf("%s: no head", tt.init)
		}
		var got []string
		for _, e := range il.elems {
			got = append(got, e.field+"="+e.text(src))
		}
		if g := strings.Join(got, ";"); g != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.init, g, tt.want)
		}
	}
}

func TestRefName(t *testing.T) {
	tests := []struct {
		val, name string
		addr, ok  bool
	}{
		{"Foo", "Foo", false, true},
		{"(destructor)Foo", "Foo", false, true},
		{"&Foo_as_number", "Foo_as_number", true, true},
		{"(PyObject *)&Foo", "Foo", true, true},
		{"reinterpret_cast<void *>(exec)", "exec", false, true},
		{"static_cast<PyObject *>(&T)", "T", true, true},
		{"sizeof(Foo)", "", false, false},
		{"\"doc\"", "", false, false},
	}
	for _, tt := range tests {
		src := []byte(tt.val)
		name, addr, ok := refName(src, tokenize(src, 0, len(src), false))
		if name != tt.name || addr != tt.addr || ok != tt.ok {
			t.Errorf("refName(%q) = %q %v %v, want %q %v %v", tt.val, name, addr, ok, tt.name, tt.addr, tt.ok)
		}
	}
	for _, z := range []string{"0", "NULL", "nullptr", "(destructor)0", "(printfunc)NULL", "((void *)0)"} {
		src := []byte(z)
		if !isZero(src, tokenize(src, 0, len(src), false)) {
			t.Errorf("isZero(%q) = false", z)
		}
	}
	for _, z := range []string{"1", "f", "(x)0 + 1"} {
		src := []byte(z)
		if isZero(src, tokenize(src, 0, len(src), false)) {
			t.Errorf("isZero(%q) = true", z)
		}
	}
}

func TestNormalize(t *testing.T) {
	got, err := normalize([]Edit{{5, 5, "b"}, {1, 3, "x"}, {5, 5, "c"}, {5, 7, "r"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Edit{{1, 3, "x"}, {5, 5, "bc"}, {5, 7, "r"}}
	if len(got) != len(want) {
		t.Fatalf("normalize = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("normalize = %v, want %v", got, want)
		}
	}
	if _, err := normalize([]Edit{{1, 4, ""}, {3, 5, ""}}); err == nil {
		t.Errorf("overlapping edits accepted")
	}
	if s := string(ApplyEdits([]byte("0123456789"), want)); s != "0x34bcr789" {
		t.Errorf("ApplyEdits = %q", s)
	}
}
