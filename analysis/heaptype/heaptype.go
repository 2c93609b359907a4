// Package heaptype converts a statically allocated PyTypeObject into a heap
// type created at run time from a PyType_Spec: the refactoring behind the
// "Convert Foo_Type to a heap type" code action and `abi3ls fix --unsafe`.
//
// Convert reads the type's initializer (positional or designated, with
// PyVarObject_HEAD_INIT / PyObject_HEAD_INIT), the method suites it points
// to (PyNumberMethods, PySequenceMethods, PyMappingMethods, PyAsyncMethods,
// PyBufferProcs) and every use of the type in the file, and returns the
// conversion as byte edits, or the reasons it cannot convert. It never
// converts half a type: when anything cannot be converted safely it returns
// problems and no edits.
//
// What the conversion does, for target version T:
//
//   - Emits `static PyType_Slot Foo_Type_slots[]` (every set tp_* member and
//     method-suite member as its Py_tp_*, Py_nb_*, Py_sq_*, Py_mp_*,
//     Py_am_*, Py_bf_* slot, each checked against T's Limited API) and
//     `static PyType_Spec Foo_Type_spec` (name, basicsize, itemsize, flags
//     without Py_TPFLAGS_HEAPTYPE; plus Py_TPFLAGS_IMMUTABLETYPE from 3.10,
//     and Py_TPFLAGS_DISALLOW_INSTANTIATION, or below 3.10 a refusing
//     tp_new, for a type without tp_new whose base is object). Run-time
//     assignments `Foo_Type.tp_x = v;` before PyType_Ready join the slots.
//   - Replaces the definition with `static PyTypeObject *Foo_Type;`, or adds
//     the pointer to the module state struct (visited and cleared in
//     m_traverse / m_clear) when the module has one and every use can
//     reach it; deletes the method suites no other static type uses.
//   - PyType_Ready(&Foo_Type) becomes the creation: PyType_FromSpec,
//     PyType_FromSpecWithBases when there is a tp_base, or from 3.10
//     PyType_FromModuleAndSpec when the module object is at hand.
//     PyModule_AddObject becomes PyModule_AddType / PyModule_AddObjectRef
//     from 3.10; below, the Py_INCREF/AddObject/Py_DECREF idiom is kept or
//     completed. Every other &Foo_Type becomes the pointer.
//   - tp_dealloc releases the type after freeing the object (inserted;
//     conditional on Py_TPFLAGS_HEAPTYPE while another static type shares
//     the function; a wrapper when tp_dealloc is PyObject_Del itself);
//     tp_free/tp_alloc reads become PyType_GetSlot; a GC type's tp_traverse
//     visits Py_TYPE(self) from 3.9; tp_dictoffset, tp_weaklistoffset and
//     tp_vectorcall_offset become __dictoffset__ / __weaklistoffset__ /
//     __vectorcalloffset__ members (Py_T_PYSSIZET from 3.12, T_PYSSIZET
//     from structmember.h before).
//
// The analysis offers the result on an ABI005 finding for a static type:
//
//	r := heaptype.Convert(root, src, lang, target, name)
//	if len(r.Problems) == 0 {
//		// Fix{Title: heaptype.Title(name), Kind: "refactor.rewrite",
//		//     Applicability: Unsafe, Edits: r.Edits (same fields)}
//	}
//
// The package does no IO and knows nothing of LSP.
package heaptype

