/*
 * multiphase_state.c -- multi-phase initialization (PEP 489) with per-module
 * state (PEP 573). Heap types are created from specs; on Pythons that have
 * PyType_FromModuleAndSpec the type finds its module state directly, older
 * ones fall back to a module lookup.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

typedef struct {
    PyObject *CounterType;
    PyObject *OverflowError;
    long created;
} mp_state;

static inline mp_state *
get_state(PyObject *module)
{
    void *state = PyModule_GetState(module);
    return (mp_state *)state;
}

typedef struct {
    PyObject_HEAD
    long value;
    long limit;
} CounterObject;

static struct PyModuleDef mp_module;

#if PY_VERSION_HEX >= 0x03090000
static mp_state *
state_from_type(PyTypeObject *tp)
{
    return (mp_state *)PyType_GetModuleState(tp);
}
#else
static mp_state *
state_from_type(PyTypeObject *tp)
{
    PyObject *m = PyState_FindModule(&mp_module);
    (void)tp;
    return m ? get_state(m) : NULL;
}
#endif

static PyObject *
counter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"limit", NULL};
    long limit = 100;
    CounterObject *self;
    mp_state *st;
    allocfunc alloc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|l:Counter", kwlist, &limit))
        return NULL;
    alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    self = (CounterObject *)alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->value = 0;
    self->limit = limit;
    st = state_from_type(type);
    if (st != NULL)
        st->created++;
    return (PyObject *)self;
}

static void
counter_dealloc(CounterObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    freefunc tp_free = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
counter_incr(CounterObject *self, PyObject *Py_UNUSED(ignored))
{
    mp_state *st = state_from_type(Py_TYPE(self));
    if (self->value >= self->limit) {
        if (st != NULL)
            PyErr_SetString(st->OverflowError, "counter limit reached");
        else
            PyErr_SetString(PyExc_OverflowError, "counter limit reached");
        return NULL;
    }
    self->value++;
    return PyLong_FromLong(self->value);
}

static PyObject *
counter_get_value(CounterObject *self, void *closure)
{
    return PyLong_FromLong(self->value);
}

static PyMethodDef counter_methods[] = {
    {"incr", (PyCFunction)counter_incr, METH_NOARGS, "Increment."},
    {NULL}
};

static PyGetSetDef counter_getset[] = {
    {"value", (getter)counter_get_value, NULL, "current value", NULL},
    {NULL}
};

static PyType_Slot counter_slots[] = {
    {Py_tp_new, counter_new},
    {Py_tp_dealloc, counter_dealloc},
    {Py_tp_methods, counter_methods},
    {Py_tp_getset, counter_getset},
    {Py_tp_doc, "A bounded counter."},
    {0, NULL}
};

static PyType_Spec counter_spec = {
    "multiphase_state.Counter",
    sizeof(CounterObject),
    0,
    Py_TPFLAGS_DEFAULT,
    counter_slots
};

static PyObject *
created(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(get_state(module)->created);
}

static int
mp_exec(PyObject *module)
{
    mp_state *st = get_state(module);

#if PY_VERSION_HEX >= 0x03090000
    st->CounterType = PyType_FromModuleAndSpec(module, &counter_spec, NULL);
#else
    st->CounterType = PyType_FromSpec(&counter_spec);
#endif
    if (st->CounterType == NULL)
        return -1;
    Py_INCREF(st->CounterType);
    if (PyModule_AddObject(module, "Counter", st->CounterType) < 0) {
        Py_DECREF(st->CounterType);
        return -1;
    }
    st->OverflowError = PyErr_NewException("multiphase_state.CounterOverflow",
                                           PyExc_OverflowError, NULL);
    if (st->OverflowError == NULL)
        return -1;
    Py_INCREF(st->OverflowError);
    if (PyModule_AddObject(module, "CounterOverflow", st->OverflowError) < 0) {
        Py_DECREF(st->OverflowError);
        return -1;
    }
    st->created = 0;
    return 0;
}

static int
mp_traverse(PyObject *module, visitproc visit, void *arg)
{
    mp_state *st = get_state(module);
    Py_VISIT(st->CounterType);
    Py_VISIT(st->OverflowError);
    return 0;
}

static int
mp_clear(PyObject *module)
{
    mp_state *st = get_state(module);
    Py_CLEAR(st->CounterType);
    Py_CLEAR(st->OverflowError);
    return 0;
}

static void
mp_free(void *module)
{
    mp_clear((PyObject *)module);
}

static PyMethodDef mp_methods[] = {
    {"created", created, METH_NOARGS, "Number of counters created."},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot mp_slots[] = {
    {Py_mod_exec, mp_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}
};

static struct PyModuleDef mp_module = {
    PyModuleDef_HEAD_INIT,
    "multiphase_state",
    "Multi-phase init with module state.",
    sizeof(mp_state),
    mp_methods,
    mp_slots,
    mp_traverse,
    mp_clear,
    mp_free,
};

PyMODINIT_FUNC
PyInit_multiphase_state(void)
{
    return PyModuleDef_Init(&mp_module);
}
