/*
 * spam: a small CPython extension module meant to ship one abi3 wheel for
 * every Python version from 3.8 on. It is the example of the abi3ls README:
 * it still uses a few things that are not in the Limited API of 3.8.
 *
 *     abi3ls check examples/           what is wrong, and where
 *     abi3ls fix --diff examples/      what the safe fixes would change
 *     abi3ls fix examples/             apply them
 */
#define PY_SSIZE_T_CLEAN
#define Py_LIMITED_API 0x03080000
#include <Python.h>

/* spam.total(seq) -> int: the sum of the integers of a list or a tuple. */
static PyObject *
spam_total(PyObject *module, PyObject *seq)
{
    long total = 0;

    if (PyList_Check(seq)) {
        Py_ssize_t n = PyList_GET_SIZE(seq);
        for (Py_ssize_t i = 0; i < n; i++) {
            long v = PyLong_AsLong(PyList_GET_ITEM(seq, i));
            if (v == -1 && PyErr_Occurred()) {
                return NULL;
            }
            total += v;
        }
    }
    else if (PyTuple_Check(seq)) {
        Py_ssize_t n = PyTuple_GET_SIZE(seq);
        for (Py_ssize_t i = 0; i < n; i++) {
            long v = PyLong_AsLong(PyTuple_GET_ITEM(seq, i));
            if (v == -1 && PyErr_Occurred()) {
                return NULL;
            }
            total += v;
        }
    }
    else {
        PyErr_Format(PyExc_TypeError, "expected a list or a tuple, not %s",
                     Py_TYPE(seq)->tp_name);
        return NULL;
    }
    return PyLong_FromLong(total);
}

/* spam.same_type(a, b) -> bool */
static PyObject *
spam_same_type(PyObject *module, PyObject *args)
{
    PyObject *a, *b;

    if (!PyArg_ParseTuple(args, "OO:same_type", &a, &b)) {
        return NULL;
    }
    return PyBool_FromLong(a->ob_type == b->ob_type);
}

/* spam.first_byte(data) -> int */
static PyObject *
spam_first_byte(PyObject *module, PyObject *data)
{
    if (!PyBytes_Check(data) || PyBytes_GET_SIZE(data) == 0) {
        PyErr_SetString(PyExc_ValueError, "expected non-empty bytes");
        return NULL;
    }
    return PyLong_FromLong((unsigned char)PyBytes_AS_STRING(data)[0]);
}

/* spam.scale(x, factor) -> float */
static PyObject *
spam_scale(PyObject *module, PyObject *args)
{
    PyObject *x;
    double factor;

    if (!PyArg_ParseTuple(args, "O!d:scale", &PyFloat_Type, &x, &factor)) {
        return NULL;
    }
    return PyFloat_FromDouble(PyFloat_AS_DOUBLE(x) * factor);
}

/* spam.Counter: counts calls to increment(). */
typedef struct {
    PyObject_HEAD
    long count;
} CounterObject;

static PyObject *
Counter_increment(PyObject *self, PyObject *unused)
{
    CounterObject *c = (CounterObject *)self;
    c->count++;
    return PyLong_FromLong(c->count);
}

static PyMethodDef Counter_methods[] = {
    {"increment", Counter_increment, METH_NOARGS, "Add one and return the count."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot Counter_slots[] = {
    {Py_tp_doc, "A counter."},
    {Py_tp_methods, Counter_methods},
    {0, NULL},
};

static PyType_Spec Counter_spec = {
    .name = "spam.Counter",
    .basicsize = sizeof(CounterObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Counter_slots,
};

static int
spam_exec(PyObject *module)
{
    PyObject *type = PyType_FromModuleAndSpec(module, &Counter_spec, NULL);
    if (type == NULL) {
        return -1;
    }
    if (PyModule_AddObject(module, "Counter", type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

static PyMethodDef spam_methods[] = {
    {"total", spam_total, METH_O, "Sum the integers of a list or a tuple."},
    {"same_type", spam_same_type, METH_VARARGS, "Whether two objects have the same type."},
    {"first_byte", spam_first_byte, METH_O, "The first byte of a bytes object."},
    {"scale", spam_scale, METH_VARARGS, "Multiply a float by a factor."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot spam_slots[] = {
    {Py_mod_exec, spam_exec},
    {0, NULL},
};

static struct PyModuleDef spam_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "spam",
    .m_doc = "Example extension module for abi3ls.",
    .m_size = 0,
    .m_methods = spam_methods,
    .m_slots = spam_slots,
};

PyMODINIT_FUNC
PyInit_spam(void)
{
    return PyModuleDef_Init(&spam_module);
}
