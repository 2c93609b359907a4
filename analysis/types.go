package analysis

import "strings"

// cType is the little the analysis needs to know of a C type: the name of
// its base type (a typedef name, a struct key, or a primitive) and how many
// pointer levels sit on top of it. The zero cType is "unknown".
type cType struct {
	Base string
	Ptr  int
}

func (t cType) known() bool { return t.Base != "" }

func (t cType) deref() cType {
	if !t.known() {
		return t
	}
	if t.Ptr == 0 {
		return cType{}
	}
	return cType{t.Base, t.Ptr - 1}
}

func (t cType) addr() cType {
	if !t.known() {
		return t
	}
	return cType{t.Base, t.Ptr + 1}
}

// structTags maps the struct tags of CPython's headers to their typedef
// names, for code that writes `struct _typeobject *`.
var structTags = map[string]string{
	"_object":               "PyObject",
	"_typeobject":           "PyTypeObject",
	"_longobject":           "PyLongObject",
	"_frame":                "PyFrameObject",
	"_ts":                   "PyThreadState",
	"_is":                   "PyInterpreterState",
	"_heaptypeobject":       "PyHeapTypeObject",
	"PyCodeObject":          "PyCodeObject",
	"_dictkeysobject":       "PyDictKeysObject",
	"PyModuleDef":           "PyModuleDef",
	"PyMethodDef":           "PyMethodDef",
	"PyMemberDef":           "PyMemberDef",
	"PyGetSetDef":           "PyGetSetDef",
	"bufferinfo":            "Py_buffer",
	"_PyWeakReference":      "PyWeakReference",
	"PyModuleDef_Base":      "PyModuleDef_Base",
	"PyModuleDef_Slot":      "PyModuleDef_Slot",
	"PyStructSequence_Desc": "PyStructSequence_Desc",
}

// parseTypeString parses a C type as written in a signature or a struct
// field table ("PyTypeObject *", "const char*", "struct _object **").
func parseTypeString(s string) cType {
	ptr := strings.Count(s, "*")
	s = strings.NewReplacer("*", " ", "&", " ").Replace(s)
	var base string
	isStruct := false
	for _, w := range strings.Fields(s) {
		switch w {
		case "const", "volatile", "restrict", "extern", "static", "inline", "register", "signed", "unsigned", "long", "short":
			continue
		case "struct", "union", "enum", "class":
			isStruct = true
			continue
		}
		base = w
		break
	}
	if base == "" {
		if strings.Contains(s, "unsigned") || strings.Contains(s, "long") || strings.Contains(s, "short") {
			base = "int"
		} else {
			return cType{}
		}
	}
	if isStruct {
		if td, ok := structTags[base]; ok {
			base = td
		} else {
			base = "struct " + base
		}
	}
	return cType{base, ptr}
}

// macroReturns gives the result types of CPython macros the database may
// not describe with a signature.
var macroReturns = map[string]cType{
	"Py_TYPE":                {"PyTypeObject", 1},
	"_PyObject_CAST":         {"PyObject", 1},
	"_PyVarObject_CAST":      {"PyVarObject", 1},
	"PyTuple_GET_ITEM":       {"PyObject", 1},
	"PyList_GET_ITEM":        {"PyObject", 1},
	"PyTuple_GetItem":        {"PyObject", 1},
	"PyList_GetItem":         {"PyObject", 1},
	"PyThreadState_GET":      {"PyThreadState", 1},
	"PyThreadState_Get":      {"PyThreadState", 1},
	"PyInterpreterState_Get": {"PyInterpreterState", 1},
	"PyEval_GetFrame":        {"PyFrameObject", 1},
	"PyType_GenericAlloc":    {"PyObject", 1},
	"PyType_GetSlot":         {"void", 1},
}
