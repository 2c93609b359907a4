// cxx_raii_refs.cc -- a header-only-style C++ wrapper layer (owned/borrowed
// references, conversions to std::string and std::vector) and a module
// built on it. Mixes C++ casts with the CPython fast macros.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string>
#include <utility>
#include <vector>

namespace py {

class object {
public:
    object() = default;
    static object steal(PyObject *o) { object r; r.p_ = o; return r; }
    static object borrow(PyObject *o) { Py_XINCREF(o); return steal(o); }
    object(const object &o) : p_(o.p_) { Py_XINCREF(p_); }
    object(object &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    object &operator=(object o) { std::swap(p_, o.p_); return *this; }
    ~object() { Py_XDECREF(p_); }
    PyObject *ptr() const { return p_; }
    PyObject *release() { return std::exchange(p_, nullptr); }
    explicit operator bool() const { return p_ != nullptr; }
private:
    PyObject *p_ = nullptr;
};

inline bool to_string(PyObject *o, std::string &out)
{
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s)
            return false;
        out.assign(s, static_cast<size_t>(n));
        return true;
    }
    if (PyBytes_Check(o)) {
        out.assign(PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o)));
        return true;
    }
    PyErr_Format(PyExc_TypeError, "expected str or bytes, got %s",
                 Py_TYPE(o)->tp_name);
    return false;
}

inline object from_string(const std::string &s)
{
    return object::steal(PyUnicode_FromStringAndSize(s.data(),
                                                     static_cast<Py_ssize_t>(s.size())));
}

template <typename T, typename Conv>
bool to_vector(PyObject *seq, std::vector<T> &out, Conv conv)
{
    object fast = object::steal(PySequence_Fast(seq, "expected a sequence"));
    if (!fast)
        return false;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
    PyObject **items = PySequence_Fast_ITEMS(fast.ptr());
    out.clear();
    out.reserve(static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) {
        T value;
        if (!conv(items[i], value))
            return false;
        out.push_back(std::move(value));
    }
    return true;
}

inline object tuple_of(std::vector<object> items)
{
    PyObject *t = PyTuple_New(static_cast<Py_ssize_t>(items.size()));
    if (!t)
        return object();
    for (size_t i = 0; i < items.size(); ++i)
        PyTuple_SET_ITEM(t, static_cast<Py_ssize_t>(i), items[i].release());
    return object::steal(t);
}

} // namespace py

namespace {

PyObject *join_strings(PyObject *, PyObject *args)
{
    PyObject *seq;
    const char *sep = ",";
    if (!PyArg_ParseTuple(args, "O|s:join_strings", &seq, &sep))
        return nullptr;
    std::vector<std::string> parts;
    if (!py::to_vector(seq, parts, py::to_string))
        return nullptr;
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i)
            out += sep;
        out += parts[i];
    }
    return py::from_string(out).release();
}

PyObject *split_pairs(PyObject *, PyObject *arg)
{
    std::string s;
    if (!py::to_string(arg, s))
        return nullptr;
    std::vector<py::object> pairs;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(';', start);
        if (end == std::string::npos)
            end = s.size();
        std::string item = s.substr(start, end - start);
        size_t eq = item.find('=');
        py::object k = py::from_string(item.substr(0, eq));
        py::object v = eq == std::string::npos ? py::object::borrow(Py_None)
                                               : py::from_string(item.substr(eq + 1));
        if (!k || !v)
            return nullptr;
        py::object t = py::tuple_of({k, v});
        if (!t)
            return nullptr;
        pairs.push_back(t);
        start = end + 1;
    }
    return py::tuple_of(std::move(pairs)).release();
}

PyObject *lengths(PyObject *, PyObject *arg)
{
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return nullptr;
    }
    py::object out = py::object::steal(PyList_New(PyList_GET_SIZE(arg)));
    if (!out)
        return nullptr;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(arg); ++i) {
        Py_ssize_t n = PyObject_Length(PyList_GET_ITEM(arg, i));
        if (n < 0)
            return nullptr;
        PyList_SET_ITEM(out.ptr(), i, PyLong_FromSsize_t(n));
    }
    return out.release();
}

PyObject *refcount(PyObject *, PyObject *arg)
{
    return PyLong_FromSsize_t(Py_REFCNT(arg));
}

PyMethodDef module_methods[] = {
    {"join_strings", join_strings, METH_VARARGS, nullptr},
    {"split_pairs", split_pairs, METH_O, nullptr},
    {"lengths", lengths, METH_O, nullptr},
    {"refcount", refcount, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "cxx_raii_refs", nullptr, -1, module_methods,
    nullptr, nullptr, nullptr, nullptr
};

} // namespace

PyMODINIT_FUNC PyInit_cxx_raii_refs(void)
{
    return PyModule_Create(&module_def);
}
