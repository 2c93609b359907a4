/*
 * clean_limited_311.c -- a bit array for the stable ABI of 3.11, the first
 * Limited API with the buffer protocol: the type exports its storage with
 * Py_bf_getbuffer and reads other buffers with PyObject_GetBuffer.
 */
#define Py_LIMITED_API 0x030B0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    unsigned char *bits;
    Py_ssize_t nbits;
    Py_ssize_t exports;
} BitsObject;

static Py_ssize_t
nbytes_for(Py_ssize_t nbits)
{
    return (nbits + 7) / 8;
}

static PyObject *
bits_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"nbits", NULL};
    Py_ssize_t nbits;
    BitsObject *self;
    allocfunc alloc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "n:Bits", kwlist, &nbits))
        return NULL;
    if (nbits < 0) {
        PyErr_SetString(PyExc_ValueError, "nbits must be >= 0");
        return NULL;
    }
    alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    self = (BitsObject *)alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->bits = PyMem_Calloc((size_t)nbytes_for(nbits) + 1, 1);
    if (self->bits == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->nbits = nbits;
    return (PyObject *)self;
}

static void
bits_dealloc(BitsObject *self)
{
    PyTypeObject *tp = Py_TYPE((PyObject *)self);
    freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    PyMem_Free(self->bits);
    f(self);
    Py_DECREF(tp);
}

static int
bits_getbuffer(BitsObject *self, Py_buffer *view, int flags)
{
    if (PyBuffer_FillInfo(view, (PyObject *)self, self->bits,
                          nbytes_for(self->nbits), 0, flags) < 0)
        return -1;
    self->exports++;
    return 0;
}

static void
bits_releasebuffer(BitsObject *self, Py_buffer *view)
{
    self->exports--;
}

static PyObject *
bits_set(BitsObject *self, PyObject *args)
{
    Py_ssize_t i;
    int value = 1;

    if (!PyArg_ParseTuple(args, "n|p:set", &i, &value))
        return NULL;
    if (i < 0 || i >= self->nbits) {
        PyErr_SetString(PyExc_IndexError, "bit index out of range");
        return NULL;
    }
    if (value)
        self->bits[i / 8] |= (unsigned char)(1u << (i % 8));
    else
        self->bits[i / 8] &= (unsigned char)~(1u << (i % 8));
    Py_RETURN_NONE;
}

static PyObject *
bits_count(BitsObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t i, c = 0;
    for (i = 0; i < self->nbits; i++)
        if (self->bits[i / 8] & (1u << (i % 8)))
            c++;
    return PyLong_FromSsize_t(c);
}

static PyObject *
bits_or_buffer(BitsObject *self, PyObject *other)
{
    Py_buffer view;
    Py_ssize_t i, n;
    const unsigned char *src;

    if (PyObject_GetBuffer(other, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    n = nbytes_for(self->nbits);
    if (view.len < n)
        n = view.len;
    src = view.buf;
    for (i = 0; i < n; i++)
        self->bits[i] |= src[i];
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyObject *
bits_repr(BitsObject *self)
{
    PyObject *name = PyType_GetName(Py_TYPE((PyObject *)self));
    PyObject *res;
    if (name == NULL)
        return NULL;
    res = PyUnicode_FromFormat("<%U of %zd bits>", name, self->nbits);
    Py_DECREF(name);
    return res;
}

static PyMethodDef bits_methods[] = {
    {"set", (PyCFunction)bits_set, METH_VARARGS, NULL},
    {"count", (PyCFunction)bits_count, METH_NOARGS, NULL},
    {"or_buffer", (PyCFunction)bits_or_buffer, METH_O, NULL},
    {NULL}
};

static PyType_Slot bits_slots[] = {
    {Py_tp_new, bits_new},
    {Py_tp_dealloc, bits_dealloc},
    {Py_tp_repr, bits_repr},
    {Py_tp_methods, bits_methods},
    {Py_bf_getbuffer, bits_getbuffer},
    {Py_bf_releasebuffer, bits_releasebuffer},
    {0, NULL}
};

static PyType_Spec bits_spec = {
    "clean_limited_311.Bits",
    sizeof(BitsObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    bits_slots
};

static PyObject *
popcount(PyObject *m, PyObject *arg)
{
    Py_buffer view;
    const unsigned char *p;
    Py_ssize_t i;
    long total = 0;

    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    p = view.buf;
    for (i = 0; i < view.len; i++) {
        unsigned char b = p[i];
        while (b) {
            total += b & 1;
            b >>= 1;
        }
    }
    PyBuffer_Release(&view);
    return PyLong_FromLong(total);
}

static PyObject *
type_qualname(PyObject *m, PyObject *arg)
{
    if (!PyType_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a type");
        return NULL;
    }
    return PyType_GetQualName((PyTypeObject *)arg);
}

static PyMethodDef module_methods[] = {
    {"popcount", popcount, METH_O, NULL},
    {"type_qualname", type_qualname, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static int
exec_module(PyObject *m)
{
    PyObject *t = PyType_FromModuleAndSpec(m, &bits_spec, NULL);
    if (t == NULL)
        return -1;
    if (PyModule_AddType(m, (PyTypeObject *)t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    Py_DECREF(t);
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "clean_limited_311",
    .m_methods = module_methods,
    .m_slots = module_slots,
};

PyMODINIT_FUNC
PyInit_clean_limited_311(void)
{
    return PyModuleDef_Init(&module_def);
}
