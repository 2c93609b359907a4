package heaptype

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/abi3ls/abi3ls/grammars"
)

// BenchmarkConvert converts one type of a large file (the tutorial module
// with 300 more functions, about 9,000 lines): the cost of offering the
// code action on one ABI005 finding.
func BenchmarkConvert(b *testing.B) {
	var tc *tcase
	for _, c := range loadCases(b) {
		if c.name == "noddy" {
			tc = c
		}
	}
	if tc == nil {
		b.Fatal("no noddy case")
	}
	var buf bytes.Buffer
	buf.Write(tc.input)
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&buf, "\nstatic PyObject *\nhelper_%d(PyObject *self, PyObject *args)\n{\n    PyObject *a = NULL, *b = NULL;\n"+
			"    if (!PyArg_ParseTuple(args, \"OO\", &a, &b))\n        return NULL;\n    if (PyObject_RichCompareBool(a, b, Py_EQ) > 0) {\n"+
			"        Py_INCREF(a);\n        return a;\n    }\n    return PyNumber_Add(a, b);\n}\n", i)
	}
	src := buf.Bytes()
	pool := grammars.NewPool()
	defer pool.Close()
	tree, err := pool.Parse(grammars.C, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	root := tree.RootNode()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Convert(root, src, grammars.C, tc.target, "NoddyType")
		if len(r.Problems) > 0 || len(r.Edits) == 0 {
			b.Fatalf("conversion failed: %v", r.Problems)
		}
	}
	b.ReportMetric(float64(bytes.Count(src, []byte("\n"))), "lines")
}
