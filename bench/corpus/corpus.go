// Package corpus generates deterministic extension-module C source for
// benchmarks: module-level types, methods, argument parsing, reference
// handling, some Limited API and some CPython-only API, preprocessor
// branches — the shape of real extension code, in any size.
package corpus

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Options shape a generated file.
type Options struct {
	Lines  int    // approximate number of lines to generate
	Seed   uint64 // same seed, same bytes
	Module string // module name; "gen" when empty
	// Limited, when non-empty, is written as `#define Py_LIMITED_API <Limited>`.
	Limited string
}

// calls are statements a function body is made of; $O is an object
// variable and $N a number that keeps local names unique. About a third use API outside the Limited API.
var calls = []string{
	"Py_ssize_t n_$N = PyTuple_GET_SIZE($O);",
	"PyObject *it_$N = PyTuple_GET_ITEM($O, 0);",
	"Py_ssize_t len_$N = PyList_Size($O);",
	"PyObject *item_$N = PyList_GetItem($O, 0);",
	"const char *tn_$N = Py_TYPE($O)->tp_name;",
	"long v_$N = PyLong_AsLong($O);",
	"if (PyErr_Occurred()) { return NULL; }",
	"PyObject *s_$N = PyObject_Str($O);\n    Py_XDECREF(s_$N);",
	"double d_$N = PyFloat_AsDouble($O);",
	"Py_INCREF($O);\n    Py_DECREF($O);",
	"PyObject *r_$N = PyObject_CallNoArgs($O);\n    Py_XDECREF(r_$N);",
	"char *b_$N = PyBytes_AS_STRING($O);\n    (void)b_$N;",
	"int t_$N = PyObject_IsTrue($O);",
	"PyObject *k_$N = PyDict_GetItemString($O, \"key\");",
	"Py_ssize_t rc_$N = $O->ob_refcnt;",
	"PyObject *u_$N = PyUnicode_FromFormat(\"%%d\", $N);\n    Py_XDECREF(u_$N);",
	"if (!PyArg_ParseTuple($O, \"O\", &$O)) { return NULL; }",
	"int ok_$N = PyType_IsSubtype(Py_TYPE($O), &PyList_Type);",
}

// Generate returns about o.Lines lines of C.
func Generate(o Options) []byte {
	if o.Module == "" {
		o.Module = "gen"
	}
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	var b bytes.Buffer
	// counted keeps the line count of b up to counted bytes, so sizing a
	// large file stays linear.
	counted, nl := 0, 0
	lines := func() int {
		nl += bytes.Count(b.Bytes()[counted:], []byte{'\n'})
		counted = b.Len()
		return nl
	}
	fmt.Fprintf(&b, "/* Generated benchmark module %s (seed %d). */\n", o.Module, o.Seed)
	if o.Limited != "" {
		fmt.Fprintf(&b, "#define Py_LIMITED_API %s\n", o.Limited)
	}
	b.WriteString("#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n#include <string.h>\n\n")
	fmt.Fprintf(&b, "typedef struct {\n    PyObject_HEAD\n    PyObject *weakrefs;\n    long counter;\n} %sObject;\n\n", o.Module)
	var funcs []string
	for i := 0; lines() < o.Lines-40; i++ {
		name := fmt.Sprintf("%s_func_%d", o.Module, i)
		funcs = append(funcs, name)
		fmt.Fprintf(&b, "/* %s: does some work with its arguments. */\n", name)
		fmt.Fprintf(&b, "static PyObject *\n%s(PyObject *self, PyObject *args)\n{\n", name)
		n := 4 + r.IntN(10)
		for j := 0; j < n; j++ {
			if r.IntN(12) == 0 {
				fmt.Fprintf(&b, "#ifdef Py_LIMITED_API\n    Py_ssize_t sz_%[1]d = PyTuple_Size(args);\n#else\n    Py_ssize_t sz_%[1]d = PyTuple_GET_SIZE(args);\n#endif\n    (void)sz_%[1]d;\n", i*100+j)
				continue
			}
			c := calls[r.IntN(len(calls))]
			rep := strings.NewReplacer("$O", "args", "$N", strconv.Itoa(i*100+j))
			b.WriteString("    " + rep.Replace(c) + "\n")
		}
		b.WriteString("    Py_RETURN_NONE;\n}\n\n")
	}
	b.WriteString("static PyMethodDef module_methods[] = {\n")
	for _, f := range funcs {
		fmt.Fprintf(&b, "    {\"%s\", %s, METH_VARARGS, NULL},\n", f, f)
	}
	b.WriteString("    {NULL, NULL, 0, NULL}\n};\n\n")
	fmt.Fprintf(&b, "static struct PyModuleDef moduledef = {\n    PyModuleDef_HEAD_INIT, \"%s\", NULL, -1, module_methods,\n};\n\n", o.Module)
	fmt.Fprintf(&b, "PyMODINIT_FUNC\nPyInit_%s(void)\n{\n    return PyModule_Create(&moduledef);\n}\n", o.Module)
	return b.Bytes()
}

// EditPoints returns n byte offsets of src, spread over the function
// bodies, where typing one character lands inside a CPython API name (just
// after a "Py" that begins an identifier in an indented statement line):
// the shape of a keystroke in the middle of real code. The same src and
// seed give the same offsets; offsets repeat when src has fewer such places
// than n.
func EditPoints(src []byte, n int, seed uint64) []int {
	var places []int
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src) - off
		}
		line := src[off : off+end]
		if bytes.HasPrefix(line, []byte("    ")) {
			if i := apiNameIn(line); i >= 0 {
				places = append(places, off+i+2)
			}
		}
		off += end + 1
	}
	if len(places) == 0 || n <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	out := make([]int, n)
	for i := range out {
		out[i] = places[r.IntN(len(places))]
	}
	return out
}

// apiNameIn returns the index of the first "Py" in line that starts an
// identifier and is followed by a letter or '_', or -1.
func apiNameIn(line []byte) int {
	for i := 0; i+2 < len(line); i++ {
		if line[i] != 'P' || line[i+1] != 'y' {
			continue
		}
		if i > 0 && isIdent(line[i-1]) {
			continue
		}
		if c := line[i+2]; c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') {
			return i
		}
	}
	return -1
}

func isIdent(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

// File is one generated file of a tree.
type File struct {
	Path string // slash-separated, relative to the tree's root
	Src  []byte
}

// Tree returns files generated files of about lines lines each, spread
// over ten package directories (pkg0/m0.c, pkg1/m1.c, ...), each a module
// of its own with seed seed+i.
func Tree(files, lines int, seed uint64, limited string) []File {
	out := make([]File, files)
	for i := range out {
		mod := "m" + strconv.Itoa(i)
		out[i] = File{
			Path: "pkg" + strconv.Itoa(i%10) + "/" + mod + ".c",
			Src:  Generate(Options{Lines: lines, Seed: seed + uint64(i), Module: mod, Limited: limited}),
		}
	}
	return out
}
