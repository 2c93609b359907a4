/*
 * heaptype_spec.c -- heap types from specs in a module that is not (yet)
 * built for the Limited API: members via Py_tp_members with the special
 * __weaklistoffset__/__dictoffset__ names, immutable and non-instantiable
 * types, a subclass created with bases, and module lookup from methods.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stddef.h>

typedef struct {
    PyObject *ShapeType;
    PyObject *CircleType;
    PyObject *TokenType;
    long shapes_made;
} hs_state;

static struct PyModuleDef hs_module;

typedef struct {
    PyObject_HEAD
    PyObject *dict;
    PyObject *weakrefs;
    double area;
} ShapeObject;

typedef struct {
    ShapeObject base;
    double radius;
} CircleObject;

static hs_state *
state_of_type(PyTypeObject *tp)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *m = PyType_GetModuleByDef(tp, &hs_module);
    return m ? (hs_state *)PyModule_GetState(m) : NULL;
#elif PY_VERSION_HEX >= 0x03090000
    return (hs_state *)PyType_GetModuleState(tp);
#else
    PyObject *m = PyState_FindModule(&hs_module);
    return m ? (hs_state *)PyModule_GetState(m) : NULL;
#endif
}

static int
shape_init(ShapeObject *self, PyObject *args, PyObject *kwds)
{
    hs_state *st = state_of_type(Py_TYPE(self));
    if (st == NULL)
        return -1;
    st->shapes_made++;
    self->area = 0.0;
    return 0;
}

static int
shape_traverse(ShapeObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->dict);
    return 0;
}

static int
shape_clear(ShapeObject *self)
{
    Py_CLEAR(self->dict);
    return 0;
}

static void
shape_dealloc(ShapeObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    shape_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMemberDef shape_members[] = {
    {"area", T_DOUBLE, offsetof(ShapeObject, area), READONLY, NULL},
    {"__dictoffset__", T_PYSSIZET, offsetof(ShapeObject, dict), READONLY},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(ShapeObject, weakrefs), READONLY},
    {NULL}
};

static PyType_Slot shape_slots[] = {
    {Py_tp_init, shape_init},
    {Py_tp_traverse, shape_traverse},
    {Py_tp_clear, shape_clear},
    {Py_tp_dealloc, shape_dealloc},
    {Py_tp_members, shape_members},
    {0, NULL}
};

static PyType_Spec shape_spec = {
    .name = "heaptype_spec.Shape",
    .basicsize = sizeof(ShapeObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = shape_slots,
};

static int
circle_init(CircleObject *self, PyObject *args, PyObject *kwds)
{
    double r;
    if (!PyArg_ParseTuple(args, "d:Circle", &r))
        return -1;
    if (shape_init(&self->base, NULL, NULL) < 0)
        return -1;
    self->radius = r;
    self->base.area = 3.141592653589793 * r * r;
    return 0;
}

static PyMemberDef circle_members[] = {
    {"radius", T_DOUBLE, offsetof(CircleObject, radius), 0, NULL},
    {NULL}
};

static PyType_Slot circle_slots[] = {
    {Py_tp_init, circle_init},
    {Py_tp_members, circle_members},
    {Py_tp_doc, "A circle."},
    {0, NULL}
};

static PyType_Spec circle_spec = {
    .name = "heaptype_spec.Circle",
    .basicsize = sizeof(CircleObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC
#if PY_VERSION_HEX >= 0x030A0000
             | Py_TPFLAGS_IMMUTABLETYPE
#endif
    ,
    .slots = circle_slots,
};

typedef struct {
    PyObject_HEAD
    long serial;
} TokenObject;

static PyObject *
token_repr(TokenObject *self)
{
    return PyUnicode_FromFormat("<Token %ld>", self->serial);
}

static PyType_Slot token_slots[] = {
    {Py_tp_repr, token_repr},
    {0, NULL}
};

static PyType_Spec token_spec = {
    "heaptype_spec.Token",
    sizeof(TokenObject),
    0,
#if PY_VERSION_HEX >= 0x030A0000
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
#else
    Py_TPFLAGS_DEFAULT,
#endif
    token_slots,
};

static PyObject *
make_token(PyObject *module, PyObject *arg)
{
    hs_state *st = PyModule_GetState(module);
    TokenObject *tok;
    long serial = PyLong_AsLong(arg);

    if (serial == -1 && PyErr_Occurred())
        return NULL;
    tok = PyObject_New(TokenObject, (PyTypeObject *)st->TokenType);
    if (tok == NULL)
        return NULL;
    tok->serial = serial;
    return (PyObject *)tok;
}

static PyObject *
shapes_made(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    hs_state *st = PyModule_GetState(module);
    return PyLong_FromLong(st->shapes_made);
}

static PyMethodDef hs_methods[] = {
    {"make_token", make_token, METH_O, NULL},
    {"shapes_made", shapes_made, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static int
hs_exec(PyObject *m)
{
    hs_state *st = PyModule_GetState(m);
    PyObject *bases;

#if PY_VERSION_HEX >= 0x03090000
    st->ShapeType = PyType_FromModuleAndSpec(m, &shape_spec, NULL);
#else
    st->ShapeType = PyType_FromSpec(&shape_spec);
#endif
    if (st->ShapeType == NULL)
        return -1;
    bases = PyTuple_Pack(1, st->ShapeType);
    if (bases == NULL)
        return -1;
#if PY_VERSION_HEX >= 0x030C0000
    st->CircleType = PyType_FromMetaclass(NULL, m, &circle_spec, bases);
#elif PY_VERSION_HEX >= 0x03090000
    st->CircleType = PyType_FromModuleAndSpec(m, &circle_spec, bases);
#else
    st->CircleType = PyType_FromSpecWithBases(&circle_spec, bases);
#endif
    Py_DECREF(bases);
    if (st->CircleType == NULL)
        return -1;
    st->TokenType = PyType_FromSpec(&token_spec);
    if (st->TokenType == NULL)
        return -1;
    Py_INCREF(st->ShapeType);
    Py_INCREF(st->CircleType);
    if (PyModule_AddObject(m, "Shape", st->ShapeType) < 0 ||
        PyModule_AddObject(m, "Circle", st->CircleType) < 0)
        return -1;
    return 0;
}

static int
hs_traverse(PyObject *m, visitproc visit, void *arg)
{
    hs_state *st = PyModule_GetState(m);
    Py_VISIT(st->ShapeType);
    Py_VISIT(st->CircleType);
    Py_VISIT(st->TokenType);
    return 0;
}

static int
hs_clear(PyObject *m)
{
    hs_state *st = PyModule_GetState(m);
    Py_CLEAR(st->ShapeType);
    Py_CLEAR(st->CircleType);
    Py_CLEAR(st->TokenType);
    return 0;
}

static PyModuleDef_Slot hs_slots[] = {
    {Py_mod_exec, hs_exec},
    {0, NULL}
};

static struct PyModuleDef hs_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "heaptype_spec",
    .m_size = sizeof(hs_state),
    .m_methods = hs_methods,
    .m_slots = hs_slots,
    .m_traverse = hs_traverse,
    .m_clear = hs_clear,
};

PyMODINIT_FUNC
PyInit_heaptype_spec(void)
{
    return PyModuleDef_Init(&hs_module);
}
