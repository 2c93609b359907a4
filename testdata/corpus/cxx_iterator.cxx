// cxx_iterator.cxx -- lazy C++ iterators exposed to Python (windowed
// pairs, cumulative sums), in a multi-phase module with state. Builds both
// with and without Py_LIMITED_API: the limited build goes through
// PyType_GetSlot and heap types only.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <deque>
#include <functional>

namespace {

struct ModState {
    PyObject *WindowType;
};

ModState *state(PyObject *m)
{
    return static_cast<ModState *>(PyModule_GetState(m));
}

struct Window {
    PyObject_HEAD
    PyObject *source;
    std::deque<PyObject *> *buf;
    Py_ssize_t size;
};

PyObject *window_new(PyTypeObject *type, PyObject *args, PyObject *)
{
    PyObject *iterable;
    Py_ssize_t size = 2;
    if (!PyArg_ParseTuple(args, "O|n:window", &iterable, &size))
        return nullptr;
    if (size < 1) {
        PyErr_SetString(PyExc_ValueError, "window size must be >= 1");
        return nullptr;
    }
    PyObject *it = PyObject_GetIter(iterable);
    if (!it)
        return nullptr;
#ifdef Py_LIMITED_API
    auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(type, Py_tp_alloc));
#else
    allocfunc alloc = type->tp_alloc;
#endif
    auto *self = reinterpret_cast<Window *>(alloc(type, 0));
    if (!self) {
        Py_DECREF(it);
        return nullptr;
    }
    self->source = it;
    self->buf = new std::deque<PyObject *>();
    self->size = size;
    return reinterpret_cast<PyObject *>(self);
}

int window_traverse(PyObject *o, visitproc visit, void *arg)
{
    auto *self = reinterpret_cast<Window *>(o);
    Py_VISIT(self->source);
    if (self->buf) {
        for (PyObject *item : *self->buf)
            Py_VISIT(item);
    }
    return 0;
}

int window_clear(PyObject *o)
{
    auto *self = reinterpret_cast<Window *>(o);
    Py_CLEAR(self->source);
    if (self->buf) {
        for (PyObject *item : *self->buf)
            Py_DECREF(item);
        self->buf->clear();
    }
    return 0;
}

void window_dealloc(PyObject *o)
{
    auto *self = reinterpret_cast<Window *>(o);
    PyTypeObject *tp = Py_TYPE(o);
    PyObject_GC_UnTrack(o);
    window_clear(o);
    delete self->buf;
#ifdef Py_LIMITED_API
    reinterpret_cast<freefunc>(PyType_GetSlot(tp, Py_tp_free))(o);
#else
    tp->tp_free(o);
#endif
    Py_DECREF(tp);
}

PyObject *window_next(PyObject *o)
{
    auto *self = reinterpret_cast<Window *>(o);
    if (!self->source)
        return nullptr;
    if (!self->buf->empty()) {
        Py_DECREF(self->buf->front());
        self->buf->pop_front();
    }
    while (static_cast<Py_ssize_t>(self->buf->size()) < self->size) {
        PyObject *item = PyIter_Next(self->source);
        if (!item) {
            Py_CLEAR(self->source);
            return nullptr;
        }
        self->buf->push_back(item);
    }
    PyObject *t = PyTuple_New(self->size);
    if (!t)
        return nullptr;
    Py_ssize_t i = 0;
    for (PyObject *item : *self->buf) {
        Py_INCREF(item);
#ifdef Py_LIMITED_API
        PyTuple_SetItem(t, i++, item);
#else
        PyTuple_SET_ITEM(t, i++, item);
#endif
    }
    return t;
}

PyType_Slot window_slots[] = {
    {Py_tp_new, reinterpret_cast<void *>(window_new)},
    {Py_tp_traverse, reinterpret_cast<void *>(window_traverse)},
    {Py_tp_clear, reinterpret_cast<void *>(window_clear)},
    {Py_tp_dealloc, reinterpret_cast<void *>(window_dealloc)},
    {Py_tp_iter, reinterpret_cast<void *>(PyObject_SelfIter)},
    {Py_tp_iternext, reinterpret_cast<void *>(window_next)},
    {0, nullptr}
};

PyType_Spec window_spec = {
    "cxx_iterator.window",
    sizeof(Window),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    window_slots
};

PyObject *cumsum(PyObject *, PyObject *arg)
{
    PyObject *it = PyObject_GetIter(arg);
    if (!it)
        return nullptr;
    PyObject *out = PyList_New(0);
    PyObject *acc = PyLong_FromLong(0);
    std::function<bool(PyObject *)> step = [&](PyObject *item) {
        PyObject *next = PyNumber_Add(acc, item);
        if (!next)
            return false;
        Py_DECREF(acc);
        acc = next;
        return PyList_Append(out, acc) == 0;
    };
    bool ok = out && acc;
    while (ok) {
        PyObject *item = PyIter_Next(it);
        if (!item)
            break;
        ok = step(item);
        Py_DECREF(item);
    }
    Py_DECREF(it);
    Py_XDECREF(acc);
    if (!ok || PyErr_Occurred()) {
        Py_XDECREF(out);
        return nullptr;
    }
    return out;
}

PyMethodDef module_methods[] = {
    {"cumsum", cumsum, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr}
};

int exec_module(PyObject *m)
{
    ModState *st = state(m);
    st->WindowType = PyType_FromSpec(&window_spec);
    if (!st->WindowType)
        return -1;
    Py_INCREF(st->WindowType);
    if (PyModule_AddObject(m, "window", st->WindowType) < 0) {
        Py_DECREF(st->WindowType);
        return -1;
    }
    return 0;
}

int m_traverse(PyObject *m, visitproc visit, void *arg)
{
    Py_VISIT(state(m)->WindowType);
    return 0;
}

int m_clear(PyObject *m)
{
    Py_CLEAR(state(m)->WindowType);
    return 0;
}

PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, reinterpret_cast<void *>(exec_module)},
    {0, nullptr}
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "cxx_iterator",
    nullptr,
    sizeof(ModState),
    module_methods,
    module_slots,
    m_traverse,
    m_clear,
    nullptr
};

} // namespace

PyMODINIT_FUNC PyInit_cxx_iterator(void)
{
    return PyModuleDef_Init(&module_def);
}
