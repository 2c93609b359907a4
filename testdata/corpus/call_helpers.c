/*
 * call_helpers.c -- every way of calling Python from C that real code uses:
 * format-string calls, object-argument calls, method calls by name or by
 * interned string, vectorcall, and the private _Py_IDENTIFIER method calls.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX < 0x030C0000
_Py_IDENTIFIER(append);
#endif

static PyObject *str_update;   /* interned "update" */

static PyObject *
call_fmt(PyObject *self, PyObject *args)
{
    PyObject *func;
    int a;
    const char *b;
    if (!PyArg_ParseTuple(args, "Ois:call_fmt", &func, &a, &b))
        return NULL;
    return PyObject_CallFunction(func, "is", a, b);
}

static PyObject *
call_objargs(PyObject *self, PyObject *args)
{
    PyObject *func, *x, *y;
    if (!PyArg_UnpackTuple(args, "call_objargs", 3, 3, &func, &x, &y))
        return NULL;
    return PyObject_CallFunctionObjArgs(func, x, y, NULL);
}

static PyObject *
call_method_named(PyObject *self, PyObject *args)
{
    PyObject *obj, *arg;
    const char *name;
    if (!PyArg_ParseTuple(args, "OsO:call_method_named", &obj, &name, &arg))
        return NULL;
    return PyObject_CallMethod(obj, name, "O", arg);
}

static PyObject *
update_with(PyObject *self, PyObject *args)
{
    PyObject *obj, *other;
    if (!PyArg_ParseTuple(args, "OO:update_with", &obj, &other))
        return NULL;
    return PyObject_CallMethodObjArgs(obj, str_update, other, NULL);
}

static PyObject *
append_twice(PyObject *self, PyObject *args)
{
    PyObject *lst, *item, *r;
    if (!PyArg_ParseTuple(args, "OO:append_twice", &lst, &item))
        return NULL;
#if PY_VERSION_HEX < 0x030C0000
    r = _PyObject_CallMethodIdObjArgs(lst, &PyId_append, item, NULL);
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    r = _PyObject_CallMethodIdObjArgs(lst, &PyId_append, item, NULL);
#else
    r = PyObject_CallMethod(lst, "append", "O", item);
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    r = PyObject_CallMethod(lst, "append", "O", item);
#endif
    return r;
}

static PyObject *
call_kw(PyObject *self, PyObject *args)
{
    PyObject *func, *pos, *kw;
    if (!PyArg_ParseTuple(args, "OO!O!:call_kw", &func, &PyTuple_Type, &pos,
                          &PyDict_Type, &kw))
        return NULL;
    return PyObject_Call(func, pos, kw);
}

static PyObject *
call_vector(PyObject *self, PyObject *args)
{
    PyObject *func, *a, *b;
    if (!PyArg_ParseTuple(args, "OOO:call_vector", &func, &a, &b))
        return NULL;
#if PY_VERSION_HEX >= 0x03090000
    {
        PyObject *stack[3] = {NULL, a, b};
        return PyObject_Vectorcall(func, stack + 1,
                                   2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    }
#else
    return PyObject_CallFunctionObjArgs(func, a, b, NULL);
#endif
}

static PyObject *
call_method_vector(PyObject *self, PyObject *args)
{
    PyObject *obj, *name, *arg;
    if (!PyArg_ParseTuple(args, "OUO:call_method_vector", &obj, &name, &arg))
        return NULL;
#if PY_VERSION_HEX >= 0x03090000
    {
        PyObject *stack[2] = {obj, arg};
        return PyObject_VectorcallMethod(name, stack, 2, NULL);
    }
#else
    return PyObject_CallMethodObjArgs(obj, name, arg, NULL);
#endif
}

static PyObject *
call_noargs(PyObject *self, PyObject *func)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyObject_CallNoArgs(func);
#else
    return _PyObject_CallNoArg(func);
#endif
}

static PyObject *
call_one(PyObject *self, PyObject *args)
{
    PyObject *func, *arg;
    if (!PyArg_ParseTuple(args, "OO:call_one", &func, &arg))
        return NULL;
#if PY_VERSION_HEX >= 0x03090000
    return PyObject_CallOneArg(func, arg);
#else
    return PyObject_CallFunctionObjArgs(func, arg, NULL);
#endif
}

static PyObject *
eval_callable(PyObject *self, PyObject *args)
{
    PyObject *func, *argtuple = NULL, *res;
    if (!PyArg_ParseTuple(args, "O|O!:eval_callable", &func, &PyTuple_Type, &argtuple))
        return NULL;
    res = PyObject_CallObject(func, argtuple);
    return res;
}

static PyMethodDef module_methods[] = {
    {"call_fmt", call_fmt, METH_VARARGS, NULL},
    {"call_objargs", call_objargs, METH_VARARGS, NULL},
    {"call_method_named", call_method_named, METH_VARARGS, NULL},
    {"update_with", update_with, METH_VARARGS, NULL},
    {"append_twice", append_twice, METH_VARARGS, NULL},
    {"call_kw", call_kw, METH_VARARGS, NULL},
    {"call_vector", call_vector, METH_VARARGS, NULL},
    {"call_method_vector", call_method_vector, METH_VARARGS, NULL},
    {"call_noargs", call_noargs, METH_O, NULL},
    {"call_one", call_one, METH_VARARGS, NULL},
    {"eval_callable", eval_callable, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "call_helpers", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_call_helpers(void)
{
    str_update = PyUnicode_InternFromString("update");
    if (str_update == NULL)
        return NULL;
    return PyModule_Create(&module_def);
}
