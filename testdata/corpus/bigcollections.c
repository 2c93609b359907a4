/*
 * bigcollections.c -- "fastcoll", a collection library extension of the kind
 * that grows over a decade: a ring-buffer deque, a sorted dict, a bit set
 * with the buffer and number protocols, a frequency table, an LRU cache
 * decorator with vectorcall, and a set of sequence algorithms.
 *
 * The code mixes eras on purpose: static types next to heap types, fast
 * macros on hot paths, PY_VERSION_HEX branches for new APIs, a few
 * Py_LIMITED_API branches where somebody started a port, and private
 * helpers that were convenient at the time.
 *
 * Supported: CPython 3.6 - 3.13.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stddef.h>
#include <string.h>
#include <limits.h>

/* ------------------------------------------------------------------------ */
/* Compatibility                                                            */
/* ------------------------------------------------------------------------ */

#if PY_VERSION_HEX < 0x030A00A3 && !defined(Py_NewRef)
static inline PyObject *
fc_NewRef(PyObject *o)
{
    Py_INCREF(o);
    return o;
}
#  define Py_NewRef(o) fc_NewRef((PyObject *)(o))
#  define Py_XNewRef(o) (Py_XINCREF((PyObject *)(o)), (PyObject *)(o))
#endif

#if PY_VERSION_HEX < 0x030900A4 && !defined(Py_SET_SIZE)
#  define Py_SET_SIZE(o, n) (((PyVarObject *)(o))->ob_size = (n))
#endif

#if PY_VERSION_HEX < 0x030900A4 && !defined(Py_IS_TYPE)
#  define Py_IS_TYPE(o, t) (Py_TYPE(o) == (t))
#endif

#ifndef Py_UNREACHABLE
#  define Py_UNREACHABLE() abort()
#endif