import (
	"fmt"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Edit replaces Src[Start:End] with NewText (byte offsets).
type Edit struct {
	Start, End int
	NewText    string
}

// Problem is a reason the conversion cannot be made (or, in Result.Notes,
// something the author should review). Start and End are byte offsets of
// the code concerned.
type Problem struct {
	Start, End int
	Message    string
}

// Result is the outcome of Convert. Edits is empty whenever Problems is
// not; Edits are sorted and do not overlap (no two insertions share an
// offset).
type Result struct {
	Edits    []Edit
	Problems []Problem
	// Notes are facts about a successful conversion that the author should
	// review (where the type pointer lives and why, behaviour that changes).
	Notes []Problem
}

// Title is the title of the conversion's fix for a type variable.
func Title(typeVar string) string { return "Convert " + typeVar + " to a heap type" }

// StaticTypes returns the names of the statically allocated PyTypeObjects
// defined (with an initializer) at file scope, in source order.
func StaticTypes(root *sitter.Node, src []byte) []string {
	if root == nil {
		return nil
	}
	decls, _, _ := fileScope(root)
	var out []string
	for _, d := range decls {
		if !isTypeObjectDecl(src, d) {
			continue
		}
		for _, dd := range declarators(d) {
			if dd.Kind() != "init_declarator" {
				continue
			}
			v := dd.ChildByFieldName("value")
			name, id := declaratorName(src, dd)
			if v != nil && v.Kind() == "initializer_list" && id != nil && id.Parent() != nil && id.Parent().Kind() == "init_declarator" {
				out = append(out, name)
			}
		}
	}
	return out
}

func isTypeObjectDecl(src []byte, d *sitter.Node) bool {
	t := d.ChildByFieldName("type")
	if t == nil {
		return false
	}
	s := nodeText(src, t)
	return s == "PyTypeObject" || s == "struct _typeobject"
}

func declarators(d *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	for i := uint(0); i < d.ChildCount(); i++ {
		if d.FieldNameForChild(uint32(i)) == "declarator" {
			out = append(out, d.Child(i))
		}
	}
	return out
}

// Convert converts the static type typeVar of the file src (parsed as
// root, in language lang) into a heap type for the Limited API version
// target.
func Convert(root *sitter.Node, src []byte, lang grammars.Lang, target abi.Version, typeVar string) (res Result) {
	defer func() {
		if r := recover(); r != nil {
			res = Result{Problems: []Problem{{Message: fmt.Sprintf("internal error converting %s: %v", typeVar, r)}}}
		}
	}()
	if root == nil || typeVar == "" {
		return Result{Problems: []Problem{{Message: "nothing to convert"}}}
	}
	if target.IsZero() || target.Less(abi.V(3, 5)) {
		// Py_tp_finalize and the slot numbering the conversion relies on
		// are 3.5; older targets are not worth the special cases.
		target = abi.V(3, 5)
	}
	c := newConv(root, src, lang, target, typeVar)
	c.run()
	if len(c.problems) > 0 {
		sortProblems(c.problems)
		return Result{Problems: c.problems}
	}
	edits, err := normalize(c.edits)
	if err != nil {
		return Result{Problems: []Problem{{Message: "internal error: " + err.Error()}}}
	}
	return Result{Edits: edits, Notes: c.notes}
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Start < ps[j].Start })
}

// normalize sorts edits, merges insertions at the same offset and checks
// that no two edits overlap.
func normalize(edits []Edit) ([]Edit, error) {
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].Start != edits[j].Start {
			return edits[i].Start < edits[j].Start
		}
		// insertions first
		return edits[i].Start == edits[i].End && edits[j].Start != edits[j].End
	})
	var out []Edit
	for _, e := range edits {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Start == last.End && e.Start == e.End && last.Start == e.Start {
				last.NewText += e.NewText
				continue
			}
			if e.Start < last.End {
				return nil, fmt.Errorf("overlapping edits at %d-%d and %d-%d", last.Start, last.End, e.Start, e.End)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// ApplyEdits applies non-overlapping sorted edits (as Convert returns them)
// to src.
func ApplyEdits(src []byte, edits []Edit) []byte {
	var b strings.Builder
	pos := 0
	for _, e := range edits {
		if e.Start < pos || e.End > len(src) || e.End < e.Start {
			continue
		}
		b.Write(src[pos:e.Start])
		b.WriteString(e.NewText)
		pos = e.End
	}
	b.Write(src[pos:])
	return []byte(b.String())
}
