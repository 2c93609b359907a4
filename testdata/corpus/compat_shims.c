/*
 * compat_shims.c -- a module that vendors a small compatibility layer so it
 * can use new C API names on old Pythons (the pythoncapi-compat approach),
 * then uses them throughout.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>

/* ---- compatibility layer ------------------------------------------------ */

#ifndef _Py_CAST
#  define _Py_CAST(type, expr) ((type)(expr))
#endif
#define COMPAT_OBJ(op) _Py_CAST(PyObject *, op)

#if PY_VERSION_HEX < 0x030A00A3 && !defined(Py_NewRef)
static inline PyObject *
compat_Py_NewRef(PyObject *obj)
{
    Py_INCREF(obj);
    return obj;
}
#  define Py_NewRef(obj) compat_Py_NewRef(COMPAT_OBJ(obj))
#endif

#if PY_VERSION_HEX < 0x030A00A3 && !defined(Py_XNewRef)
static inline PyObject *
compat_Py_XNewRef(PyObject *obj)
{
    Py_XINCREF(obj);
    return obj;
}
#  define Py_XNewRef(obj) compat_Py_XNewRef(COMPAT_OBJ(obj))
#endif

#if PY_VERSION_HEX < 0x030900A4 && !defined(Py_SET_REFCNT)
static inline void
compat_Py_SET_REFCNT(PyObject *ob, Py_ssize_t refcnt)
{
    ob->ob_refcnt = refcnt;
}
#  define Py_SET_REFCNT(ob, refcnt) compat_Py_SET_REFCNT(COMPAT_OBJ(ob), refcnt)
#endif

#if PY_VERSION_HEX < 0x030900A4 && !defined(Py_SET_TYPE)
static inline void
compat_Py_SET_TYPE(PyObject *ob, PyTypeObject *type)
{
    ob->ob_type = type;
}
#  define Py_SET_TYPE(ob, type) compat_Py_SET_TYPE(COMPAT_OBJ(ob), type)
#endif

#if PY_VERSION_HEX < 0x030900A4 && !defined(Py_SET_SIZE)
static inline void
compat_Py_SET_SIZE(PyVarObject *ob, Py_ssize_t size)
{
    ob->ob_size = size;
}
#  define Py_SET_SIZE(ob, size) compat_Py_SET_SIZE((PyVarObject *)(ob), size)
#endif

#if PY_VERSION_HEX < 0x030900A4 && !defined(Py_IS_TYPE)
static inline int
compat_Py_IS_TYPE(PyObject *ob, PyTypeObject *type)
{
    return Py_TYPE(ob) == type;
}
#  define Py_IS_TYPE(ob, type) compat_Py_IS_TYPE(COMPAT_OBJ(ob), type)
#endif

#if PY_VERSION_HEX < 0x030900A5
static inline PyInterpreterState *
PyThreadState_GetInterpreter(PyThreadState *tstate)
{
    return tstate->interp;
}
#endif

#if PY_VERSION_HEX < 0x030900A1
static inline PyObject *
PyObject_CallNoArgs(PyObject *func)
{
    return PyObject_CallFunctionObjArgs(func, NULL);
}

static inline PyObject *
PyObject_CallOneArg(PyObject *func, PyObject *arg)
{
    return PyObject_CallFunctionObjArgs(func, arg, NULL);
}
#endif

#if PY_VERSION_HEX < 0x030A00B1
static inline int
Py_Is(PyObject *x, PyObject *y)
{
    return x == y;
}
#  define Py_IsNone(x) Py_Is(x, Py_None)
#  define Py_IsTrue(x) Py_Is(x, Py_True)
#  define Py_IsFalse(x) Py_Is(x, Py_False)
#endif

#if PY_VERSION_HEX < 0x030900B1
static inline int
PyModule_AddType(PyObject *module, PyTypeObject *type)
{
    const char *name, *dot;

    if (PyType_Ready(type) < 0)
        return -1;
    name = type->tp_name;
    dot = strrchr(name, '.');
    if (dot != NULL)
        name = dot + 1;
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}
#endif

#if PY_VERSION_HEX < 0x030A00A2
static inline int
PyModule_AddObjectRef(PyObject *module, const char *name, PyObject *value)
{
    int res;
    Py_XINCREF(value);
    res = PyModule_AddObject(module, name, value);
    if (res < 0)
        Py_XDECREF(value);
    return res;
}
#endif

#if PY_VERSION_HEX < 0x030D0000
static inline int
compat_PyDict_GetItemRef(PyObject *mp, PyObject *key, PyObject **result)
{
    PyObject *item = PyDict_GetItemWithError(mp, key);
    if (item != NULL) {
        *result = Py_NewRef(item);
        return 1;
    }
    *result = NULL;
    return PyErr_Occurred() ? -1 : 0;
}
#  define PyDict_GetItemRef compat_PyDict_GetItemRef
#endif

