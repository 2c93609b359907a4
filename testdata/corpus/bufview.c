/*
 * bufview.c -- a byte ring that exports the buffer protocol, plus helpers
 * that consume buffers from other objects (bytes, bytearray, memoryview,
 * array.array, numpy arrays).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    char *buf;
    Py_ssize_t size;
    Py_ssize_t exports;
    int readonly;
} RingObject;

static PyTypeObject Ring_Type;

static PyObject *
ring_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"size", "readonly", NULL};
    Py_ssize_t size;
    int readonly = 0;
    RingObject *self;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "n|p:Ring", kwlist,
                                     &size, &readonly))
        return NULL;
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, "size must be >= 0");
        return NULL;
    }
    self = (RingObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->buf = PyMem_Calloc((size_t)size + 1, 1);
    if (self->buf == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->size = size;
    self->readonly = readonly;
    return (PyObject *)self;
}

static void
ring_dealloc(RingObject *self)
{
    PyMem_Free(self->buf);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
ring_getbuffer(RingObject *self, Py_buffer *view, int flags)
{
    if (self->readonly && (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "Ring is read-only");
        view->obj = NULL;
        return -1;
    }
    if (PyBuffer_FillInfo(view, (PyObject *)self, self->buf, self->size,
                          self->readonly, flags) < 0)
        return -1;
    self->exports++;
    return 0;
}

static void
ring_releasebuffer(RingObject *self, Py_buffer *view)
{
    self->exports--;
}

static PyBufferProcs ring_as_buffer = {
    (getbufferproc)ring_getbuffer,
    (releasebufferproc)ring_releasebuffer,
};

static PyObject *
ring_resize(RingObject *self, PyObject *arg)
{
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    char *nb;

    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (self->exports > 0) {
        PyErr_SetString(PyExc_BufferError,
                        "cannot resize a Ring while it is exported");
        return NULL;
    }
    nb = PyMem_Realloc(self->buf, (size_t)n + 1);
    if (nb == NULL)
        return PyErr_NoMemory();
    if (n > self->size)
        memset(nb + self->size, 0, (size_t)(n - self->size));
    self->buf = nb;
    self->size = n;
    Py_RETURN_NONE;
}

static PyMethodDef ring_methods[] = {
    {"resize", (PyCFunction)ring_resize, METH_O, NULL},
    {NULL}
};

static PyTypeObject Ring_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "bufview.Ring",
    .tp_basicsize = sizeof(RingObject),
    .tp_dealloc = (destructor)ring_dealloc,
    .tp_as_buffer = &ring_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = ring_methods,
    .tp_new = ring_new,
};

/* Checksum any contiguous buffer. */
static PyObject *
checksum(PyObject *self, PyObject *arg)
{
    Py_buffer view;
    unsigned long sum = 0;
    const unsigned char *p;
    Py_ssize_t i;

    if (!PyObject_CheckBuffer(arg)) {
        PyErr_Format(PyExc_TypeError, "'%.100s' does not support the buffer "
                     "protocol", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    p = (const unsigned char *)view.buf;
    for (i = 0; i < view.len; i++)
        sum = (sum * 31 + p[i]) & 0xffffffffUL;
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(sum);
}

/* Describe a buffer's shape and format. */
static PyObject *
describe(PyObject *self, PyObject *arg)
{
    Py_buffer view;
    PyObject *shape, *res;
    int i;

    if (PyObject_GetBuffer(arg, &view, PyBUF_RECORDS_RO) < 0)
        return NULL;
    shape = PyTuple_New(view.ndim);
    if (shape == NULL) {
        PyBuffer_Release(&view);
        return NULL;
    }
    for (i = 0; i < view.ndim; i++) {
        PyObject *d = PyLong_FromSsize_t(view.shape[i]);
        if (d == NULL) {
            Py_DECREF(shape);
            PyBuffer_Release(&view);
            return NULL;
        }
        PyTuple_SET_ITEM(shape, i, d);
    }
    res = Py_BuildValue("{s:s,s:n,s:N,s:O}",
                        "format", view.format ? view.format : "B",
                        "itemsize", view.itemsize,
                        "shape", shape,
                        "contiguous",
                        PyBuffer_IsContiguous(&view, 'C') ? Py_True : Py_False);
    PyBuffer_Release(&view);
    return res;
}

/* Return a read-only memoryview over a static table. */
static const char table[] = "0123456789abcdef";

static PyObject *
hexdigits(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyMemoryView_FromMemory((char *)table, 16, PyBUF_READ);
}

/* Peek at a memoryview's underlying buffer without copying. */
static PyObject *
mv_nbytes(PyObject *self, PyObject *arg)
{
    Py_buffer *view;

    if (!PyMemoryView_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a memoryview");
        return NULL;
    }
    view = PyMemoryView_GET_BUFFER(arg);
    return PyLong_FromSsize_t(view->len);
}

/* Copy a buffer into new bytes, Fortran order if asked. */
static PyObject *
tobytes(PyObject *self, PyObject *args)
{
    PyObject *obj, *out;
    char order = 'C';
    Py_buffer view;

    if (!PyArg_ParseTuple(args, "O|c:tobytes", &obj, &order))
        return NULL;
    if (PyObject_GetBuffer(obj, &view, PyBUF_FULL_RO) < 0)
        return NULL;
    out = PyBytes_FromStringAndSize(NULL, view.len);
    if (out == NULL) {
        PyBuffer_Release(&view);
        return NULL;
    }
    if (PyBuffer_ToContiguous(PyBytes_AS_STRING(out), &view, view.len,
                              order) < 0) {
        Py_DECREF(out);
        out = NULL;
    }
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef bufview_methods[] = {
    {"checksum", checksum, METH_O, NULL},
    {"describe", describe, METH_O, NULL},
    {"hexdigits", hexdigits, METH_NOARGS, NULL},
    {"mv_nbytes", mv_nbytes, METH_O, NULL},
    {"tobytes", tobytes, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef bufview_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bufview",
    .m_size = -1,
    .m_methods = bufview_methods,
};

PyMODINIT_FUNC
PyInit_bufview(void)
{
    PyObject *m;
    if (PyType_Ready(&Ring_Type) < 0)
        return NULL;
    m = PyModule_Create(&bufview_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Ring_Type);
    if (PyModule_AddObject(m, "Ring", (PyObject *)&Ring_Type) < 0) {
        Py_DECREF(&Ring_Type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
