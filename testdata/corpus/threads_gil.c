/*
 * threads_gil.c -- releasing the GIL around blocking work, calling back into
 * Python from a foreign thread with PyGILState_Ensure, a lock from the
 * pythread API, thread-local storage, and pending calls.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <unistd.h>

static PyThread_type_lock counter_lock;
static long shared_counter;

#if PY_VERSION_HEX >= 0x03070000
static Py_tss_t tss_key = Py_tss_NEEDS_INIT;
#endif

static PyObject *
sleep_nogil(PyObject *self, PyObject *arg)
{
    double secs = PyFloat_AsDouble(arg);
    if (secs == -1.0 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    usleep((useconds_t)(secs * 1e6));
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
bump(PyObject *self, PyObject *arg)
{
    long n = PyLong_AsLong(arg), v;
    if (n == -1 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(counter_lock, WAIT_LOCK);
    shared_counter += n;
    v = shared_counter;
    PyThread_release_lock(counter_lock);
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(v);
}

/* Called from a C library thread that does not hold the GIL. */
static void
foreign_callback(void *arg)
{
    PyObject *func = (PyObject *)arg;
    PyGILState_STATE gstate = PyGILState_Ensure();
    PyObject *res = PyObject_CallObject(func, NULL);
    if (res == NULL)
        PyErr_WriteUnraisable(func);
    else
        Py_DECREF(res);
    Py_DECREF(func);
    PyGILState_Release(gstate);
}

static PyObject *
spawn_callback(PyObject *self, PyObject *func)
{
    unsigned long ident;
    if (!PyCallable_Check(func)) {
        PyErr_SetString(PyExc_TypeError, "expected a callable");
        return NULL;
    }
    Py_INCREF(func);
    ident = PyThread_start_new_thread(foreign_callback, func);
    if (ident == (unsigned long)-1) {
        Py_DECREF(func);
        PyErr_SetString(PyExc_RuntimeError, "cannot start thread");
        return NULL;
    }
    return PyLong_FromUnsignedLong(ident);
}

static int
pending(void *arg)
{
    shared_counter += (long)(Py_intptr_t)arg;
    return 0;
}

static PyObject *
schedule(PyObject *self, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (Py_AddPendingCall(pending, (void *)(Py_intptr_t)n) < 0) {
        PyErr_SetString(PyExc_RuntimeError, "pending call queue full");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
thread_info(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *ts = PyThreadState_Get();
    PyObject *dict = PyThreadState_GetDict();
    long depth;
#if PY_VERSION_HEX >= 0x030B0000
    depth = 0;   /* recursion depth is no longer a public field */
    (void)ts;
#else
    depth = ts->recursion_depth;
#endif
    return Py_BuildValue("{s:k,s:l,s:O}",
                         "ident", PyThread_get_thread_ident(),
                         "depth", depth,
                         "has_dict", dict ? Py_True : Py_False);
}

static PyObject *
tss_roundtrip(PyObject *self, PyObject *arg)
{
#if PY_VERSION_HEX >= 0x03070000
    void *old;
    if (!PyThread_tss_is_created(&tss_key) && PyThread_tss_create(&tss_key) != 0)
        return PyErr_NoMemory();
    old = PyThread_tss_get(&tss_key);
    if (PyThread_tss_set(&tss_key, arg) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "tss_set failed");
        return NULL;
    }
    return PyBool_FromLong(old != NULL);
#else
    Py_RETURN_FALSE;
#endif
}

static PyObject *
swap_threadstate(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *save = PyEval_SaveThread();
    PyEval_RestoreThread(save);
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"sleep_nogil", sleep_nogil, METH_O, NULL},
    {"bump", bump, METH_O, NULL},
    {"spawn_callback", spawn_callback, METH_O, NULL},
    {"schedule", schedule, METH_O, NULL},
    {"thread_info", thread_info, METH_NOARGS, NULL},
    {"tss_roundtrip", tss_roundtrip, METH_O, NULL},
    {"swap_threadstate", swap_threadstate, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "threads_gil", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_threads_gil(void)
{
#if PY_VERSION_HEX < 0x03070000
    PyEval_InitThreads();
#endif
    counter_lock = PyThread_allocate_lock();
    if (counter_lock == NULL)
        return PyErr_NoMemory();
    return PyModule_Create(&module_def);
}
