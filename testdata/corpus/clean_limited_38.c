/*
 * clean_limited_38.c -- text utilities built for the stable ABI (abi3,
 * CPython 3.8+). A tokenizer type that iterates over words of a string.
 */
#define Py_LIMITED_API 0x03080000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject_HEAD
    PyObject *text;      /* str */
    Py_ssize_t pos;
    Py_ssize_t length;
} TokenizerObject;

static PyObject *
tok_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"text", NULL};
    PyObject *text;
    TokenizerObject *self;
    allocfunc alloc;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U:Tokenizer", kwlist, &text))
        return NULL;
    alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    self = (TokenizerObject *)alloc(type, 0);
    if (self == NULL)
        return NULL;
    Py_INCREF(text);
    self->text = text;
    self->pos = 0;
    self->length = PyUnicode_GetLength(text);
    if (self->length < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
tok_dealloc(TokenizerObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    Py_XDECREF(self->text);
    f(self);
    Py_DECREF(tp);
}

static PyObject *
tok_iter(PyObject *self)
{
    Py_INCREF(self);
    return self;
}

static int
is_space(Py_UCS4 ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static PyObject *
tok_next(TokenizerObject *self)
{
    Py_ssize_t start;
    Py_UCS4 ch;

    while (self->pos < self->length) {
        ch = PyUnicode_ReadChar(self->text, self->pos);
        if (ch == (Py_UCS4)-1 && PyErr_Occurred())
            return NULL;
        if (!is_space(ch))
            break;
        self->pos++;
    }
    if (self->pos >= self->length)
        return NULL;    /* StopIteration */
    start = self->pos;
    while (self->pos < self->length) {
        ch = PyUnicode_ReadChar(self->text, self->pos);
        if (ch == (Py_UCS4)-1 && PyErr_Occurred())
            return NULL;
        if (is_space(ch))
            break;
        self->pos++;
    }
    return PyUnicode_Substring(self->text, start, self->pos);
}

static PyType_Slot tok_slots[] = {
    {Py_tp_new, tok_new},
    {Py_tp_dealloc, tok_dealloc},
    {Py_tp_iter, tok_iter},
    {Py_tp_iternext, tok_next},
    {Py_tp_doc, "Iterate over whitespace-separated words."},
    {0, NULL}
};

static PyType_Spec tok_spec = {
    "clean_limited_38.Tokenizer",
    sizeof(TokenizerObject),
    0,
    Py_TPFLAGS_DEFAULT,
    tok_slots
};

static PyObject *
word_count(PyObject *module, PyObject *arg)
{
    PyObject *words, *sep;
    Py_ssize_t n;

    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return NULL;
    }
    sep = NULL;
    words = PyUnicode_Split(arg, sep, -1);
    if (words == NULL)
        return NULL;
    n = PyList_Size(words);
    Py_DECREF(words);
    return PyLong_FromSsize_t(n);
}

static PyObject *
upper_ascii(PyObject *module, PyObject *arg)
{
    PyObject *bytes, *res;
    char *buf, *copy;
    Py_ssize_t len, i;

    bytes = PyUnicode_AsASCIIString(arg);
    if (bytes == NULL)
        return NULL;
    if (PyBytes_AsStringAndSize(bytes, &buf, &len) < 0) {
        Py_DECREF(bytes);
        return NULL;
    }
    copy = PyMem_Malloc((size_t)len + 1);
    if (copy == NULL) {
        Py_DECREF(bytes);
        return PyErr_NoMemory();
    }
    for (i = 0; i < len; i++) {
        char c = buf[i];
        copy[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    res = PyUnicode_DecodeASCII(copy, len, "strict");
    PyMem_Free(copy);
    Py_DECREF(bytes);
    return res;
}

static PyObject *
join_words(PyObject *module, PyObject *args)
{
    PyObject *iterable, *sep = NULL, *it, *item, *list, *res;

    if (!PyArg_ParseTuple(args, "O|U:join_words", &iterable, &sep))
        return NULL;
    it = PyObject_GetIter(iterable);
    if (it == NULL)
        return NULL;
    list = PyList_New(0);
    if (list == NULL) {
        Py_DECREF(it);
        return NULL;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *s = PyObject_Str(item);
        Py_DECREF(item);
        if (s == NULL || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(it);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(s);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(list);
        return NULL;
    }
    if (sep == NULL) {
        sep = PyUnicode_FromString(" ");
        if (sep == NULL) {
            Py_DECREF(list);
            return NULL;
        }
    }
    else {
        Py_INCREF(sep);
    }
    res = PyUnicode_Join(sep, list);
    Py_DECREF(sep);
    Py_DECREF(list);
    return res;
}

static PyMethodDef module_methods[] = {
    {"word_count", word_count, METH_O, NULL},
    {"upper_ascii", upper_ascii, METH_O, NULL},
    {"join_words", join_words, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static int
exec_module(PyObject *m)
{
    PyObject *t = PyType_FromSpec(&tok_spec);
    if (t == NULL)
        return -1;
    if (PyModule_AddObject(m, "Tokenizer", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "clean_limited_38", NULL, 0,
    module_methods, module_slots, NULL, NULL, NULL
};

PyMODINIT_FUNC
PyInit_clean_limited_38(void)
{
    return PyModuleDef_Init(&module_def);
}
