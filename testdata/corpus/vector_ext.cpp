// vector_ext.cpp -- a C++ extension wrapping std::vector<double> in a
// Python type. Written in the style of hand-rolled C++ bindings: a static
// PyTypeObject, a small RAII reference holder, C++ exceptions translated to
// Python errors at the boundary, and fast list access with casts.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <new>
#include <numeric>
#include <stdexcept>
#include <vector>

extern PyTypeObject DVector_Type;

namespace {

class Ref {
public:
    explicit Ref(PyObject *o = nullptr) : obj_(o) {}
    Ref(const Ref &) = delete;
    Ref &operator=(const Ref &) = delete;
    ~Ref() { Py_XDECREF(obj_); }
    PyObject *get() const { return obj_; }
    PyObject *release() { PyObject *o = obj_; obj_ = nullptr; return o; }
    explicit operator bool() const { return obj_ != nullptr; }
private:
    PyObject *obj_;
};

struct DVector {
    PyObject_HEAD
    std::vector<double> *data;
};

std::vector<double> to_vector(PyObject *seq)
{
    std::vector<double> out;
    if (PyList_CheckExact(seq)) {
        Py_ssize_t n = PyList_GET_SIZE(seq);
        PyObject **items = reinterpret_cast<PyListObject *>(seq)->ob_item;
        out.reserve(static_cast<size_t>(n));
        for (Py_ssize_t i = 0; i < n; ++i) {
            double d = PyFloat_AsDouble(items[i]);
            if (d == -1.0 && PyErr_Occurred())
                throw std::invalid_argument("non-numeric item");
            out.push_back(d);
        }
        return out;
    }
    Ref it(PyObject_GetIter(seq));
    if (!it)
        throw std::invalid_argument("not iterable");
    while (PyObject *item = PyIter_Next(it.get())) {
        Ref hold(item);
        double d = PyFloat_AsDouble(item);
        if (d == -1.0 && PyErr_Occurred())
            throw std::invalid_argument("non-numeric item");
        out.push_back(d);
    }
    if (PyErr_Occurred())
        throw std::invalid_argument("iteration failed");
    return out;
}

template <typename F>
PyObject *guarded(F &&f)
{
    try {
        return f();
    } catch (const std::bad_alloc &) {
        return PyErr_NoMemory();
    } catch (const std::invalid_argument &e) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, e.what());
        return nullptr;
    } catch (const std::exception &e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
        return nullptr;
    }
}

PyObject *dvector_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *seq = nullptr;
    if (!PyArg_ParseTuple(args, "|O:DVector", &seq))
        return nullptr;
    return guarded([&]() -> PyObject * {
        DVector *self = reinterpret_cast<DVector *>(type->tp_alloc(type, 0));
        if (!self)
            return nullptr;
        self->data = seq ? new std::vector<double>(to_vector(seq))
                         : new std::vector<double>();
        return reinterpret_cast<PyObject *>(self);
    });
}

void dvector_dealloc(PyObject *o)
{
    DVector *self = reinterpret_cast<DVector *>(o);
    delete self->data;
    Py_TYPE(o)->tp_free(o);
}

Py_ssize_t dvector_len(PyObject *o)
{
    return static_cast<Py_ssize_t>(reinterpret_cast<DVector *>(o)->data->size());
}

PyObject *dvector_item(PyObject *o, Py_ssize_t i)
{
    auto *v = reinterpret_cast<DVector *>(o)->data;
    if (i < 0 || static_cast<size_t>(i) >= v->size()) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return nullptr;
    }
    return PyFloat_FromDouble((*v)[static_cast<size_t>(i)]);
}

PyObject *dvector_sum(PyObject *o, PyObject *)
{
    auto *v = reinterpret_cast<DVector *>(o)->data;
    return PyFloat_FromDouble(std::accumulate(v->begin(), v->end(), 0.0));
}

PyObject *dvector_sort(PyObject *o, PyObject *)
{
    auto *v = reinterpret_cast<DVector *>(o)->data;
    std::sort(v->begin(), v->end());
    Py_RETURN_NONE;
}

