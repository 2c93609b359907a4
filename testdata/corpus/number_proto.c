/*
 * number_proto.c -- a fixed-point decimal type implementing the number
 * protocol with a positional PyNumberMethods table, and helpers that call
 * other types' number slots directly through tp_as_number.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define SCALE 10000LL

typedef struct {
    PyObject_HEAD
    long long raw;     /* value * SCALE */
} FixedObject;

static PyTypeObject Fixed_Type;
#define Fixed_Check(o) PyObject_TypeCheck(o, &Fixed_Type)

static PyObject *
fixed_from_raw(long long raw)
{
    FixedObject *f = PyObject_New(FixedObject, &Fixed_Type);
    if (f != NULL)
        f->raw = raw;
    return (PyObject *)f;
}

static int
as_raw(PyObject *o, long long *out)
{
    if (Fixed_Check(o)) {
        *out = ((FixedObject *)o)->raw;
        return 1;
    }
    if (PyLong_Check(o)) {
        long long v = PyLong_AsLongLong(o);
        if (v == -1 && PyErr_Occurred())
            return -1;
        *out = v * SCALE;
        return 1;
    }
    return 0;
}

#define BINOP_PROLOGUE(a, b, x, y)               \
    long long x, y;                              \
    int ra = as_raw(a, &x), rb;                  \
    if (ra < 0) return NULL;                     \
    rb = as_raw(b, &y);                          \
    if (rb < 0) return NULL;                     \
    if (!ra || !rb) Py_RETURN_NOTIMPLEMENTED;

static PyObject *fixed_add(PyObject *a, PyObject *b) { BINOP_PROLOGUE(a, b, x, y) return fixed_from_raw(x + y); }
static PyObject *fixed_sub(PyObject *a, PyObject *b) { BINOP_PROLOGUE(a, b, x, y) return fixed_from_raw(x - y); }
static PyObject *fixed_mul(PyObject *a, PyObject *b) { BINOP_PROLOGUE(a, b, x, y) return fixed_from_raw(x * y / SCALE); }

static PyObject *
fixed_div(PyObject *a, PyObject *b)
{
    BINOP_PROLOGUE(a, b, x, y)
    if (y == 0) {
        PyErr_SetString(PyExc_ZeroDivisionError, "Fixed division by zero");
        return NULL;
    }
    return fixed_from_raw(x * SCALE / y);
}

static PyObject *fixed_neg(FixedObject *a) { return fixed_from_raw(-a->raw); }
static PyObject *fixed_abs(FixedObject *a) { return fixed_from_raw(a->raw < 0 ? -a->raw : a->raw); }
static int fixed_bool(FixedObject *a) { return a->raw != 0; }
static PyObject *fixed_int(FixedObject *a) { return PyLong_FromLongLong(a->raw / SCALE); }
static PyObject *fixed_float(FixedObject *a) { return PyFloat_FromDouble((double)a->raw / SCALE); }

static PyNumberMethods fixed_as_number = {
    fixed_add,                  /* nb_add */
    fixed_sub,                  /* nb_subtract */
    fixed_mul,                  /* nb_multiply */
    0,                          /* nb_remainder */
    0,                          /* nb_divmod */
    0,                          /* nb_power */
    (unaryfunc)fixed_neg,       /* nb_negative */
    0,                          /* nb_positive */
    (unaryfunc)fixed_abs,       /* nb_absolute */
    (inquiry)fixed_bool,        /* nb_bool */
    0,                          /* nb_invert */
    0,                          /* nb_lshift */
    0,                          /* nb_rshift */
    0,                          /* nb_and */
    0,                          /* nb_xor */
    0,                          /* nb_or */
    (unaryfunc)fixed_int,       /* nb_int */
    0,                          /* nb_reserved */
    (unaryfunc)fixed_float,     /* nb_float */
    0,                          /* nb_inplace_add */
    0,                          /* nb_inplace_subtract */
    0,                          /* nb_inplace_multiply */
    0,                          /* nb_inplace_remainder */
    0,                          /* nb_inplace_power */
    0,                          /* nb_inplace_lshift */
    0,                          /* nb_inplace_rshift */
    0,                          /* nb_inplace_and */
    0,                          /* nb_inplace_xor */
    0,                          /* nb_inplace_or */
    0,                          /* nb_floor_divide */
    fixed_div,                  /* nb_true_divide */
};

static PyObject *
fixed_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    double d = 0.0;
    if (!PyArg_ParseTuple(args, "|d:Fixed", &d))
        return NULL;
    return fixed_from_raw((long long)(d * SCALE));
}

static PyObject *
fixed_repr(FixedObject *self)
{
    long long ip = self->raw / SCALE, fp = self->raw % SCALE;
    if (fp < 0)
        fp = -fp;
    return PyUnicode_FromFormat("Fixed('%s%lld.%04lld')",
                                (self->raw < 0 && ip == 0) ? "-" : "", ip, fp);
}

static PyTypeObject Fixed_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "number_proto.Fixed",
    .tp_basicsize = sizeof(FixedObject),
    .tp_repr = (reprfunc)fixed_repr,
    .tp_as_number = &fixed_as_number,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = fixed_new,
};

/* Call o's nb_index directly when it has one. */
static PyObject *
direct_index(PyObject *self, PyObject *o)
{
    PyNumberMethods *nb = Py_TYPE(o)->tp_as_number;
    if (nb == NULL || nb->nb_index == NULL) {
        PyErr_Format(PyExc_TypeError, "'%.200s' has no __index__",
                     Py_TYPE(o)->tp_name);
        return NULL;
    }
    return nb->nb_index(o);
}

static PyObject *
has_number_slots(PyObject *self, PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    return Py_BuildValue("{s:O,s:O}",
        "add", (tp->tp_as_number && tp->tp_as_number->nb_add) ? Py_True : Py_False,
        "float", (tp->tp_as_number && tp->tp_as_number->nb_float) ? Py_True : Py_False);
}

static PyObject *
sum_index(PyObject *self, PyObject *args)
{
    Py_ssize_t i, total = 0;
    for (i = 0; i < PyTuple_Size(args); i++) {
        PyObject *o = PyTuple_GetItem(args, i);
        Py_ssize_t v;
        if (!PyIndex_Check(o)) {
            PyErr_SetString(PyExc_TypeError, "integers only");
            return NULL;
        }
        v = PyNumber_AsSsize_t(o, PyExc_OverflowError);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        total += v;
    }
    return PyLong_FromSsize_t(total);
}

static PyObject *
power_mod(PyObject *self, PyObject *args)
{
    PyObject *a, *b, *m = Py_None;
    if (!PyArg_ParseTuple(args, "OO|O:power_mod", &a, &b, &m))
        return NULL;
    return PyNumber_Power(a, b, m);
}

static PyMethodDef module_methods[] = {
    {"direct_index", direct_index, METH_O, NULL},
    {"has_number_slots", has_number_slots, METH_O, NULL},
    {"sum_index", sum_index, METH_VARARGS, NULL},
    {"power_mod", power_mod, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "number_proto", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_number_proto(void)
{
    PyObject *m;
    if (PyType_Ready(&Fixed_Type) < 0)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Fixed_Type);
    PyModule_AddObject(m, "Fixed", (PyObject *)&Fixed_Type);
    PyModule_AddObject(m, "SCALE", PyLong_FromLongLong(SCALE));
    return m;
}
