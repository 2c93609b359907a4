/*
 * long_math.c -- integer helpers: overflow-aware conversions, big-integer
 * byte conversion through the private _PyLong_* functions, and the utility
 * macros from pymacro.h.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static const long small_primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};

static PyObject *
add_checked(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    long x, y;
    int ox, oy;

    if (!PyArg_ParseTuple(args, "O!O!:add_checked", &PyLong_Type, &a,
                          &PyLong_Type, &b))
        return NULL;
    x = PyLong_AsLongAndOverflow(a, &ox);
    y = PyLong_AsLongAndOverflow(b, &oy);
    if ((x == -1 || y == -1) && PyErr_Occurred())
        return NULL;
    if (ox || oy || (y > 0 && x > LONG_MAX - y) || (y < 0 && x < LONG_MIN - y))
        return PyNumber_Add(a, b);   /* slow path */
    return PyLong_FromLong(x + y);
}

static PyObject *
to_bytes_le(PyObject *self, PyObject *args)
{
    PyObject *v, *out;
    Py_ssize_t n;
    int is_signed = 1;

    if (!PyArg_ParseTuple(args, "O!n|p:to_bytes_le", &PyLong_Type, &v, &n,
                          &is_signed))
        return NULL;
    out = PyBytes_FromStringAndSize(NULL, n);
    if (out == NULL)
        return NULL;
#if PY_VERSION_HEX >= 0x030D0000
    if (_PyLong_AsByteArray((PyLongObject *)v,
                            (unsigned char *)PyBytes_AS_STRING(out), (size_t)n,
                            1, is_signed, 1) < 0) {
#else
    if (_PyLong_AsByteArray((PyLongObject *)v,
                            (unsigned char *)PyBytes_AS_STRING(out), (size_t)n,
                            1, is_signed) < 0) {
#endif
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *
from_bytes_le(PyObject *self, PyObject *arg)
{
    char *buf;
    Py_ssize_t len;

    if (PyBytes_AsStringAndSize(arg, &buf, &len) < 0)
        return NULL;
    return _PyLong_FromByteArray((const unsigned char *)buf, (size_t)len, 1, 1);
}

static PyObject *
bit_length(PyObject *self, PyObject *arg)
{
    size_t nbits;
    if (!PyLong_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected int");
        return NULL;
    }
    nbits = _PyLong_NumBits(arg);
    if (nbits == (size_t)-1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromSize_t(nbits);
}

static PyObject *
clamp_ssize(PyObject *self, PyObject *args)
{
    Py_ssize_t v, lo, hi;
    if (!PyArg_ParseTuple(args, "nnn:clamp_ssize", &v, &lo, &hi))
        return NULL;
    return PyLong_FromSsize_t(Py_MIN(Py_MAX(v, lo), hi));
}

static PyObject *
nth_prime(PyObject *self, PyObject *arg)
{
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0 || i >= (Py_ssize_t)Py_ARRAY_LENGTH(small_primes)) {
        PyErr_SetString(PyExc_IndexError, "only the first 10 primes");
        return NULL;
    }
    return PyLong_FromLong(small_primes[i]);
}

static PyObject *
gcd(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "O!O!:gcd", &PyLong_Type, &a, &PyLong_Type, &b))
        return NULL;
    return _PyLong_GCD(a, b);
}

static PyObject *
as_unsigned_mask(PyObject *self, PyObject *arg)
{
    unsigned long long m = PyLong_AsUnsignedLongLongMask(arg);
    if (m == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromUnsignedLongLong(m & 0xffffffffULL);
}

static PyObject *
abs_diff(PyObject *self, PyObject *args)
{
    long long a, b;
    if (!PyArg_ParseTuple(args, "LL:abs_diff", &a, &b))
        return NULL;
    return PyLong_FromLongLong(Py_ABS(a - b));
}

static PyObject *
digits_info(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(ii)", PyLong_SHIFT, (int)sizeof(digit));
}

static PyObject *
is_small(PyObject *self, PyObject *arg)
{
    if (!PyLong_CheckExact(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected int");
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030C0000
    return PyBool_FromLong(PyUnstable_Long_IsCompact((PyLongObject *)arg));
#else
    return PyBool_FromLong(Py_ABS(Py_SIZE(arg)) <= 1);
#endif
}

static PyMethodDef module_methods[] = {
    {"add_checked", add_checked, METH_VARARGS, NULL},
    {"to_bytes_le", to_bytes_le, METH_VARARGS, NULL},
    {"from_bytes_le", from_bytes_le, METH_O, NULL},
    {"bit_length", bit_length, METH_O, NULL},
    {"clamp_ssize", clamp_ssize, METH_VARARGS, NULL},
    {"nth_prime", nth_prime, METH_O, NULL},
    {"gcd", gcd, METH_VARARGS, NULL},
    {"as_unsigned_mask", as_unsigned_mask, METH_O, NULL},
    {"abs_diff", abs_diff, METH_VARARGS, NULL},
    {"digits_info", digits_info, METH_NOARGS, NULL},
    {"is_small", is_small, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "long_math", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_long_math(void)
{
    return PyModule_Create(&module_def);
}
