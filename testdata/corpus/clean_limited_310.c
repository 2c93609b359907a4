/*
 * clean_limited_310.c -- an LRU-ish memo cache for abi3 wheels tagged cp310.
 * Uses the 3.10 additions to the Limited API: Py_NewRef, PyModule_AddType,
 * PyType_FromModuleAndSpec, PyType_GetModuleState, PyObject_CallNoArgs.
 */
#define Py_LIMITED_API 0x030A0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyTypeObject *MemoType;
    PyObject *hits_key;
    PyObject *misses_key;
} memo_state;

typedef struct {
    PyObject_HEAD
    PyObject *func;
    PyObject *cache;   /* dict */
    Py_ssize_t hits;
    Py_ssize_t misses;
} MemoObject;

static PyObject *
memo_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *func;
    MemoObject *self;
    allocfunc alloc;

    if (!PyArg_ParseTuple(args, "O:Memo", &func))
        return NULL;
    if (!PyCallable_Check(func)) {
        PyErr_SetString(PyExc_TypeError, "Memo() needs a callable");
        return NULL;
    }
    alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    self = (MemoObject *)alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->func = Py_NewRef(func);
    self->cache = PyDict_New();
    if (self->cache == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static int
memo_traverse(MemoObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->func);
    Py_VISIT(self->cache);
    return 0;
}

static int
memo_clear(MemoObject *self)
{
    Py_CLEAR(self->func);
    Py_CLEAR(self->cache);
    return 0;
}

static void
memo_dealloc(MemoObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    freefunc f;
    PyObject_GC_UnTrack(self);
    memo_clear(self);
    f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    f(self);
    Py_DECREF(tp);
}

static PyObject *
memo_call(MemoObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *hit, *res;

    if (kwds != NULL && PyDict_Size(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "Memo objects take no keywords");
        return NULL;
    }
    hit = PyDict_GetItemWithError(self->cache, args);
    if (hit != NULL) {
        self->hits++;
        return Py_NewRef(hit);
    }
    if (PyErr_Occurred())
        return NULL;
    self->misses++;
    if (PyTuple_Size(args) == 0)
        res = PyObject_CallNoArgs(self->func);
    else
        res = PyObject_Call(self->func, args, NULL);
    if (res == NULL)
        return NULL;
    if (PyDict_SetItem(self->cache, args, res) < 0) {
        Py_DECREF(res);
        return NULL;
    }
    return res;
}

static PyObject *
memo_stats(MemoObject *self, PyObject *Py_UNUSED(ignored))
{
    memo_state *st = PyType_GetModuleState(Py_TYPE(self));
    PyObject *d;

    if (st == NULL)
        return NULL;
    d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (PyDict_SetItem(d, st->hits_key, PyLong_FromSsize_t(self->hits)) < 0 ||
        PyDict_SetItem(d, st->misses_key, PyLong_FromSsize_t(self->misses)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *
memo_reset(MemoObject *self, PyObject *Py_UNUSED(ignored))
{
    PyDict_Clear(self->cache);
    self->hits = self->misses = 0;
    Py_RETURN_NONE;
}

static PyMethodDef memo_methods[] = {
    {"stats", (PyCFunction)memo_stats, METH_NOARGS, NULL},
    {"reset", (PyCFunction)memo_reset, METH_NOARGS, NULL},
    {NULL}
};

static PyType_Slot memo_slots[] = {
    {Py_tp_new, memo_new},
    {Py_tp_call, memo_call},
    {Py_tp_traverse, memo_traverse},
    {Py_tp_clear, memo_clear},
    {Py_tp_dealloc, memo_dealloc},
    {Py_tp_methods, memo_methods},
    {Py_tp_getattro, PyObject_GenericGetAttr},
    {0, NULL}
};

static PyType_Spec memo_spec = {
    .name = "clean_limited_310.Memo",
    .basicsize = sizeof(MemoObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = memo_slots,
};

static int
memo_exec(PyObject *m)
{
    memo_state *st = PyModule_GetState(m);

    st->MemoType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &memo_spec, NULL);
    if (st->MemoType == NULL)
        return -1;
    if (PyModule_AddType(m, st->MemoType) < 0)
        return -1;
    st->hits_key = PyUnicode_InternFromString("hits");
    st->misses_key = PyUnicode_InternFromString("misses");
    if (st->hits_key == NULL || st->misses_key == NULL)
        return -1;
    return 0;
}

static int
memo_m_traverse(PyObject *m, visitproc visit, void *arg)
{
    memo_state *st = PyModule_GetState(m);
    Py_VISIT(st->MemoType);
    Py_VISIT(st->hits_key);
    Py_VISIT(st->misses_key);
    return 0;
}

static int
memo_m_clear(PyObject *m)
{
    memo_state *st = PyModule_GetState(m);
    Py_CLEAR(st->MemoType);
    Py_CLEAR(st->hits_key);
    Py_CLEAR(st->misses_key);
    return 0;
}

static PyModuleDef_Slot memo_module_slots[] = {
    {Py_mod_exec, memo_exec},
    {0, NULL}
};

static struct PyModuleDef memo_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "clean_limited_310",
    .m_size = sizeof(memo_state),
    .m_slots = memo_module_slots,
    .m_traverse = memo_m_traverse,
    .m_clear = memo_m_clear,
};

PyMODINIT_FUNC
PyInit_clean_limited_310(void)
{
    return PyModuleDef_Init(&memo_module);
}
