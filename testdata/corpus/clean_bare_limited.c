/*
 * clean_bare_limited.c -- `#define Py_LIMITED_API` with no value, as some
 * older projects write it: the oldest stable ABI (3.2). Only PEP 384-era
 * functions are used; no multi-phase init, no PyModule_AddFunctions.
 */
#define Py_LIMITED_API
#include <Python.h>

static PyObject *
clamp(PyObject *self, PyObject *args)
{
    long value, lo, hi;

    if (!PyArg_ParseTuple(args, "lll:clamp", &value, &lo, &hi))
        return NULL;
    if (lo > hi) {
        PyErr_SetString(PyExc_ValueError, "lo > hi");
        return NULL;
    }
    if (value < lo)
        value = lo;
    if (value > hi)
        value = hi;
    return PyLong_FromLong(value);
}

static PyObject *
first_truthy(PyObject *self, PyObject *args)
{
    Py_ssize_t i, n = PyTuple_Size(args);

    for (i = 0; i < n; i++) {
        PyObject *item = PyTuple_GetItem(args, i);
        int t;
        if (item == NULL)
            return NULL;
        t = PyObject_IsTrue(item);
        if (t < 0)
            return NULL;
        if (t) {
            Py_INCREF(item);
            return item;
        }
    }
    Py_RETURN_NONE;
}

static PyObject *
swap_pairs(PyObject *self, PyObject *arg)
{
    PyObject *items, *res = NULL;
    Py_ssize_t i, n;

    items = PySequence_List(arg);
    if (items == NULL)
        return NULL;
    n = PyList_Size(items);
    for (i = 0; i + 1 < n; i += 2) {
        PyObject *a = PyList_GetItem(items, i);
        PyObject *b = PyList_GetItem(items, i + 1);
        Py_INCREF(a);
        Py_INCREF(b);
        if (PyList_SetItem(items, i, b) < 0 || PyList_SetItem(items, i + 1, a) < 0)
            goto done;
    }
    res = PyList_AsTuple(items);
done:
    Py_DECREF(items);
    return res;
}

static PyObject *
getattr_default(PyObject *self, PyObject *args)
{
    PyObject *obj, *name, *dflt = Py_None, *res;

    if (!PyArg_ParseTuple(args, "OU|O:getattr_default", &obj, &name, &dflt))
        return NULL;
    res = PyObject_GetAttr(obj, name);
    if (res == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        Py_INCREF(dflt);
        return dflt;
    }
    return res;
}

static PyMethodDef methods[] = {
    {"clamp", clamp, METH_VARARGS, "clamp(value, lo, hi)"},
    {"first_truthy", first_truthy, METH_VARARGS, NULL},
    {"swap_pairs", swap_pairs, METH_O, NULL},
    {"getattr_default", getattr_default, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT,
    "clean_bare_limited",
    NULL,
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL
};

PyMODINIT_FUNC
PyInit_clean_bare_limited(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (m == NULL)
        return NULL;
    if (PyModule_AddStringConstant(m, "ABI", "abi3") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