/* ---- the module ---------------------------------------------------------- */

typedef struct {
    PyObject_VAR_HEAD
    PyObject *items[1];
} BagObject;

static PyTypeObject Bag_Type;

static PyObject *
bag_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_ssize_t i, n = PyTuple_Size(args);
    BagObject *bag = (BagObject *)type->tp_alloc(type, n);
    if (bag == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        bag->items[i] = Py_NewRef(PyTuple_GetItem(args, i));
    Py_SET_SIZE(bag, n);
    return (PyObject *)bag;
}

static void
bag_dealloc(BagObject *bag)
{
    Py_ssize_t i;
    for (i = 0; i < Py_SIZE(bag); i++)
        Py_XDECREF(bag->items[i]);
    Py_TYPE(bag)->tp_free((PyObject *)bag);
}

static PyObject *
bag_first(BagObject *bag, PyObject *Py_UNUSED(ignored))
{
    if (Py_SIZE(bag) == 0)
        Py_RETURN_NONE;
    return Py_NewRef(bag->items[0]);
}

static PyObject *
bag_count_none(BagObject *bag, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t i, c = 0;
    for (i = 0; i < Py_SIZE(bag); i++)
        if (Py_IsNone(bag->items[i]))
            c++;
    return PyLong_FromSsize_t(c);
}

static PyMethodDef bag_methods[] = {
    {"first", (PyCFunction)bag_first, METH_NOARGS, NULL},
    {"count_none", (PyCFunction)bag_count_none, METH_NOARGS, NULL},
    {NULL}
};

static PyTypeObject Bag_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "compat_shims.Bag",
    .tp_basicsize = offsetof(BagObject, items),
    .tp_itemsize = sizeof(PyObject *),
    .tp_dealloc = (destructor)bag_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = bag_methods,
    .tp_new = bag_new,
};

static PyObject *
call_twice(PyObject *self, PyObject *func)
{
    PyObject *r1, *r2, *res;

    r1 = PyObject_CallNoArgs(func);
    if (r1 == NULL)
        return NULL;
    r2 = PyObject_CallOneArg(func, r1);
    if (r2 == NULL) {
        Py_DECREF(r1);
        return NULL;
    }
    res = PyTuple_Pack(2, r1, r2);
    Py_DECREF(r1);
    Py_DECREF(r2);
    return res;
}

static PyObject *
lookup(PyObject *self, PyObject *args)
{
    PyObject *d, *key, *value;
    int r;

    if (!PyArg_ParseTuple(args, "O!O:lookup", &PyDict_Type, &d, &key))
        return NULL;
    r = PyDict_GetItemRef(d, key, &value);
    if (r < 0)
        return NULL;
    if (r == 0)
        Py_RETURN_NONE;
    return value;
}

static PyObject *
interp_id(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *ts = PyThreadState_Get();
    PyInterpreterState *interp = PyThreadState_GetInterpreter(ts);
#if PY_VERSION_HEX >= 0x03070000
    return PyLong_FromLongLong(PyInterpreterState_GetID(interp));
#else
    return PyLong_FromVoidPtr(interp);
#endif
}

static PyObject *
retype(PyObject *self, PyObject *args)
{
    PyObject *obj, *type;
    if (!PyArg_ParseTuple(args, "OO!:retype", &obj, &PyType_Type, &type))
        return NULL;
    if (Py_IS_TYPE(obj, (PyTypeObject *)type))
        return Py_NewRef(obj);
    if (Py_TYPE(obj)->tp_basicsize != ((PyTypeObject *)type)->tp_basicsize) {
        PyErr_SetString(PyExc_TypeError, "incompatible layout");
        return NULL;
    }
    Py_INCREF(type);
    Py_DECREF(Py_TYPE(obj));
    Py_SET_TYPE(obj, (PyTypeObject *)type);
    return Py_NewRef(obj);
}

static PyMethodDef compat_methods[] = {
    {"call_twice", call_twice, METH_O, NULL},
    {"lookup", lookup, METH_VARARGS, NULL},
    {"interp_id", interp_id, METH_NOARGS, NULL},
    {"retype", retype, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef compat_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "compat_shims",
    .m_size = -1,
    .m_methods = compat_methods,
};

PyMODINIT_FUNC
PyInit_compat_shims(void)
{
    PyObject *m = PyModule_Create(&compat_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddType(m, &Bag_Type) < 0)
        goto error;
    if (PyModule_AddObjectRef(m, "EMPTY", Py_None) < 0)
        goto error;
    return m;
error:
    Py_DECREF(m);
    return NULL;
}
