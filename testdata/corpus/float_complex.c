/*
 * float_complex.c -- numeric helpers on floats and complex numbers: the
 * unchecked PyFloat_AS_DOUBLE, Py_complex arithmetic, float packing for a
 * binary format, and the float info structure.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static PyObject *
kahan_sum(PyObject *self, PyObject *arg)
{
    PyObject *it, *item;
    double sum = 0.0, c = 0.0;

    it = PyObject_GetIter(arg);
    if (it == NULL)
        return NULL;
    while ((item = PyIter_Next(it)) != NULL) {
        double x, y, t;
        if (PyFloat_CheckExact(item))
            x = PyFloat_AS_DOUBLE(item);
        else
            x = PyFloat_AsDouble(item);
        Py_DECREF(item);
        if (x == -1.0 && PyErr_Occurred()) {
            Py_DECREF(it);
            return NULL;
        }
        y = x - c;
        t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(sum);
}

static PyObject *
cmul(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    Py_complex x, y, r;

    if (!PyArg_ParseTuple(args, "OO:cmul", &a, &b))
        return NULL;
    x = PyComplex_AsCComplex(a);
    if (x.real == -1.0 && PyErr_Occurred())
        return NULL;
    y = PyComplex_AsCComplex(b);
    if (y.real == -1.0 && PyErr_Occurred())
        return NULL;
    r.real = x.real * y.real - x.imag * y.imag;
    r.imag = x.real * y.imag + x.imag * y.real;
    return PyComplex_FromCComplex(r);
}

static PyObject *
cabs_of(PyObject *self, PyObject *arg)
{
    if (PyComplex_CheckExact(arg)) {
        Py_complex c = ((PyComplexObject *)arg)->cval;
        return PyFloat_FromDouble(hypot(c.real, c.imag));
    }
    if (PyComplex_Check(arg)) {
        double re = PyComplex_RealAsDouble(arg);
        double im = PyComplex_ImagAsDouble(arg);
        if (PyErr_Occurred())
            return NULL;
        return PyFloat_FromDouble(hypot(re, im));
    }
    PyErr_SetString(PyExc_TypeError, "expected complex");
    return NULL;
}

static PyObject *
pack_doubles(PyObject *self, PyObject *arg)
{
    PyObject *fast, *out;
    Py_ssize_t i, n;
    unsigned char *p;

    fast = PySequence_Fast(arg, "expected a sequence of floats");
    if (fast == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    out = PyBytes_FromStringAndSize(NULL, n * 8);
    if (out == NULL) {
        Py_DECREF(fast);
        return NULL;
    }
    p = (unsigned char *)PyBytes_AS_STRING(out);
    for (i = 0; i < n; i++) {
        double d = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (d == -1.0 && PyErr_Occurred())
            goto error;
#if PY_VERSION_HEX >= 0x030B0000
        if (PyFloat_Pack8(d, (char *)p + 8 * i, 1) < 0)
            goto error;
#else
        if (_PyFloat_Pack8(d, p + 8 * i, 1) < 0)
            goto error;
#endif
    }
    Py_DECREF(fast);
    return out;
error:
    Py_DECREF(fast);
    Py_DECREF(out);
    return NULL;
}

static PyObject *
unpack_double(PyObject *self, PyObject *arg)
{
    char *buf;
    Py_ssize_t len;
    double d;

    if (PyBytes_AsStringAndSize(arg, &buf, &len) < 0)
        return NULL;
    if (len != 8) {
        PyErr_SetString(PyExc_ValueError, "need exactly 8 bytes");
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030B0000
    d = PyFloat_Unpack8(buf, 1);
#else
    d = _PyFloat_Unpack8((unsigned char *)buf, 1);
#endif
    if (d == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(d);
}

static PyObject *
float_limits(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(dd)", PyFloat_GetMin(), PyFloat_GetMax());
}

static PyObject *
float_info(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyFloat_GetInfo();
}

static PyObject *
parse_float(PyObject *self, PyObject *arg)
{
    const char *s = PyUnicode_AsUTF8(arg);
    char *end;
    double d;
    if (s == NULL)
        return NULL;
    d = PyOS_string_to_double(s, &end, PyExc_OverflowError);
    if (d == -1.0 && PyErr_Occurred())
        return NULL;
    return Py_BuildValue("(dn)", d, (Py_ssize_t)(end - s));
}

static PyObject *
format_float(PyObject *self, PyObject *args)
{
    double d;
    int prec = 6;
    char *s;
    PyObject *res;

    if (!PyArg_ParseTuple(args, "d|i:format_float", &d, &prec))
        return NULL;
    s = PyOS_double_to_string(d, 'g', prec, Py_DTSF_ADD_DOT_0, NULL);
    if (s == NULL)
        return PyErr_NoMemory();
    res = PyUnicode_FromString(s);
    PyMem_Free(s);
    return res;
}

static PyObject *
is_integral(PyObject *self, PyObject *arg)
{
    double d = PyFloat_AsDouble(arg);
    if (d == -1.0 && PyErr_Occurred())
        return NULL;
    return PyBool_FromLong(Py_IS_FINITE(d) && floor(d) == d);
}

static PyMethodDef module_methods[] = {
    {"kahan_sum", kahan_sum, METH_O, NULL},
    {"cmul", cmul, METH_VARARGS, NULL},
    {"cabs_of", cabs_of, METH_O, NULL},
    {"pack_doubles", pack_doubles, METH_O, NULL},
    {"unpack_double", unpack_double, METH_O, NULL},
    {"float_limits", float_limits, METH_NOARGS, NULL},
    {"float_info", float_info, METH_NOARGS, NULL},
    {"parse_float", parse_float, METH_O, NULL},
    {"format_float", format_float, METH_VARARGS, NULL},
    {"is_integral", is_integral, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "float_complex", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_float_complex(void)
{
    return PyModule_Create(&module_def);
}
