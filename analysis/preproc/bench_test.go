package preproc

import (
	"fmt"
	"strings"
	"testing"
)

// genExtension returns an extension-module-like C file of about lines
// lines: functions with comments, strings, and conditionals every few lines.
// With unique, every condition differs (no verdict can be reused).
func genExtension(lines int, unique bool) []byte {
	var b strings.Builder
	b.WriteString("/* Generated extension module for benchmarks.\n * #if 0 in a comment\n */\n")
	b.WriteString("#define Py_LIMITED_API 0x03080000\n#include <Python.h>\n#include \"local.h\"\n\n")
	n := 7
	for i := 0; n < lines; i++ {
		u := 0
		if unique {
			u = i
		}
		chunk := fmt.Sprintf(`// %d: a function and its docstring
PyDoc_STRVAR(func%d_doc, "func%d(a, b)\n--\n\nDo something with 'a' and \"b\".");

static PyObject *
func%d(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *result = NULL; /* the result */
    long value = 0;
#ifdef Py_LIMITED_API
    if (!PyArg_ParseTuple(args, "l", &value)) {
        return NULL;
    }
#else
    value = PyLong_AsLong(args[0]);
#endif
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A%04X
    result = PyLong_FromLong(value * %d);
#elif PY_VERSION_HEX >= 0x030C%04X && \
      defined(Py_GIL_DISABLED)
    result = Py_NewRef(Py_None);
#endif
    const char *msg = "value: %%ld // not a comment";
    if (value < 0) {
        PyErr_Format(PyExc_ValueError, msg, value);
        Py_XDECREF(result);
        return NULL;
    }
    return result;
}

`, i, i, i, i, u, i, u)
		b.WriteString(chunk)
		n += strings.Count(chunk, "\n")
	}
	return []byte(b.String())
}

// BenchmarkEvaluate runs Evaluate on a generated 20,000-line file; the
// MB/s column is the throughput.
func BenchmarkEvaluate(b *testing.B) {
	b.Run("repeated-conditions", func(b *testing.B) { benchEvaluate(b, genExtension(20000, false)) })
	b.Run("unique-conditions", func(b *testing.B) { benchEvaluate(b, genExtension(20000, true)) })
}

func benchEvaluate(b *testing.B, src []byte) {
	env := env38
	r := Evaluate(src, env)
	if len(r.Dead) == 0 || len(r.Conditionals) == 0 {
		b.Fatal("generated file has no conditionals")
	}
	b.Logf("%d bytes, %d lines, %d conditionals, %d dead ranges", len(src), strings.Count(string(src), "\n"), len(r.Conditionals), len(r.Dead))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		Evaluate(src, env)
	}
}

func BenchmarkEvalExpr(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		EvalExpr("!defined(Py_LIMITED_API) || Py_LIMITED_API+0 < 0x030A0000", testLookup)
	}
}
