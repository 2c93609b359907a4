/*
 * capsule_api.c -- exports a C API to other extensions through a capsule,
 * and consumes the datetime C API (PyDateTime_IMPORT) the same way.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>

/* ---- our own C API ------------------------------------------------------ */

typedef struct {
    int version;
    long (*checksum)(const char *data, Py_ssize_t len);
    PyObject *(*make_pair)(PyObject *a, PyObject *b);
} CapsuleAPI;

#define CAPSULE_NAME "capsule_api._C_API"

static long
api_checksum(const char *data, Py_ssize_t len)
{
    long h = 0;
    Py_ssize_t i;
    for (i = 0; i < len; i++)
        h = h * 131 + (unsigned char)data[i];
    return h;
}

static PyObject *
api_make_pair(PyObject *a, PyObject *b)
{
    return PyTuple_Pack(2, a, b);
}

static CapsuleAPI the_api = {1, api_checksum, api_make_pair};

static void
capsule_destructor(PyObject *capsule)
{
    void *ctx = PyCapsule_GetContext(capsule);
    PyMem_Free(ctx);
}

/* ---- datetime helpers ---------------------------------------------------- */

static PyObject *
date_parts(PyObject *self, PyObject *arg)
{
    if (!PyDate_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a date");
        return NULL;
    }
    return Py_BuildValue("(iii)", PyDateTime_GET_YEAR(arg),
                         PyDateTime_GET_MONTH(arg), PyDateTime_GET_DAY(arg));
}

static PyObject *
time_of(PyObject *self, PyObject *arg)
{
    if (!PyDateTime_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a datetime");
        return NULL;
    }
    return PyTime_FromTime(PyDateTime_DATE_GET_HOUR(arg),
                           PyDateTime_DATE_GET_MINUTE(arg),
                           PyDateTime_DATE_GET_SECOND(arg),
                           PyDateTime_DATE_GET_MICROSECOND(arg));
}

static PyObject *
make_date(PyObject *self, PyObject *args)
{
    int y, m, d;
    if (!PyArg_ParseTuple(args, "iii:make_date", &y, &m, &d))
        return NULL;
    return PyDate_FromDate(y, m, d);
}

static PyObject *
delta_seconds(PyObject *self, PyObject *arg)
{
    if (!PyDelta_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a timedelta");
        return NULL;
    }
    return PyFloat_FromDouble(PyDateTime_DELTA_GET_DAYS(arg) * 86400.0 +
                              PyDateTime_DELTA_GET_SECONDS(arg) +
                              PyDateTime_DELTA_GET_MICROSECONDS(arg) / 1e6);
}

static PyObject *
utc(PyObject *self, PyObject *Py_UNUSED(ignored))
{
#if PY_VERSION_HEX >= 0x03070000
    PyObject *tz = PyDateTime_TimeZone_UTC;
    Py_INCREF(tz);
    return tz;
#else
    Py_RETURN_NONE;
#endif
}

/* ---- consumer side: import another module's capsule ------------------- */

static PyObject *
use_capsule(PyObject *self, PyObject *args)
{
    const char *name, *data;
    Py_ssize_t len;
    CapsuleAPI *api;

    if (!PyArg_ParseTuple(args, "ss#:use_capsule", &name, &data, &len))
        return NULL;
    api = (CapsuleAPI *)PyCapsule_Import(name, 0);
    if (api == NULL)
        return NULL;
    if (api->version != 1) {
        PyErr_SetString(PyExc_ImportError, "capsule API version mismatch");
        return NULL;
    }
    return PyLong_FromLong(api->checksum(data, len));
}

static PyObject *
capsule_valid(PyObject *self, PyObject *arg)
{
    return PyBool_FromLong(PyCapsule_IsValid(arg, CAPSULE_NAME));
}

static PyMethodDef module_methods[] = {
    {"date_parts", date_parts, METH_O, NULL},
    {"time_of", time_of, METH_O, NULL},
    {"make_date", make_date, METH_VARARGS, NULL},
    {"delta_seconds", delta_seconds, METH_O, NULL},
    {"utc", utc, METH_NOARGS, NULL},
    {"use_capsule", use_capsule, METH_VARARGS, NULL},
    {"capsule_valid", capsule_valid, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "capsule_api", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_capsule_api(void)
{
    PyObject *m, *cap;
    int *ctx;

    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    cap = PyCapsule_New(&the_api, CAPSULE_NAME, capsule_destructor);
    if (cap == NULL)
        goto error;
    ctx = PyMem_Malloc(sizeof(int));
    if (ctx != NULL) {
        *ctx = 42;
        PyCapsule_SetContext(cap, ctx);
    }
    if (PyModule_AddObject(m, "_C_API", cap) < 0) {
        Py_DECREF(cap);
        goto error;
    }
    return m;
error:
    Py_DECREF(m);
    return NULL;
}