#ifndef Py_RETURN_RICHCOMPARE
#  define Py_RETURN_RICHCOMPARE(val1, val2, op)                         \
    do {                                                                \
        switch (op) {                                                   \
        case Py_EQ: if ((val1) == (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_NE: if ((val1) != (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_LT: if ((val1) < (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE;  \
        case Py_GT: if ((val1) > (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE;  \
        case Py_LE: if ((val1) <= (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_GE: if ((val1) >= (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        default: Py_UNREACHABLE();                                      \
        }                                                               \
    } while (0)
#endif

#if PY_VERSION_HEX >= 0x03090000
#  define FC_GENERIC_ALIAS 1
#else
#  define FC_GENERIC_ALIAS 0
#endif

#define FC_UNUSED(x) (void)(x)

#if PY_VERSION_HEX >= 0x03070000
#  define FC_TYPE_NAME(tp) _PyType_Name(tp)
#else
#  define FC_TYPE_NAME(tp) ((tp)->tp_name)
#endif

/* Borrowed fast item access used all over the hot paths. */
#define FC_SEQ_ITEM(seq, i)                                               \
    (PyList_CheckExact(seq) ? PyList_GET_ITEM(seq, i) : PyTuple_GET_ITEM(seq, i))
#define FC_SEQ_SIZE(seq)                                                  \
    (PyList_CheckExact(seq) ? PyList_GET_SIZE(seq) : PyTuple_GET_SIZE(seq))

/* ------------------------------------------------------------------------ */
/* Module state                                                             */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject *EmptyError;       /* exception class */
    PyObject *FrequencyType;    /* heap type */
    PyObject *LRUType;          /* heap type */
    PyObject *str_keys;         /* interned strings */
    PyObject *str_items;
    PyObject *str_sort;
    PyObject *str_key;
    PyObject *str_reverse;
    Py_ssize_t instances;
} fc_state;

static struct PyModuleDef fastcoll_module;

static inline fc_state *
fc_get_state(PyObject *module)
{
    return (fc_state *)PyModule_GetState(module);
}

static fc_state *
fc_find_state(void)
{
    PyObject *m = PyState_FindModule(&fastcoll_module);
    if (m == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "fastcoll module not initialized");
        return NULL;
    }
    return fc_get_state(m);
}

static int
fc_raise_empty(const char *what)
{
    fc_state *st = fc_find_state();
    if (st == NULL)
        return -1;
    PyErr_Format(st->EmptyError, "%s is empty", what);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static Py_ssize_t
fc_normalize_index(Py_ssize_t i, Py_ssize_t n)
{
    if (i < 0)
        i += n;
    return i;
}

static int
fc_check_index(Py_ssize_t i, Py_ssize_t n, const char *what)
{
    if (i < 0 || i >= n) {
        PyErr_Format(PyExc_IndexError, "%s index out of range", what);
        return -1;
    }
    return 0;
}

static PyObject *
fc_type_error(const char *expected, PyObject *got)
{
    PyErr_Format(PyExc_TypeError, "expected %s, got '%.200s'",
                 expected, Py_TYPE(got)->tp_name);
    return NULL;
}

/* Compare two objects, with a fast path for exact ints and floats. */
static int
fc_less(PyObject *a, PyObject *b)
{
    if (PyLong_CheckExact(a) && PyLong_CheckExact(b)) {
        int oa, ob;
        long x = PyLong_AsLongAndOverflow(a, &oa);
        long y = PyLong_AsLongAndOverflow(b, &ob);
        if (!oa && !ob)
            return x < y;
    }
    if (PyFloat_CheckExact(a) && PyFloat_CheckExact(b))
        return PyFloat_AS_DOUBLE(a) < PyFloat_AS_DOUBLE(b);
    if (PyUnicode_CheckExact(a) && PyUnicode_CheckExact(b)) {
        int c = PyUnicode_Compare(a, b);
        if (c == -1 && PyErr_Occurred())
            return -1;
        return c < 0;
    }
    return PyObject_RichCompareBool(a, b, Py_LT);
}

/* Compute key(x) or return a new reference to x when key is NULL/None. */
static PyObject *
fc_apply_key(PyObject *key, PyObject *x)
{
    if (key == NULL || key == Py_None)
        return Py_NewRef(x);
    return PyObject_CallFunctionObjArgs(key, x, NULL);
}

/* ------------------------------------------------------------------------ */
/* Ring: a growable ring-buffer deque (static type)                         */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_VAR_HEAD          /* ob_size is the number of items */
    PyObject **items;
    Py_ssize_t capacity;
    Py_ssize_t head;           /* index of the first item */
    Py_ssize_t maxlen;         /* -1 when unbounded */
    size_t state;              /* mutation counter for iterators */
    PyObject *weakreflist;
} RingObject;

static PyTypeObject Ring_Type;
static PyTypeObject RingIter_Type;

#define Ring_Check(op) PyObject_TypeCheck(op, &Ring_Type)
#define RING_LEN(r) Py_SIZE(r)
#define RING_SLOT(r, i) ((r)->items[((r)->head + (i)) % (r)->capacity])

static int
ring_grow(RingObject *r)
{
    Py_ssize_t newcap = r->capacity ? r->capacity * 2 : 8, i;
    PyObject **newitems;

    if (newcap > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(PyObject *)) {
        PyErr_NoMemory();
        return -1;
    }
    newitems = PyMem_New(PyObject *, newcap);
    if (newitems == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < RING_LEN(r); i++)
        newitems[i] = RING_SLOT(r, i);
    PyMem_Free(r->items);
    r->items = newitems;
    r->capacity = newcap;
    r->head = 0;
    return 0;
}

static PyObject *
ring_popleft_internal(RingObject *r)
{
    PyObject *item;
    if (RING_LEN(r) == 0) {
        fc_raise_empty("Ring");
        return NULL;
    }
    item = r->items[r->head];
    r->items[r->head] = NULL;
    r->head = (r->head + 1) % r->capacity;
    Py_SET_SIZE(r, RING_LEN(r) - 1);
    r->state++;
    return item;
}

static PyObject *
ring_pop_internal(RingObject *r)
{
    PyObject *item;
    Py_ssize_t idx;
    if (RING_LEN(r) == 0) {
        fc_raise_empty("Ring");
        return NULL;
    }
    idx = (r->head + RING_LEN(r) - 1) % r->capacity;
    item = r->items[idx];
    r->items[idx] = NULL;
    Py_SET_SIZE(r, RING_LEN(r) - 1);
    r->state++;
    return item;
}

/* Append, stealing a reference to item. */
static int
ring_append_steal(RingObject *r, PyObject *item)
{
    if (r->maxlen == 0) {
        Py_DECREF(item);
        return 0;
    }
    if (RING_LEN(r) == r->capacity && ring_grow(r) < 0) {
        Py_DECREF(item);
        return -1;
    }
    RING_SLOT(r, RING_LEN(r)) = item;
    Py_SET_SIZE(r, RING_LEN(r) + 1);
    r->state++;
    if (r->maxlen >= 0 && RING_LEN(r) > r->maxlen) {
        PyObject *old = ring_popleft_internal(r);
        Py_XDECREF(old);
    }
    return 0;
}

static int
ring_appendleft_steal(RingObject *r, PyObject *item)
{
    if (r->maxlen == 0) {
        Py_DECREF(item);
        return 0;
    }
    if (RING_LEN(r) == r->capacity && ring_grow(r) < 0) {
        Py_DECREF(item);
        return -1;
    }
    r->head = (r->head - 1 + r->capacity) % r->capacity;
    r->items[r->head] = item;
    Py_SET_SIZE(r, RING_LEN(r) + 1);
    r->state++;
    if (r->maxlen >= 0 && RING_LEN(r) > r->maxlen) {
        PyObject *old = ring_pop_internal(r);
        Py_XDECREF(old);
    }
    return 0;
}

static int
ring_clear(RingObject *r)
{
    Py_ssize_t i, n = RING_LEN(r);
    PyObject **items = r->items;
    Py_ssize_t head = r->head, cap = r->capacity;

    /* Detach first so that decrefs cannot observe a half-cleared ring. */
    r->items = NULL;
    r->capacity = 0;
    r->head = 0;
    Py_SET_SIZE(r, 0);
    r->state++;
    for (i = 0; i < n; i++)
        Py_XDECREF(items[(head + i) % cap]);
    PyMem_Free(items);
    return 0;
}

static int
ring_traverse(RingObject *r, visitproc visit, void *arg)
{
    Py_ssize_t i;
    for (i = 0; i < RING_LEN(r); i++)
        Py_VISIT(RING_SLOT(r, i));
    return 0;
}

static void
ring_dealloc(RingObject *r)
{
    PyObject_GC_UnTrack(r);
#if PY_VERSION_HEX >= 0x03080000
    Py_TRASHCAN_BEGIN(r, ring_dealloc)
#endif
    if (r->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)r);
    ring_clear(r);
    Py_TYPE(r)->tp_free(r);
#if PY_VERSION_HEX >= 0x03080000
    Py_TRASHCAN_END
#endif
}

static int
ring_extend_internal(RingObject *r, PyObject *iterable, int left)
{
    PyObject *it, *item;

    if ((PyObject *)r == iterable) {
        /* extend with itself: copy first */
        PyObject *copy = PySequence_List(iterable);
        int res;
        if (copy == NULL)
            return -1;
        res = ring_extend_internal(r, copy, left);
        Py_DECREF(copy);
        return res;
    }
    if (PyList_CheckExact(iterable) || PyTuple_CheckExact(iterable)) {
        Py_ssize_t i, n = FC_SEQ_SIZE(iterable);
        for (i = 0; i < n; i++) {
            PyObject *x = Py_NewRef(FC_SEQ_ITEM(iterable, i));
            if ((left ? ring_appendleft_steal(r, x) : ring_append_steal(r, x)) < 0)
                return -1;
        }
        return 0;
    }
    it = PyObject_GetIter(iterable);
    if (it == NULL)
        return -1;
    while ((item = PyIter_Next(it)) != NULL) {
        if ((left ? ring_appendleft_steal(r, item) : ring_append_steal(r, item)) < 0) {
            Py_DECREF(it);
            return -1;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *
ring_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    RingObject *r = (RingObject *)type->tp_alloc(type, 0);
    if (r == NULL)
        return NULL;
    r->items = NULL;
    r->capacity = 0;
    r->head = 0;
    r->maxlen = -1;
    r->state = 0;
    return (PyObject *)r;
}

static int
ring_init(RingObject *r, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"iterable", "maxlen", NULL};
    PyObject *iterable = NULL, *maxlenobj = Py_None;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:Ring", kwlist,
                                     &iterable, &maxlenobj))
        return -1;
    if (maxlenobj == Py_None) {
        r->maxlen = -1;
    }
    else {
        r->maxlen = PyLong_AsSsize_t(maxlenobj);
        if (r->maxlen == -1 && PyErr_Occurred())
            return -1;
        if (r->maxlen < 0) {
            PyErr_SetString(PyExc_ValueError, "maxlen must be non-negative");
            return -1;
        }
    }
    if (RING_LEN(r) > 0)
        ring_clear(r);
    if (iterable != NULL)
        return ring_extend_internal(r, iterable, 0);
    return 0;
}

static PyObject *
ring_append(RingObject *r, PyObject *item)
{
    if (ring_append_steal(r, Py_NewRef(item)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
ring_appendleft(RingObject *r, PyObject *item)
{
    if (ring_appendleft_steal(r, Py_NewRef(item)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
ring_pop(RingObject *r, PyObject *Py_UNUSED(ignored))
{
    return ring_pop_internal(r);
}

static PyObject *
ring_popleft(RingObject *r, PyObject *Py_UNUSED(ignored))
{
    return ring_popleft_internal(r);
}

static PyObject *
ring_extend(RingObject *r, PyObject *iterable)
{
    if (ring_extend_internal(r, iterable, 0) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
ring_extendleft(RingObject *r, PyObject *iterable)
{
    if (ring_extend_internal(r, iterable, 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
ring_clearmethod(RingObject *r, PyObject *Py_UNUSED(ignored))
{
    ring_clear(r);
    Py_RETURN_NONE;
}

static PyObject *
ring_rotate(RingObject *r, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t n = 1, len = RING_LEN(r), i;
    PyObject **tmp;

    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "rotate() takes at most 1 argument");
        return NULL;
    }
    if (nargs == 1) {
        n = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
        if (n == -1 && PyErr_Occurred())
            return NULL;
    }
    if (len <= 1)
        Py_RETURN_NONE;
    n %= len;
    if (n < 0)
        n += len;
    if (n == 0)
        Py_RETURN_NONE;
    /* Linearize, then rotate into a fresh buffer. */
    tmp = PyMem_New(PyObject *, r->capacity);
    if (tmp == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < len; i++)
        tmp[(i + n) % len] = RING_SLOT(r, i);
    PyMem_Free(r->items);
    r->items = tmp;
    r->head = 0;
    r->state++;
    Py_RETURN_NONE;
}

static PyObject *
ring_count(RingObject *r, PyObject *v)
{
    Py_ssize_t i, n = RING_LEN(r), count = 0;
    size_t start_state = r->state;

    for (i = 0; i < n; i++) {
        PyObject *item = Py_NewRef(RING_SLOT(r, i));
        int cmp = PyObject_RichCompareBool(item, v, Py_EQ);
        Py_DECREF(item);
        if (cmp < 0)
            return NULL;
        count += cmp;
        if (start_state != r->state) {
            PyErr_SetString(PyExc_RuntimeError, "Ring mutated during iteration");
            return NULL;
        }
    }
    return PyLong_FromSsize_t(count);
}

static PyObject *
ring_index(RingObject *r, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t i, start = 0, stop = PY_SSIZE_T_MAX;
    PyObject *v;
    size_t start_state = r->state;

    if (nargs < 1 || nargs > 3) {
        PyErr_SetString(PyExc_TypeError, "index() takes 1 to 3 arguments");
        return NULL;
    }
    v = args[0];
    if (nargs > 1 && !_PyEval_SliceIndexNotNone(args[1], &start))
        return NULL;
    if (nargs > 2 && !_PyEval_SliceIndexNotNone(args[2], &stop))
        return NULL;
    if (start < 0) {
        start += RING_LEN(r);
        if (start < 0)
            start = 0;
    }
    if (stop < 0) {
        stop += RING_LEN(r);
        if (stop < 0)
            stop = 0;
    }
    if (stop > RING_LEN(r))
        stop = RING_LEN(r);
    for (i = start; i < stop; i++) {
        PyObject *item = Py_NewRef(RING_SLOT(r, i));
        int cmp = PyObject_RichCompareBool(item, v, Py_EQ);
        Py_DECREF(item);
        if (cmp > 0)
            return PyLong_FromSsize_t(i);
        if (cmp < 0)
            return NULL;
        if (start_state != r->state) {
            PyErr_SetString(PyExc_RuntimeError, "Ring mutated during iteration");
            return NULL;
        }
    }
    PyErr_SetString(PyExc_ValueError, "value is not in Ring");
    return NULL;
}

static PyObject *
ring_copy(RingObject *r, PyObject *Py_UNUSED(ignored))
{
    RingObject *c;
    Py_ssize_t i;

    c = (RingObject *)ring_new(Py_TYPE(r), NULL, NULL);
    if (c == NULL)
        return NULL;
    c->maxlen = r->maxlen;
    for (i = 0; i < RING_LEN(r); i++) {
        if (ring_append_steal(c, Py_NewRef(RING_SLOT(r, i))) < 0) {
            Py_DECREF(c);
            return NULL;
        }
    }
    return (PyObject *)c;
}

static PyObject *
ring_reduce(RingObject *r, PyObject *Py_UNUSED(ignored))
{
    PyObject *list = PySequence_List((PyObject *)r), *res;
    if (list == NULL)
        return NULL;
    if (r->maxlen < 0)
        res = Py_BuildValue("O(O)", Py_TYPE(r), list);
    else
        res = Py_BuildValue("O(On)", Py_TYPE(r), list, r->maxlen);
    Py_DECREF(list);
    return res;
}

static PyObject *
ring_sizeof(RingObject *r, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t res = _PyObject_SIZE(Py_TYPE(r));
    res += r->capacity * (Py_ssize_t)sizeof(PyObject *);
    return PyLong_FromSsize_t(res);
}

static Py_ssize_t
ring_length(RingObject *r)
{
    return RING_LEN(r);
}

static PyObject *
ring_item(RingObject *r, Py_ssize_t i)
{
    if (fc_check_index(i, RING_LEN(r), "Ring") < 0)
        return NULL;
    return Py_NewRef(RING_SLOT(r, i));
}

static int
ring_ass_item(RingObject *r, Py_ssize_t i, PyObject *v)
{
    PyObject *old;

    if (fc_check_index(i, RING_LEN(r), "Ring assignment") < 0)
        return -1;
    if (v == NULL) {
        /* delete: rotate i to the front, pop, rotate back */
        Py_ssize_t k;
        for (k = i; k > 0; k--) {
            PyObject *tmp = RING_SLOT(r, k);
            RING_SLOT(r, k) = RING_SLOT(r, k - 1);
            RING_SLOT(r, k - 1) = tmp;
        }
        old = ring_popleft_internal(r);
        Py_XDECREF(old);
        return old ? 0 : -1;
    }
    old = RING_SLOT(r, i);
    RING_SLOT(r, i) = Py_NewRef(v);
    Py_DECREF(old);
    return 0;
}

static int
ring_contains(RingObject *r, PyObject *v)
{
    Py_ssize_t i;
    for (i = 0; i < RING_LEN(r); i++) {
        PyObject *item = Py_NewRef(RING_SLOT(r, i));
        int cmp = PyObject_RichCompareBool(item, v, Py_EQ);
        Py_DECREF(item);
        if (cmp != 0)
            return cmp;
    }
    return 0;
}

static PyObject *
ring_concat(RingObject *r, PyObject *other)
{
    RingObject *res;
    if (!Ring_Check(other))
        return fc_type_error("Ring", other);
    res = (RingObject *)ring_copy(r, NULL);
    if (res == NULL)
        return NULL;
    if (ring_extend_internal(res, other, 0) < 0) {
        Py_DECREF(res);
        return NULL;
    }
    return (PyObject *)res;
}

static PySequenceMethods ring_as_sequence = {
    (lenfunc)ring_length,               /* sq_length */
    (binaryfunc)ring_concat,            /* sq_concat */
    0,                                  /* sq_repeat */
    (ssizeargfunc)ring_item,            /* sq_item */
    0,                                  /* was_sq_slice */
    (ssizeobjargproc)ring_ass_item,     /* sq_ass_item */
    0,                                  /* was_sq_ass_slice */
    (objobjproc)ring_contains,          /* sq_contains */
    0,                                  /* sq_inplace_concat */
    0,                                  /* sq_inplace_repeat */
};

static PyObject *
ring_repr(RingObject *r)
{
    PyObject *list, *res;
    int rc = Py_ReprEnter((PyObject *)r);

    if (rc != 0)
        return rc > 0 ? PyUnicode_FromString("Ring([...])") : NULL;
    list = PySequence_List((PyObject *)r);
    if (list == NULL) {
        Py_ReprLeave((PyObject *)r);
        return NULL;
    }
    if (r->maxlen >= 0)
        res = PyUnicode_FromFormat("%s(%R, maxlen=%zd)",
                                   FC_TYPE_NAME(Py_TYPE(r)), list, r->maxlen);
    else
        res = PyUnicode_FromFormat("%s(%R)", FC_TYPE_NAME(Py_TYPE(r)), list);
    Py_ReprLeave((PyObject *)r);
    Py_DECREF(list);
    return res;
}

static PyObject *
ring_richcompare(PyObject *v, PyObject *w, int op)
{
    RingObject *a, *b;
    Py_ssize_t i, n;

    if (!Ring_Check(v) || !Ring_Check(w))
        Py_RETURN_NOTIMPLEMENTED;
    a = (RingObject *)v;
    b = (RingObject *)w;
    if ((op == Py_EQ || op == Py_NE) && RING_LEN(a) != RING_LEN(b)) {
        if (op == Py_EQ)
            Py_RETURN_FALSE;
        Py_RETURN_TRUE;
    }
    n = Py_MIN(RING_LEN(a), RING_LEN(b));
    for (i = 0; i < n; i++) {
        PyObject *x = RING_SLOT(a, i), *y = RING_SLOT(b, i);
        int eq = PyObject_RichCompareBool(x, y, Py_EQ);
        if (eq < 0)
            return NULL;
        if (!eq) {
            if (op == Py_EQ)
                Py_RETURN_FALSE;
            if (op == Py_NE)
                Py_RETURN_TRUE;
            return PyObject_RichCompare(x, y, op);
        }
    }
    Py_RETURN_RICHCOMPARE(RING_LEN(a), RING_LEN(b), op);
}

static PyObject *
ring_get_maxlen(RingObject *r, void *Py_UNUSED(closure))
{
    if (r->maxlen < 0)
        Py_RETURN_NONE;
    return PyLong_FromSsize_t(r->maxlen);
}

static PyGetSetDef ring_getset[] = {
    {"maxlen", (getter)ring_get_maxlen, NULL, "maximum size, or None", NULL},
    {NULL}
};

static PyObject *ring_iter(RingObject *r);
static PyObject *ring_reversed(RingObject *r, PyObject *Py_UNUSED(ignored));

static PyMethodDef ring_methods[] = {
    {"append", (PyCFunction)ring_append, METH_O, "Add an item to the right."},
    {"appendleft", (PyCFunction)ring_appendleft, METH_O, "Add an item to the left."},
    {"pop", (PyCFunction)ring_pop, METH_NOARGS, "Remove the rightmost item."},
    {"popleft", (PyCFunction)ring_popleft, METH_NOARGS, "Remove the leftmost item."},
    {"extend", (PyCFunction)ring_extend, METH_O, NULL},
    {"extendleft", (PyCFunction)ring_extendleft, METH_O, NULL},
    {"clear", (PyCFunction)ring_clearmethod, METH_NOARGS, NULL},
    {"rotate", (PyCFunction)(void (*)(void))ring_rotate, METH_FASTCALL, NULL},
    {"count", (PyCFunction)ring_count, METH_O, NULL},
    {"index", (PyCFunction)(void (*)(void))ring_index, METH_FASTCALL, NULL},
    {"copy", (PyCFunction)ring_copy, METH_NOARGS, NULL},
    {"__copy__", (PyCFunction)ring_copy, METH_NOARGS, NULL},
    {"__reduce__", (PyCFunction)ring_reduce, METH_NOARGS, NULL},
    {"__sizeof__", (PyCFunction)ring_sizeof, METH_NOARGS, NULL},
    {"__reversed__", (PyCFunction)ring_reversed, METH_NOARGS, NULL},
#if FC_GENERIC_ALIAS
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
#endif
    {NULL, NULL}
};

static PyTypeObject Ring_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    "fastcoll.Ring",                            /* tp_name */
    sizeof(RingObject),                         /* tp_basicsize */
    0,                                          /* tp_itemsize */
    (destructor)ring_dealloc,                   /* tp_dealloc */
    0,                                          /* tp_vectorcall_offset */
    0,                                          /* tp_getattr */
    0,                                          /* tp_setattr */
    0,                                          /* tp_as_async */
    (reprfunc)ring_repr,                        /* tp_repr */
    0,                                          /* tp_as_number */
    &ring_as_sequence,                          /* tp_as_sequence */
    0,                                          /* tp_as_mapping */
    PyObject_HashNotImplemented,                /* tp_hash */
    0,                                          /* tp_call */
    0,                                          /* tp_str */
    PyObject_GenericGetAttr,                    /* tp_getattro */
    0,                                          /* tp_setattro */
    0,                                          /* tp_as_buffer */
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    "Ring([iterable[, maxlen]]) --> ring-buffer deque",  /* tp_doc */
    (traverseproc)ring_traverse,                /* tp_traverse */
    (inquiry)ring_clear,                        /* tp_clear */
    ring_richcompare,                           /* tp_richcompare */
    offsetof(RingObject, weakreflist),          /* tp_weaklistoffset */
    (getiterfunc)ring_iter,                     /* tp_iter */
    0,                                          /* tp_iternext */
    ring_methods,                               /* tp_methods */
    0,                                          /* tp_members */
    ring_getset,                                /* tp_getset */
    0,                                          /* tp_base */
    0,                                          /* tp_dict */
    0,                                          /* tp_descr_get */
    0,                                          /* tp_descr_set */
    0,                                          /* tp_dictoffset */
    (initproc)ring_init,                        /* tp_init */
    PyType_GenericAlloc,                        /* tp_alloc */
    ring_new,                                   /* tp_new */
    PyObject_GC_Del,                            /* tp_free */
};

/* ---- Ring iterator ----------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    RingObject *ring;
    Py_ssize_t index;
    size_t state;
    int reverse;
} RingIterObject;

static PyObject *
ring_make_iter(RingObject *r, int reverse)
{
    RingIterObject *it = PyObject_GC_New(RingIterObject, &RingIter_Type);
    if (it == NULL)
        return NULL;
    it->ring = (RingObject *)Py_NewRef(r);
    it->index = 0;
    it->state = r->state;
    it->reverse = reverse;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *
ring_iter(RingObject *r)
{
    return ring_make_iter(r, 0);
}

static PyObject *
ring_reversed(RingObject *r, PyObject *Py_UNUSED(ignored))
{
    return ring_make_iter(r, 1);
}

static void
ringiter_dealloc(RingIterObject *it)
{
    PyObject_GC_UnTrack(it);
    Py_XDECREF(it->ring);
    PyObject_GC_Del(it);
}

static int
ringiter_traverse(RingIterObject *it, visitproc visit, void *arg)
{
    Py_VISIT(it->ring);
    return 0;
}

static PyObject *
ringiter_next(RingIterObject *it)
{
    RingObject *r = it->ring;
    Py_ssize_t i;

    if (r == NULL)
        return NULL;
    if (it->state != r->state) {
        PyErr_SetString(PyExc_RuntimeError, "Ring mutated during iteration");
        Py_CLEAR(it->ring);
        return NULL;
    }
    if (it->index >= RING_LEN(r)) {
        Py_CLEAR(it->ring);
        return NULL;
    }
    i = it->reverse ? RING_LEN(r) - 1 - it->index : it->index;
    it->index++;
    return Py_NewRef(RING_SLOT(r, i));
}

static PyObject *
ringiter_length_hint(RingIterObject *it, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t n = 0;
    if (it->ring != NULL)
        n = RING_LEN(it->ring) - it->index;
    return PyLong_FromSsize_t(n > 0 ? n : 0);
}

static PyMethodDef ringiter_methods[] = {
    {"__length_hint__", (PyCFunction)ringiter_length_hint, METH_NOARGS, NULL},
    {NULL, NULL}
};

static PyTypeObject RingIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fastcoll._RingIterator",
    .tp_basicsize = sizeof(RingIterObject),
    .tp_dealloc = (destructor)ringiter_dealloc,
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)ringiter_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)ringiter_next,
    .tp_methods = ringiter_methods,
};

/* ------------------------------------------------------------------------ */
/* SortedDict: keys kept in a sorted Python list next to a dict              */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *keys;     /* list, sorted */
    PyObject *map;      /* dict key -> value */
    PyObject *keyfunc;  /* optional sort key, or NULL */
} SortedDictObject;

static PyTypeObject SortedDict_Type;

#define SortedDict_Check(op) PyObject_TypeCheck(op, &SortedDict_Type)

/* Binary search over the sorted key list; returns the insertion point. */
static Py_ssize_t
sd_bisect(SortedDictObject *sd, PyObject *key, int right)
{
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(sd->keys);
    PyObject *k = fc_apply_key(sd->keyfunc, key);

    if (k == NULL)
        return -1;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        PyObject *mk = fc_apply_key(sd->keyfunc, PyList_GET_ITEM(sd->keys, mid));
        int lt;
        if (mk == NULL) {
            Py_DECREF(k);
            return -1;
        }
        lt = right ? fc_less(k, mk) : fc_less(mk, k);
        Py_DECREF(mk);
        if (lt < 0) {
            Py_DECREF(k);
            return -1;
        }
        if (right) {
            if (lt)
                hi = mid;
            else
                lo = mid + 1;
        }
        else {
            if (lt)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    Py_DECREF(k);
    return lo;
}

static PyObject *
sd_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    SortedDictObject *sd = (SortedDictObject *)type->tp_alloc(type, 0);
    if (sd == NULL)
        return NULL;
    sd->keys = PyList_New(0);
    sd->map = PyDict_New();
    sd->keyfunc = NULL;
    if (sd->keys == NULL || sd->map == NULL) {
        Py_DECREF(sd);
        return NULL;
    }
    return (PyObject *)sd;
}

static int
sd_setitem(SortedDictObject *sd, PyObject *key, PyObject *value)
{
    int present;
    Py_ssize_t pos;

    present = PyDict_Contains(sd->map, key);
    if (present < 0)
        return -1;
    if (value == NULL) {
        PyObject *slice;
        if (!present) {
            PyErr_SetObject(PyExc_KeyError, key);
            return -1;
        }
        pos = sd_bisect(sd, key, 0);
        if (pos < 0)
            return -1;
        /* remove keys[pos] */
        slice = PyList_GetSlice(sd->keys, pos, pos + 1);
        if (slice == NULL)
            return -1;
        Py_DECREF(slice);
        if (PyList_SetSlice(sd->keys, pos, pos + 1, NULL) < 0)
            return -1;
        return PyDict_DelItem(sd->map, key);
    }
    if (!present) {
        pos = sd_bisect(sd, key, 1);
        if (pos < 0)
            return -1;
        if (PyList_Insert(sd->keys, pos, key) < 0)
            return -1;
    }
    return PyDict_SetItem(sd->map, key, value);
}

static int
sd_update_from(SortedDictObject *sd, PyObject *other)
{
    PyObject *key, *value;

    if (PyDict_Check(other)) {
        Py_ssize_t pos = 0;
        while (PyDict_Next(other, &pos, &key, &value)) {
            int r;
            Py_INCREF(key);
            Py_INCREF(value);
            r = sd_setitem(sd, key, value);
            Py_DECREF(key);
            Py_DECREF(value);
            if (r < 0)
                return -1;
        }
        return 0;
    }
    else {
        PyObject *it = PyObject_GetIter(other), *pair;
        if (it == NULL)
            return -1;
        while ((pair = PyIter_Next(it)) != NULL) {
            int r;
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                Py_DECREF(pair);
                Py_DECREF(it);
                PyErr_SetString(PyExc_TypeError, "expected (key, value) pairs");
                return -1;
            }
            r = sd_setitem(sd, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1));
            Py_DECREF(pair);
            if (r < 0) {
                Py_DECREF(it);
                return -1;
            }
        }
        Py_DECREF(it);
        return PyErr_Occurred() ? -1 : 0;
    }
}

static int
sd_init(SortedDictObject *sd, PyObject *args, PyObject *kwds)
{
    PyObject *source = NULL, *keyfunc = NULL;
    static char *kwlist[] = {"source", "key", NULL};

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$O:SortedDict", kwlist,
                                     &source, &keyfunc))
        return -1;
    if (keyfunc != NULL && keyfunc != Py_None) {
        if (!PyCallable_Check(keyfunc)) {
            PyErr_SetString(PyExc_TypeError, "key must be callable");
            return -1;
        }
        Py_XSETREF(sd->keyfunc, Py_NewRef(keyfunc));
    }
    if (source != NULL)
        return sd_update_from(sd, source);
    return 0;
}

static int
sd_traverse(SortedDictObject *sd, visitproc visit, void *arg)
{
    Py_VISIT(sd->keys);
    Py_VISIT(sd->map);
    Py_VISIT(sd->keyfunc);
    return 0;
}

static int
sd_clear(SortedDictObject *sd)
{
    Py_CLEAR(sd->keys);
    Py_CLEAR(sd->map);
    Py_CLEAR(sd->keyfunc);
    return 0;
}

static void
sd_dealloc(SortedDictObject *sd)
{
    PyObject_GC_UnTrack(sd);
    sd_clear(sd);
    Py_TYPE(sd)->tp_free((PyObject *)sd);
}

static Py_ssize_t
sd_length(SortedDictObject *sd)
{
    return PyList_GET_SIZE(sd->keys);
}

static PyObject *
sd_subscript(SortedDictObject *sd, PyObject *key)
{
    PyObject *v = PyDict_GetItemWithError(sd->map, key);
    if (v == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return Py_NewRef(v);
}

static int
sd_ass_subscript(SortedDictObject *sd, PyObject *key, PyObject *value)
{
    return sd_setitem(sd, key, value);
}

static PyMappingMethods sd_as_mapping = {
    .mp_length = (lenfunc)sd_length,
    .mp_subscript = (binaryfunc)sd_subscript,
    .mp_ass_subscript = (objobjargproc)sd_ass_subscript,
};

static int
sd_contains(SortedDictObject *sd, PyObject *key)
{
    return PyDict_Contains(sd->map, key);
}

static PySequenceMethods sd_as_sequence = {
    .sq_contains = (objobjproc)sd_contains,
};

static PyObject *
sd_iter(SortedDictObject *sd)
{
    return PyObject_GetIter(sd->keys);
}

static PyObject *
sd_keys(SortedDictObject *sd, PyObject *Py_UNUSED(ignored))
{
    return PyList_GetSlice(sd->keys, 0, PyList_GET_SIZE(sd->keys));
}

static PyObject *
sd_values(SortedDictObject *sd, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t i, n = PyList_GET_SIZE(sd->keys);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *v = PyDict_GetItemWithError(sd->map, PyList_GET_ITEM(sd->keys, i));
        if (v == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_RuntimeError, "SortedDict is inconsistent");
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, Py_NewRef(v));
    }
    return out;
}

static PyObject *
sd_items(SortedDictObject *sd, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t i, n = PyList_GET_SIZE(sd->keys);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *k = PyList_GET_ITEM(sd->keys, i);
        PyObject *v = PyDict_GetItemWithError(sd->map, k);
        PyObject *pair;
        if (v == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_RuntimeError, "SortedDict is inconsistent");
            Py_DECREF(out);
            return NULL;
        }
        pair = PyTuple_Pack(2, k, v);
        if (pair == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, pair);
    }
    return out;
}

static PyObject *
sd_get(SortedDictObject *sd, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *dflt = Py_None, *v;
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "get() takes 1 or 2 arguments");
        return NULL;
    }
    if (nargs == 2)
        dflt = args[1];
    v = PyDict_GetItemWithError(sd->map, args[0]);
    if (v == NULL) {
        if (PyErr_Occurred())
            return NULL;
        v = dflt;
    }
    return Py_NewRef(v);
}

static PyObject *
sd_peekitem(SortedDictObject *sd, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t index = -1, n = PyList_GET_SIZE(sd->keys);
    PyObject *k, *v;

    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "peekitem() takes at most 1 argument");
        return NULL;
    }
    if (nargs == 1) {
        index = PyLong_AsSsize_t(args[0]);
        if (index == -1 && PyErr_Occurred())
            return NULL;
    }
    if (n == 0) {
        fc_raise_empty("SortedDict");
        return NULL;
    }
    index = fc_normalize_index(index, n);
    if (fc_check_index(index, n, "SortedDict") < 0)
        return NULL;
    k = PyList_GET_ITEM(sd->keys, index);
    v = PyDict_GetItemWithError(sd->map, k);
    if (v == NULL)
        return NULL;
    return PyTuple_Pack(2, k, v);
}

static PyObject *
sd_popitem(SortedDictObject *sd, PyObject *Py_UNUSED(ignored))
{
    PyObject *item = sd_peekitem(sd, NULL, 0);
    if (item == NULL)
        return NULL;
    if (sd_setitem(sd, PyTuple_GET_ITEM(item, 0), NULL) < 0) {
        Py_DECREF(item);
        return NULL;
    }
    return item;
}

static PyObject *
sd_irange(SortedDictObject *sd, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"minimum", "maximum", "inclusive_max", NULL};
    PyObject *lo = Py_None, *hi = Py_None;
    int inclusive = 1;
    Py_ssize_t start = 0, stop = PyList_GET_SIZE(sd->keys);

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOp:irange", kwlist,
                                     &lo, &hi, &inclusive))
        return NULL;
    if (lo != Py_None) {
        start = sd_bisect(sd, lo, 0);
        if (start < 0)
            return NULL;
    }
    if (hi != Py_None) {
        stop = sd_bisect(sd, hi, inclusive);
        if (stop < 0)
            return NULL;
    }
    if (stop < start)
        stop = start;
    return PyList_GetSlice(sd->keys, start, stop);
}

static PyObject *
sd_bisect_method(SortedDictObject *sd, PyObject *key)
{
    Py_ssize_t pos = sd_bisect(sd, key, 1);
    if (pos < 0)
        return NULL;
    return PyLong_FromSsize_t(pos);
}

static PyObject *
sd_update(SortedDictObject *sd, PyObject *args, PyObject *kwds)
{
    PyObject *other = NULL;
    if (!PyArg_UnpackTuple(args, "update", 0, 1, &other))
        return NULL;
    if (other != NULL && sd_update_from(sd, other) < 0)
        return NULL;
    if (kwds != NULL && sd_update_from(sd, kwds) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
sd_repr(SortedDictObject *sd)
{
    PyObject *items, *res;
    int rc = Py_ReprEnter((PyObject *)sd);
    if (rc != 0)
        return rc > 0 ? PyUnicode_FromString("SortedDict({...})") : NULL;
    items = sd_items(sd, NULL);
    if (items == NULL) {
        Py_ReprLeave((PyObject *)sd);
        return NULL;
    }
    res = PyUnicode_FromFormat("%s(%R)", Py_TYPE(sd)->tp_name, items);
    Py_DECREF(items);
    Py_ReprLeave((PyObject *)sd);
    return res;
}

static PyObject *
sd_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!SortedDict_Check(a) || !SortedDict_Check(b) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    return PyObject_RichCompare(((SortedDictObject *)a)->map,
                                ((SortedDictObject *)b)->map, op);
}

static PyMethodDef sd_methods[] = {
    {"keys", (PyCFunction)sd_keys, METH_NOARGS, NULL},
    {"values", (PyCFunction)sd_values, METH_NOARGS, NULL},
    {"items", (PyCFunction)sd_items, METH_NOARGS, NULL},
    {"get", (PyCFunction)(void (*)(void))sd_get, METH_FASTCALL, NULL},
    {"peekitem", (PyCFunction)(void (*)(void))sd_peekitem, METH_FASTCALL, NULL},
    {"popitem", (PyCFunction)sd_popitem, METH_NOARGS, NULL},
    {"irange", (PyCFunction)(void (*)(void))sd_irange, METH_VARARGS | METH_KEYWORDS, NULL},
    {"bisect", (PyCFunction)sd_bisect_method, METH_O, NULL},
    {"update", (PyCFunction)(void (*)(void))sd_update, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL}
};

static PyMemberDef sd_members[] = {
    {"key", T_OBJECT, offsetof(SortedDictObject, keyfunc), READONLY,
     "the sort key function, or None"},
    {NULL}
};

static PyTypeObject SortedDict_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fastcoll.SortedDict",
    .tp_basicsize = sizeof(SortedDictObject),
    .tp_dealloc = (destructor)sd_dealloc,
    .tp_repr = (reprfunc)sd_repr,
    .tp_as_sequence = &sd_as_sequence,
    .tp_as_mapping = &sd_as_mapping,
    .tp_hash = PyObject_HashNotImplemented,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A dict that keeps its keys sorted.",
    .tp_traverse = (traverseproc)sd_traverse,
    .tp_clear = (inquiry)sd_clear,
    .tp_richcompare = sd_richcompare,
    .tp_iter = (getiterfunc)sd_iter,
    .tp_methods = sd_methods,
    .tp_members = sd_members,
    .tp_init = (initproc)sd_init,
    .tp_new = sd_new,
};

/* ------------------------------------------------------------------------ */
/* BitSet: fixed-size bit set with buffer and number protocols             */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_VAR_HEAD              /* ob_size = number of 64-bit words */
    Py_ssize_t nbits;
    Py_ssize_t exports;
    Py_hash_t hash;                /* -1 until computed; frozen once hashed */
    uint64_t words[1];
} BitSetObject;

