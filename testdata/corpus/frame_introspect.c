/*
 * frame_introspect.c -- stack inspection for a profiler-like tool: walks
 * frames with the accessor functions added in 3.9 and, on older Pythons,
 * the struct fields they replaced.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#if PY_VERSION_HEX < 0x03090000
static PyCodeObject *
frame_code(PyFrameObject *f)
{
    Py_INCREF(f->f_code);
    return f->f_code;
}
static PyFrameObject *
frame_back(PyFrameObject *f)
{
    Py_XINCREF(f->f_back);
    return f->f_back;
}
#else
#  define frame_code PyFrame_GetCode
#  define frame_back PyFrame_GetBack
#endif

static PyObject *
describe_frame(PyFrameObject *f)
{
    PyCodeObject *code = frame_code(f);
    PyObject *res;
    int line = PyFrame_GetLineNumber(f);

#if PY_VERSION_HEX >= 0x030B0000
    PyObject *name = PyObject_GetAttrString((PyObject *)code, "co_qualname");
    PyObject *file = PyObject_GetAttrString((PyObject *)code, "co_filename");
    if (name == NULL || file == NULL) {
        Py_XDECREF(name);
        Py_XDECREF(file);
        Py_DECREF(code);
        return NULL;
    }
    res = Py_BuildValue("(NNi)", name, file, line);
#else
    res = Py_BuildValue("(OOi)", code->co_name, code->co_filename, line);
#endif
    Py_DECREF(code);
    return res;
}

static PyObject *
stack(PyObject *self, PyObject *args)
{
    int limit = 50;
    PyFrameObject *f;
    PyObject *out;

    if (!PyArg_ParseTuple(args, "|i:stack", &limit))
        return NULL;
    out = PyList_New(0);
    if (out == NULL)
        return NULL;
    f = PyEval_GetFrame();
    Py_XINCREF(f);
    while (f != NULL && limit-- > 0) {
        PyFrameObject *back;
        PyObject *entry = describe_frame(f);
        if (entry == NULL || PyList_Append(out, entry) < 0) {
            Py_XDECREF(entry);
            Py_DECREF(f);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(entry);
        back = frame_back(f);
        Py_DECREF(f);
        f = back;
    }
    Py_XDECREF(f);
    return out;
}

static PyObject *
caller_locals(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyFrameObject *f = PyEval_GetFrame();
    if (f == NULL)
        Py_RETURN_NONE;
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetLocals(f);
#else
    if (PyFrame_FastToLocalsWithError(f) < 0)
        return NULL;
    Py_XINCREF(f->f_locals);
    return f->f_locals;
#endif
}

static PyObject *
current_lasti(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyFrameObject *f = PyEval_GetFrame();
    if (f == NULL)
        Py_RETURN_NONE;
#if PY_VERSION_HEX >= 0x030B0000
    return PyLong_FromLong(PyFrame_GetLasti(f));
#else
    return PyLong_FromLong(f->f_lasti);
#endif
}

static PyObject *
code_info(PyObject *self, PyObject *arg)
{
    PyCodeObject *co;
    if (!PyCode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a code object");
        return NULL;
    }
    co = (PyCodeObject *)arg;
    return Py_BuildValue("{s:i,s:i,s:i}",
                         "argcount", co->co_argcount,
                         "firstlineno", co->co_firstlineno,
                         "line0", PyCode_Addr2Line(co, 0));
}

static PyObject *
thread_frame_depth(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *ts = PyThreadState_Get();
    PyFrameObject *f;
    long depth = 0;
#if PY_VERSION_HEX >= 0x03090000
    f = PyThreadState_GetFrame(ts);
#else
    f = ts->frame;
    Py_XINCREF(f);
#endif
    while (f != NULL) {
        PyFrameObject *back = frame_back(f);
        Py_DECREF(f);
        f = back;
        depth++;
    }
    return PyLong_FromLong(depth);
}

static PyObject *
globals_keys(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *g = PyEval_GetGlobals();
    if (g == NULL)
        return PyList_New(0);
    return PyDict_Keys(g);
}

static PyMethodDef module_methods[] = {
    {"stack", stack, METH_VARARGS, NULL},
    {"caller_locals", caller_locals, METH_NOARGS, NULL},
    {"current_lasti", current_lasti, METH_NOARGS, NULL},
    {"code_info", code_info, METH_O, NULL},
    {"thread_frame_depth", thread_frame_depth, METH_NOARGS, NULL},
    {"globals_keys", globals_keys, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "frame_introspect", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_frame_introspect(void)
{
    return PyModule_Create(&module_def);
}
