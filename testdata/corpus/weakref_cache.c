/*
 * weakref_cache.c -- a cache of weak references keyed by id, with a
 * callback that prunes dead entries; a type that supports weak references
 * through tp_weaklistoffset.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

typedef struct {
    PyObject_HEAD
    PyObject *entries;        /* dict: key -> weakref */
    PyObject *prune_cb;       /* bound method used as weakref callback */
    PyObject *weakreflist;
} CacheObject;

static PyTypeObject Cache_Type;

/* Return a new reference to the referent, or NULL without error if dead. */
static PyObject *
deref(PyObject *ref)
{
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *obj;
    if (PyWeakref_GetRef(ref, &obj) < 0)
        return NULL;
    return obj;
#else
    PyObject *obj = PyWeakref_GET_OBJECT(ref);
    if (obj == Py_None)
        return NULL;
    Py_INCREF(obj);
    return obj;
#endif
}

static PyObject *
cache_prune(CacheObject *self, PyObject *deadref)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    PyObject *dead = PyList_New(0);
    Py_ssize_t i;

    if (dead == NULL)
        return NULL;
    while (PyDict_Next(self->entries, &pos, &key, &value)) {
        if (value == deadref && PyList_Append(dead, key) < 0) {
            Py_DECREF(dead);
            return NULL;
        }
    }
    for (i = 0; i < PyList_GET_SIZE(dead); i++)
        PyDict_DelItem(self->entries, PyList_GET_ITEM(dead, i));
    Py_DECREF(dead);
    Py_RETURN_NONE;
}

static PyObject *
cache_put(CacheObject *self, PyObject *args)
{
    PyObject *key, *obj, *ref;
    if (!PyArg_ParseTuple(args, "OO:put", &key, &obj))
        return NULL;
    ref = PyWeakref_NewRef(obj, self->prune_cb);
    if (ref == NULL)
        return NULL;
    if (PyDict_SetItem(self->entries, key, ref) < 0) {
        Py_DECREF(ref);
        return NULL;
    }
    Py_DECREF(ref);
    Py_RETURN_NONE;
}

static PyObject *
cache_get(CacheObject *self, PyObject *key)
{
    PyObject *ref = PyDict_GetItemWithError(self->entries, key), *obj;
    if (ref == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    obj = deref(ref);
    if (obj == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    return obj;
}

static PyObject *
cache_proxy(CacheObject *self, PyObject *obj)
{
    return PyWeakref_NewProxy(obj, NULL);
}

static PyMethodDef cache_methods[] = {
    {"put", (PyCFunction)cache_put, METH_VARARGS, NULL},
    {"get", (PyCFunction)cache_get, METH_O, NULL},
    {"proxy", (PyCFunction)cache_proxy, METH_O, NULL},
    {"_prune", (PyCFunction)cache_prune, METH_O, NULL},
    {NULL}
};

static PyObject *
cache_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    CacheObject *self = (CacheObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->entries = PyDict_New();
    self->prune_cb = PyObject_GetAttrString((PyObject *)self, "_prune");
    if (self->entries == NULL || self->prune_cb == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static int
cache_traverse(CacheObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->entries);
    Py_VISIT(self->prune_cb);
    return 0;
}

static int
cache_clear(CacheObject *self)
{
    Py_CLEAR(self->entries);
    Py_CLEAR(self->prune_cb);
    return 0;
}

static void
cache_dealloc(CacheObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    cache_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t
cache_len(CacheObject *self)
{
    return PyDict_Size(self->entries);
}

static PyMappingMethods cache_as_mapping = {
    (lenfunc)cache_len,
    (binaryfunc)cache_get,
    0,
};

static PyTypeObject Cache_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "weakref_cache.Cache",
    .tp_basicsize = sizeof(CacheObject),
    .tp_dealloc = (destructor)cache_dealloc,
    .tp_as_mapping = &cache_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)cache_traverse,
    .tp_clear = (inquiry)cache_clear,
    .tp_weaklistoffset = offsetof(CacheObject, weakreflist),
    .tp_methods = cache_methods,
    .tp_new = cache_new,
};

static PyObject *
is_alive(PyObject *self, PyObject *ref)
{
    PyObject *obj;
    if (!PyWeakref_Check(ref)) {
        PyErr_SetString(PyExc_TypeError, "expected a weak reference");
        return NULL;
    }
    obj = deref(ref);
    if (obj == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_FALSE;
    }
    Py_DECREF(obj);
    Py_RETURN_TRUE;
}

static PyObject *
weakref_count(PyObject *self, PyObject *obj)
{
#if PY_VERSION_HEX < 0x030D0000
    return PyLong_FromSsize_t(_PyWeakref_GetWeakrefCount(
        *(PyWeakReference **)((char *)obj + Py_TYPE(obj)->tp_weaklistoffset)));
#else
    PyObject *weakref_mod = PyImport_ImportModule("weakref"), *res;
    if (weakref_mod == NULL)
        return NULL;
    res = PyObject_CallMethod(weakref_mod, "getweakrefcount", "O", obj);
    Py_DECREF(weakref_mod);
    return res;
#endif
}

static PyMethodDef module_methods[] = {
    {"is_alive", is_alive, METH_O, NULL},
    {"weakref_count", weakref_count, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "weakref_cache", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_weakref_cache(void)
{
    PyObject *m;
    if (PyType_Ready(&Cache_Type) < 0)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Cache_Type);
    PyModule_AddObject(m, "Cache", (PyObject *)&Cache_Type);
    return m;
}
