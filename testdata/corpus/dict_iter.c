/*
 * dict_iter.c -- dictionary utilities: iteration with PyDict_Next, size via
 * the unchecked macro, lookups that distinguish "missing" from "error", and
 * a frozen mapping proxy.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef PyDict_GET_SIZE
#  define PyDict_GET_SIZE(d) PyDict_Size(d)   /* added in 3.7 */
#endif

static PyObject *
invert(PyObject *self, PyObject *arg)
{
    PyObject *key, *value, *out;
    Py_ssize_t pos = 0;

    if (!PyDict_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a dict");
        return NULL;
    }
    out = _PyDict_NewPresized(PyDict_GET_SIZE(arg));
    if (out == NULL)
        return NULL;
    while (PyDict_Next(arg, &pos, &key, &value)) {
        if (PyDict_SetItem(out, value, key) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

static PyObject *
pick(PyObject *self, PyObject *args)
{
    PyObject *d, *keys, *out, *fast;
    Py_ssize_t i, n;

    if (!PyArg_ParseTuple(args, "O!O:pick", &PyDict_Type, &d, &keys))
        return NULL;
    fast = PySequence_Fast(keys, "keys must be a sequence");
    if (fast == NULL)
        return NULL;
    out = PyDict_New();
    if (out == NULL) {
        Py_DECREF(fast);
        return NULL;
    }
    n = PySequence_Fast_GET_SIZE(fast);
    for (i = 0; i < n; i++) {
        PyObject *k = PySequence_Fast_GET_ITEM(fast, i);
        PyObject *v = PyDict_GetItemWithError(d, k);
        if (v == NULL) {
            if (PyErr_Occurred())
                goto error;
            continue;
        }
        if (PyDict_SetItem(out, k, v) < 0)
            goto error;
    }
    Py_DECREF(fast);
    return out;
error:
    Py_DECREF(fast);
    Py_DECREF(out);
    return NULL;
}

static PyObject *
count_by_type(PyObject *self, PyObject *arg)
{
    PyObject *key, *value, *counts;
    Py_ssize_t pos = 0;

    if (!PyDict_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a dict");
        return NULL;
    }
    counts = PyDict_New();
    if (counts == NULL)
        return NULL;
    while (PyDict_Next(arg, &pos, &key, &value)) {
        PyObject *tname = PyUnicode_FromString(Py_TYPE(value)->tp_name);
        PyObject *old, *newcount;
        long c = 0;
        if (tname == NULL)
            goto error;
        old = PyDict_GetItem(counts, tname);
        if (old != NULL)
            c = PyLong_AsLong(old);
        newcount = PyLong_FromLong(c + 1);
        if (newcount == NULL || PyDict_SetItem(counts, tname, newcount) < 0) {
            Py_XDECREF(newcount);
            Py_DECREF(tname);
            goto error;
        }
        Py_DECREF(newcount);
        Py_DECREF(tname);
    }
    return counts;
error:
    Py_DECREF(counts);
    return NULL;
}

static PyObject *
get_string_key(PyObject *self, PyObject *args)
{
    PyObject *d;
    const char *key;
    PyObject *v;

    if (!PyArg_ParseTuple(args, "O!s:get_string_key", &PyDict_Type, &d, &key))
        return NULL;
    v = PyDict_GetItemString(d, key);
    if (v == NULL)
        Py_RETURN_NONE;
    Py_INCREF(v);
    return v;
}

static PyObject *
setdefault_list(PyObject *self, PyObject *args)
{
    PyObject *d, *key, *lst;

    if (!PyArg_ParseTuple(args, "O!O:setdefault_list", &PyDict_Type, &d, &key))
        return NULL;
    lst = PyList_New(0);
    if (lst == NULL)
        return NULL;
    {
        PyObject *r = PyDict_SetDefault(d, key, lst);
        Py_DECREF(lst);
        Py_XINCREF(r);
        return r;
    }
}

static PyObject *
frozen(PyObject *self, PyObject *arg)
{
    if (!PyDict_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a dict");
        return NULL;
    }
    return PyDictProxy_New(arg);
}

static PyObject *
merge_into(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    int override = 1;

    if (!PyArg_ParseTuple(args, "O!O|p:merge_into", &PyDict_Type, &a, &b, &override))
        return NULL;
    if (PyDict_Merge(a, b, override) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
key_hash_lookup(PyObject *self, PyObject *args)
{
    PyObject *d, *key, *v;
    Py_hash_t h;

    if (!PyArg_ParseTuple(args, "O!O:key_hash_lookup", &PyDict_Type, &d, &key))
        return NULL;
    h = PyObject_Hash(key);
    if (h == -1)
        return NULL;
    v = _PyDict_GetItem_KnownHash(d, key, h);
    if (v == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(On)", v, (Py_ssize_t)h);
}

static PyMethodDef module_methods[] = {
    {"invert", invert, METH_O, NULL},
    {"pick", pick, METH_VARARGS, NULL},
    {"count_by_type", count_by_type, METH_O, NULL},
    {"get_string_key", get_string_key, METH_VARARGS, NULL},
    {"setdefault_list", setdefault_list, METH_VARARGS, NULL},
    {"frozen", frozen, METH_O, NULL},
    {"merge_into", merge_into, METH_VARARGS, NULL},
    {"key_hash_lookup", key_hash_lookup, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "dict_iter", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_dict_iter(void)
{
    return PyModule_Create(&module_def);
}
