// cxx_limited_39.cpp -- a C++ module built for the stable ABI of 3.9
// (abi3, cp39): a histogram type with heap-type slots, std::map storage,
// and only Limited API calls.
#define Py_LIMITED_API 0x03090000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <map>
#include <string>

namespace {

struct Histogram {
    PyObject_HEAD
    std::map<long, long> *bins;
    long width;
};

PyObject *hist_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static const char *kwlist[] = {"width", nullptr};
    long width = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|l:Histogram",
                                     const_cast<char **>(kwlist), &width))
        return nullptr;
    if (width <= 0) {
        PyErr_SetString(PyExc_ValueError, "width must be positive");
        return nullptr;
    }
    auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(type, Py_tp_alloc));
    auto *self = reinterpret_cast<Histogram *>(alloc(type, 0));
    if (!self)
        return nullptr;
    self->bins = new std::map<long, long>();
    self->width = width;
    return reinterpret_cast<PyObject *>(self);
}

void hist_dealloc(PyObject *o)
{
    auto *self = reinterpret_cast<Histogram *>(o);
    PyTypeObject *tp = Py_TYPE(o);
    delete self->bins;
    auto tp_free = reinterpret_cast<freefunc>(PyType_GetSlot(tp, Py_tp_free));
    tp_free(o);
    Py_DECREF(tp);
}

PyObject *hist_add(PyObject *o, PyObject *arg)
{
    auto *self = reinterpret_cast<Histogram *>(o);
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return nullptr;
    long bin = (v >= 0 ? v : v - self->width + 1) / self->width;
    (*self->bins)[bin] += 1;
    Py_RETURN_NONE;
}

PyObject *hist_items(PyObject *o, PyObject *)
{
    auto *self = reinterpret_cast<Histogram *>(o);
    PyObject *list = PyList_New(0);
    if (!list)
        return nullptr;
    for (const auto &kv : *self->bins) {
        PyObject *t = Py_BuildValue("(ll)", kv.first * self->width, kv.second);
        if (!t || PyList_Append(list, t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(list);
            return nullptr;
        }
        Py_DECREF(t);
    }
    return list;
}

PyObject *hist_repr(PyObject *o)
{
    auto *self = reinterpret_cast<Histogram *>(o);
    std::string s = "Histogram(width=" + std::to_string(self->width) +
                    ", bins=" + std::to_string(self->bins->size()) + ")";
    return PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

Py_ssize_t hist_len(PyObject *o)
{
    return static_cast<Py_ssize_t>(reinterpret_cast<Histogram *>(o)->bins->size());
}

PyMethodDef hist_methods[] = {
    {"add", hist_add, METH_O, nullptr},
    {"items", hist_items, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

PyType_Slot hist_slots[] = {
    {Py_tp_new, reinterpret_cast<void *>(hist_new)},
    {Py_tp_dealloc, reinterpret_cast<void *>(hist_dealloc)},
    {Py_tp_repr, reinterpret_cast<void *>(hist_repr)},
    {Py_tp_methods, hist_methods},
    {Py_sq_length, reinterpret_cast<void *>(hist_len)},
    {0, nullptr}
};

PyType_Spec hist_spec = {
    "cxx_limited_39.Histogram",
    sizeof(Histogram),
    0,
    Py_TPFLAGS_DEFAULT,
    hist_slots
};

int exec_module(PyObject *m)
{
    PyObject *t = PyType_FromSpec(&hist_spec);
    if (!t)
        return -1;
    if (PyModule_AddObject(m, "Histogram", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    return 0;
}

PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, reinterpret_cast<void *>(exec_module)},
    {0, nullptr}
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "cxx_limited_39",
    "abi3 histogram (C++)",
    0,
    nullptr,
    module_slots,
    nullptr,
    nullptr,
    nullptr
};

} // namespace

PyMODINIT_FUNC PyInit_cxx_limited_39(void)
{
    return PyModuleDef_Init(&module_def);
}
