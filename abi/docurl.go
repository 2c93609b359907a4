package abi

import "strings"

// DocBase is the root of the official C API reference.
const DocBase = "https://docs.python.org/3/c-api/"

// DocURL returns the name's entry in the official Python C API reference,
// e.g. https://docs.python.org/3/c-api/tuple.html#c.PyTuple_GetItem, or ""
// when the name is not documented or its page is not known.
func (e *Entry) DocURL() string {
	if e == nil || !e.Documented {
		return ""
	}
	page, _ := DocPage(e.Name, e.Header)
	if page == "" {
		return ""
	}
	return DocBase + page + ".html#c." + e.Name
}

// docNames are names whose page their prefix does not tell.
var docNames = map[string]string{
	"Py_INCREF": "refcounting", "Py_XINCREF": "refcounting", "Py_DECREF": "refcounting",
	"Py_XDECREF": "refcounting", "Py_CLEAR": "refcounting", "Py_NewRef": "refcounting",
	"Py_XNewRef": "refcounting", "Py_SETREF": "refcounting", "Py_XSETREF": "refcounting",
	"Py_REFCNT": "refcounting", "Py_SET_REFCNT": "refcounting", "Py_IncRef": "refcounting",
	"Py_DecRef": "refcounting",

	"Py_TYPE": "structures", "Py_SET_TYPE": "structures", "Py_SIZE": "structures",
	"Py_SET_SIZE": "structures", "Py_IS_TYPE": "structures", "Py_Is": "structures",
	"Py_IsNone": "structures", "Py_IsTrue": "structures", "Py_IsFalse": "structures",
	"PyObject_HEAD": "structures", "PyObject_VAR_HEAD": "structures",
	"PyObject_HEAD_INIT": "structures", "PyVarObject_HEAD_INIT": "structures",
	"PyObject": "structures", "PyVarObject": "structures", "PyMethodDef": "structures",
	"PyMemberDef": "structures", "PyGetSetDef": "structures", "PyCFunction": "structures",
	"PyCFunctionWithKeywords": "structures", "PyCFunctionFast": "structures",
	"PyCFunctionFastWithKeywords": "structures", "PyCMethod": "structures",
	"PyCFunction_New": "structures", "PyCFunction_NewEx": "structures", "PyCMethod_New": "structures",
	"Py_READONLY": "structures", "Py_AUDIT_READ": "structures", "Py_RELATIVE_OFFSET": "structures",
	"PyMember_GetOne": "structures", "PyMember_SetOne": "structures",

	"Py_None": "none", "Py_RETURN_NONE": "none",
	"Py_True": "bool", "Py_False": "bool", "Py_RETURN_TRUE": "bool", "Py_RETURN_FALSE": "bool",
	"Py_NotImplemented": "object", "Py_RETURN_NOTIMPLEMENTED": "object",
	"Py_Ellipsis": "slice",
	"Py_buffer":   "buffer", "PyObject_GetBuffer": "buffer", "PyObject_CheckBuffer": "buffer",
	"PyObject_CopyData": "buffer",
	"PyTypeObject":      "type", "PyType_Type": "type", "PyType_Spec": "type", "PyType_Slot": "type",
	"PyHeapTypeObject": "typeobj",
	"PyObject_New":     "allocation", "PyObject_NewVar": "allocation", "PyObject_Init": "allocation",
	"PyObject_InitVar": "allocation", "PyObject_Del": "allocation", "_PyObject_New": "allocation",
	"Py_VISIT": "gcsupport", "visitproc": "gcsupport", "traverseproc": "gcsupport", "inquiry": "gcsupport",
	"PyCallable_Check": "call", "vectorcallfunc": "call",
	"Py_BuildValue": "arg", "Py_VaBuildValue": "arg",
	"PyObject_Malloc": "memory", "PyObject_Calloc": "memory", "PyObject_Realloc": "memory",
	"PyObject_Free": "memory",
	"Py_Initialize": "init", "Py_InitializeEx": "init", "Py_Finalize": "init", "Py_FinalizeEx": "init",
	"Py_IsInitialized": "init", "Py_BEGIN_ALLOW_THREADS": "init", "Py_END_ALLOW_THREADS": "init",
	"Py_BLOCK_THREADS": "init", "Py_UNBLOCK_THREADS": "init", "Py_NewInterpreter": "init",
	"Py_EndInterpreter": "init",
	"PyMODINIT_FUNC":    "module", "PyModuleDef_HEAD_INIT": "module",
	"Py_CompileString": "veryhigh", "Py_Main": "veryhigh",
	"PyOS_snprintf": "conversion", "PyOS_vsnprintf": "conversion", "PyOS_string_to_double": "conversion",
	"PyOS_double_to_string": "conversion", "PyOS_stricmp": "conversion", "PyOS_strnicmp": "conversion",
	"PyOS_strtol": "conversion", "PyOS_strtoul": "conversion",
	"Py_LIMITED_API": "stable", "Py_TARGET_ABI3T": "stable", "PY_SSIZE_T_CLEAN": "arg",
	"Py_EnterRecursiveCall": "exceptions", "Py_LeaveRecursiveCall": "exceptions",
	"PyStructSequence_Desc": "tuple", "PyStructSequence_Field": "tuple",
	"PyTime_Check": "datetime", "PyTime_CheckExact": "datetime", "PyTime_FromTime": "datetime",
	"PyTime_FromTimeAndFold": "datetime",
}

