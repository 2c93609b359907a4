/*
 * import_embed.c -- a module that imports, compiles and runs Python code:
 * lazy imports, the sys module, compiling source to code objects, running
 * strings, and reading interpreter configuration.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *json_module;   /* imported lazily */

static PyObject *
get_json(void)
{
    if (json_module == NULL)
        json_module = PyImport_ImportModule("json");
    return json_module;
}

static PyObject *
dumps(PyObject *self, PyObject *arg)
{
    PyObject *json = get_json();
    if (json == NULL)
        return NULL;
    return PyObject_CallMethod(json, "dumps", "O", arg);
}

static PyObject *
import_from(PyObject *self, PyObject *args)
{
    const char *modname, *attr;
    PyObject *mod, *res;

    if (!PyArg_ParseTuple(args, "ss:import_from", &modname, &attr))
        return NULL;
    mod = PyImport_ImportModuleLevel(modname, NULL, NULL, NULL, 0);
    if (mod == NULL)
        return NULL;
    res = PyObject_GetAttrString(mod, attr);
    Py_DECREF(mod);
    return res;
}

static PyObject *
loaded_modules(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *modules = PyImport_GetModuleDict();
    return PyDict_Keys(modules);
}

static PyObject *
sys_path_len(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *path = PySys_GetObject("path");   /* borrowed */
    if (path == NULL)
        return PyLong_FromLong(0);
    return PyLong_FromSsize_t(PyList_Size(path));
}

static PyObject *
compile_expr(PyObject *self, PyObject *arg)
{
    const char *src = PyUnicode_AsUTF8(arg);
    if (src == NULL)
        return NULL;
    return Py_CompileString(src, "<compile_expr>", Py_eval_input);
}

static PyObject *
eval_in(PyObject *self, PyObject *args)
{
    PyObject *code, *globals, *locals = NULL;
    if (!PyArg_ParseTuple(args, "OO!|O:eval_in", &code, &PyDict_Type, &globals,
                          &locals))
        return NULL;
    if (locals == NULL)
        locals = globals;
    if (PyDict_GetItemString(globals, "__builtins__") == NULL &&
        PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0)
        return NULL;
    return PyEval_EvalCode(code, globals, locals);
}

static PyObject *
run_source(PyObject *self, PyObject *args)
{
    const char *src;
    PyObject *globals;
#if PY_VERSION_HEX >= 0x03080000
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
#else
    PyCompilerFlags flags = {0};
#endif

    if (!PyArg_ParseTuple(args, "sO!:run_source", &src, &PyDict_Type, &globals))
        return NULL;
    return PyRun_StringFlags(src, Py_file_input, globals, globals, &flags);
}

static PyObject *
run_simple(PyObject *self, PyObject *arg)
{
    const char *src = PyUnicode_AsUTF8(arg);
    if (src == NULL)
        return NULL;
    return PyLong_FromLong(PyRun_SimpleString(src));
}

static PyObject *
interp_flags(PyObject *self, PyObject *Py_UNUSED(ignored))
{
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *flags = PySys_GetObject("flags");
    if (flags == NULL)
        Py_RETURN_NONE;
    return PyObject_GetAttrString(flags, "optimize");
#else
    return PyLong_FromLong(Py_OptimizeFlag);
#endif
}

static PyObject *
reload(PyObject *self, PyObject *mod)
{
    return PyImport_ReloadModule(mod);
}

static PyObject *
add_builtin_module(PyObject *self, PyObject *arg)
{
    const char *name = PyUnicode_AsUTF8(arg);
    PyObject *m;
    if (name == NULL)
        return NULL;
    m = PyImport_AddModule(name);   /* borrowed */
    Py_XINCREF(m);
    return m;
}

static PyObject *
program_name(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *exe = PySys_GetObject("executable");
    if (exe == NULL)
        Py_RETURN_NONE;
    Py_INCREF(exe);
    return exe;
}

static PyMethodDef module_methods[] = {
    {"dumps", dumps, METH_O, NULL},
    {"import_from", import_from, METH_VARARGS, NULL},
    {"loaded_modules", loaded_modules, METH_NOARGS, NULL},
    {"sys_path_len", sys_path_len, METH_NOARGS, NULL},
    {"compile_expr", compile_expr, METH_O, NULL},
    {"eval_in", eval_in, METH_VARARGS, NULL},
    {"run_source", run_source, METH_VARARGS, NULL},
    {"run_simple", run_simple, METH_O, NULL},
    {"interp_flags", interp_flags, METH_NOARGS, NULL},
    {"reload", reload, METH_O, NULL},
    {"add_builtin_module", add_builtin_module, METH_O, NULL},
    {"program_name", program_name, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "import_embed", NULL, -1, module_methods
};

PyMODINIT_FUNC
PyInit_import_embed(void)
{
    return PyModule_Create(&module_def);
}
