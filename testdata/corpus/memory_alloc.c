/*
 * memory_alloc.c -- a tracing allocator hook installed with
 * PyMem_SetAllocator, plus arena-style buffers on the raw, mem and object
 * allocator domains.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x03050000
typedef PyMemAllocatorEx allocator_t;
#else
typedef PyMemAllocator allocator_t;
#endif

static allocator_t orig_raw;
static int hooked;
static size_t raw_bytes;
static size_t raw_calls;

static void *
trace_malloc(void *ctx, size_t size)
{
    allocator_t *alloc = (allocator_t *)ctx;
    raw_bytes += size;
    raw_calls++;
    return alloc->malloc(alloc->ctx, size);
}

static void *
trace_calloc(void *ctx, size_t nelem, size_t elsize)
{
    allocator_t *alloc = (allocator_t *)ctx;
    raw_bytes += nelem * elsize;
    raw_calls++;
    return alloc->calloc(alloc->ctx, nelem, elsize);
}

static void *
trace_realloc(void *ctx, void *ptr, size_t size)
{
    allocator_t *alloc = (allocator_t *)ctx;
    raw_calls++;
    return alloc->realloc(alloc->ctx, ptr, size);
}

static void
trace_free(void *ctx, void *ptr)
{
    allocator_t *alloc = (allocator_t *)ctx;
    alloc->free(alloc->ctx, ptr);
}

static PyObject *
hook(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    allocator_t tracer;
    if (hooked)
        Py_RETURN_FALSE;
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &orig_raw);
    tracer.ctx = &orig_raw;
    tracer.malloc = trace_malloc;
    tracer.calloc = trace_calloc;
    tracer.realloc = trace_realloc;
    tracer.free = trace_free;
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &tracer);
    hooked = 1;
    Py_RETURN_TRUE;
}

static PyObject *
unhook(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    if (!hooked)
        Py_RETURN_FALSE;
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &orig_raw);
    hooked = 0;
    Py_RETURN_TRUE;
}

static PyObject *
stats(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("(nn)", (Py_ssize_t)raw_bytes, (Py_ssize_t)raw_calls);
}

/* Scratch buffers from each domain. */
static PyObject *
scratch(PyObject *self, PyObject *args)
{
    Py_ssize_t n;
    char *a, *b, *c;
    PyObject *res;

    if (!PyArg_ParseTuple(args, "n:scratch", &n))
        return NULL;
    a = PyMem_RawMalloc((size_t)n);
    b = PyMem_Malloc((size_t)n);
    c = PyObject_Malloc((size_t)n);
    if (a == NULL || b == NULL || c == NULL) {
        PyMem_RawFree(a);
        PyMem_Free(b);
        PyObject_Free(c);
        return PyErr_NoMemory();
    }
    memset(a, 'a', (size_t)n);
    memcpy(b, a, (size_t)n);
    memcpy(c, b, (size_t)n);
    res = PyBytes_FromStringAndSize(c, n);
    PyMem_RawFree(a);
    PyMem_Free(b);
    PyObject_Free(c);
    return res;
}

static PyObject *
grow(PyObject *self, PyObject *args)
{
    Py_ssize_t n, i;
    long *v = NULL, *nv;
    long sum = 0;

    if (!PyArg_ParseTuple(args, "n:grow", &n))
        return NULL;
    for (i = 0; i < n; i++) {
        nv = PyMem_Resize(v, long, i + 1);
        if (nv == NULL) {
            PyMem_Free(v);
            return PyErr_NoMemory();
        }
        v = nv;
        v[i] = (long)i;
    }
    for (i = 0; i < n; i++)
        sum += v[i];
    PyMem_Del(v);
    return PyLong_FromLong(sum);
}

static PyObject *
debug_stats(PyObject *self, PyObject *Py_UNUSED(ignored))
{
#if PY_VERSION_HEX < 0x030B0000
    return PyLong_FromSsize_t(_Py_GetAllocatedBlocks());
#else
    return PyLong_FromSsize_t(-1);
#endif
}

static PyObject *
zeroed(PyObject *self, PyObject *arg)
{
    Py_ssize_t n = PyLong_AsSsize_t(arg), i;
    unsigned char *p;
    int allzero = 1;
    if (n < 0)
        return PyErr_Occurred() ? NULL : PyLong_FromLong(0);
    p = PyObject_Calloc((size_t)n, 1);
    if (p == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < n; i++)
        allzero &= (p[i] == 0);
    PyObject_Free(p);
    return PyBool_FromLong(allzero);
}

static PyMethodDef module_methods[] = {
    {"hook", hook, METH_NOARGS, NULL},
    {"unhook", unhook, METH_NOARGS, NULL},
    {"stats", stats, METH_NOARGS, NULL},
    {"scratch", scratch, METH_VARARGS, NULL},
    {"grow", grow, METH_VARARGS, NULL},
    {"debug_stats", debug_stats, METH_NOARGS, NULL},
    {"zeroed", zeroed, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "memory_alloc", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_memory_alloc(void)
{
    return PyModule_Create(&module_def);
}
