/*
 * almost_clean_39.c -- a module that was converted to the stable ABI (3.9)
 * but still has a few leftovers from its non-limited past: a fast tuple
 * macro in the hot loop, a tp_name read and a call helper that is not in
 * the Limited API. Each of these is a compile error under
 * Py_LIMITED_API 0x03090000.
 */
#define Py_LIMITED_API 0x03090000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject *Interval;
} iv_state;

typedef struct {
    PyObject_HEAD
    double lo;
    double hi;
} IntervalObject;

static PyObject *
interval_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    double lo, hi;
    IntervalObject *self;
    allocfunc alloc;

    if (!PyArg_ParseTuple(args, "dd:Interval", &lo, &hi))
        return NULL;
    if (lo > hi) {
        PyErr_SetString(PyExc_ValueError, "empty interval");
        return NULL;
    }
    alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    self = (IntervalObject *)alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->lo = lo;
    self->hi = hi;
    return (PyObject *)self;
}

static void
interval_dealloc(IntervalObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    f(self);
    Py_DECREF(tp);
}

static PyObject *
interval_repr(IntervalObject *self)
{
    /* leftover: tp_name is not reachable under the Limited API */
    const char *name = Py_TYPE(self)->tp_name;
    PyObject *lo = PyFloat_FromDouble(self->lo);
    PyObject *hi = PyFloat_FromDouble(self->hi);
    PyObject *res = NULL;
    if (lo != NULL && hi != NULL)
        res = PyUnicode_FromFormat("%s(%R, %R)", name, lo, hi);
    Py_XDECREF(lo);
    Py_XDECREF(hi);
    return res;
}

static PyObject *
interval_contains_all(IntervalObject *self, PyObject *args)
{
    Py_ssize_t i, n = PyTuple_Size(args);

    for (i = 0; i < n; i++) {
        /* leftover: the unchecked macro */
        PyObject *item = PyTuple_GET_ITEM(args, i);
        double d = PyFloat_AsDouble(item);
        if (d == -1.0 && PyErr_Occurred())
            return NULL;
        if (d < self->lo || d > self->hi)
            Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}

static PyObject *
interval_width(IntervalObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyFloat_FromDouble(self->hi - self->lo);
}

static PyObject *
interval_bounds(IntervalObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(dd)", self->lo, self->hi);
}

static PyObject *
interval_sample(IntervalObject *self, PyObject *rng)
{
    /* leftover: the one-argument call helper is not in the Limited API */
    PyObject *u = PyObject_CallOneArg(rng, (PyObject *)self);
    double x;
    if (u == NULL)
        return NULL;
    x = PyFloat_AsDouble(u);
    Py_DECREF(u);
    if (x == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(self->lo + x * (self->hi - self->lo));
}

static PyMethodDef interval_methods[] = {
    {"contains_all", (PyCFunction)interval_contains_all, METH_VARARGS, NULL},
    {"width", (PyCFunction)interval_width, METH_NOARGS, NULL},
    {"bounds", (PyCFunction)interval_bounds, METH_NOARGS, NULL},
    {"sample", (PyCFunction)interval_sample, METH_O, NULL},
    {NULL}
};

static PyType_Slot interval_slots[] = {
    {Py_tp_new, interval_new},
    {Py_tp_dealloc, interval_dealloc},
    {Py_tp_repr, interval_repr},
    {Py_tp_methods, interval_methods},
    {0, NULL}
};

static PyType_Spec interval_spec = {
    "almost_clean_39.Interval",
    sizeof(IntervalObject),
    0,
    Py_TPFLAGS_DEFAULT,
    interval_slots
};

static PyObject *
hull(PyObject *module, PyObject *args)
{
    PyObject *a, *b;
    iv_state *st = PyModule_GetState(module);
    IntervalObject *x, *y;

    if (!PyArg_ParseTuple(args, "OO:hull", &a, &b))
        return NULL;
    if (!PyObject_TypeCheck(a, (PyTypeObject *)st->Interval) ||
        !PyObject_TypeCheck(b, (PyTypeObject *)st->Interval)) {
        PyErr_SetString(PyExc_TypeError, "hull() needs two Intervals");
        return NULL;
    }
    x = (IntervalObject *)a;
    y = (IntervalObject *)b;
    return PyObject_CallFunction(st->Interval, "dd",
                                 x->lo < y->lo ? x->lo : y->lo,
                                 x->hi > y->hi ? x->hi : y->hi);
}

static PyMethodDef module_methods[] = {
    {"hull", hull, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static int
exec_module(PyObject *m)
{
    iv_state *st = PyModule_GetState(m);
    st->Interval = PyType_FromSpec(&interval_spec);
    if (st->Interval == NULL)
        return -1;
    Py_INCREF(st->Interval);
    if (PyModule_AddObject(m, "Interval", st->Interval) < 0) {
        Py_DECREF(st->Interval);
        return -1;
    }
    return 0;
}

static int
m_traverse(PyObject *m, visitproc visit, void *arg)
{
    iv_state *st = PyModule_GetState(m);
    Py_VISIT(st->Interval);
    return 0;
}

static int
m_clear(PyObject *m)
{
    iv_state *st = PyModule_GetState(m);
    Py_CLEAR(st->Interval);
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "almost_clean_39",
    .m_size = sizeof(iv_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = m_traverse,
    .m_clear = m_clear,
};

PyMODINIT_FUNC
PyInit_almost_clean_39(void)
{
    return PyModuleDef_Init(&module_def);
}
