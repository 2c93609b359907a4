/*
 * slots_access.c -- code written to build both ways: with Py_LIMITED_API it
 * goes through PyType_GetSlot/PyType_GetFlags and function calls; without
 * it, it reads tp_* fields and uses the fast macros. The classic
 * `#ifdef Py_LIMITED_API` dual-mode layout.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#ifdef Py_LIMITED_API
#  define TYPE_FLAGS(tp) PyType_GetFlags(tp)
#  define TUPLE_ITEM(t, i) PyTuple_GetItem(t, i)
#  define TUPLE_SIZE(t) PyTuple_Size(t)
#  define LIST_ITEM(l, i) PyList_GetItem(l, i)
#  define LIST_SIZE(l) PyList_Size(l)
#else
#  define TYPE_FLAGS(tp) ((tp)->tp_flags)
#  define TUPLE_ITEM(t, i) PyTuple_GET_ITEM(t, i)
#  define TUPLE_SIZE(t) PyTuple_GET_SIZE(t)
#  define LIST_ITEM(l, i) PyList_GET_ITEM(l, i)
#  define LIST_SIZE(l) PyList_GET_SIZE(l)
#endif

static PyObject *
type_name(PyObject *self, PyObject *obj)
{
#ifdef Py_LIMITED_API
    PyObject *tp = (PyObject *)Py_TYPE(obj);
    return PyObject_GetAttrString(tp, "__name__");
#else
    const char *name = Py_TYPE(obj)->tp_name;
    const char *dot = strrchr(name, '.');
    return PyUnicode_FromString(dot ? dot + 1 : name);
#endif
}

static PyObject *
is_heap_type(PyObject *self, PyObject *arg)
{
    if (!PyType_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a type");
        return NULL;
    }
    return PyBool_FromLong(TYPE_FLAGS((PyTypeObject *)arg) & Py_TPFLAGS_HEAPTYPE);
}

static PyObject *
has_gc(PyObject *self, PyObject *obj)
{
    return PyBool_FromLong(PyType_HasFeature(Py_TYPE(obj), Py_TPFLAGS_HAVE_GC));
}

static PyObject *
call_repr_slot(PyObject *self, PyObject *obj)
{
#ifdef Py_LIMITED_API
    reprfunc f = (reprfunc)PyType_GetSlot(Py_TYPE(obj), Py_tp_repr);
#else
    reprfunc f = Py_TYPE(obj)->tp_repr;
#endif
    if (f == NULL)
        return PyObject_Repr(obj);
    return f(obj);
}

static PyObject *
sum_tuple(PyObject *self, PyObject *args)
{
    Py_ssize_t i, n = TUPLE_SIZE(args);
    PyObject *acc = PyLong_FromLong(0);
    for (i = 0; acc != NULL && i < n; i++) {
        PyObject *next = PyNumber_Add(acc, TUPLE_ITEM(args, i));
        Py_DECREF(acc);
        acc = next;
    }
    return acc;
}

static PyObject *
list_lengths(PyObject *self, PyObject *lst)
{
    Py_ssize_t i, n;
    PyObject *out;

    if (!PyList_Check(lst)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    n = LIST_SIZE(lst);
    out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        Py_ssize_t len = PyObject_Length(LIST_ITEM(lst, i));
        PyObject *v;
        if (len < 0) {
            Py_DECREF(out);
            return NULL;
        }
        v = PyLong_FromSsize_t(len);
        if (v == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SetItem(out, i, v);
    }
    return out;
}

static PyObject *
base_names(PyObject *self, PyObject *arg)
{
    PyObject *bases, *out;
    Py_ssize_t i, n;

    if (!PyType_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a type");
        return NULL;
    }
#ifdef Py_LIMITED_API
    bases = PyObject_GetAttrString(arg, "__bases__");
    if (bases == NULL)
        return NULL;
#else
    bases = ((PyTypeObject *)arg)->tp_bases;
    Py_INCREF(bases);
#endif
    n = TUPLE_SIZE(bases);
    out = PyList_New(0);
    for (i = 0; out != NULL && i < n; i++) {
        PyObject *name = PyObject_GetAttrString(TUPLE_ITEM(bases, i), "__name__");
        if (name == NULL || PyList_Append(out, name) < 0)
            Py_CLEAR(out);
        Py_XDECREF(name);
    }
    Py_DECREF(bases);
    return out;
}

static PyObject *
instance_size(PyObject *self, PyObject *arg)
{
    if (!PyType_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a type");
        return NULL;
    }
#ifdef Py_LIMITED_API
    return PyObject_GetAttrString(arg, "__basicsize__");
#else
    return PyLong_FromSsize_t(((PyTypeObject *)arg)->tp_basicsize);
#endif
}

static PyObject *
mro_length(PyObject *self, PyObject *arg)
{
    if (!PyType_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a type");
        return NULL;
    }
#if !defined(Py_LIMITED_API)
    if (((PyTypeObject *)arg)->tp_mro != NULL)
        return PyLong_FromSsize_t(PyTuple_GET_SIZE(((PyTypeObject *)arg)->tp_mro));
#endif
    {
        PyObject *mro = PyObject_GetAttrString(arg, "__mro__");
        Py_ssize_t n;
        if (mro == NULL)
            return NULL;
        n = PyObject_Length(mro);
        Py_DECREF(mro);
        return n < 0 ? NULL : PyLong_FromSsize_t(n);
    }
}

static PyMethodDef module_methods[] = {
    {"type_name", type_name, METH_O, NULL},
    {"is_heap_type", is_heap_type, METH_O, NULL},
    {"has_gc", has_gc, METH_O, NULL},
    {"call_repr_slot", call_repr_slot, METH_O, NULL},
    {"sum_tuple", sum_tuple, METH_VARARGS, NULL},
    {"list_lengths", list_lengths, METH_O, NULL},
    {"base_names", base_names, METH_O, NULL},
    {"instance_size", instance_size, METH_O, NULL},
    {"mro_length", mro_length, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "slots_access", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_slots_access(void)
{
    return PyModule_Create(&module_def);
}
