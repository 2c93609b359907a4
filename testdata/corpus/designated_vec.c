/*
 * designated_vec.c -- a fixed-size float vector. Static type with C99
 * designated initializers, number and sequence protocol tables, and a
 * variable-sized object (PyObject_VAR_HEAD, tp_itemsize).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    PyObject_VAR_HEAD
    double data[1];
} VecObject;

static PyTypeObject Vec_Type;

static VecObject *
vec_alloc(Py_ssize_t n)
{
    VecObject *v = PyObject_NewVar(VecObject, &Vec_Type, n);
    if (v != NULL) {
        memset(v->data, 0, sizeof(double) * (size_t)n);
    }
    return v;
}

static PyObject *
vec_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *seq, *fast;
    Py_ssize_t i, n;
    VecObject *v;

    if (kwds != NULL && PyDict_Size(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "Vec() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "Vec", 1, 1, &seq))
        return NULL;
    fast = PySequence_Fast(seq, "Vec() argument must be a sequence");
    if (fast == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    v = vec_alloc(n);
    if (v == NULL) {
        Py_DECREF(fast);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
        double d = PyFloat_AsDouble(item);
        if (d == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            Py_DECREF(v);
            return NULL;
        }
        v->data[i] = d;
    }
    Py_DECREF(fast);
    return (PyObject *)v;
}

static void
vec_dealloc(VecObject *v)
{
    PyObject_Free(v);
}

static Py_ssize_t
vec_length(VecObject *v)
{
    return Py_SIZE(v);
}

static PyObject *
vec_item(VecObject *v, Py_ssize_t i)
{
    if (i < 0 || i >= Py_SIZE(v)) {
        PyErr_SetString(PyExc_IndexError, "Vec index out of range");
        return NULL;
    }
    return PyFloat_FromDouble(v->data[i]);
}

static int
vec_ass_item(VecObject *v, Py_ssize_t i, PyObject *value)
{
    double d;
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "cannot delete Vec items");
        return -1;
    }
    if (i < 0 || i >= Py_SIZE(v)) {
        PyErr_SetString(PyExc_IndexError, "Vec assignment index out of range");
        return -1;
    }
    d = PyFloat_AsDouble(value);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    v->data[i] = d;
    return 0;
}

static PyObject *
vec_binop(PyObject *a, PyObject *b, int sub)
{
    VecObject *x, *y, *r;
    Py_ssize_t i;

    if (!PyObject_TypeCheck(a, &Vec_Type) || !PyObject_TypeCheck(b, &Vec_Type))
        Py_RETURN_NOTIMPLEMENTED;
    x = (VecObject *)a;
    y = (VecObject *)b;
    if (Py_SIZE(x) != Py_SIZE(y)) {
        PyErr_Format(PyExc_ValueError, "length mismatch: %zd != %zd",
                     Py_SIZE(x), Py_SIZE(y));
        return NULL;
    }
    r = vec_alloc(Py_SIZE(x));
    if (r == NULL)
        return NULL;
    for (i = 0; i < Py_SIZE(x); i++)
        r->data[i] = sub ? x->data[i] - y->data[i] : x->data[i] + y->data[i];
    return (PyObject *)r;
}

static PyObject *vec_add(PyObject *a, PyObject *b) { return vec_binop(a, b, 0); }
static PyObject *vec_sub(PyObject *a, PyObject *b) { return vec_binop(a, b, 1); }

static PyObject *
vec_neg(VecObject *v)
{
    VecObject *r = vec_alloc(Py_SIZE(v));
    Py_ssize_t i;
    if (r == NULL)
        return NULL;
    for (i = 0; i < Py_SIZE(v); i++)
        r->data[i] = -v->data[i];
    return (PyObject *)r;
}

static int
vec_bool(VecObject *v)
{
    Py_ssize_t i;
    for (i = 0; i < Py_SIZE(v); i++)
        if (v->data[i] != 0.0)
            return 1;
    return 0;
}

static PyObject *
vec_repr(VecObject *v)
{
    PyObject *parts, *sep, *joined, *res;
    Py_ssize_t i;

    parts = PyList_New(Py_SIZE(v));
    if (parts == NULL)
        return NULL;
    for (i = 0; i < Py_SIZE(v); i++) {
        PyObject *f = PyFloat_FromDouble(v->data[i]);
        PyObject *s;
        if (f == NULL)
            goto error;
        s = PyObject_Repr(f);
        Py_DECREF(f);
        if (s == NULL)
            goto error;
        PyList_SET_ITEM(parts, i, s);
    }
    sep = PyUnicode_FromString(", ");
    if (sep == NULL)
        goto error;
    joined = PyUnicode_Join(sep, parts);
    Py_DECREF(sep);
    Py_DECREF(parts);
    if (joined == NULL)
        return NULL;
    res = PyUnicode_FromFormat("Vec([%U])", joined);
    Py_DECREF(joined);
    return res;
error:
    Py_DECREF(parts);
    return NULL;
}

static PyNumberMethods vec_as_number = {
    .nb_add = vec_add,
    .nb_subtract = vec_sub,
    .nb_negative = (unaryfunc)vec_neg,
    .nb_bool = (inquiry)vec_bool,
};

static PySequenceMethods vec_as_sequence = {
    .sq_length = (lenfunc)vec_length,
    .sq_item = (ssizeargfunc)vec_item,
    .sq_ass_item = (ssizeobjargproc)vec_ass_item,
};

static PyObject *
vec_dot(VecObject *self, PyObject *other)
{
    VecObject *o;
    double acc = 0.0;
    Py_ssize_t i;

    if (!PyObject_TypeCheck(other, &Vec_Type)) {
        PyErr_Format(PyExc_TypeError, "expected Vec, got %.200s",
                     Py_TYPE(other)->tp_name);
        return NULL;
    }
    o = (VecObject *)other;
    if (Py_SIZE(o) != Py_SIZE(self)) {
        PyErr_SetString(PyExc_ValueError, "length mismatch");
        return NULL;
    }
    for (i = 0; i < Py_SIZE(self); i++)
        acc += self->data[i] * o->data[i];
    return PyFloat_FromDouble(acc);
}

static PyMethodDef vec_methods[] = {
    {"dot", (PyCFunction)vec_dot, METH_O, "Dot product."},
    {NULL}
};

static PyTypeObject Vec_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "designated_vec.Vec",
    .tp_basicsize = offsetof(VecObject, data),
    .tp_itemsize = sizeof(double),
    .tp_dealloc = (destructor)vec_dealloc,
    .tp_repr = (reprfunc)vec_repr,
    .tp_as_number = &vec_as_number,
    .tp_as_sequence = &vec_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = PyDoc_STR("Fixed-size vector of floats."),
    .tp_methods = vec_methods,
    .tp_new = vec_new,
};

static struct PyModuleDef vecmodule = {
    PyModuleDef_HEAD_INIT,
    .m_name = "designated_vec",
    .m_doc = "Vectors with designated initializers.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit_designated_vec(void)
{
    PyObject *m;

    if (PyType_Ready(&Vec_Type) < 0)
        return NULL;
    m = PyModule_Create(&vecmodule);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Vec_Type);
    if (PyModule_AddObject(m, "Vec", (PyObject *)&Vec_Type) < 0) {
        Py_DECREF(&Vec_Type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