PyObject *dvector_tolist(PyObject *o, PyObject *)
{
    auto *v = reinterpret_cast<DVector *>(o)->data;
    PyObject *list = PyList_New(static_cast<Py_ssize_t>(v->size()));
    if (!list)
        return nullptr;
    for (size_t i = 0; i < v->size(); ++i) {
        PyObject *f = PyFloat_FromDouble((*v)[i]);
        if (!f) {
            Py_DECREF(list);
            return nullptr;
        }
        PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), f);
    }
    return list;
}

PyObject *dvector_extend(PyObject *o, PyObject *arg)
{
    return guarded([&]() -> PyObject * {
        auto more = to_vector(arg);
        auto *v = reinterpret_cast<DVector *>(o)->data;
        v->insert(v->end(), more.begin(), more.end());
        Py_RETURN_NONE;
    });
}

PyObject *dvector_repr(PyObject *o)
{
    auto *v = reinterpret_cast<DVector *>(o)->data;
    return PyUnicode_FromFormat("<%s of %zu items>", Py_TYPE(o)->tp_name,
                                v->size());
}

PyMethodDef dvector_methods[] = {
    {"sum", dvector_sum, METH_NOARGS, nullptr},
    {"sort", dvector_sort, METH_NOARGS, nullptr},
    {"tolist", dvector_tolist, METH_NOARGS, nullptr},
    {"extend", dvector_extend, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

PySequenceMethods dvector_as_sequence = {
    dvector_len,    // sq_length
    nullptr,        // sq_concat
    nullptr,        // sq_repeat
    dvector_item,   // sq_item
};

PyObject *mean(PyObject *, PyObject *arg)
{
    return guarded([&]() -> PyObject * {
        auto v = to_vector(arg);
        if (v.empty()) {
            PyErr_SetString(PyExc_ValueError, "mean of empty data");
            return nullptr;
        }
        return PyFloat_FromDouble(std::accumulate(v.begin(), v.end(), 0.0) /
                                  static_cast<double>(v.size()));
    });
}

PyMethodDef module_methods[] = {
    {"mean", mean, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "vector_ext",
    "std::vector<double> for Python",
    -1,
    module_methods,
    nullptr, nullptr, nullptr, nullptr
};

} // namespace

PyTypeObject DVector_Type = {
    PyVarObject_HEAD_INIT(nullptr, 0)
    "vector_ext.DVector",       // tp_name
    sizeof(DVector),            // tp_basicsize
    0,                          // tp_itemsize
    dvector_dealloc,            // tp_dealloc
    0,                          // tp_vectorcall_offset
    nullptr,                    // tp_getattr
    nullptr,                    // tp_setattr
    nullptr,                    // tp_as_async
    dvector_repr,               // tp_repr
    nullptr,                    // tp_as_number
    &dvector_as_sequence,       // tp_as_sequence
    nullptr,                    // tp_as_mapping
    nullptr,                    // tp_hash
    nullptr,                    // tp_call
    nullptr,                    // tp_str
    nullptr,                    // tp_getattro
    nullptr,                    // tp_setattro
    nullptr,                    // tp_as_buffer
    Py_TPFLAGS_DEFAULT,         // tp_flags
    "A vector of doubles.",     // tp_doc
    nullptr,                    // tp_traverse
    nullptr,                    // tp_clear
    nullptr,                    // tp_richcompare
    0,                          // tp_weaklistoffset
    nullptr,                    // tp_iter
    nullptr,                    // tp_iternext
    dvector_methods,            // tp_methods
    nullptr,                    // tp_members
    nullptr,                    // tp_getset
    nullptr,                    // tp_base
    nullptr,                    // tp_dict
    nullptr,                    // tp_descr_get
    nullptr,                    // tp_descr_set
    0,                          // tp_dictoffset
    nullptr,                    // tp_init
    nullptr,                    // tp_alloc
    dvector_new,                // tp_new
};

PyMODINIT_FUNC PyInit_vector_ext(void)
{
    if (PyType_Ready(&DVector_Type) < 0)
        return nullptr;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return nullptr;
    Py_INCREF(&DVector_Type);
    if (PyModule_AddObject(m, "DVector", reinterpret_cast<PyObject *>(&DVector_Type)) < 0) {
        Py_DECREF(&DVector_Type);
        Py_DECREF(m);
        return nullptr;
    }
    return m;
}
