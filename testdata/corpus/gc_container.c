/*
 * gc_container.c -- a tree node type that can form reference cycles and so
 * takes part in the cyclic garbage collector: tp_traverse, tp_clear,
 * PyObject_GC_Track/UnTrack, the trashcan for deep deallocation chains.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

typedef struct NodeObject {
    PyObject_HEAD
    PyObject *value;
    PyObject *children;   /* list of Node */
    PyObject *parent;     /* Node or None; strong reference */
    PyObject *weakreflist;
} NodeObject;

static PyTypeObject Node_Type;

static PyObject *
node_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"value", NULL};
    PyObject *value = Py_None;
    NodeObject *node;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:Node", kwlist, &value))
        return NULL;
    node = (NodeObject *)type->tp_alloc(type, 0);
    if (node == NULL)
        return NULL;
    node->children = PyList_New(0);
    if (node->children == NULL) {
        Py_DECREF(node);
        return NULL;
    }
    Py_INCREF(value);
    node->value = value;
    Py_INCREF(Py_None);
    node->parent = Py_None;
    return (PyObject *)node;
}

static int
node_traverse(NodeObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->value);
    Py_VISIT(self->children);
    Py_VISIT(self->parent);
    return 0;
}

static int
node_clear(NodeObject *self)
{
    Py_CLEAR(self->value);
    Py_CLEAR(self->children);
    Py_CLEAR(self->parent);
    return 0;
}

static void
node_dealloc(NodeObject *self)
{
    PyObject_GC_UnTrack(self);
#if PY_VERSION_HEX >= 0x03080000
    Py_TRASHCAN_BEGIN(self, node_dealloc)
#else
    Py_TRASHCAN_SAFE_BEGIN(self)
#endif
    if (self->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    node_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
#if PY_VERSION_HEX >= 0x03080000
    Py_TRASHCAN_END
#else
    Py_TRASHCAN_SAFE_END(self)
#endif
}

static PyObject *
node_add(NodeObject *self, PyObject *child)
{
    NodeObject *c;

    if (!PyObject_TypeCheck(child, &Node_Type)) {
        PyErr_SetString(PyExc_TypeError, "children must be Nodes");
        return NULL;
    }
    c = (NodeObject *)child;
    if (PyList_Append(self->children, child) < 0)
        return NULL;
    Py_INCREF(self);
    Py_SETREF(c->parent, (PyObject *)self);
    Py_RETURN_NONE;
}

static PyObject *
node_depth(NodeObject *self, PyObject *Py_UNUSED(ignored))
{
    long d = 0;
    PyObject *p = self->parent;
    while (p != Py_None) {
        d++;
        p = ((NodeObject *)p)->parent;
    }
    return PyLong_FromLong(d);
}

static PyObject *
node_walk(NodeObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *out = PyList_New(0), *stack;
    if (out == NULL)
        return NULL;
    stack = PyList_New(1);
    if (stack == NULL) {
        Py_DECREF(out);
        return NULL;
    }
    Py_INCREF(self);
    PyList_SET_ITEM(stack, 0, (PyObject *)self);
    while (PyList_GET_SIZE(stack) > 0) {
        Py_ssize_t last = PyList_GET_SIZE(stack) - 1, i;
        NodeObject *n = (NodeObject *)PyList_GET_ITEM(stack, last);
        Py_INCREF(n);
        if (PyList_SetSlice(stack, last, last + 1, NULL) < 0 ||
            PyList_Append(out, n->value) < 0) {
            Py_DECREF(n);
            goto error;
        }
        for (i = PyList_GET_SIZE(n->children) - 1; i >= 0; i--) {
            if (PyList_Append(stack, PyList_GET_ITEM(n->children, i)) < 0) {
                Py_DECREF(n);
                goto error;
            }
        }
        Py_DECREF(n);
    }
    Py_DECREF(stack);
    return out;
error:
    Py_DECREF(stack);
    Py_DECREF(out);
    return NULL;
}

static PyObject *
node_is_tracked(NodeObject *self, PyObject *Py_UNUSED(ignored))
{
#if PY_VERSION_HEX >= 0x03090000
    return PyBool_FromLong(PyObject_GC_IsTracked((PyObject *)self));
#else
    return PyBool_FromLong(_PyObject_GC_IS_TRACKED(self));
#endif
}

static PyMethodDef node_methods[] = {
    {"add", (PyCFunction)node_add, METH_O, NULL},
    {"depth", (PyCFunction)node_depth, METH_NOARGS, NULL},
    {"walk", (PyCFunction)node_walk, METH_NOARGS, NULL},
    {"is_tracked", (PyCFunction)node_is_tracked, METH_NOARGS, NULL},
    {NULL}
};

static PyObject *
node_get_parent(NodeObject *self, void *closure)
{
    Py_INCREF(self->parent);
    return self->parent;
}

static PyGetSetDef node_getset[] = {
    {"parent", (getter)node_get_parent, NULL, NULL, NULL},
    {NULL}
};

static PyTypeObject Node_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "gc_container.Node",
    .tp_basicsize = sizeof(NodeObject),
    .tp_dealloc = (destructor)node_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)node_traverse,
    .tp_clear = (inquiry)node_clear,
    .tp_weaklistoffset = offsetof(NodeObject, weakreflist),
    .tp_methods = node_methods,
    .tp_getset = node_getset,
    .tp_alloc = PyType_GenericAlloc,
    .tp_new = node_new,
    .tp_free = PyObject_GC_Del,
};

static PyObject *
collect(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(PyGC_Collect());
}

static PyMethodDef module_methods[] = {
    {"collect", collect, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "gc_container", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_gc_container(void)
{
    PyObject *m;
    if (PyType_Ready(&Node_Type) < 0)
        return NULL;
    m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    Py_INCREF(&Node_Type);
    if (PyModule_AddObject(m, "Node", (PyObject *)&Node_Type) < 0) {
        Py_DECREF(&Node_Type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