static PyTypeObject BitSet_Type;

#define BitSet_Check(op) PyObject_TypeCheck(op, &BitSet_Type)
#define BS_WORDS(nbits) (((nbits) + 63) / 64)

static BitSetObject *
bitset_alloc(PyTypeObject *type, Py_ssize_t nbits)
{
    Py_ssize_t nwords = BS_WORDS(nbits);
    BitSetObject *bs;

    if (nwords == 0)
        nwords = 1;
    bs = (BitSetObject *)type->tp_alloc(type, nwords);
    if (bs == NULL)
        return NULL;
    bs->nbits = nbits;
    bs->exports = 0;
    bs->hash = -1;
    memset(bs->words, 0, (size_t)nwords * sizeof(uint64_t));
    return bs;
}

static PyObject *
bitset_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"nbits", "bits", NULL};
    Py_ssize_t nbits;
    PyObject *bits = NULL;
    BitSetObject *bs;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "n|O:BitSet", kwlist, &nbits, &bits))
        return NULL;
    if (nbits < 0) {
        PyErr_SetString(PyExc_ValueError, "nbits must be >= 0");
        return NULL;
    }
    bs = bitset_alloc(type, nbits);
    if (bs == NULL)
        return NULL;
    if (bits != NULL) {
        PyObject *it = PyObject_GetIter(bits), *item;
        if (it == NULL) {
            Py_DECREF(bs);
            return NULL;
        }
        while ((item = PyIter_Next(it)) != NULL) {
            Py_ssize_t i = PyNumber_AsSsize_t(item, PyExc_IndexError);
            Py_DECREF(item);
            if (i == -1 && PyErr_Occurred())
                break;
            if (fc_check_index(i, nbits, "BitSet") < 0)
                break;
            bs->words[i / 64] |= (uint64_t)1 << (i % 64);
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            Py_DECREF(bs);
            return NULL;
        }
    }
    return (PyObject *)bs;
}

