package headerfacts

import (
	"path/filepath"
	"strings"
	"testing"
)

const fixture = `# comment
# headers); DO NOT EDIT. Header sets: 3.6=3.6.15 3.12=3.12.1
name	header	python_h	3.6	3.12
Py_SIZE	object.h	yes	3.2:m	3.2:mri,3.11:i,*:mri
PyErr_GetRaisedException	pyerrors.h	yes		3.2:f
PyTuple_GET_ITEM	cpython/tupleobject.h	yes	*:m	*:m
PyCFunction_NewEx	methodobject.h	yes	3.2:f	3.2:f,3.9:mf
`

func TestParse(t *testing.T) {
	f, err := Parse(strings.NewReader(fixture))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sets) != 2 || f.Sets[1] != (Set{"3.12", 12, "3.12.1"}) {
		t.Fatalf("sets %+v", f.Sets)
	}
	size, _ := f.Lookup("Py_SIZE")
	tests := []struct {
		name       string
		set, minor int
		forms      string
	}{
		{"Py_SIZE", 0, 2, "m"}, {"Py_SIZE", 0, 0, "m"}, {"Py_SIZE", 1, 2, "mri"}, {"Py_SIZE", 1, 10, "mri"},
		{"Py_SIZE", 1, 11, "i"}, {"Py_SIZE", 1, 15, "i"}, {"Py_SIZE", 1, 0, "mri"},
		{"PyErr_GetRaisedException", 0, 8, ""}, {"PyErr_GetRaisedException", 1, 8, "f"},
		{"PyTuple_GET_ITEM", 1, 8, ""}, {"PyTuple_GET_ITEM", 1, 0, "m"},
		{"PyCFunction_NewEx", 1, 8, "f"}, {"PyCFunction_NewEx", 1, 9, "mf"},
	}
	for _, tt := range tests {
		n, ok := f.Lookup(tt.name)
		if !ok {
			t.Fatalf("%s missing", tt.name)
		}
		if got := n.FormsAt(tt.set, tt.minor); got != tt.forms {
			t.Errorf("%s.FormsAt(%d, %d) = %q, want %q", tt.name, tt.set, tt.minor, got, tt.forms)
		}
	}
	if size.LowestLimited(1) != 2 || size.LowestMacro(1) != 2 {
		t.Error("Py_SIZE lowest wrong")
	}
	nx, _ := f.Lookup("PyCFunction_NewEx")
	if nx.LowestMacro(1) != 9 || nx.LowestMacro(0) != 0 {
		t.Error("PyCFunction_NewEx LowestMacro wrong")
	}
	e, _ := f.Lookup("PyErr_GetRaisedException")
	if e.Declared(0) || !e.Declared(1) || e.LowestLimited(1) != 2 {
		t.Error("PyErr_GetRaisedException facts wrong")
	}
	var none *Name
	if none.FormsAt(0, 2) != "" || none.LowestLimited(0) != 0 || none.Declared(0) {
		t.Error("nil Name not empty")
	}
	for _, bad := range []string{"", "name\theader\n", "name\theader\tpython_h\tx.y\n",
		"name\theader\tpython_h\t3.6\nA\tb\tyes\n", "name\theader\tpython_h\t3.6\nA\tb\tyes\t3.x:f\n"} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

// TestCommittedFacts checks a few facts of the committed scan.
func TestCommittedFacts(t *testing.T) {
	f, err := Read(filepath.Join("..", "data", "headers.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sets) < 2 || len(f.Names()) < 4000 {
		t.Fatalf("%d sets, %d names", len(f.Sets), len(f.Names()))
	}
	i313 := f.SetIndex("3.13")
	if i313 < 0 {
		t.Skip("no 3.13 headers in this scan")
	}
	for _, tt := range []struct {
		name  string
		minor int
		want  string
	}{
		{"Py_TYPE", 2, "mri"}, {"Py_TYPE", 11, "i"}, {"PyErr_GetRaisedException", 2, "f"},
		{"PyTuple_GET_ITEM", 13, ""}, {"PyType_GetName", 10, ""}, {"PyType_GetName", 11, "f"},
		{"PyObject_HEAD", 2, "o"}, {"METH_VARARGS", 2, "c"}, {"Py_buffer", 10, ""}, {"Py_buffer", 11, "t"},
	} {
		n, ok := f.Lookup(tt.name)
		if !ok {
			t.Errorf("%s missing", tt.name)
			continue
		}
		if got := n.FormsAt(i313, tt.minor); got != tt.want {
			t.Errorf("3.13 headers: %s at 3.%d = %q, want %q", tt.name, tt.minor, got, tt.want)
		}
	}
}
