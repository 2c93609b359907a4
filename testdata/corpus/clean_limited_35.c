/*
 * clean_limited_35.c -- an abi3 module for CPython 3.5 and later. Everything
 * here is in the Limited API of 3.5: heap types from specs, multi-phase
 * init, only function-call access to objects.
 */
#define Py_LIMITED_API 0x03050000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject_HEAD
    PyObject *items;   /* a list */
    Py_ssize_t maxlen;
} StackObject;

static PyObject *
stack_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_ssize_t maxlen = -1;
    StackObject *self;
    allocfunc alloc;

    if (!PyArg_ParseTuple(args, "|n:Stack", &maxlen))
        return NULL;
    alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    self = (StackObject *)alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->items = PyList_New(0);
    if (self->items == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->maxlen = maxlen;
    return (PyObject *)self;
}

static int
stack_traverse(StackObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->items);
    return 0;
}

static int
stack_clear(StackObject *self)
{
    Py_CLEAR(self->items);
    return 0;
}

static void
stack_dealloc(StackObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    freefunc tp_free;

    PyObject_GC_UnTrack(self);
    stack_clear(self);
    tp_free = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
stack_push(StackObject *self, PyObject *item)
{
    if (self->maxlen >= 0 && PyList_Size(self->items) >= self->maxlen) {
        PyErr_SetString(PyExc_OverflowError, "stack is full");
        return NULL;
    }
    if (PyList_Append(self->items, item) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
stack_pop(StackObject *self, PyObject *unused)
{
    Py_ssize_t n = PyList_Size(self->items);
    PyObject *top;

    if (n <= 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty stack");
        return NULL;
    }
    top = PyList_GetItem(self->items, n - 1);
    Py_XINCREF(top);
    if (PyList_SetSlice(self->items, n - 1, n, NULL) < 0) {
        Py_XDECREF(top);
        return NULL;
    }
    return top;
}

static PyObject *
stack_peek(StackObject *self, PyObject *unused)
{
    Py_ssize_t n = PyList_Size(self->items);
    PyObject *top;

    if (n <= 0)
        Py_RETURN_NONE;
    top = PyList_GetItem(self->items, n - 1);
    Py_INCREF(top);
    return top;
}

static Py_ssize_t
stack_len(StackObject *self)
{
    return PyList_Size(self->items);
}

static PyObject *
stack_repr(StackObject *self)
{
    return PyUnicode_FromFormat("Stack(%R)", self->items);
}

static PyMethodDef stack_methods[] = {
    {"push", (PyCFunction)stack_push, METH_O, "Push an item."},
    {"pop", (PyCFunction)stack_pop, METH_NOARGS, "Pop the top item."},
    {"peek", (PyCFunction)stack_peek, METH_NOARGS, "Return the top item."},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot stack_slots[] = {
    {Py_tp_new, stack_new},
    {Py_tp_dealloc, stack_dealloc},
    {Py_tp_traverse, stack_traverse},
    {Py_tp_clear, stack_clear},
    {Py_tp_repr, stack_repr},
    {Py_tp_methods, stack_methods},
    {Py_sq_length, stack_len},
    {Py_mp_length, stack_len},
    {Py_tp_doc, "A LIFO stack."},
    {0, 0}
};

static PyType_Spec stack_spec = {
    "clean_limited_35.Stack",
    sizeof(StackObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    stack_slots,
};

static int
module_exec(PyObject *m)
{
    PyObject *type = PyType_FromSpec(&stack_spec);
    if (type == NULL)
        return -1;
    if (PyModule_AddObject(m, "Stack", type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    if (PyModule_AddIntConstant(m, "UNBOUNDED", -1) < 0)
        return -1;
    if (PyModule_AddStringConstant(m, "__version__", "1.0") < 0)
        return -1;
    return 0;
}

static PyObject *
depth(PyObject *m, PyObject *obj)
{
    PyObject *len = PyObject_CallMethod(obj, "__len__", NULL);
    if (len == NULL)
        return NULL;
    return len;
}

static PyMethodDef module_methods[] = {
    {"depth", depth, METH_O, "len(stack) through the method."},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "clean_limited_35",
    "abi3 stack, Python 3.5+",
    0,
    module_methods,
    module_slots,
    NULL,
    NULL,
    NULL
};

PyMODINIT_FUNC
PyInit_clean_limited_35(void)
{
    return PyModuleDef_Init(&module_def);
}