static int
bitset_getbuffer(BitSetObject *bs, Py_buffer *view, int flags)
{
    int readonly = bs->hash != -1;
    if (PyBuffer_FillInfo(view, (PyObject *)bs, bs->words,
                          Py_SIZE(bs) * (Py_ssize_t)sizeof(uint64_t),
                          readonly, flags) < 0)
        return -1;
    bs->exports++;
    return 0;
}

static void
bitset_releasebuffer(BitSetObject *bs, Py_buffer *view)
{
    bs->exports--;
}

static PyBufferProcs bitset_as_buffer = {
    .bf_getbuffer = (getbufferproc)bitset_getbuffer,
    .bf_releasebuffer = (releasebufferproc)bitset_releasebuffer,
};

static int
bitset_check_mutable(BitSetObject *bs)
{
    if (bs->hash != -1) {
        PyErr_SetString(PyExc_TypeError, "BitSet is frozen after hashing");
        return -1;
    }
    if (bs->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "BitSet is exported");
        return -1;
    }
    return 0;
}

static PyObject *
bitset_add(BitSetObject *bs, PyObject *arg)
{
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (bitset_check_mutable(bs) < 0 || fc_check_index(i, bs->nbits, "BitSet") < 0)
        return NULL;
    bs->words[i / 64] |= (uint64_t)1 << (i % 64);
    Py_RETURN_NONE;
}

static PyObject *
bitset_discard(BitSetObject *bs, PyObject *arg)
{
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (bitset_check_mutable(bs) < 0 || fc_check_index(i, bs->nbits, "BitSet") < 0)
        return NULL;
    bs->words[i / 64] &= ~((uint64_t)1 << (i % 64));
    Py_RETURN_NONE;
}

static Py_ssize_t
bitset_popcount(BitSetObject *bs)
{
    Py_ssize_t i, total = 0;
    for (i = 0; i < Py_SIZE(bs); i++) {
        uint64_t w = bs->words[i];
        while (w) {
            w &= w - 1;
            total++;
        }
    }
    return total;
}

