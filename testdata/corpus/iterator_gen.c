/*
 * iterator_gen.c -- range-like and chunking iterators implemented as static
 * types with tp_iter/tp_iternext, the GC protocol, and __length_hint__.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* ---- count(start, step) ------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    long long cur;
    long long step;
    long long stop;
    int bounded;
} StepIterObject;

static PyObject *
stepiter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"start", "step", "stop", NULL};
    long long start = 0, step = 1;
    PyObject *stop = Py_None;
    StepIterObject *it;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|LLO:stepiter", kwlist,
                                     &start, &step, &stop))
        return NULL;
    if (step == 0) {
        PyErr_SetString(PyExc_ValueError, "step must not be zero");
        return NULL;
    }
    it = (StepIterObject *)type->tp_alloc(type, 0);
    if (it == NULL)
        return NULL;
    it->cur = start;
    it->step = step;
    it->bounded = (stop != Py_None);
    if (it->bounded) {
        it->stop = PyLong_AsLongLong(stop);
        if (it->stop == -1 && PyErr_Occurred()) {
            Py_DECREF(it);
            return NULL;
        }
    }
    return (PyObject *)it;
}

static PyObject *
stepiter_next(StepIterObject *it)
{
    long long v = it->cur;
    if (it->bounded) {
        if ((it->step > 0 && v >= it->stop) || (it->step < 0 && v <= it->stop))
            return NULL;
    }
    it->cur += it->step;
    return PyLong_FromLongLong(v);
}

static PyObject *
stepiter_length_hint(StepIterObject *it, PyObject *Py_UNUSED(ignored))
{
    long long n;
    if (!it->bounded)
        return PyLong_FromLong(0);
    n = (it->stop - it->cur + it->step - (it->step > 0 ? 1 : -1)) / it->step;
    return PyLong_FromLongLong(n > 0 ? n : 0);
}

static PyMethodDef stepiter_methods[] = {
    {"__length_hint__", (PyCFunction)stepiter_length_hint, METH_NOARGS, NULL},
    {NULL}
};

static PyTypeObject StepIter_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "iterator_gen.stepiter",
    .tp_basicsize = sizeof(StepIterObject),
    .tp_dealloc = (destructor)PyObject_Del,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)stepiter_next,
    .tp_methods = stepiter_methods,
    .tp_new = stepiter_new,
};

/* ---- chunks(iterable, n) ----------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *source;   /* iterator */
    Py_ssize_t size;
} ChunksObject;

static PyObject *
chunks_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *iterable, *source;
    Py_ssize_t size;
    ChunksObject *self;

#if PY_VERSION_HEX < 0x030D0000
    if (!_PyArg_NoKeywords("chunks", kwds))
        return NULL;
#else
    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "chunks() takes no keyword arguments");
        return NULL;
    }
#endif
    if (!PyArg_ParseTuple(args, "On:chunks", &iterable, &size))
        return NULL;
    if (size <= 0) {
        PyErr_SetString(PyExc_ValueError, "chunk size must be positive");
        return NULL;
    }
    source = PyObject_GetIter(iterable);
    if (source == NULL)
        return NULL;
    self = PyObject_GC_New(ChunksObject, type);
    if (self == NULL) {
        Py_DECREF(source);
        return NULL;
    }
    self->source = source;
    self->size = size;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static int
chunks_traverse(ChunksObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->source);
    return 0;
}

static int
chunks_clear(ChunksObject *self)
{
    Py_CLEAR(self->source);
    return 0;
}

static void
chunks_dealloc(ChunksObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_XDECREF(self->source);
    PyObject_GC_Del(self);
}

static PyObject *
chunks_next(ChunksObject *self)
{
    PyObject *chunk, *item;
    Py_ssize_t i;
    iternextfunc next;

    if (self->source == NULL)
        return NULL;
    next = Py_TYPE(self->source)->tp_iternext;
    chunk = PyTuple_New(self->size);
    if (chunk == NULL)
        return NULL;
    for (i = 0; i < self->size; i++) {
        item = next(self->source);
        if (item == NULL) {
            if (PyErr_Occurred()) {
                if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
                    Py_DECREF(chunk);
                    return NULL;
                }
                PyErr_Clear();
            }
            Py_CLEAR(self->source);
            break;
        }
        PyTuple_SET_ITEM(chunk, i, item);
    }
    if (i == 0) {
        Py_DECREF(chunk);
        return NULL;
    }
    if (i < self->size && _PyTuple_Resize(&chunk, i) < 0)
        return NULL;
    return chunk;
}

static PyTypeObject Chunks_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "iterator_gen.chunks",
    .tp_basicsize = sizeof(ChunksObject),
    .tp_dealloc = (destructor)chunks_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)chunks_traverse,
    .tp_clear = (inquiry)chunks_clear,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)chunks_next,
    .tp_new = chunks_new,
};

/* ---- helpers ------------------------------------------------------------ */

static PyObject *
take(PyObject *self, PyObject *args)
{
    PyObject *iterable, *it, *list, *item;
    Py_ssize_t n, i;

    if (!PyArg_ParseTuple(args, "On:take", &iterable, &n))
        return NULL;
    it = PyObject_GetIter(iterable);
    if (it == NULL)
        return NULL;
    list = PyList_New(0);
    if (list == NULL) {
        Py_DECREF(it);
        return NULL;
    }
    for (i = 0; i < n && (item = PyIter_Next(it)) != NULL; i++) {
        int r = PyList_Append(list, item);
        Py_DECREF(item);
        if (r < 0)
            goto error;
    }
    if (PyErr_Occurred())
        goto error;
    Py_DECREF(it);
    return list;
error:
    Py_DECREF(it);
    Py_DECREF(list);
    return NULL;
}

static PyObject *
is_iterator(PyObject *self, PyObject *obj)
{
    return PyBool_FromLong(PyIter_Check(obj));
}

static PyMethodDef module_methods[] = {
    {"take", take, METH_VARARGS, NULL},
    {"is_iterator", is_iterator, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "iterator_gen", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_iterator_gen(void)
{
    PyObject *m;

    if (PyType_Ready(&StepIter_Type) < 0 || PyType_Ready(&Chunks_Type) < 0)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&StepIter_Type);
    PyModule_AddObject(m, "stepiter", (PyObject *)&StepIter_Type);
    Py_INCREF(&Chunks_Type);
    PyModule_AddObject(m, "chunks", (PyObject *)&Chunks_Type);
    return m;
}
