/*
 * legacy_point.c -- a 2D point type written the way extension modules were
 * written for Python 2/3 portability: a static PyTypeObject with a
 * positional initializer, PyMemberDef for the coordinates, and a
 * single-phase PyInit function.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>

typedef struct {
    PyObject_HEAD
    double x;
    double y;
    PyObject *label;
} PointObject;

static PyTypeObject Point_Type;

#define Point_Check(op) PyObject_TypeCheck(op, &Point_Type)

static PyObject *
Point_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"x", "y", "label", NULL};
    double x = 0.0, y = 0.0;
    PyObject *label = NULL;
    PointObject *self;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|ddO:Point", kwlist,
                                     &x, &y, &label))
        return NULL;
    self = (PointObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->x = x;
    self->y = y;
    if (label == NULL)
        label = Py_None;
    Py_INCREF(label);
    self->label = label;
    return (PyObject *)self;
}

static void
Point_dealloc(PointObject *self)
{
    Py_XDECREF(self->label);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Point_repr(PointObject *self)
{
    char buf[128];
    PyOS_snprintf(buf, sizeof(buf), "Point(%g, %g)", self->x, self->y);
    if (self->label != Py_None) {
        return PyUnicode_FromFormat("%s label=%R", buf, self->label);
    }
    return PyUnicode_FromString(buf);
}

static Py_hash_t
Point_hash(PointObject *self)
{
    PyObject *tup;
    Py_hash_t h;

    tup = Py_BuildValue("(dd)", self->x, self->y);
    if (tup == NULL)
        return -1;
    h = PyObject_Hash(tup);
    Py_DECREF(tup);
    return h;
}

static PyObject *
Point_richcompare(PyObject *a, PyObject *b, int op)
{
    PointObject *p, *q;
    int eq;

    if (!Point_Check(a) || !Point_Check(b)) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    p = (PointObject *)a;
    q = (PointObject *)b;
    eq = (p->x == q->x && p->y == q->y);
    switch (op) {
    case Py_EQ:
        return PyBool_FromLong(eq);
    case Py_NE:
        return PyBool_FromLong(!eq);
    default:
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
}

static PyObject *
Point_norm(PointObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyFloat_FromDouble(sqrt(self->x * self->x + self->y * self->y));
}

static PyObject *
Point_scaled(PointObject *self, PyObject *args)
{
    double k;
    PointObject *res;

    if (!PyArg_ParseTuple(args, "d:scaled", &k))
        return NULL;
    res = PyObject_New(PointObject, Py_TYPE(self));
    if (res == NULL)
        return NULL;
    res->x = self->x * k;
    res->y = self->y * k;
    res->label = self->label;
    Py_INCREF(res->label);
    return (PyObject *)res;
}

static PyObject *
Point_astuple(PointObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *t = PyTuple_New(2);
    if (t == NULL)
        return NULL;
    PyTuple_SET_ITEM(t, 0, PyFloat_FromDouble(self->x));
    PyTuple_SET_ITEM(t, 1, PyFloat_FromDouble(self->y));
    if (PyTuple_GET_ITEM(t, 0) == NULL || PyTuple_GET_ITEM(t, 1) == NULL) {
        Py_DECREF(t);
        return NULL;
    }
    return t;
}

static PyMethodDef Point_methods[] = {
    {"norm", (PyCFunction)Point_norm, METH_NOARGS, "Euclidean norm."},
    {"scaled", (PyCFunction)Point_scaled, METH_VARARGS, "Return a scaled copy."},
    {"astuple", (PyCFunction)Point_astuple, METH_NOARGS, "Return (x, y)."},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef Point_members[] = {
    {"x", T_DOUBLE, offsetof(PointObject, x), 0, "x coordinate"},
    {"y", T_DOUBLE, offsetof(PointObject, y), 0, "y coordinate"},
    {"label", T_OBJECT, offsetof(PointObject, label), READONLY, "label"},
    {NULL}
};

static PyTypeObject Point_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    "legacy_point.Point",               /* tp_name */
    sizeof(PointObject),                /* tp_basicsize */
    0,                                  /* tp_itemsize */
    (destructor)Point_dealloc,          /* tp_dealloc */
    0,                                  /* tp_vectorcall_offset / tp_print */
    0,                                  /* tp_getattr */
    0,                                  /* tp_setattr */
    0,                                  /* tp_as_async */
    (reprfunc)Point_repr,               /* tp_repr */
    0,                                  /* tp_as_number */
    0,                                  /* tp_as_sequence */
    0,                                  /* tp_as_mapping */
    (hashfunc)Point_hash,               /* tp_hash */
    0,                                  /* tp_call */
    0,                                  /* tp_str */
    PyObject_GenericGetAttr,            /* tp_getattro */
    0,                                  /* tp_setattro */
    0,                                  /* tp_as_buffer */
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, /* tp_flags */
    "A point in the plane.",            /* tp_doc */
    0,                                  /* tp_traverse */
    0,                                  /* tp_clear */
    Point_richcompare,                  /* tp_richcompare */
    0,                                  /* tp_weaklistoffset */
    0,                                  /* tp_iter */
    0,                                  /* tp_iternext */
    Point_methods,                      /* tp_methods */
    Point_members,                      /* tp_members */
    0,                                  /* tp_getset */
    0,                                  /* tp_base */
    0,                                  /* tp_dict */
    0,                                  /* tp_descr_get */
    0,                                  /* tp_descr_set */
    0,                                  /* tp_dictoffset */
    0,                                  /* tp_init */
    0,                                  /* tp_alloc */
    Point_new,                          /* tp_new */
};

static PyObject *
distance(PyObject *module, PyObject *args)
{
    PyObject *a, *b;
    PointObject *p, *q;
    double dx, dy;

    if (!PyArg_ParseTuple(args, "O!O!:distance", &Point_Type, &a,
                          &Point_Type, &b))
        return NULL;
    p = (PointObject *)a;
    q = (PointObject *)b;
    dx = p->x - q->x;
    dy = p->y - q->y;
    return PyFloat_FromDouble(sqrt(dx * dx + dy * dy));
}

static PyMethodDef module_methods[] = {
    {"distance", distance, METH_VARARGS, "Distance between two points."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef legacy_point_module = {
    PyModuleDef_HEAD_INIT,
    "legacy_point",
    "Points, the old way.",
    -1,
    module_methods,
    NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit_legacy_point(void)
{
    PyObject *m;

    if (PyType_Ready(&Point_Type) < 0)
        return NULL;
    m = PyModule_Create(&legacy_point_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Point_Type);
    if (PyModule_AddObject(m, "Point", (PyObject *)&Point_Type) < 0) {
        Py_DECREF(&Point_Type);
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddIntConstant(m, "DIMENSIONS", 2);
    return m;
}