static Py_ssize_t
bitset_length(BitSetObject *bs)
{
    return bitset_popcount(bs);
}

static int
bitset_contains(BitSetObject *bs, PyObject *arg)
{
    Py_ssize_t i;
    if (!PyIndex_Check(arg))
        return 0;
    i = PyNumber_AsSsize_t(arg, NULL);
    if (i == -1 && PyErr_Occurred())
        return -1;
    if (i < 0 || i >= bs->nbits)
        return 0;
    return (bs->words[i / 64] >> (i % 64)) & 1;
}

static PySequenceMethods bitset_as_sequence = {
    .sq_length = (lenfunc)bitset_length,
    .sq_contains = (objobjproc)bitset_contains,
};

typedef enum { BS_AND, BS_OR, BS_XOR, BS_SUB } bs_op;

static PyObject *
bitset_binop(PyObject *a, PyObject *b, bs_op op)
{
    BitSetObject *x, *y, *r;
    Py_ssize_t i;

    if (!BitSet_Check(a) || !BitSet_Check(b))
        Py_RETURN_NOTIMPLEMENTED;
    x = (BitSetObject *)a;
    y = (BitSetObject *)b;
    if (x->nbits != y->nbits) {
        PyErr_SetString(PyExc_ValueError, "BitSet sizes differ");
        return NULL;
    }
    r = bitset_alloc(Py_TYPE(x), x->nbits);
    if (r == NULL)
        return NULL;
    for (i = 0; i < Py_SIZE(x); i++) {
        switch (op) {
        case BS_AND: r->words[i] = x->words[i] & y->words[i]; break;
        case BS_OR:  r->words[i] = x->words[i] | y->words[i]; break;
        case BS_XOR: r->words[i] = x->words[i] ^ y->words[i]; break;
        case BS_SUB: r->words[i] = x->words[i] & ~y->words[i]; break;
        }
    }
    return (PyObject *)r;
}

static PyObject *bitset_and(PyObject *a, PyObject *b) { return bitset_binop(a, b, BS_AND); }
static PyObject *bitset_or(PyObject *a, PyObject *b) { return bitset_binop(a, b, BS_OR); }
static PyObject *bitset_xor(PyObject *a, PyObject *b) { return bitset_binop(a, b, BS_XOR); }
static PyObject *bitset_sub(PyObject *a, PyObject *b) { return bitset_binop(a, b, BS_SUB); }

static PyObject *
bitset_invert(BitSetObject *bs)
{
    BitSetObject *r = bitset_alloc(Py_TYPE(bs), bs->nbits);
    Py_ssize_t i;
    if (r == NULL)
        return NULL;
    for (i = 0; i < Py_SIZE(bs); i++)
        r->words[i] = ~bs->words[i];
    if (bs->nbits % 64)
        r->words[Py_SIZE(bs) - 1] &= ((uint64_t)1 << (bs->nbits % 64)) - 1;
    return (PyObject *)r;
}

static int
bitset_bool(BitSetObject *bs)
{
    Py_ssize_t i;
    for (i = 0; i < Py_SIZE(bs); i++)
        if (bs->words[i])
            return 1;
    return 0;
}

static PyObject *
bitset_inplace_or(PyObject *a, PyObject *b)
{
    BitSetObject *x, *y;
    Py_ssize_t i;
    if (!BitSet_Check(a) || !BitSet_Check(b))
        Py_RETURN_NOTIMPLEMENTED;
    x = (BitSetObject *)a;
    y = (BitSetObject *)b;
    if (bitset_check_mutable(x) < 0)
        return NULL;
    if (x->nbits != y->nbits) {
        PyErr_SetString(PyExc_ValueError, "BitSet sizes differ");
        return NULL;
    }
    for (i = 0; i < Py_SIZE(x); i++)
        x->words[i] |= y->words[i];
    return Py_NewRef(a);
}

static PyNumberMethods bitset_as_number = {
    .nb_bool = (inquiry)bitset_bool,
    .nb_invert = (unaryfunc)bitset_invert,
    .nb_and = bitset_and,
    .nb_xor = bitset_xor,
    .nb_or = bitset_or,
    .nb_subtract = bitset_sub,
    .nb_inplace_or = bitset_inplace_or,
};

static Py_hash_t
bitset_hash(BitSetObject *bs)
{
    Py_hash_t h;
    Py_ssize_t i;

    if (bs->hash != -1)
        return bs->hash;
    if (bs->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "cannot hash an exported BitSet");
        return -1;
    }
    h = (Py_hash_t)bs->nbits;
    for (i = 0; i < Py_SIZE(bs); i++)
        h = h * 1000003 ^ (Py_hash_t)(bs->words[i] ^ (bs->words[i] >> 32));
    if (h == -1)
        h = -2;
    bs->hash = h;
    return h;
}

static PyObject *
bitset_richcompare(PyObject *a, PyObject *b, int op)
{
    BitSetObject *x, *y;
    int eq;
    if (!BitSet_Check(a) || !BitSet_Check(b) || (op != Py_EQ && op != Py_NE))
        Py_RETURN_NOTIMPLEMENTED;
    x = (BitSetObject *)a;
    y = (BitSetObject *)b;
    eq = x->nbits == y->nbits &&
         memcmp(x->words, y->words, (size_t)Py_SIZE(x) * sizeof(uint64_t)) == 0;
    if ((op == Py_EQ) == eq)
        Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

static PyObject *
bitset_tolist(BitSetObject *bs, PyObject *Py_UNUSED(ignored))
{
    PyObject *out = PyList_New(0);
    Py_ssize_t i;
    if (out == NULL)
        return NULL;
    for (i = 0; i < bs->nbits; i++) {
        if ((bs->words[i / 64] >> (i % 64)) & 1) {
            PyObject *v = PyLong_FromSsize_t(i);
            if (v == NULL || PyList_Append(out, v) < 0) {
                Py_XDECREF(v);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(v);
        }
    }
    return out;
}

static PyObject *
bitset_tobytes(BitSetObject *bs, PyObject *Py_UNUSED(ignored))
{
    return PyBytes_FromStringAndSize((const char *)bs->words,
                                     BS_WORDS(bs->nbits) * (Py_ssize_t)sizeof(uint64_t));
}

static PyObject *
bitset_frombytes(PyTypeObject *type, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t nbits;
    BitSetObject *bs;

    if (!PyArg_ParseTuple(args, "y*n:frombytes", &view, &nbits))
        return NULL;
    if (nbits < 0 || BS_WORDS(nbits) * (Py_ssize_t)sizeof(uint64_t) > view.len) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "not enough bytes for nbits");
        return NULL;
    }
    bs = bitset_alloc(type, nbits);
    if (bs != NULL)
        memcpy(bs->words, view.buf, (size_t)BS_WORDS(nbits) * sizeof(uint64_t));
    PyBuffer_Release(&view);
    return (PyObject *)bs;
}

static PyObject *
bitset_repr(BitSetObject *bs)
{
    PyObject *bits = bitset_tolist(bs, NULL), *res;
    if (bits == NULL)
        return NULL;
    res = PyUnicode_FromFormat("BitSet(%zd, %R)", bs->nbits, bits);
    Py_DECREF(bits);
    return res;
}

static PyObject *
bitset_reduce(BitSetObject *bs, PyObject *Py_UNUSED(ignored))
{
    PyObject *bits = bitset_tolist(bs, NULL), *res;
    if (bits == NULL)
        return NULL;
    res = Py_BuildValue("O(nN)", (PyObject *)Py_TYPE(bs), bs->nbits, bits);
    return res;
}

static PyObject *
bitset_get_nbits(BitSetObject *bs, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(bs->nbits);
}

static PyGetSetDef bitset_getset[] = {
    {"nbits", (getter)bitset_get_nbits, NULL, NULL, NULL},
    {NULL}
};

static PyMethodDef bitset_methods[] = {
    {"add", (PyCFunction)bitset_add, METH_O, NULL},
    {"discard", (PyCFunction)bitset_discard, METH_O, NULL},
    {"tolist", (PyCFunction)bitset_tolist, METH_NOARGS, NULL},
    {"tobytes", (PyCFunction)bitset_tobytes, METH_NOARGS, NULL},
    {"frombytes", (PyCFunction)bitset_frombytes, METH_VARARGS | METH_CLASS, NULL},
    {"__reduce__", (PyCFunction)bitset_reduce, METH_NOARGS, NULL},
    {NULL, NULL}
};

static PyTypeObject BitSet_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fastcoll.BitSet",
    .tp_basicsize = offsetof(BitSetObject, words),
    .tp_itemsize = sizeof(uint64_t),
    .tp_repr = (reprfunc)bitset_repr,
    .tp_as_number = &bitset_as_number,
    .tp_as_sequence = &bitset_as_sequence,
    .tp_hash = (hashfunc)bitset_hash,
    .tp_as_buffer = &bitset_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "BitSet(nbits[, bits])",
    .tp_richcompare = bitset_richcompare,
    .tp_methods = bitset_methods,
    .tp_getset = bitset_getset,
    .tp_new = bitset_new,
};

/* ------------------------------------------------------------------------ */
/* FrequencyTable: a heap type created from a spec (the newer code)         */
/* ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *counts;       /* dict item -> int */
    Py_ssize_t total;
} FreqObject;

static PyObject *
freq_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    FreqObject *self;
    PyObject *iterable = NULL;
#ifdef Py_LIMITED_API
    allocfunc alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
#else
    allocfunc alloc = type->tp_alloc;
