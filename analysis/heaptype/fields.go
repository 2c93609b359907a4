package heaptype

// Field tables of the CPython structs the conversion reads. The order is the
// declaration order in CPython's headers (positional initializers follow
// it); the names are the 3.8+ names, with older spellings as aliases.

// typeFields are the members of PyTypeObject after ob_base, in order.
var typeFields = []string{
	"tp_name", "tp_basicsize", "tp_itemsize", "tp_dealloc",
	"tp_vectorcall_offset", // tp_print before 3.8
	"tp_getattr", "tp_setattr",
	"tp_as_async", // tp_compare (Python 2), tp_reserved (3.0-3.4)
	"tp_repr", "tp_as_number", "tp_as_sequence", "tp_as_mapping",
	"tp_hash", "tp_call", "tp_str", "tp_getattro", "tp_setattro", "tp_as_buffer",
	"tp_flags", "tp_doc", "tp_traverse", "tp_clear", "tp_richcompare",
	"tp_weaklistoffset", "tp_iter", "tp_iternext", "tp_methods", "tp_members",
	"tp_getset", "tp_base", "tp_dict", "tp_descr_get", "tp_descr_set",
	"tp_dictoffset", "tp_init", "tp_alloc", "tp_new", "tp_free", "tp_is_gc",
	"tp_bases", "tp_mro", "tp_cache", "tp_subclasses", "tp_weaklist", "tp_del",
	"tp_version_tag", "tp_finalize", "tp_vectorcall", "tp_watched",
	"tp_versions_used",
}

// typeFieldAliases maps older member names to the current ones.
var typeFieldAliases = map[string]string{
	"tp_print":    "tp_vectorcall_offset",
	"tp_compare":  "tp_as_async",
	"tp_reserved": "tp_as_async",
}

// subStructs describes the method suites a type points to.
type subStruct struct {
	typeName string   // PyNumberMethods
	field    string   // tp_as_number
	fields   []string // members in order
}

var subStructs = []subStruct{
	{"PyAsyncMethods", "tp_as_async", []string{"am_await", "am_aiter", "am_anext", "am_send"}},
	{"PyNumberMethods", "tp_as_number", []string{
		"nb_add", "nb_subtract", "nb_multiply", "nb_remainder", "nb_divmod", "nb_power",
		"nb_negative", "nb_positive", "nb_absolute", "nb_bool", "nb_invert", "nb_lshift",
		"nb_rshift", "nb_and", "nb_xor", "nb_or", "nb_int", "nb_reserved", "nb_float",
		"nb_inplace_add", "nb_inplace_subtract", "nb_inplace_multiply", "nb_inplace_remainder",
		"nb_inplace_power", "nb_inplace_lshift", "nb_inplace_rshift", "nb_inplace_and",
		"nb_inplace_xor", "nb_inplace_or", "nb_floor_divide", "nb_true_divide",
		"nb_inplace_floor_divide", "nb_inplace_true_divide", "nb_index",
		"nb_matrix_multiply", "nb_inplace_matrix_multiply"}},
	{"PySequenceMethods", "tp_as_sequence", []string{
		"sq_length", "sq_concat", "sq_repeat", "sq_item", "was_sq_slice", "sq_ass_item",
		"was_sq_ass_slice", "sq_contains", "sq_inplace_concat", "sq_inplace_repeat"}},
	{"PyMappingMethods", "tp_as_mapping", []string{"mp_length", "mp_subscript", "mp_ass_subscript"}},
	{"PyBufferProcs", "tp_as_buffer", []string{"bf_getbuffer", "bf_releasebuffer"}},
}

func subStructFor(field string) *subStruct {
	for i := range subStructs {
		if subStructs[i].field == field {
			return &subStructs[i]
		}
	}
	return nil
}

// fieldRole says what becomes of a PyTypeObject member.
type fieldRole int

const (
	roleSlot    fieldRole = iota // a Py_tp_* slot of the same name
	roleSpec                     // a PyType_Spec member
	roleSub                      // a method suite: its members become slots
	roleBase                     // tp_base: the bases argument
	roleOffset                   // a __*offset__ member
	roleVersion                  // tp_vectorcall_offset / tp_print: depends on the value
	roleNever                    // set by the interpreter; cannot be given
)

func typeFieldRole(f string) fieldRole {
	switch f {
	case "tp_name", "tp_basicsize", "tp_itemsize", "tp_flags":
		return roleSpec
	case "tp_as_async", "tp_as_number", "tp_as_sequence", "tp_as_mapping", "tp_as_buffer":
		return roleSub
	case "tp_base":
		return roleBase
	case "tp_dictoffset", "tp_weaklistoffset":
		return roleOffset
	case "tp_vectorcall_offset":
		return roleVersion
	case "tp_dict", "tp_mro", "tp_cache", "tp_subclasses", "tp_weaklist", "tp_version_tag",
		"tp_watched", "tp_versions_used", "tp_bases":
		return roleNever
	}
	return roleSlot
}

// offsetMember is the special member name for an offset field.
var offsetMember = map[string]string{
	"tp_dictoffset":        "__dictoffset__",
	"tp_weaklistoffset":    "__weaklistoffset__",
	"tp_vectorcall_offset": "__vectorcalloffset__",
}

// slotName is the Py_* slot id of a member: tp_dealloc -> Py_tp_dealloc.
func slotName(field string) string { return "Py_" + field }

// moduleDefFields are the members of PyModuleDef after m_base.
var moduleDefFields = []string{"m_name", "m_doc", "m_size", "m_methods", "m_slots", "m_traverse", "m_clear", "m_free"}

var moduleDefAliases = map[string]string{"m_reload": "m_slots"}

// freeFuncs are calls that release an object's memory in a tp_dealloc.
var freeFuncs = map[string]bool{
	"PyObject_Del": true, "PyObject_DEL": true, "PyObject_Free": true, "PyObject_FREE": true,
	"PyObject_GC_Del": true,
}
