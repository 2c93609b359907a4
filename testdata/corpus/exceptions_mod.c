/*
 * exceptions_mod.c -- custom exception classes, exception chaining, and
 * saving/restoring the error indicator across callbacks; the 3.12 API
 * (PyErr_GetRaisedException) where available, PyErr_Fetch before.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

static PyObject *ParseError;
static PyObject *RetryError;

/* A struct subclass of Exception carrying a position. */
typedef struct {
    PyBaseExceptionObject base;
    Py_ssize_t position;
} PositionErrorObject;

static PyMemberDef poserr_members[] = {
    {"position", T_PYSSIZET, offsetof(PositionErrorObject, position), 0,
     "offset of the error"},
    {NULL}
};

static int
poserr_init(PositionErrorObject *self, PyObject *args, PyObject *kwds)
{
    if (((PyTypeObject *)PyExc_Exception)->tp_init((PyObject *)self, args, kwds) < 0)
        return -1;
    self->position = -1;
    if (PyTuple_GET_SIZE(args) >= 2) {
        self->position = PyLong_AsSsize_t(PyTuple_GET_ITEM(args, 1));
        if (self->position == -1 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

static PyTypeObject PositionError_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "exceptions_mod.PositionError",
    .tp_basicsize = sizeof(PositionErrorObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "An error at a position.",
    .tp_members = poserr_members,
    .tp_init = (initproc)poserr_init,
};

/* Call func(); if it raises, re-raise as ParseError chained to the cause. */
static PyObject *
wrap_errors(PyObject *self, PyObject *func)
{
    PyObject *res = PyObject_CallObject(func, NULL);
    if (res != NULL)
        return res;
#if PY_VERSION_HEX >= 0x030C0000
    {
        PyObject *exc = PyErr_GetRaisedException();
        PyObject *newexc = PyObject_CallFunction(ParseError, "s", "wrapped");
        if (newexc == NULL) {
            Py_DECREF(exc);
            return NULL;
        }
        PyException_SetCause(newexc, exc);   /* steals exc */
        PyErr_SetRaisedException(newexc);
    }
#else
    {
        PyObject *type, *value, *tb, *newexc;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (tb != NULL) {
            PyException_SetTraceback(value, tb);
            Py_DECREF(tb);
        }
        Py_DECREF(type);
        newexc = PyObject_CallFunction(ParseError, "s", "wrapped");
        if (newexc == NULL) {
            Py_DECREF(value);
            return NULL;
        }
        PyException_SetCause(newexc, value);
        PyErr_SetObject(ParseError, newexc);
        Py_DECREF(newexc);
    }
#endif
    return NULL;
}

/* Call cleanup() while an exception is pending, preserving it. */
static PyObject *
with_cleanup(PyObject *self, PyObject *args)
{
    PyObject *body, *cleanup, *res, *cres;
    PyObject *et, *ev, *etb;

    if (!PyArg_ParseTuple(args, "OO:with_cleanup", &body, &cleanup))
        return NULL;
    res = PyObject_CallObject(body, NULL);
    PyErr_Fetch(&et, &ev, &etb);
    cres = PyObject_CallObject(cleanup, NULL);
    if (cres == NULL) {
        Py_XDECREF(res);
        Py_XDECREF(et);
        Py_XDECREF(ev);
        Py_XDECREF(etb);
        return NULL;
    }
    Py_DECREF(cres);
    PyErr_Restore(et, ev, etb);
    return res;
}

static PyObject *
retry(PyObject *self, PyObject *args)
{
    PyObject *func;
    int tries = 3, i;

    if (!PyArg_ParseTuple(args, "O|i:retry", &func, &tries))
        return NULL;
    for (i = 0; i < tries; i++) {
        PyObject *res = PyObject_CallObject(func, NULL);
        if (res != NULL)
            return res;
        if (!PyErr_ExceptionMatches(PyExc_OSError))
            return NULL;
        PyErr_Clear();
    }
    PyErr_Format(RetryError, "gave up after %d attempts", tries);
    return NULL;
}

static PyObject *
raise_position(PyObject *self, PyObject *args)
{
    const char *msg;
    Py_ssize_t pos;
    PyObject *exc;

    if (!PyArg_ParseTuple(args, "sn:raise_position", &msg, &pos))
        return NULL;
    exc = PyObject_CallFunction((PyObject *)&PositionError_Type, "sn", msg, pos);
    if (exc == NULL)
        return NULL;
    PyErr_SetObject((PyObject *)&PositionError_Type, exc);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *
warn_deprecated(PyObject *self, PyObject *arg)
{
    if (PyErr_WarnFormat(PyExc_DeprecationWarning, 1,
                         "%S is deprecated", arg) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
exc_info_type(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *ts = PyThreadState_GET();
    (void)ts;
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"wrap_errors", wrap_errors, METH_O, NULL},
    {"with_cleanup", with_cleanup, METH_VARARGS, NULL},
    {"retry", retry, METH_VARARGS, NULL},
    {"raise_position", raise_position, METH_VARARGS, NULL},
    {"warn_deprecated", warn_deprecated, METH_O, NULL},
    {"exc_info_type", exc_info_type, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "exceptions_mod", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_exceptions_mod(void)
{
    PyObject *m;

    PositionError_Type.tp_base = (PyTypeObject *)PyExc_Exception;
    if (PyType_Ready(&PositionError_Type) < 0)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    ParseError = PyErr_NewExceptionWithDoc("exceptions_mod.ParseError",
                                           "Raised on bad input.",
                                           PyExc_ValueError, NULL);
    RetryError = PyErr_NewException("exceptions_mod.RetryError", NULL, NULL);
    if (ParseError == NULL || RetryError == NULL)
        goto error;
    Py_INCREF(ParseError);
    if (PyModule_AddObject(m, "ParseError", ParseError) < 0)
        goto error;
    Py_INCREF(RetryError);
    if (PyModule_AddObject(m, "RetryError", RetryError) < 0)
        goto error;
    Py_INCREF(&PositionError_Type);
    if (PyModule_AddObject(m, "PositionError", (PyObject *)&PositionError_Type) < 0)
        goto error;
    return m;
error:
    Py_DECREF(m);
    return NULL;
}