// docHeaders maps a header (without its cpython/ directory) to the page of
// the names declared there, for names no prefix places.
var docHeaders = map[string]string{
	"tupleobject.h": "tuple", "listobject.h": "list", "dictobject.h": "dict",
	"unicodeobject.h": "unicode", "bytesobject.h": "bytes", "bytearrayobject.h": "bytearray",
	"longobject.h": "long", "floatobject.h": "float", "complexobject.h": "complex",
	"boolobject.h": "bool", "setobject.h": "set", "moduleobject.h": "module",
	"pyerrors.h": "exceptions", "warnings.h": "exceptions", "methodobject.h": "structures",
	"structmember.h": "structures", "descrobject.h": "descriptor", "pymem.h": "memory",
	"objimpl.h": "allocation", "pystate.h": "init", "ceval.h": "init", "pylifecycle.h": "init",
	"import.h": "import", "weakrefobject.h": "weakref", "pycapsule.h": "capsule",
	"memoryobject.h": "memoryview", "sliceobject.h": "slice", "iterobject.h": "iterator",
	"genobject.h": "gen", "codecs.h": "codec", "fileobject.h": "file", "marshal.h": "marshal",
	"datetime.h": "datetime", "sysmodule.h": "sys", "pythonrun.h": "veryhigh",
	"typeslots.h": "type", "pybuffer.h": "buffer", "refcount.h": "refcounting", "pyhash.h": "hash",
	"abstract.h": "object",
}

// docPrefixes maps a name prefix to its page; the longest match wins.
var docPrefixes = []struct{ prefix, page string }{
	{"PyObject_GC_", "gcsupport"}, {"PyGC_", "gcsupport"}, {"PyState_", "module"}, {"PyObject_Call", "call"}, {"PyObject_Vectorcall", "call"},
	{"PyVectorcall_", "call"}, {"PyObject_", "object"},
	{"PyArg_", "arg"}, {"PyErr_", "exceptions"}, {"PyExc_", "exceptions"}, {"PyException_", "exceptions"},
	{"PyUnicodeDecodeError_", "exceptions"}, {"PyUnicodeEncodeError_", "exceptions"},
	{"PyMem_", "memory"}, {"PyTuple_", "tuple"}, {"PyStructSequence_", "tuple"}, {"PyList_", "list"},
	{"PyDict_", "dict"}, {"PySet_", "set"}, {"PyFrozenSet_", "set"}, {"PyAnySet_", "set"},
	{"PyUnicode_", "unicode"}, {"Py_UNICODE", "unicode"}, {"Py_UCS", "unicode"},
	{"PyBytes_", "bytes"}, {"PyByteArray_", "bytearray"},
	{"PyLong_", "long"}, {"PyFloat_", "float"}, {"PyComplex_", "complex"}, {"PyBool_", "bool"},
	{"PyModuleDef", "module"}, {"PyModule_", "module"}, {"Py_mod_", "module"},
	{"PyImport_", "import"}, {"PyNumber_", "number"}, {"PySequence_", "sequence"},
	{"PyMapping_", "mapping"}, {"PyIter_", "iter"}, {"PyCapsule_", "capsule"},
	{"PyWeakref_", "weakref"}, {"PySlice_", "slice"}, {"PyMemoryView_", "memoryview"},
	{"PyCode_", "code"}, {"PyFrame_", "frame"}, {"PyGen_", "gen"}, {"PyCoro_", "coro"},
	{"PyCell_", "cell"}, {"PyMethod_", "method"}, {"PyInstanceMethod_", "method"},
	{"PyFunction_", "function"}, {"PyDescr_", "descriptor"}, {"PyDictProxy_", "dict"},
	{"PyEval_", "init"}, {"PyThreadState_", "init"}, {"PyGILState_", "init"},
	{"PyInterpreterState_", "init"}, {"PyThread_", "init"},
	{"PySys_", "sys"}, {"PyOS_", "sys"}, {"PyContext", "contextvars"},
	{"PyDateTime_", "datetime"}, {"PyDate_", "datetime"},
	{"PyDelta_", "datetime"}, {"PyTZInfo_", "datetime"}, {"PyTimeZone_", "datetime"},
	{"PyMarshal_", "marshal"}, {"PyCodec_", "codec"}, {"PyFile_", "file"},
	{"PyRun_", "veryhigh"}, {"PySeqIter_", "iterator"}, {"PyCallIter_", "iterator"},
	{"PyType_", "type"}, {"Py_TPFLAGS_", "typeobj"}, {"PyBuffer_", "buffer"}, {"PyBUF_", "buffer"},
	{"METH_", "structures"}, {"Py_T_", "structures"}, {"PyHash_", "hash"},
	{"PyConfig_", "init_config"}, {"PyPreConfig_", "init_config"}, {"PyStatus_", "init_config"},
	{"PyWideStringList_", "init_config"}, {"PyMonitoring_", "monitoring"},
	{"PyTime_", "time"}, {"PyMutex_", "synchronization"}, {"Py_BEGIN_CRITICAL_SECTION", "synchronization"},
}

// docFamilies are prefixes of constant families whose every member has an
// entry in the reference.
var docFamilies = []string{"METH_", "Py_TPFLAGS_", "PyBUF_", "Py_T_", "Py_mod_", "PyExc_"}

// DocPage returns the page of the C API reference (e.g. "tuple") that
// documents name declared in header, or "" when unknown. explicit is true
// when the name (or its constant family) is known to have an entry there
// rather than the page being guessed from a prefix or header.
func DocPage(name, header string) (page string, explicit bool) {
	if p, ok := docNames[name]; ok {
		return p, true
	}
	for _, f := range docFamilies {
		if strings.HasPrefix(name, f) {
			explicit = true
		}
	}
	best, page := 0, ""
	for _, p := range docPrefixes {
		if len(p.prefix) > best && strings.HasPrefix(name, p.prefix) {
			best, page = len(p.prefix), p.page
		}
	}
	if page == "" {
		page = docHeaders[strings.TrimPrefix(header, "cpython/")]
	}
	return page, explicit && page != ""
}
