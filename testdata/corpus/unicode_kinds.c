/*
 * unicode_kinds.c -- string processing on the PEP 393 representation:
 * reads code points with PyUnicode_READ over the raw data and kind, builds
 * results with PyUnicode_New + PyUnicode_WRITE, and has an ASCII fast path.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX >= 0x030C0000
#  define ENSURE_READY(s) 0
#else
#  define ENSURE_READY(s) PyUnicode_READY(s)
#endif

static PyObject *
swapcase_ascii(PyObject *self, PyObject *arg)
{
    Py_ssize_t i, n;
    const Py_UCS1 *src;
    Py_UCS1 *dst;
    PyObject *res;

    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return NULL;
    }
    if (ENSURE_READY(arg) < 0)
        return NULL;
    if (!PyUnicode_IS_ASCII(arg)) {
        PyErr_SetString(PyExc_ValueError, "ASCII strings only");
        return NULL;
    }
    n = PyUnicode_GET_LENGTH(arg);
    res = PyUnicode_New(n, 127);
    if (res == NULL)
        return NULL;
    src = PyUnicode_1BYTE_DATA(arg);
    dst = PyUnicode_1BYTE_DATA(res);
    for (i = 0; i < n; i++) {
        Py_UCS1 c = src[i];
        if (c >= 'a' && c <= 'z')
            c -= 32;
        else if (c >= 'A' && c <= 'Z')
            c += 32;
        dst[i] = c;
    }
    return res;
}

static PyObject *
max_codepoint(PyObject *self, PyObject *arg)
{
    int kind;
    const void *data;
    Py_ssize_t i, n;
    Py_UCS4 best = 0;

    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return NULL;
    }
    if (ENSURE_READY(arg) < 0)
        return NULL;
    kind = PyUnicode_KIND(arg);
    data = PyUnicode_DATA(arg);
    n = PyUnicode_GET_LENGTH(arg);
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        for (i = 0; i < n; i++)
            if (((const Py_UCS1 *)data)[i] > best)
                best = ((const Py_UCS1 *)data)[i];
        break;
    case PyUnicode_2BYTE_KIND:
        for (i = 0; i < n; i++)
            if (((const Py_UCS2 *)data)[i] > best)
                best = ((const Py_UCS2 *)data)[i];
        break;
    default:
        for (i = 0; i < n; i++)
            if (PyUnicode_READ(kind, data, i) > best)
                best = PyUnicode_READ(kind, data, i);
        break;
    }
    return PyLong_FromUnsignedLong(best);
}

/* Replace every non-ASCII code point by '?'. */
static PyObject *
asciify(PyObject *self, PyObject *arg)
{
    int kind;
    const void *data;
    Py_ssize_t i, n;
    PyObject *res;
    void *out;

    if (!PyUnicode_Check(arg) || ENSURE_READY(arg) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "expected str");
        return NULL;
    }
    n = PyUnicode_GET_LENGTH(arg);
    kind = PyUnicode_KIND(arg);
    data = PyUnicode_DATA(arg);
    res = PyUnicode_New(n, 127);
    if (res == NULL)
        return NULL;
    out = PyUnicode_DATA(res);
    for (i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        PyUnicode_WRITE(PyUnicode_1BYTE_KIND, out, i, ch < 128 ? ch : '?');
    }
    return res;
}

static PyObject *
utf8_len(PyObject *self, PyObject *arg)
{
    Py_ssize_t size;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &size);
    if (s == NULL)
        return NULL;
    return PyLong_FromSsize_t(size);
}

static PyObject *
from_ucs4(PyObject *self, PyObject *args)
{
    PyObject *list;
    Py_UCS4 *buf;
    Py_ssize_t i, n;
    PyObject *res;

    if (!PyArg_ParseTuple(args, "O!:from_ucs4", &PyList_Type, &list))
        return NULL;
    n = PyList_GET_SIZE(list);
    buf = PyMem_New(Py_UCS4, n);
    if (buf == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < n; i++) {
        unsigned long cp = PyLong_AsUnsignedLong(PyList_GET_ITEM(list, i));
        if (cp == (unsigned long)-1 && PyErr_Occurred()) {
            PyMem_Free(buf);
            return NULL;
        }
        buf[i] = (Py_UCS4)cp;
    }
    res = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n);
    PyMem_Free(buf);
    return res;
}

static PyObject *
count_char(PyObject *self, PyObject *args)
{
    PyObject *s;
    int ch;
    Py_ssize_t i, n, c = 0;

    if (!PyArg_ParseTuple(args, "UC:count_char", &s, &ch))
        return NULL;
    n = PyUnicode_GetLength(s);
    for (i = 0; i < n; i++)
        if (PyUnicode_ReadChar(s, i) == (Py_UCS4)ch)
            c++;
    return PyLong_FromSsize_t(c);
}

static PyObject *
str_eq_ascii(PyObject *self, PyObject *args)
{
    PyObject *s;
    const char *ascii;
    if (!PyArg_ParseTuple(args, "Us:eq_ascii", &s, &ascii))
        return NULL;
#if PY_VERSION_HEX >= 0x030D0000
    return PyBool_FromLong(PyUnicode_EqualToUTF8(s, ascii));
#else
    return PyBool_FromLong(_PyUnicode_EqualToASCIIString(s, ascii));
#endif
}

static PyObject *
maxchar(PyObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return NULL;
    }
    return PyLong_FromUnsignedLong(PyUnicode_MAX_CHAR_VALUE(arg));
}

static PyMethodDef module_methods[] = {
    {"swapcase_ascii", swapcase_ascii, METH_O, NULL},
    {"max_codepoint", max_codepoint, METH_O, NULL},
    {"asciify", asciify, METH_O, NULL},
    {"utf8_len", utf8_len, METH_O, NULL},
    {"from_ucs4", from_ucs4, METH_VARARGS, NULL},
    {"count_char", count_char, METH_VARARGS, NULL},
    {"eq_ascii", str_eq_ascii, METH_VARARGS, NULL},
    {"maxchar", maxchar, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "unicode_kinds", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_unicode_kinds(void)
{
    return PyModule_Create(&module_def);
}
