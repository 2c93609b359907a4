/*
 * set_ops.c -- set algebra helpers: building sets and frozensets, iterating
 * with the private _PySet_NextEntry, and the unchecked size macro.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
jaccard(PyObject *self, PyObject *args)
{
    PyObject *a, *b, *sa = NULL, *sb = NULL, *inter = NULL, *uni = NULL;
    PyObject *res = NULL;

    if (!PyArg_ParseTuple(args, "OO:jaccard", &a, &b))
        return NULL;
    sa = PySet_New(a);
    sb = PySet_New(b);
    if (sa == NULL || sb == NULL)
        goto done;
    inter = PyNumber_And(sa, sb);
    uni = PyNumber_Or(sa, sb);
    if (inter == NULL || uni == NULL)
        goto done;
    if (PySet_GET_SIZE(uni) == 0)
        res = PyFloat_FromDouble(1.0);
    else
        res = PyFloat_FromDouble((double)PySet_GET_SIZE(inter) /
                                 (double)PySet_GET_SIZE(uni));
done:
    Py_XDECREF(sa);
    Py_XDECREF(sb);
    Py_XDECREF(inter);
    Py_XDECREF(uni);
    return res;
}

static PyObject *
freeze(PyObject *self, PyObject *arg)
{
    return PyFrozenSet_New(arg);
}

static PyObject *
hash_sum(PyObject *self, PyObject *arg)
{
    Py_ssize_t pos = 0;
    PyObject *key;
    Py_hash_t hash, total = 0;

    if (!PyAnySet_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a set or frozenset");
        return NULL;
    }
#if PY_VERSION_HEX < 0x030D0000
    while (_PySet_NextEntry(arg, &pos, &key, &hash))
        total += hash;
#else
    {
        PyObject *it = PyObject_GetIter(arg);
        if (it == NULL)
            return NULL;
        (void)pos;
        while ((key = PyIter_Next(it)) != NULL) {
            hash = PyObject_Hash(key);
            Py_DECREF(key);
            if (hash == -1) {
                Py_DECREF(it);
                return NULL;
            }
            total += hash;
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            return NULL;
    }
#endif
    return PyLong_FromSsize_t(total);
}

static PyObject *
add_all(PyObject *self, PyObject *args)
{
    PyObject *s, *items, *it, *item;

    if (!PyArg_ParseTuple(args, "O!O:add_all", &PySet_Type, &s, &items))
        return NULL;
    it = PyObject_GetIter(items);
    if (it == NULL)
        return NULL;
    while ((item = PyIter_Next(it)) != NULL) {
        int r = PySet_Add(s, item);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(it);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    return PyLong_FromSsize_t(PySet_Size(s));
}

static PyObject *
discard_many(PyObject *self, PyObject *args)
{
    PyObject *s;
    Py_ssize_t i, n, removed = 0;

    if (!PyArg_ParseTuple(args, "O!:discard_many", &PySet_Type, &s))
        return NULL;
    (void)s;
    n = PyTuple_GET_SIZE(args);
    for (i = 1; i < n; i++) {
        int r = PySet_Discard(PyTuple_GET_ITEM(args, 0), PyTuple_GET_ITEM(args, i));
        if (r < 0)
            return NULL;
        removed += r;
    }
    return PyLong_FromSsize_t(removed);
}

static PyObject *
pop_any(PyObject *self, PyObject *arg)
{
    if (!PySet_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a set");
        return NULL;
    }
    return PySet_Pop(arg);
}

static PyObject *
contains_all(PyObject *self, PyObject *args)
{
    PyObject *s, *keys, *fast;
    Py_ssize_t i;

    if (!PyArg_ParseTuple(args, "OO:contains_all", &s, &keys))
        return NULL;
    fast = PySequence_Fast(keys, "keys must be a sequence");
    if (fast == NULL)
        return NULL;
    for (i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
        int r = PySet_Contains(s, PySequence_Fast_GET_ITEM(fast, i));
        if (r <= 0) {
            Py_DECREF(fast);
            if (r < 0)
                return NULL;
            Py_RETURN_FALSE;
        }
    }
    Py_DECREF(fast);
    Py_RETURN_TRUE;
}

static PyMethodDef module_methods[] = {
    {"jaccard", jaccard, METH_VARARGS, NULL},
    {"freeze", freeze, METH_O, NULL},
    {"hash_sum", hash_sum, METH_O, NULL},
    {"add_all", add_all, METH_VARARGS, NULL},
    {"discard_many", discard_many, METH_VARARGS, NULL},
    {"pop_any", pop_any, METH_O, NULL},
    {"contains_all", contains_all, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "set_ops", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_set_ops(void)
{
    return PyModule_Create(&module_def);
}
