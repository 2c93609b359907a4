// cxx_buffer.cpp -- a dense row-major matrix of doubles in C++ that exports
// a 2-D buffer (format "d", shape and strides), and a function that accepts
// any 2-D float64 buffer, e.g. from numpy.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstring>
#include <memory>
#include <vector>

namespace {

struct Matrix {
    PyObject_HEAD
    Py_ssize_t rows;
    Py_ssize_t cols;
    Py_ssize_t shape[2];
    Py_ssize_t strides[2];
    double *values;
    int exports;
};

PyObject *matrix_new(PyTypeObject *type, PyObject *args, PyObject *)
{
    Py_ssize_t rows, cols;
    if (!PyArg_ParseTuple(args, "nn:Matrix", &rows, &cols))
        return nullptr;
    if (rows < 0 || cols < 0) {
        PyErr_SetString(PyExc_ValueError, "negative dimension");
        return nullptr;
    }
    auto *self = reinterpret_cast<Matrix *>(type->tp_alloc(type, 0));
    if (!self)
        return nullptr;
    self->rows = rows;
    self->cols = cols;
    self->shape[0] = rows;
    self->shape[1] = cols;
    self->strides[0] = cols * static_cast<Py_ssize_t>(sizeof(double));
    self->strides[1] = sizeof(double);
    self->values = static_cast<double *>(
        PyMem_Calloc(static_cast<size_t>(rows * cols) + 1, sizeof(double)));
    if (!self->values) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return reinterpret_cast<PyObject *>(self);
}

void matrix_dealloc(PyObject *o)
{
    auto *self = reinterpret_cast<Matrix *>(o);
    PyMem_Free(self->values);
    Py_TYPE(o)->tp_free(o);
}

int matrix_getbuffer(PyObject *o, Py_buffer *view, int flags)
{
    auto *self = reinterpret_cast<Matrix *>(o);
    if ((flags & PyBUF_ND) != PyBUF_ND && self->rows != 1) {
        PyErr_SetString(PyExc_BufferError, "Matrix needs PyBUF_ND");
        view->obj = nullptr;
        return -1;
    }
    view->buf = self->values;
    view->obj = o;
    Py_INCREF(o);
    view->len = self->rows * self->cols * static_cast<Py_ssize_t>(sizeof(double));
    view->readonly = 0;
    view->itemsize = sizeof(double);
    view->format = (flags & PyBUF_FORMAT) ? const_cast<char *>("d") : nullptr;
    view->ndim = 2;
    view->shape = self->shape;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? self->strides : nullptr;
    view->suboffsets = nullptr;
    view->internal = nullptr;
    self->exports++;
    return 0;
}

void matrix_releasebuffer(PyObject *o, Py_buffer *)
{
    reinterpret_cast<Matrix *>(o)->exports--;
}

PyBufferProcs matrix_as_buffer = {
    matrix_getbuffer,
    matrix_releasebuffer,
};

PyObject *matrix_fill(PyObject *o, PyObject *arg)
{
    auto *self = reinterpret_cast<Matrix *>(o);
    double v = PyFloat_AsDouble(arg);
    if (v == -1.0 && PyErr_Occurred())
        return nullptr;
    for (Py_ssize_t i = 0; i < self->rows * self->cols; ++i)
        self->values[i] = v;
    Py_RETURN_NONE;
}

PyObject *matrix_get(PyObject *o, PyObject *args)
{
    auto *self = reinterpret_cast<Matrix *>(o);
    Py_ssize_t r, c;
    if (!PyArg_ParseTuple(args, "nn:get", &r, &c))
        return nullptr;
    if (r < 0 || r >= self->rows || c < 0 || c >= self->cols) {
        PyErr_SetString(PyExc_IndexError, "matrix index out of range");
        return nullptr;
    }
    return PyFloat_FromDouble(self->values[r * self->cols + c]);
}

PyMethodDef matrix_methods[] = {
    {"fill", matrix_fill, METH_O, nullptr},
    {"get", matrix_get, METH_VARARGS, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

PyTypeObject Matrix_Type = [] {
    PyTypeObject t{};
    t.tp_name = "cxx_buffer.Matrix";
    t.tp_basicsize = sizeof(Matrix);
    t.tp_dealloc = matrix_dealloc;
    t.tp_as_buffer = &matrix_as_buffer;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_methods = matrix_methods;
    t.tp_new = matrix_new;
    return t;
}();

// trace(buffer): sum of the diagonal of any 2-D float64 buffer.
PyObject *trace(PyObject *, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_RECORDS_RO) < 0)
        return nullptr;
    std::unique_ptr<Py_buffer, void (*)(Py_buffer *)> guard(&view, PyBuffer_Release);
    if (view.ndim != 2 || std::strcmp(view.format ? view.format : "B", "d") != 0) {
        PyErr_SetString(PyExc_TypeError, "need a 2-D float64 buffer");
        return nullptr;
    }
    double total = 0.0;
    Py_ssize_t n = view.shape[0] < view.shape[1] ? view.shape[0] : view.shape[1];
    for (Py_ssize_t i = 0; i < n; ++i) {
        const char *p = static_cast<const char *>(view.buf) +
                        i * view.strides[0] + i * view.strides[1];
        double d;
        std::memcpy(&d, p, sizeof d);
        total += d;
    }
    return PyFloat_FromDouble(total);
}

// as_rows(buffer): copy any C-contiguous buffer into a list of bytes rows.
PyObject *as_rows(PyObject *, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_C_CONTIGUOUS) < 0)
        return nullptr;
    Py_ssize_t rows = view.ndim >= 1 ? view.shape[0] : 1;
    Py_ssize_t rowlen = rows ? view.len / rows : 0;
    PyObject *out = PyList_New(rows);
    for (Py_ssize_t i = 0; out && i < rows; ++i) {
        PyObject *b = PyBytes_FromStringAndSize(
            static_cast<const char *>(view.buf) + i * rowlen, rowlen);
        if (!b) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, b);
    }
    PyBuffer_Release(&view);
    return out;
}

PyMethodDef module_methods[] = {
    {"trace", trace, METH_O, nullptr},
    {"as_rows", as_rows, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "cxx_buffer", nullptr, -1, module_methods,
    nullptr, nullptr, nullptr, nullptr
};

} // namespace

PyMODINIT_FUNC PyInit_cxx_buffer(void)
{
    if (PyType_Ready(&Matrix_Type) < 0)
        return nullptr;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return nullptr;
    Py_INCREF(&Matrix_Type);
    PyModule_AddObject(m, "Matrix", reinterpret_cast<PyObject *>(&Matrix_Type));
    return m;
}
