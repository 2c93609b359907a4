package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/pmezard/go-difflib/difflib"
)

// TestCommittedDataIsCurrent rebuilds the database from ../shared/cpython
// and the committed curated tables and header scan, and compares it with
// abi/data/abi.tsv.gz. Run `go generate ./abi/...` when it fails.
func TestCommittedDataIsCurrent(t *testing.T) {
	abiDir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	shared, err := findShared(abiDir, "")
	if err != nil {
		t.Skipf("CPython data not available (CI has it): %v", err)
	}
	db, _, comment, err := buildDB(shared, abiDir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := abi.Encode(db, comment, true)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(abiDir, "data", dataFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(string(got)), B: difflib.SplitLines(string(want)),
			FromFile: "committed", ToFile: "generated", Context: 0,
		})
		if len(diff) > 4000 {
			diff = diff[:4000] + "\n..."
		}
		t.Fatalf("abi/data/%s is stale: run `go generate ./abi/...`\n%s", dataFile, diff)
	}
}

// TestScanPreprocessed feeds the declaration scanner a small `gcc -E -dD`
// output.
func TestScanPreprocessed(t *testing.T) {
	const inc = "/inc"
	src := `# 1 "<stdin>"
# 1 "/usr/include/stdio.h" 1
typedef struct _IO_FILE FILE;
extern int printf(const char *, ...);
# 2 "/inc/object.h" 1
#define Py_OBJECT_H
#define PyObject_HEAD PyObject ob_base;
#define Py_TYPE(ob) _Py_TYPE(_PyObject_CAST(ob))
#define Py_INCREF(op) Py_INCREF(_PyObject_CAST(op))
#define METH_O 0x0008
#define Py_INVALID_SIZE (Py_ssize_t)-1
#define Py_GONE 1
#undef Py_GONE
typedef struct _object PyObject;
typedef PyObject *(*unaryfunc)(PyObject *);
struct _typeobject { const char *tp_name; struct inner { int x; } in; };
typedef struct { int a, b; } PyPair;
enum PyGILState_STATE_ { PyGILState_LOCKED, PyGILState_UNLOCKED = 1 };
__attribute__((visibility("default"))) PyObject * PyTuple_New(long size);
__attribute__((visibility("default"))) extern PyTypeObject PyTuple_Type;
extern int (*PyOS_InputHook)(void);
extern const unsigned char _Py_ctype_table[256];
static inline __attribute__((always_inline)) void Py_INCREF(PyObject *op)
{
    if (op) { op->ob_refcnt++; }
}
static inline PyTypeObject* _Py_TYPE(PyObject *ob) { return ob->ob_type; }
_Static_assert(1, "x");
int Py_A, Py_B;
# 30 "/inc/pyconfig.h" 1
#define HAVE_FORK 1
`
	d, err := scanPreprocessed(strings.NewReader(src), inc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"PyObject_HEAD":       "o",
		"Py_TYPE":             "m",
		"Py_INCREF":           "mri",
		"METH_O":              "c",
		"Py_INVALID_SIZE":     "o",
		"PyObject":            "t",
		"_object":             "s",
		"unaryfunc":           "t",
		"_typeobject":         "s",
		"inner":               "s",
		"PyPair":              "t",
		"PyGILState_STATE_":   "s",
		"PyGILState_LOCKED":   "e",
		"PyGILState_UNLOCKED": "e",
		"PyTuple_New":         "f",
		"PyTuple_Type":        "d",
		"PyOS_InputHook":      "d",
		"_Py_ctype_table":     "d",
		"_Py_TYPE":            "i",
		"Py_A":                "d",
		"Py_B":                "d",
	}
	for name, forms := range want {
		if got := d.forms[name]; got != forms {
			t.Errorf("%s: forms %q, want %q", name, got, forms)
		}
		if d.header[name] != "object.h" {
			t.Errorf("%s: header %q", name, d.header[name])
		}
	}
	for _, name := range []string{"FILE", "printf", "_IO_FILE", "Py_OBJECT_H", "Py_GONE", "HAVE_FORK", "tp_name", "a", "op", "x"} {
		if f, ok := d.forms[name]; ok {
			t.Errorf("%s should not be recorded (forms %q)", name, f)
		}
	}
}

func TestKindFromForms(t *testing.T) {
	if kindFromForms("mf") != abi.KindFunction || kindFromForms("c") != abi.KindConst || kindFromForms("ts") != abi.KindStruct {
		t.Error("kindFromForms wrong")
	}
}
