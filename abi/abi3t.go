package abi

import "strings"

// ModuleInitABI3T reports whether fn names a module initialization
// function (PyInit_<name>, single-phase or PyModuleDef-based multi-phase
// init) and, if so, what abi3t wants instead: the PEP 793 export hook
// PyModExport_<name> returning a PySlot array. Under Py_TARGET_ABI3T
// PyModuleDef is opaque, so a PyInit_ function has nothing to return
// (PEP 803).
func ModuleInitABI3T(fn string) (replacement, reason string, ok bool) {
	mod, found := strings.CutPrefix(fn, "PyInit_")
	if !found || mod == "" {
		return "", "", false
	}
	return "PyModExport_" + mod,
		"abi3t (PEP 803) makes PyModuleDef opaque, so PyInit_" + mod + " cannot build its module; " +
			"define PyModExport_" + mod + " returning a PySlot array instead (PEP 793, 3.15)",
		true
}
