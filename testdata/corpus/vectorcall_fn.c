/*
 * vectorcall_fn.c -- a callable type implementing the vectorcall protocol
 * (PEP 590) with fallbacks for Pythons before 3.8/3.9, and functions using
 * METH_FASTCALL | METH_KEYWORDS.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x03090000
#  define HAVE_VECTORCALL 1
#  define VC_NARGS(n) PyVectorcall_NARGS(n)
#  define VC_CALL(f, a, n, k) PyObject_Vectorcall(f, a, n, k)
#  define VC_FLAG Py_TPFLAGS_HAVE_VECTORCALL
#elif PY_VERSION_HEX >= 0x03080000
#  define HAVE_VECTORCALL 1
#  define VC_NARGS(n) PyVectorcall_NARGS(n)
#  define VC_CALL(f, a, n, k) _PyObject_Vectorcall(f, a, n, k)
#  define VC_FLAG _Py_TPFLAGS_HAVE_VECTORCALL
#else
#  define HAVE_VECTORCALL 0
#endif

typedef struct {
    PyObject_HEAD
    PyObject *func;
    PyObject *bound;     /* first positional argument to prepend */
#if HAVE_VECTORCALL
    vectorcallfunc vectorcall;
#endif
} PartialObject;

static PyTypeObject Partial_Type;

#if HAVE_VECTORCALL
static PyObject *
partial_vectorcall(PartialObject *self, PyObject *const *args,
                   size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = VC_NARGS(nargsf);
    PyObject *small[8];
    PyObject **stack = small;
    PyObject *res;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    Py_ssize_t total = nargs + nkw + 1;

    if (nargsf & PY_VECTORCALL_ARGUMENTS_OFFSET) {
        /* the caller lets us use args[-1] */
        PyObject **newargs = (PyObject **)args - 1;
        PyObject *saved = newargs[0];
        newargs[0] = self->bound;
        res = VC_CALL(self->func, newargs, nargs + 1, kwnames);
        newargs[0] = saved;
        return res;
    }
    if (total > 8) {
        stack = PyMem_Malloc((size_t)total * sizeof(PyObject *));
        if (stack == NULL)
            return PyErr_NoMemory();
    }
    stack[0] = self->bound;
    memcpy(stack + 1, args, (size_t)(nargs + nkw) * sizeof(PyObject *));
    res = VC_CALL(self->func, stack, nargs + 1, kwnames);
    if (stack != small)
        PyMem_Free(stack);
    return res;
}
#endif

static PyObject *
partial_call(PartialObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *newargs, *res;
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);

    newargs = PyTuple_New(n + 1);
    if (newargs == NULL)
        return NULL;
    Py_INCREF(self->bound);
    PyTuple_SET_ITEM(newargs, 0, self->bound);
    for (i = 0; i < n; i++) {
        PyObject *a = PyTuple_GET_ITEM(args, i);
        Py_INCREF(a);
        PyTuple_SET_ITEM(newargs, i + 1, a);
    }
    res = PyObject_Call(self->func, newargs, kwds);
    Py_DECREF(newargs);
    return res;
}

static PyObject *
partial_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *func, *bound;
    PartialObject *self;

    if (!PyArg_ParseTuple(args, "OO:partial1", &func, &bound))
        return NULL;
    self = (PartialObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    Py_INCREF(func);
    Py_INCREF(bound);
    self->func = func;
    self->bound = bound;
#if HAVE_VECTORCALL
    self->vectorcall = (vectorcallfunc)partial_vectorcall;
#endif
    return (PyObject *)self;
}

static void
partial_dealloc(PartialObject *self)
{
    Py_XDECREF(self->func);
    Py_XDECREF(self->bound);
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject Partial_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "vectorcall_fn.partial1",
    .tp_basicsize = sizeof(PartialObject),
    .tp_dealloc = (destructor)partial_dealloc,
#if HAVE_VECTORCALL
    .tp_vectorcall_offset = offsetof(PartialObject, vectorcall),
    .tp_flags = Py_TPFLAGS_DEFAULT | VC_FLAG,
#else
    .tp_flags = Py_TPFLAGS_DEFAULT,
#endif
    .tp_call = (ternaryfunc)partial_call,
    .tp_new = partial_new,
};

/* add(a, b, *, scale=1) with METH_FASTCALL | METH_KEYWORDS */
static PyObject *
fast_add(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
         PyObject *kwnames)
{
    PyObject *sum, *scale = NULL, *res;
    Py_ssize_t i;

    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "add() takes 2 positional arguments "
                     "(%zd given)", nargs);
        return NULL;
    }
    if (kwnames != NULL) {
        for (i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
            PyObject *key = PyTuple_GET_ITEM(kwnames, i);
            if (PyUnicode_CompareWithASCIIString(key, "scale") == 0) {
                scale = args[nargs + i];
            }
            else {
                PyErr_Format(PyExc_TypeError,
                             "add() got an unexpected keyword argument '%U'",
                             key);
                return NULL;
            }
        }
    }
    sum = PyNumber_Add(args[0], args[1]);
    if (sum == NULL || scale == NULL)
        return sum;
    res = PyNumber_Multiply(sum, scale);
    Py_DECREF(sum);
    return res;
}

/* max of the positional arguments, METH_FASTCALL only */
static PyObject *
fast_max(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *best;
    Py_ssize_t i;

    if (nargs == 0) {
        PyErr_SetString(PyExc_TypeError, "max_of() needs an argument");
        return NULL;
    }
    best = args[0];
    for (i = 1; i < nargs; i++) {
        int gt = PyObject_RichCompareBool(args[i], best, Py_GT);
        if (gt < 0)
            return NULL;
        if (gt)
            best = args[i];
    }
    Py_INCREF(best);
    return best;
}

static PyObject *
call_with(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "call_with() needs a callable");
        return NULL;
    }
#if HAVE_VECTORCALL
    return VC_CALL(args[0], args + 1, (size_t)(nargs - 1), NULL);
#else
    return _PyObject_FastCall(args[0], (PyObject **)args + 1, nargs - 1);
#endif
}

static PyMethodDef module_methods[] = {
    {"add", (PyCFunction)(void (*)(void))fast_add,
     METH_FASTCALL | METH_KEYWORDS, NULL},
    {"max_of", (PyCFunction)(void (*)(void))fast_max, METH_FASTCALL, NULL},
    {"call_with", (PyCFunction)(void (*)(void))call_with, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "vectorcall_fn", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_vectorcall_fn(void)
{
    PyObject *m;
    if (PyType_Ready(&Partial_Type) < 0)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Partial_Type);
    if (PyModule_AddObject(m, "partial1", (PyObject *)&Partial_Type) < 0) {
        Py_DECREF(&Partial_Type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
