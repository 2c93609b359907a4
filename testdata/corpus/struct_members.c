/*
 * struct_members.c -- a record type exposing C struct fields as attributes
 * through PyMemberDef: the old structmember.h names (T_INT, READONLY) and,
 * from 3.12, the Py_T_* names from descrobject.h.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stddef.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x030C0000
#  define M_INT     Py_T_INT
#  define M_DOUBLE  Py_T_DOUBLE
#  define M_OBJ     Py_T_OBJECT_EX
#  define M_CHAR    Py_T_CHAR
#  define M_BOOL    Py_T_BOOL
#  define M_SSIZE   Py_T_PYSSIZET
#  define M_RO      Py_READONLY
#else
#  define M_INT     T_INT
#  define M_DOUBLE  T_DOUBLE
#  define M_OBJ     T_OBJECT_EX
#  define M_CHAR    T_CHAR
#  define M_BOOL    T_BOOL
#  define M_SSIZE   T_PYSSIZET
#  define M_RO      READONLY
#endif

typedef struct {
    PyObject_HEAD
    int id;
    double weight;
    char grade;
    char active;
    Py_ssize_t count;
    PyObject *name;
    PyObject *tags;
    short flags;
    unsigned long long mask;
} RecordObject;

static PyMemberDef record_members[] = {
    {"id", M_INT, offsetof(RecordObject, id), M_RO, "identifier"},
    {"weight", M_DOUBLE, offsetof(RecordObject, weight), 0, NULL},
    {"grade", M_CHAR, offsetof(RecordObject, grade), 0, NULL},
    {"active", M_BOOL, offsetof(RecordObject, active), 0, NULL},
    {"count", M_SSIZE, offsetof(RecordObject, count), 0, NULL},
    {"name", M_OBJ, offsetof(RecordObject, name), 0, NULL},
    {"tags", T_OBJECT, offsetof(RecordObject, tags), READONLY, NULL},
    {"flags", T_SHORT, offsetof(RecordObject, flags), 0, NULL},
    {"mask", T_ULONGLONG, offsetof(RecordObject, mask), 0, NULL},
    {NULL}
};

static int next_id = 1;

static int
record_init(RecordObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"name", "weight", NULL};
    PyObject *name = NULL;
    double weight = 0.0;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|Od:Record", kwlist,
                                     &name, &weight))
        return -1;
    self->id = next_id++;
    self->weight = weight;
    self->grade = 'C';
    self->active = 1;
    if (name != NULL) {
        Py_INCREF(name);
        Py_XSETREF(self->name, name);
    }
    if (self->tags == NULL) {
        self->tags = PyList_New(0);
        if (self->tags == NULL)
            return -1;
    }
    return 0;
}

static void
record_dealloc(RecordObject *self)
{
    Py_XDECREF(self->name);
    Py_XDECREF(self->tags);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
record_get_summary(RecordObject *self, void *closure)
{
    return PyUnicode_FromFormat("#%d %c w=%d", self->id, self->grade,
                                (int)self->weight);
}

static int
record_set_grade_str(RecordObject *self, PyObject *value, void *closure)
{
    const char *s;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete grade_str");
        return -1;
    }
    s = PyUnicode_AsUTF8(value);
    if (s == NULL)
        return -1;
    if (s[0] == '\0' || s[1] != '\0') {
        PyErr_SetString(PyExc_ValueError, "one character expected");
        return -1;
    }
    self->grade = s[0];
    return 0;
}

static PyObject *
record_get_grade_str(RecordObject *self, void *closure)
{
    return PyUnicode_FromStringAndSize(&self->grade, 1);
}

static PyGetSetDef record_getset[] = {
    {"summary", (getter)record_get_summary, NULL, "short description", NULL},
    {"grade_str", (getter)record_get_grade_str, (setter)record_set_grade_str,
     NULL, NULL},
    {NULL}
};

static PyTypeObject Record_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    "struct_members.Record",
    sizeof(RecordObject),
    0,
    (destructor)record_dealloc,
};

/* Read a member by name through the generic descriptor machinery. */
static PyObject *
read_member(PyObject *self, PyObject *args)
{
    PyObject *obj;
    const char *name;
    PyMemberDef *m;

    if (!PyArg_ParseTuple(args, "O!s:read_member", &Record_Type, &obj, &name))
        return NULL;
    for (m = record_members; m->name != NULL; m++) {
        if (strcmp(m->name, name) == 0)
            return PyMember_GetOne((const char *)obj, m);
    }
    PyErr_Format(PyExc_AttributeError, "no member %s", name);
    return NULL;
}

static PyMethodDef module_methods[] = {
    {"read_member", read_member, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "struct_members", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_struct_members(void)
{
    PyObject *m;

    Record_Type.tp_flags = Py_TPFLAGS_DEFAULT;
    Record_Type.tp_members = record_members;
    Record_Type.tp_getset = record_getset;
    Record_Type.tp_init = (initproc)record_init;
    Record_Type.tp_new = PyType_GenericNew;
    if (PyType_Ready(&Record_Type) < 0)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Record_Type);
    PyModule_AddObject(m, "Record", (PyObject *)&Record_Type);
    return m;
}
