/*
 * bytes_fast.c -- bytes and bytearray helpers that write straight into the
 * object's storage: PyBytes_AS_STRING on a fresh object, _PyBytes_Resize to
 * shrink, PyByteArray_AS_STRING for in-place edits.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static const char hexchars[] = "0123456789abcdef";

static PyObject *
hexlify(PyObject *self, PyObject *arg)
{
    const char *src;
    char *dst;
    Py_ssize_t i, n;
    PyObject *out;

    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected bytes");
        return NULL;
    }
    src = PyBytes_AS_STRING(arg);
    n = PyBytes_GET_SIZE(arg);
    if (n > PY_SSIZE_T_MAX / 2)
        return PyErr_NoMemory();
    out = PyBytes_FromStringAndSize(NULL, n * 2);
    if (out == NULL)
        return NULL;
    dst = PyBytes_AS_STRING(out);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[2 * i] = hexchars[c >> 4];
        dst[2 * i + 1] = hexchars[c & 15];
    }
    return out;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode hex, skipping whitespace; the result is shrunk at the end. */
static PyObject *
unhexlify(PyObject *self, PyObject *arg)
{
    const char *src;
    char *dst;
    Py_ssize_t i, n, j = 0;
    PyObject *out;
    int hi = -1;

    if (PyBytes_AsStringAndSize(arg, (char **)&src, &n) < 0)
        return NULL;
    out = PyBytes_FromStringAndSize(NULL, n / 2 + 1);
    if (out == NULL)
        return NULL;
    dst = PyBytes_AS_STRING(out);
    for (i = 0; i < n; i++) {
        int v;
        if (src[i] == ' ' || src[i] == '\n' || src[i] == '\t')
            continue;
        v = hexval(src[i]);
        if (v < 0) {
            Py_DECREF(out);
            PyErr_Format(PyExc_ValueError, "non-hex digit at %zd", i);
            return NULL;
        }
        if (hi < 0) {
            hi = v;
        }
        else {
            dst[j++] = (char)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_ValueError, "odd number of hex digits");
        return NULL;
    }
    if (_PyBytes_Resize(&out, j) < 0)
        return NULL;
    return out;
}

/* XOR a bytearray in place with a key. */
static PyObject *
xor_inplace(PyObject *self, PyObject *args)
{
    PyObject *ba;
    Py_buffer key;
    char *data;
    Py_ssize_t i, n;

    if (!PyArg_ParseTuple(args, "O!y*:xor_inplace", &PyByteArray_Type, &ba, &key))
        return NULL;
    if (key.len == 0) {
        PyBuffer_Release(&key);
        PyErr_SetString(PyExc_ValueError, "empty key");
        return NULL;
    }
    data = PyByteArray_AS_STRING(ba);
    n = PyByteArray_GET_SIZE(ba);
    for (i = 0; i < n; i++)
        data[i] ^= ((const char *)key.buf)[i % key.len];
    PyBuffer_Release(&key);
    Py_RETURN_NONE;
}

static PyObject *
concat_all(PyObject *self, PyObject *args)
{
    PyObject *result;
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);

    result = PyBytes_FromStringAndSize("", 0);
    if (result == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *part = PyTuple_GET_ITEM(args, i);
        Py_INCREF(part);
        PyBytes_ConcatAndDel(&result, part);
        if (result == NULL)
            return NULL;
    }
    return result;
}

static PyObject *
bytes_join(PyObject *self, PyObject *args)
{
    PyObject *sep, *seq;
    if (!PyArg_ParseTuple(args, "SO:join", &sep, &seq))
        return NULL;
    return _PyBytes_Join(sep, seq);
}

static PyObject *
startswith_nul(PyObject *self, PyObject *arg)
{
    if (!PyBytes_CheckExact(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected exactly bytes");
        return NULL;
    }
    return PyBool_FromLong(PyBytes_GET_SIZE(arg) > 0 &&
                           ((PyBytesObject *)arg)->ob_sval[0] == '\0');
}

static PyObject *
repeat(PyObject *self, PyObject *args)
{
    const char *s;
    Py_ssize_t len, times, i;
    PyObject *out;
    char *p;

    if (!PyArg_ParseTuple(args, "y#n:repeat", &s, &len, &times))
        return NULL;
    if (times < 0)
        times = 0;
    if (len && times > PY_SSIZE_T_MAX / len)
        return PyErr_NoMemory();
    out = PyBytes_FromStringAndSize(NULL, len * times);
    if (out == NULL)
        return NULL;
    p = PyBytes_AS_STRING(out);
    for (i = 0; i < times; i++)
        memcpy(p + i * len, s, (size_t)len);
    return out;
}

static PyMethodDef module_methods[] = {
    {"hexlify", hexlify, METH_O, NULL},
    {"unhexlify", unhexlify, METH_O, NULL},
    {"xor_inplace", xor_inplace, METH_VARARGS, NULL},
    {"concat_all", concat_all, METH_VARARGS, NULL},
    {"join", bytes_join, METH_VARARGS, NULL},
    {"startswith_nul", startswith_nul, METH_O, NULL},
    {"repeat", repeat, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "bytes_fast", "Raw bytes helpers.", -1, module_methods
};

PyMODINIT_FUNC
PyInit_bytes_fast(void)
{
    return PyModule_Create(&module_def);
}
