/*
 * fastseq.c -- sequence helpers tuned for speed: they reach into list and
 * tuple internals with the unchecked macros, the way many hot-path
 * extensions (serializers, numeric kernels) do.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Sum a list or tuple of floats/ints without the abstract API. */
static PyObject *
fast_sum(PyObject *self, PyObject *arg)
{
    double total = 0.0;
    Py_ssize_t i, n;
    PyObject **items;

    if (PyList_CheckExact(arg)) {
        n = PyList_GET_SIZE(arg);
        items = ((PyListObject *)arg)->ob_item;
    }
    else if (PyTuple_CheckExact(arg)) {
        n = PyTuple_GET_SIZE(arg);
        items = ((PyTupleObject *)arg)->ob_item;
    }
    else {
        PyErr_SetString(PyExc_TypeError, "fast_sum() needs a list or tuple");
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *o = items[i];
        if (PyFloat_CheckExact(o)) {
            total += PyFloat_AS_DOUBLE(o);
        }
        else if (PyLong_CheckExact(o)) {
            double d = PyLong_AsDouble(o);
            if (d == -1.0 && PyErr_Occurred())
                return NULL;
            total += d;
        }
        else {
            PyErr_Format(PyExc_TypeError, "item %zd is not a number", i);
            return NULL;
        }
    }
    return PyFloat_FromDouble(total);
}

/* Reverse a list in place by swapping the item pointers. */
static PyObject *
fast_reverse(PyObject *self, PyObject *arg)
{
    Py_ssize_t lo, hi;

    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    lo = 0;
    hi = PyList_GET_SIZE(arg) - 1;
    while (lo < hi) {
        PyObject *tmp = PyList_GET_ITEM(arg, lo);
        PyList_SET_ITEM(arg, lo, PyList_GET_ITEM(arg, hi));
        PyList_SET_ITEM(arg, hi, tmp);
        lo++;
        hi--;
    }
    Py_RETURN_NONE;
}

/* zip two sequences into a list of 2-tuples. */
static PyObject *
fast_pairs(PyObject *self, PyObject *args)
{
    PyObject *a, *b, *fa = NULL, *fb = NULL, *result = NULL;
    Py_ssize_t i, n;

    if (!PyArg_ParseTuple(args, "OO:pairs", &a, &b))
        return NULL;
    fa = PySequence_Fast(a, "pairs() arguments must be sequences");
    if (fa == NULL)
        goto done;
    fb = PySequence_Fast(b, "pairs() arguments must be sequences");
    if (fb == NULL)
        goto done;
    n = PySequence_Fast_GET_SIZE(fa);
    if (PySequence_Fast_GET_SIZE(fb) < n)
        n = PySequence_Fast_GET_SIZE(fb);
    result = PyList_New(n);
    if (result == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        PyObject *x = PySequence_Fast_GET_ITEM(fa, i);
        PyObject *y = PySequence_Fast_GET_ITEM(fb, i);
        PyObject *t = PyTuple_New(2);
        if (t == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        Py_INCREF(x);
        Py_INCREF(y);
        PyTuple_SET_ITEM(t, 0, x);
        PyTuple_SET_ITEM(t, 1, y);
        PyList_SET_ITEM(result, i, t);
    }
done:
    Py_XDECREF(fa);
    Py_XDECREF(fb);
    return result;
}

/* Index of the first item that is identical (is) to needle. */
static PyObject *
fast_index_is(PyObject *self, PyObject *args)
{
    PyObject *seq, *needle, *fast;
    PyObject **items;
    Py_ssize_t i, n;

    if (!PyArg_ParseTuple(args, "OO:index_is", &seq, &needle))
        return NULL;
    fast = PySequence_Fast(seq, "expected a sequence");
    if (fast == NULL)
        return NULL;
    items = PySequence_Fast_ITEMS(fast);
    n = PySequence_Fast_GET_SIZE(fast);
    for (i = 0; i < n; i++) {
        if (items[i] == needle) {
            Py_DECREF(fast);
            return PyLong_FromSsize_t(i);
        }
    }
    Py_DECREF(fast);
    return PyLong_FromLong(-1);
}

/* Capacity of a list: reads the allocated field. */
static PyObject *
list_capacity(PyObject *self, PyObject *arg)
{
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    return PyLong_FromSsize_t(((PyListObject *)arg)->allocated);
}

/* Build a tuple from the C arguments, stealing nothing. */
static PyObject *
fast_flatten(PyObject *self, PyObject *arg)
{
    PyObject *out, *item;
    Py_ssize_t i, j, n;

    if (!PyTuple_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a tuple of tuples");
        return NULL;
    }
    out = PyList_New(0);
    if (out == NULL)
        return NULL;
    n = PyTuple_GET_SIZE(arg);
    for (i = 0; i < n; i++) {
        PyObject *inner = PyTuple_GET_ITEM(arg, i);
        if (!PyTuple_Check(inner)) {
            if (PyList_Append(out, inner) < 0)
                goto error;
            continue;
        }
        for (j = 0; j < Py_SIZE(inner); j++) {
            item = PyTuple_GET_ITEM(inner, j);
            if (PyList_Append(out, item) < 0)
                goto error;
        }
    }
    return out;
error:
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef fastseq_methods[] = {
    {"fast_sum", fast_sum, METH_O, NULL},
    {"fast_reverse", fast_reverse, METH_O, NULL},
    {"pairs", fast_pairs, METH_VARARGS, NULL},
    {"index_is", fast_index_is, METH_VARARGS, NULL},
    {"list_capacity", list_capacity, METH_O, NULL},
    {"flatten", fast_flatten, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef fastseq_module = {
    PyModuleDef_HEAD_INIT, "fastseq", NULL, -1, fastseq_methods,
};

PyMODINIT_FUNC
PyInit_fastseq(void)
{
    return PyModule_Create(&fastseq_module);
}