#endif

    if (!PyArg_UnpackTuple(args, "FrequencyTable", 0, 1, &iterable))
        return NULL;
    self = (FreqObject *)alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->counts = PyDict_New();
    if (self->counts == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->total = 0;
    if (iterable != NULL) {
        PyObject *it = PyObject_GetIter(iterable), *item;
        if (it == NULL) {
            Py_DECREF(self);
            return NULL;
        }
        while ((item = PyIter_Next(it)) != NULL) {
            PyObject *old = PyDict_GetItemWithError(self->counts, item);
            long c = old ? PyLong_AsLong(old) : 0;
            PyObject *nc;
            if (old == NULL && PyErr_Occurred()) {
                Py_DECREF(item);
                break;
            }
            nc = PyLong_FromLong(c + 1);
            if (nc == NULL || PyDict_SetItem(self->counts, item, nc) < 0) {
                Py_XDECREF(nc);
                Py_DECREF(item);
                break;
            }
            Py_DECREF(nc);
            Py_DECREF(item);
            self->total++;
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}

static int
freq_traverse(FreqObject *self, visitproc visit, void *arg)
{
#if PY_VERSION_HEX >= 0x03090000
    Py_VISIT(Py_TYPE(self));
#endif
    Py_VISIT(self->counts);
    return 0;
}

static int
freq_clear(FreqObject *self)
{
    Py_CLEAR(self->counts);
    return 0;
}

static void
freq_dealloc(FreqObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    freefunc tp_free = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    PyObject_GC_UnTrack(self);
    freq_clear(self);
    tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
freq_most_common(FreqObject *self, PyObject *args)
{
    Py_ssize_t n = -1;
    PyObject *items, *sorted_items, *kwargs, *getter, *sort, *res;
    PyObject *operator_mod;
    fc_state *st = fc_find_state();

    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTuple(args, "|n:most_common", &n))
        return NULL;
    items = PyDict_Items(self->counts);
    if (items == NULL)
        return NULL;
    operator_mod = PyImport_ImportModule("operator");
    if (operator_mod == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    getter = PyObject_CallMethod(operator_mod, "itemgetter", "i", 1);
    Py_DECREF(operator_mod);
    if (getter == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    kwargs = PyDict_New();
    if (kwargs == NULL ||
        PyDict_SetItem(kwargs, st->str_key, getter) < 0 ||
        PyDict_SetItem(kwargs, st->str_reverse, Py_True) < 0) {
        Py_XDECREF(kwargs);
        Py_DECREF(getter);
        Py_DECREF(items);
        return NULL;
    }
    Py_DECREF(getter);
    sort = PyObject_GetAttr(items, st->str_sort);
    if (sort == NULL) {
        Py_DECREF(kwargs);
        Py_DECREF(items);
        return NULL;
    }
    {
        PyObject *empty = PyTuple_New(0);
        sorted_items = empty ? PyObject_Call(sort, empty, kwargs) : NULL;
        Py_XDECREF(empty);
    }
    Py_DECREF(sort);
    Py_DECREF(kwargs);
    if (sorted_items == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    Py_DECREF(sorted_items);
    if (n < 0 || n >= PyList_GET_SIZE(items))
        return items;
    res = PyList_GetSlice(items, 0, n);
    Py_DECREF(items);
    return res;
}

static PyObject *
freq_frequency(FreqObject *self, PyObject *item)
{
    PyObject *c = PyDict_GetItemWithError(self->counts, item);
    double count;
    if (c == NULL) {
        if (PyErr_Occurred())
            return NULL;
        return PyFloat_FromDouble(0.0);
    }
    count = PyLong_AsDouble(c);
    if (count == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(self->total ? count / (double)self->total : 0.0);
}

static PyObject *
freq_subscript(FreqObject *self, PyObject *item)
{
    PyObject *c = PyDict_GetItemWithError(self->counts, item);
    if (c == NULL) {
        if (PyErr_Occurred())
            return NULL;
        return PyLong_FromLong(0);
    }
    return Py_NewRef(c);
}

static Py_ssize_t
freq_length(FreqObject *self)
{
    return PyDict_Size(self->counts);
}

static PyObject *
freq_get_total(FreqObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(self->total);
}

static PyMethodDef freq_methods[] = {
    {"most_common", (PyCFunction)freq_most_common, METH_VARARGS, NULL},
    {"frequency", (PyCFunction)freq_frequency, METH_O, NULL},
    {NULL, NULL}
};

static PyGetSetDef freq_getset[] = {
    {"total", (getter)freq_get_total, NULL, NULL, NULL},
    {NULL}
};

static PyType_Slot freq_slots[] = {
    {Py_tp_new, freq_new},
    {Py_tp_dealloc, freq_dealloc},
    {Py_tp_traverse, freq_traverse},
    {Py_tp_clear, freq_clear},
    {Py_tp_methods, freq_methods},
    {Py_tp_getset, freq_getset},
    {Py_mp_subscript, freq_subscript},
    {Py_mp_length, freq_length},
    {Py_tp_doc, "FrequencyTable([iterable]) -- counts of hashable items"},
    {0, NULL}
};

static PyType_Spec freq_spec = {
    "fastcoll.FrequencyTable",
    sizeof(FreqObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    freq_slots
};

/* ------------------------------------------------------------------------ */
/* lru_cache: a memoizing decorator (heap type, vectorcall when available)   */
/* ------------------------------------------------------------------------ */

typedef struct LRUNode {
    struct LRUNode *prev, *next;
    PyObject *key;
    PyObject *result;
} LRUNode;

typedef struct {
    PyObject_HEAD
    PyObject *func;
    PyObject *cache;        /* dict key -> capsule(LRUNode*) */
    LRUNode root;           /* circular list sentinel */
    Py_ssize_t maxsize;
    Py_ssize_t hits, misses;
    PyObject *dict;         /* __dict__ for functools.update_wrapper */
#if PY_VERSION_HEX >= 0x03080000
    vectorcallfunc vectorcall;
#endif
} LRUObject;

static void
lru_unlink(LRUNode *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
}

static void
lru_push_front(LRUObject *self, LRUNode *n)
{
    n->next = self->root.next;
    n->prev = &self->root;
    self->root.next->prev = n;
    self->root.next = n;
}

static void
lru_node_free(PyObject *capsule)
{
    LRUNode *n = (LRUNode *)PyCapsule_GetPointer(capsule, "fastcoll.lru_node");
    if (n == NULL)
        return;
    Py_XDECREF(n->key);
    Py_XDECREF(n->result);
    PyMem_Free(n);
}

static PyObject *
lru_make_key(PyObject *args, PyObject *kwds)
{
    PyObject *key, *items;
    if (kwds == NULL || PyDict_Size(kwds) == 0) {
        if (PyTuple_GET_SIZE(args) == 1) {
            PyObject *only = PyTuple_GET_ITEM(args, 0);
            if (PyUnicode_CheckExact(only) || PyLong_CheckExact(only))
                return Py_NewRef(only);
        }
        return Py_NewRef(args);
    }
    items = PyDict_Items(kwds);
    if (items == NULL)
        return NULL;
    if (PyList_Sort(items) < 0) {
        Py_DECREF(items);
        return NULL;
    }
    key = PyTuple_Pack(2, args, items);
    Py_DECREF(items);
    if (key == NULL)
        return NULL;
    {
        /* lists are unhashable: convert the sorted items to a tuple */
        PyObject *t = PyList_AsTuple(PyTuple_GET_ITEM(key, 1));
        PyObject *k2;
        if (t == NULL) {
            Py_DECREF(key);
            return NULL;
        }
        k2 = PyTuple_Pack(2, args, t);
        Py_DECREF(t);
        Py_DECREF(key);
        return k2;
    }
}

static PyObject *
lru_call(LRUObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *key, *cap, *result;
    LRUNode *node;

    key = lru_make_key(args, kwds);
    if (key == NULL)
        return NULL;
    cap = PyDict_GetItemWithError(self->cache, key);
    if (cap != NULL) {
        node = (LRUNode *)PyCapsule_GetPointer(cap, "fastcoll.lru_node");
        Py_DECREF(key);
        if (node == NULL)
            return NULL;
        lru_unlink(node);
        lru_push_front(self, node);
        self->hits++;
        return Py_NewRef(node->result);
    }
    if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    }
    self->misses++;
    result = PyObject_Call(self->func, args, kwds);
    if (result == NULL) {
        Py_DECREF(key);
        return NULL;
    }
    if (self->maxsize == 0) {
        Py_DECREF(key);
        return result;
    }
    node = PyMem_Malloc(sizeof(LRUNode));
    if (node == NULL) {
        Py_DECREF(key);
        Py_DECREF(result);
        return PyErr_NoMemory();
    }
    node->key = Py_NewRef(key);
    node->result = Py_NewRef(result);
    cap = PyCapsule_New(node, "fastcoll.lru_node", lru_node_free);
    if (cap == NULL) {
        Py_DECREF(node->key);
        Py_DECREF(node->result);
        PyMem_Free(node);
        Py_DECREF(key);
        return result;
    }
    lru_push_front(self, node);
    if (PyDict_SetItem(self->cache, key, cap) < 0) {
        lru_unlink(node);
        Py_DECREF(cap);
        Py_DECREF(key);
        Py_DECREF(result);
        return NULL;
    }
    Py_DECREF(cap);
    Py_DECREF(key);
    if (self->maxsize > 0 && PyDict_Size(self->cache) > self->maxsize) {
        LRUNode *last = self->root.prev;
        PyObject *lastkey = Py_NewRef(last->key);
        lru_unlink(last);
        if (PyDict_DelItem(self->cache, lastkey) < 0)
            PyErr_Clear();
        Py_DECREF(lastkey);
    }
    return result;
}

#if PY_VERSION_HEX >= 0x03080000
static PyObject *
lru_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
               PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *argtuple, *kwdict = NULL, *res;
    Py_ssize_t i;

    argtuple = PyTuple_New(nargs);
    if (argtuple == NULL)
        return NULL;
    for (i = 0; i < nargs; i++)
        PyTuple_SET_ITEM(argtuple, i, Py_NewRef(args[i]));
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0) {
        kwdict = PyDict_New();
        if (kwdict == NULL) {
            Py_DECREF(argtuple);
            return NULL;
        }
        for (i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
            if (PyDict_SetItem(kwdict, PyTuple_GET_ITEM(kwnames, i),
                               args[nargs + i]) < 0) {
                Py_DECREF(kwdict);
                Py_DECREF(argtuple);
                return NULL;
            }
        }
    }
    res = lru_call((LRUObject *)callable, argtuple, kwdict);
    Py_DECREF(argtuple);
    Py_XDECREF(kwdict);
    return res;
}
#endif

static PyObject *
lru_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"func", "maxsize", NULL};
    PyObject *func;
    Py_ssize_t maxsize = 128;
    LRUObject *self;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|n:lru_cache", kwlist,
                                     &func, &maxsize))
        return NULL;
    if (!PyCallable_Check(func)) {
        PyErr_SetString(PyExc_TypeError, "lru_cache() needs a callable");
        return NULL;
    }
    self = (LRUObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->func = Py_NewRef(func);
    self->cache = PyDict_New();
    if (self->cache == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->root.prev = self->root.next = &self->root;
    self->maxsize = maxsize;
#if PY_VERSION_HEX >= 0x03080000
    self->vectorcall = lru_vectorcall;
#endif
    return (PyObject *)self;
}

static int
lru_traverse(LRUObject *self, visitproc visit, void *arg)
{
    LRUNode *n;
    Py_VISIT(self->func);
    Py_VISIT(self->cache);
    Py_VISIT(self->dict);
    for (n = self->root.next; n != NULL && n != &self->root; n = n->next)
        Py_VISIT(n->result);
    return 0;
}

static int
lru_clear(LRUObject *self)
{
    self->root.prev = self->root.next = &self->root;
    Py_CLEAR(self->cache);
    Py_CLEAR(self->func);
    Py_CLEAR(self->dict);
    return 0;
}

static void
lru_dealloc(LRUObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    lru_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *
lru_cache_info(LRUObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("{s:n,s:n,s:n,s:n}", "hits", self->hits,
                         "misses", self->misses, "maxsize", self->maxsize,
                         "currsize", PyDict_Size(self->cache));
}

static PyObject *
lru_cache_clear(LRUObject *self, PyObject *Py_UNUSED(ignored))
{
    self->root.prev = self->root.next = &self->root;
    PyDict_Clear(self->cache);
    self->hits = self->misses = 0;
    Py_RETURN_NONE;
}

static PyObject *
lru_descr_get(PyObject *self, PyObject *obj, PyObject *type)
{
    if (obj == Py_None || obj == NULL)
        return Py_NewRef(self);
    return PyMethod_New(self, obj);
}

static PyMethodDef lru_methods[] = {
    {"cache_info", (PyCFunction)lru_cache_info, METH_NOARGS, NULL},
    {"cache_clear", (PyCFunction)lru_cache_clear, METH_NOARGS, NULL},
    {NULL, NULL}
};

static PyMemberDef lru_members[] = {
    {"__wrapped__", T_OBJECT, offsetof(LRUObject, func), READONLY, NULL},
    {"__dictoffset__", T_PYSSIZET, offsetof(LRUObject, dict), READONLY},
#if PY_VERSION_HEX >= 0x03080000
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(LRUObject, vectorcall), READONLY},
#endif
    {NULL}
};

static PyType_Slot lru_slots[] = {
    {Py_tp_new, lru_new},
    {Py_tp_call, lru_call},
    {Py_tp_traverse, lru_traverse},
    {Py_tp_clear, lru_clear},
    {Py_tp_dealloc, lru_dealloc},
    {Py_tp_methods, lru_methods},
    {Py_tp_members, lru_members},
    {Py_tp_descr_get, lru_descr_get},
    {Py_tp_getset, NULL},
    {0, NULL}
};

static PyType_Spec lru_spec = {
    .name = "fastcoll.lru_cache",
    .basicsize = sizeof(LRUObject),
#if PY_VERSION_HEX >= 0x030A0000
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_METHOD_DESCRIPTOR |
             Py_TPFLAGS_HAVE_VECTORCALL,
#elif PY_VERSION_HEX >= 0x03080000
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_METHOD_DESCRIPTOR,
#else
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
#endif
    .slots = lru_slots,
};

/* ------------------------------------------------------------------------ */
/* Sequence algorithms                                                      */
/* ------------------------------------------------------------------------ */

static int
fc_parse_bisect_args(PyObject *args, PyObject *kwds, const char *fname,
                     PyObject **seq, PyObject **x, Py_ssize_t *lo,
                     Py_ssize_t *hi, PyObject **key)
{
    static char *kwlist[] = {"a", "x", "lo", "hi", "key", NULL};
    char fmt[64];
    PyOS_snprintf(fmt, sizeof(fmt), "OO|nnO:%s", fname);
    *lo = 0;
    *hi = -1;
    *key = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, seq, x, lo, hi, key))
        return -1;
    if (*lo < 0) {
        PyErr_SetString(PyExc_ValueError, "lo must be non-negative");
        return -1;
    }
    if (*hi == -1) {
        *hi = PySequence_Size(*seq);
        if (*hi < 0)
            return -1;
    }
    return 0;
}

static Py_ssize_t
fc_bisect(PyObject *seq, PyObject *x, Py_ssize_t lo, Py_ssize_t hi,
          PyObject *key, int right)
{
    int fast = PyList_CheckExact(seq);
    while (lo < hi) {
        Py_ssize_t mid = ((size_t)lo + hi) / 2;
        PyObject *item, *k;
        int lt;

        if (fast && mid < PyList_GET_SIZE(seq)) {
            item = Py_NewRef(PyList_GET_ITEM(seq, mid));
        }
        else {
            item = PySequence_GetItem(seq, mid);
            if (item == NULL)
                return -1;
        }
        k = fc_apply_key(key, item);
        Py_DECREF(item);
        if (k == NULL)
            return -1;
        lt = right ? fc_less(x, k) : fc_less(k, x);
        Py_DECREF(k);
        if (lt < 0)
            return -1;
        if (right ? lt : !lt)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static PyObject *
bisect_left(PyObject *module, PyObject *args, PyObject *kwds)
{
    PyObject *seq, *x, *key;
    Py_ssize_t lo, hi, r;
    if (fc_parse_bisect_args(args, kwds, "bisect_left", &seq, &x, &lo, &hi, &key) < 0)
        return NULL;
    r = fc_bisect(seq, x, lo, hi, key, 0);
    return r < 0 ? NULL : PyLong_FromSsize_t(r);
}

static PyObject *
bisect_right(PyObject *module, PyObject *args, PyObject *kwds)
{
    PyObject *seq, *x, *key;
    Py_ssize_t lo, hi, r;
    if (fc_parse_bisect_args(args, kwds, "bisect_right", &seq, &x, &lo, &hi, &key) < 0)
        return NULL;
    r = fc_bisect(seq, x, lo, hi, key, 1);
    return r < 0 ? NULL : PyLong_FromSsize_t(r);
}

static PyObject *
insort(PyObject *module, PyObject *args, PyObject *kwds)
{
    PyObject *seq, *x, *key, *kx;
    Py_ssize_t lo, hi, r;
    if (fc_parse_bisect_args(args, kwds, "insort", &seq, &x, &lo, &hi, &key) < 0)
        return NULL;
    kx = fc_apply_key(key, x);
    if (kx == NULL)
        return NULL;
    r = fc_bisect(seq, kx, lo, hi, key, 1);
    Py_DECREF(kx);
    if (r < 0)
        return NULL;
    if (PyList_CheckExact(seq)) {
        if (PyList_Insert(seq, r, x) < 0)
            return NULL;
    }
    else {
        PyObject *res = PyObject_CallMethod(seq, "insert", "nO", r, x);
        if (res == NULL)
            return NULL;
        Py_DECREF(res);
    }
    Py_RETURN_NONE;
}

/* k-way merge of sorted lists using a binary heap of (value, list index). */
typedef struct {
    PyObject *value;
    Py_ssize_t src;
    Py_ssize_t pos;
} HeapEntry;

static int
heap_sift_down(HeapEntry *heap, Py_ssize_t n, Py_ssize_t i)
{
    for (;;) {
        Py_ssize_t l = 2 * i + 1, r = l + 1, m = i;
        int lt;
        if (l < n) {
            lt = fc_less(heap[l].value, heap[m].value);
            if (lt < 0)
                return -1;
            if (lt)
                m = l;
        }
        if (r < n) {
            lt = fc_less(heap[r].value, heap[m].value);
            if (lt < 0)
                return -1;
            if (lt)
                m = r;
        }
        if (m == i)
            return 0;
        {
            HeapEntry tmp = heap[i];
            heap[i] = heap[m];
            heap[m] = tmp;
        }
        i = m;
    }
}

static PyObject *
merge_sorted(PyObject *module, PyObject *args)
{
    Py_ssize_t k = PyTuple_GET_SIZE(args), n = 0, i;
    HeapEntry *heap;
    PyObject *out;

    for (i = 0; i < k; i++) {
        if (!PyList_Check(PyTuple_GET_ITEM(args, i))) {
            return fc_type_error("list", PyTuple_GET_ITEM(args, i));
        }
    }
    heap = PyMem_New(HeapEntry, k ? k : 1);
    if (heap == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < k; i++) {
        PyObject *lst = PyTuple_GET_ITEM(args, i);
        if (PyList_GET_SIZE(lst) > 0) {
            heap[n].value = PyList_GET_ITEM(lst, 0);
            heap[n].src = i;
            heap[n].pos = 0;
            n++;
        }
    }
    for (i = n / 2 - 1; i >= 0; i--) {
        if (heap_sift_down(heap, n, i) < 0) {
            PyMem_Free(heap);
            return NULL;
        }
    }
    out = PyList_New(0);
    if (out == NULL) {
        PyMem_Free(heap);
        return NULL;
    }
    while (n > 0) {
        PyObject *lst = PyTuple_GET_ITEM(args, heap[0].src);
        if (PyList_Append(out, heap[0].value) < 0)
            goto error;
        heap[0].pos++;
        if (heap[0].pos < PyList_GET_SIZE(lst)) {
            heap[0].value = PyList_GET_ITEM(lst, heap[0].pos);
        }
        else {
            heap[0] = heap[--n];
        }
        if (n > 0 && heap_sift_down(heap, n, 0) < 0)
            goto error;
    }
    PyMem_Free(heap);
    return out;
error:
    PyMem_Free(heap);
    Py_DECREF(out);
    return NULL;
}

static PyObject *
unique_everseen(PyObject *module, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"iterable", "key", NULL};
    PyObject *iterable, *key = Py_None, *seen, *out, *it, *item;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:unique_everseen", kwlist,
                                     &iterable, &key))
        return NULL;
    seen = PySet_New(NULL);
    out = PyList_New(0);
    it = PyObject_GetIter(iterable);
    if (seen == NULL || out == NULL || it == NULL)
        goto error;
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *k = fc_apply_key(key, item);
        int present;
        if (k == NULL) {
            Py_DECREF(item);
            goto error;
        }
        present = PySet_Contains(seen, k);
        if (present == 0) {
            if (PySet_Add(seen, k) < 0 || PyList_Append(out, item) < 0)
                present = -1;
        }
        Py_DECREF(k);
        Py_DECREF(item);
        if (present < 0)
            goto error;
    }
    if (PyErr_Occurred())
        goto error;
    Py_DECREF(seen);
    Py_DECREF(it);
    return out;
error:
    Py_XDECREF(seen);
    Py_XDECREF(out);
    Py_XDECREF(it);
    return NULL;
}

static PyObject *
chunked(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *seq, *out;
    Py_ssize_t n, size, i;

    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "chunked() takes exactly 2 arguments");
        return NULL;
    }
    size = PyLong_AsSsize_t(args[1]);
    if (size == -1 && PyErr_Occurred())
        return NULL;
    if (size <= 0) {
        PyErr_SetString(PyExc_ValueError, "size must be positive");
        return NULL;
    }
    seq = PySequence_Fast(args[0], "chunked() needs a sequence");
    if (seq == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(seq);
    out = PyList_New((n + size - 1) / size);
    if (out == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    for (i = 0; i < n; i += size) {
        Py_ssize_t j, m = Py_MIN(size, n - i);
        PyObject *chunk = PyTuple_New(m);
        if (chunk == NULL) {
            Py_DECREF(seq);
            Py_DECREF(out);
            return NULL;
        }
        for (j = 0; j < m; j++)
            PyTuple_SET_ITEM(chunk, j, Py_NewRef(PySequence_Fast_GET_ITEM(seq, i + j)));
        PyList_SET_ITEM(out, i / size, chunk);
    }
    Py_DECREF(seq);
    return out;
}

static int
flatten_into(PyObject *out, PyObject *obj, int depth)
{
    PyObject *it, *item;

    if (depth == 0 || PyUnicode_Check(obj) || PyBytes_Check(obj) ||
        !PyObject_HasAttrString(obj, "__iter__"))
        return PyList_Append(out, obj);
    if (Py_EnterRecursiveCall(" in flatten"))
        return -1;
    it = PyObject_GetIter(obj);
    if (it == NULL) {
        Py_LeaveRecursiveCall();
        return -1;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        int r = flatten_into(out, item, depth - 1);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(it);
            Py_LeaveRecursiveCall();
            return -1;
        }
    }
    Py_DECREF(it);
    Py_LeaveRecursiveCall();
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *
flatten(PyObject *module, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"iterable", "depth", NULL};
    PyObject *iterable, *out;
    int depth = -1;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i:flatten", kwlist,
                                     &iterable, &depth))
        return NULL;
    out = PyList_New(0);
    if (out == NULL)
        return NULL;
    if (flatten_into(out, iterable, depth < 0 ? INT_MAX : depth + 1) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* argsort: indices that would sort the sequence (stable, by value). */
static PyObject *
argsort(PyObject *module, PyObject *arg)
{
    PyObject *seq, *pairs, *out;
    Py_ssize_t i, n;

    seq = PySequence_Fast(arg, "argsort() needs a sequence");
    if (seq == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(seq);
    pairs = PyList_New(n);
    if (pairs == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *idx = PyLong_FromSsize_t(i);
        PyObject *pair = idx ? PyTuple_Pack(2, PySequence_Fast_GET_ITEM(seq, i), idx) : NULL;
        Py_XDECREF(idx);
        if (pair == NULL) {
            Py_DECREF(pairs);
            Py_DECREF(seq);
            return NULL;
        }
        PyList_SET_ITEM(pairs, i, pair);
    }
    Py_DECREF(seq);
    if (PyList_Sort(pairs) < 0) {
        Py_DECREF(pairs);
        return NULL;
    }
    out = PyList_New(n);
    if (out == NULL) {
        Py_DECREF(pairs);
        return NULL;
    }
    for (i = 0; i < n; i++)
        PyList_SET_ITEM(out, i, Py_NewRef(PyTuple_GET_ITEM(PyList_GET_ITEM(pairs, i), 1)));
    Py_DECREF(pairs);
    return out;
}

/* rle_encode("aaabcc") -> [("a", 3), ("b", 1), ("c", 2)] */
static PyObject *
rle_encode(PyObject *module, PyObject *arg)
{
    PyObject *it, *item, *cur = NULL, *out;
    Py_ssize_t run = 0;

    it = PyObject_GetIter(arg);
    if (it == NULL)
        return NULL;
    out = PyList_New(0);
    if (out == NULL) {
        Py_DECREF(it);
        return NULL;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        int eq = cur ? PyObject_RichCompareBool(cur, item, Py_EQ) : 0;
        if (eq < 0) {
            Py_DECREF(item);
            goto error;
        }
        if (eq) {
            run++;
            Py_DECREF(item);
            continue;
        }
        if (cur != NULL) {
            PyObject *t = Py_BuildValue("(On)", cur, run);
            if (t == NULL || PyList_Append(out, t) < 0) {
                Py_XDECREF(t);
                Py_DECREF(item);
                goto error;
            }
            Py_DECREF(t);
            Py_DECREF(cur);
        }
        cur = item;
        run = 1;
    }
    if (PyErr_Occurred())
        goto error;
    if (cur != NULL) {
        PyObject *t = Py_BuildValue("(On)", cur, run);
        if (t == NULL || PyList_Append(out, t) < 0) {
            Py_XDECREF(t);
            goto error;
        }
        Py_DECREF(t);
        Py_CLEAR(cur);
    }
    Py_DECREF(it);
    return out;
error:
    Py_XDECREF(cur);
    Py_DECREF(it);
    Py_DECREF(out);
    return NULL;
}

static PyObject *
rle_decode(PyObject *module, PyObject *arg)
{
    PyObject *fast, *out;
    Py_ssize_t i, n;

    fast = PySequence_Fast(arg, "rle_decode() needs a sequence of pairs");
    if (fast == NULL)
        return NULL;
    out = PyList_New(0);
    if (out == NULL) {
        Py_DECREF(fast);
        return NULL;
    }
    n = PySequence_Fast_GET_SIZE(fast);
    for (i = 0; i < n; i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(fast, i), *value;
        Py_ssize_t count, j;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "expected (value, count) pairs");
            goto error;
        }
        value = PyTuple_GET_ITEM(pair, 0);
        count = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 1));
        if (count == -1 && PyErr_Occurred())
            goto error;
        for (j = 0; j < count; j++)
            if (PyList_Append(out, value) < 0)
                goto error;
    }
    Py_DECREF(fast);
    return out;
error:
    Py_DECREF(fast);
    Py_DECREF(out);
    return NULL;
}

/* Sliding-window sums over a list of floats (fast path for exact floats). */
static PyObject *
window_sums(PyObject *module, PyObject *args)
{
    PyObject *lst, *out;
    Py_ssize_t w, i, n;
    double acc = 0.0;
    double *vals;

    if (!PyArg_ParseTuple(args, "O!n:window_sums", &PyList_Type, &lst, &w))
        return NULL;
    n = PyList_GET_SIZE(lst);
    if (w <= 0 || w > n) {
        PyErr_SetString(PyExc_ValueError, "window must be in 1..len(list)");
        return NULL;
    }
    vals = PyMem_New(double, n);
    if (vals == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < n; i++) {
        PyObject *o = PyList_GET_ITEM(lst, i);
        vals[i] = PyFloat_CheckExact(o) ? PyFloat_AS_DOUBLE(o) : PyFloat_AsDouble(o);
        if (vals[i] == -1.0 && PyErr_Occurred()) {
            PyMem_Free(vals);
            return NULL;
        }
    }
    out = PyList_New(n - w + 1);
    if (out == NULL) {
        PyMem_Free(vals);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        acc += vals[i];
        if (i >= w)
            acc -= vals[i - w];
        if (i >= w - 1) {
            PyObject *f = PyFloat_FromDouble(acc);
            if (f == NULL) {
                PyMem_Free(vals);
                Py_DECREF(out);
                return NULL;
            }
            PyList_SET_ITEM(out, i - w + 1, f);
        }
    }
    PyMem_Free(vals);
    return out;
}

/* partition(pred, iterable) -> (falses, trues) */
static PyObject *
partition(PyObject *module, PyObject *args)
{
    PyObject *pred, *iterable, *it, *item, *yes, *no, *res;

    if (!PyArg_UnpackTuple(args, "partition", 2, 2, &pred, &iterable))
        return NULL;
    it = PyObject_GetIter(iterable);
    if (it == NULL)
        return NULL;
    yes = PyList_New(0);
    no = PyList_New(0);
    if (yes == NULL || no == NULL)
        goto error;
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *r = PyObject_CallFunctionObjArgs(pred, item, NULL);
        int truth;
        if (r == NULL) {
            Py_DECREF(item);
            goto error;
        }
        truth = PyObject_IsTrue(r);
        Py_DECREF(r);
        if (truth < 0 || PyList_Append(truth ? yes : no, item) < 0) {
            Py_DECREF(item);
            goto error;
        }
        Py_DECREF(item);
    }
    if (PyErr_Occurred())
        goto error;
    Py_DECREF(it);
    res = PyTuple_Pack(2, no, yes);
    Py_DECREF(yes);
    Py_DECREF(no);
    return res;
error:
    Py_DECREF(it);
    Py_XDECREF(yes);
    Py_XDECREF(no);
    return NULL;
}

static PyObject *
fc_sizeof_object(PyObject *module, PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
    Py_ssize_t size = tp->tp_basicsize;
    if (tp->tp_itemsize)
        size += Py_ABS(Py_SIZE(obj)) * tp->tp_itemsize;
    if (PyType_IS_GC(tp))
        size += 2 * (Py_ssize_t)sizeof(void *);   /* GC header */
    return PyLong_FromSsize_t(size);
}

static PyObject *
instances(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSsize_t(fc_get_state(module)->instances);
}

static PyMethodDef fastcoll_methods[] = {
    {"bisect_left", (PyCFunction)(void (*)(void))bisect_left,
     METH_VARARGS | METH_KEYWORDS, "Leftmost insertion point."},
    {"bisect_right", (PyCFunction)(void (*)(void))bisect_right,
     METH_VARARGS | METH_KEYWORDS, "Rightmost insertion point."},
    {"insort", (PyCFunction)(void (*)(void))insort,
     METH_VARARGS | METH_KEYWORDS, "Insert keeping order."},
    {"merge_sorted", merge_sorted, METH_VARARGS, "Merge sorted lists."},
    {"unique_everseen", (PyCFunction)(void (*)(void))unique_everseen,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {"chunked", (PyCFunction)(void (*)(void))chunked, METH_FASTCALL, NULL},
    {"flatten", (PyCFunction)(void (*)(void))flatten,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {"argsort", argsort, METH_O, NULL},
    {"rle_encode", rle_encode, METH_O, NULL},
    {"rle_decode", rle_decode, METH_O, NULL},
    {"window_sums", window_sums, METH_VARARGS, NULL},
    {"partition", partition, METH_VARARGS, NULL},
    {"sizeof_object", fc_sizeof_object, METH_O, NULL},
    {"instances", instances, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

/* ------------------------------------------------------------------------ */
/* Module init (multi-phase)                                                */
/* ------------------------------------------------------------------------ */

static int
fc_add_static_type(PyObject *m, PyTypeObject *tp, const char *name)
{
    if (PyType_Ready(tp) < 0)
        return -1;
    Py_INCREF(tp);
    if (PyModule_AddObject(m, name, (PyObject *)tp) < 0) {
        Py_DECREF(tp);
        return -1;
    }
    return 0;
}

static int
fc_exec(PyObject *m)
{
    fc_state *st = fc_get_state(m);

    if (fc_add_static_type(m, &Ring_Type, "Ring") < 0 ||
        fc_add_static_type(m, &SortedDict_Type, "SortedDict") < 0 ||
        fc_add_static_type(m, &BitSet_Type, "BitSet") < 0)
        return -1;
    if (PyType_Ready(&RingIter_Type) < 0)
        return -1;

#if PY_VERSION_HEX >= 0x03090000
    st->FrequencyType = PyType_FromModuleAndSpec(m, &freq_spec, NULL);
    st->LRUType = PyType_FromModuleAndSpec(m, &lru_spec, NULL);
#else
    st->FrequencyType = PyType_FromSpec(&freq_spec);
    st->LRUType = PyType_FromSpec(&lru_spec);
#endif
    if (st->FrequencyType == NULL || st->LRUType == NULL)
        return -1;
#if PY_VERSION_HEX < 0x03080000
    /* no vectorcall: nothing to set */
#elif PY_VERSION_HEX < 0x030A0000
    ((PyTypeObject *)st->LRUType)->tp_flags |= _Py_TPFLAGS_HAVE_VECTORCALL;
#endif
    if (PyModule_AddObject(m, "FrequencyTable", Py_NewRef(st->FrequencyType)) < 0)
        return -1;
    if (PyModule_AddObject(m, "lru_cache", Py_NewRef(st->LRUType)) < 0)
        return -1;

    st->EmptyError = PyErr_NewExceptionWithDoc(
        "fastcoll.EmptyError", "Raised when popping from an empty container.",
        PyExc_IndexError, NULL);
    if (st->EmptyError == NULL)
        return -1;
    if (PyModule_AddObject(m, "EmptyError", Py_NewRef(st->EmptyError)) < 0)
        return -1;

    st->str_keys = PyUnicode_InternFromString("keys");
    st->str_items = PyUnicode_InternFromString("items");
    st->str_sort = PyUnicode_InternFromString("sort");
    st->str_key = PyUnicode_InternFromString("key");
    st->str_reverse = PyUnicode_InternFromString("reverse");
    if (!st->str_keys || !st->str_items || !st->str_sort || !st->str_key ||
        !st->str_reverse)
        return -1;
    st->instances = 0;

    if (PyModule_AddIntConstant(m, "BITS_PER_WORD", 64) < 0 ||
        PyModule_AddStringConstant(m, "__version__", "2.7.1") < 0)
        return -1;
#ifdef Py_LIMITED_API
    if (PyModule_AddIntConstant(m, "LIMITED_API", Py_LIMITED_API) < 0)
        return -1;
#else
    if (PyModule_AddIntConstant(m, "LIMITED_API", 0) < 0)
        return -1;
#endif
    return 0;
}

static int
fc_traverse(PyObject *m, visitproc visit, void *arg)
{
    fc_state *st = fc_get_state(m);
    Py_VISIT(st->EmptyError);
    Py_VISIT(st->FrequencyType);
    Py_VISIT(st->LRUType);
    return 0;
}

static int
fc_clear(PyObject *m)
{
    fc_state *st = fc_get_state(m);
    Py_CLEAR(st->EmptyError);
    Py_CLEAR(st->FrequencyType);
    Py_CLEAR(st->LRUType);
    Py_CLEAR(st->str_keys);
    Py_CLEAR(st->str_items);
    Py_CLEAR(st->str_sort);
    Py_CLEAR(st->str_key);
    Py_CLEAR(st->str_reverse);
    return 0;
}

static void
fc_free(void *m)
{
    fc_clear((PyObject *)m);
}

static PyModuleDef_Slot fastcoll_slots[] = {
    {Py_mod_exec, fc_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
    {0, NULL}
};

static struct PyModuleDef fastcoll_module = {
    PyModuleDef_HEAD_INIT,
    "fastcoll",
    "Fast collection types and sequence algorithms.",
    sizeof(fc_state),
    fastcoll_methods,
    fastcoll_slots,
    fc_traverse,
    fc_clear,
    fc_free,
};

PyMODINIT_FUNC
PyInit_fastcoll(void)
{
    return PyModuleDef_Init(&fastcoll_module);
}
