package grammars

// #include "flat.h"
import "C"

import (
	"math"
	"runtime"
	"slices"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// FlatNode is one named node of a flattened tree (see Flatten).
type FlatNode struct {
	// Symbol is the node's kind id (Node.KindId; ERROR is 65535).
	Symbol uint16
	// Field is the node's field id in its parent (TreeCursor.FieldId), 0
	// when it has none, with the flag Pruned. Use FieldID.
	Field uint16
	// Start and End are the node's byte range.
	Start, End uint32
	// Next is the index just past the node's subtree: its next named
	// sibling's when it has one. The node's first named child, if any, is
	// the next node in the array (index+1 < Next).
	Next uint32
}

// Pruned is the flag of Field that marks a node FlattenSelect wrote
// without its children (it may have none).
const Pruned = 0x8000

// FieldID is the node's field id in its parent, 0 when it has none.
func (n *FlatNode) FieldID() uint16 { return n.Field &^ Pruned }

// IsPruned reports whether the node was written without its children.
func (n *FlatNode) IsPruned() bool { return n.Field&Pruned != 0 }

// Modes of a symbol in a Selection. A selection follows how a walk reads
// the tree: it enters every child of some nodes (containers: all their
// children are written, each by its own mode), and elsewhere only the
// children that hold a mark (the others are written pruned, for their
// range); a node written whole has its whole subtree written, except where
// the modes say otherwise below.
const (
	// SelectNone: with a mark, the node's children are written, those
	// with a mark by their own modes and the others pruned; without one
	// it is pruned.
	SelectNone uint8 = iota
	// SelectAlways: a container: the node's children are all written, each
	// by its own mode, even inside a node written whole.
	SelectAlways
	// SelectScope: SelectAlways when the node holds a mark, else pruned,
	// even inside a node written whole (blocks of statements; ERROR is
	// always a scope).
	SelectScope
	// SelectDecl: the node is written whole when it is a container's
	// child or holds a mark (declarations), else pruned.
	SelectDecl
	// SelectInit: SelectNone; inside a node written whole, its child in
	// field ValueField is written as if the init declarator were
	// SelectNone (an initializer is read only where it holds a mark).
	SelectInit
	// SelectMarked: the node is written whole when it holds a mark, else
	// pruned (expressions read below their marks).
	SelectMarked
)

// Selection says which parts of a tree FlattenSelect writes.
type Selection struct {
	// Modes gives each symbol id its mode; symbols beyond it are
	// SelectNone, and the root is taken as a container's child.
	Modes []uint8
	// Marks are sorted byte offsets: the places worth a look.
	Marks []int32
	// ValueField is the field id of SelectInit's value.
	ValueField uint16
}

// Flatten writes the named nodes of the tree under root (root included) to
// buf in pre-order and returns it: one cgo call for the whole tree instead
// of several per node. Anonymous nodes (punctuation, keywords) are left
// out, and so is anything under one. buf is reused when it is large
// enough. The tree must stay open during the call only: the records hold
// no pointers into it.
func Flatten(root *sitter.Node, buf []FlatNode) []FlatNode {
	return FlattenSelect(root, nil, buf)
}

// FlattenSelect is Flatten writing only the subtrees sel selects (all of
// them when sel is nil): a node left out is one whose parent was written
// Pruned. Skipped subtrees cost the traversal nothing.
func FlattenSelect(root *sitter.Node, sel *Selection, buf []FlatNode) []FlatNode {
	out, _ := flatten(root, sel, buf, viaAny)
	return out
}

// FlattenParallel is FlattenSelect with the root's children split between
// two goroutines when there are many (the traversal mostly waits on
// memory: two threads take about half the time, for the same CPU time).
// buf is used for the first half.
func FlattenParallel(root *sitter.Node, sel *Selection, buf []FlatNode) []FlatNode {
	return flattenSplit(root, sel, buf, parallelChildren)
}

// flattenSplit is FlattenParallel splitting from min children on.
func flattenSplit(root *sitter.Node, sel *Selection, buf []FlatNode, min uint32) []FlatNode {
	if root == nil {
		return buf[:0]
	}
	n := uint32(root.NamedChildCount())
	if n < min || n < 2 {
		return FlattenSelect(root, sel, buf)
	}
	h := n / 2
	if all := int(C.abi3ls_descendants(cnode(root))); cap(buf) < all/2 {
		// Room for both halves (a selection is about a third of the
		// nodes), so that joining them does not copy the first.
		buf = make([]FlatNode, 0, all/2)
	}
	var second []FlatNode
	var ok2 bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		second, ok2 = flattenRange(root, sel, nil, viaAny, h, n)
	}()
	first, ok1 := flattenRange(root, sel, buf, viaAny, 0, h)
	<-done
	if !ok1 || !ok2 {
		return FlattenSelect(root, sel, buf)
	}
	return joinFlat(first, second)
}

// parallelChildren is how many named children the root needs for
// FlattenParallel to split them.
const parallelChildren = 64

// joinFlat appends the nodes of b after those of a, both flattenings of
// the same root (its record first) with different children.
func joinFlat(a, b []FlatNode) []FlatNode {
	if len(a) == 0 || len(b) == 0 {
		return a
	}
	off := uint32(len(a) - 1)
	a = slices.Grow(a, len(b)-1)
	for _, r := range b[1:] {
		r.Next += off
		a = append(a, r)
	}
	a[0].Next = uint32(len(a))
	return a
}

// cnode is the C TSNode a sitter.Node wraps (TestFlatLayout).
func cnode(n *sitter.Node) C.abi3ls_node { return *(*C.abi3ls_node)(unsafe.Pointer(n)) }

// Traversals for flatten.
const (
	viaAny    = iota // direct, else the cursor
	viaDirect        // direct only (tests)
	viaCursor        // the cursor only (tests)
)

// flatten reads the tree directly (flat.c) when it can, else through a
// TreeCursor. ok is false when the traversal asked for could not run.
func flatten(root *sitter.Node, sel *Selection, buf []FlatNode, via int) (out []FlatNode, ok bool) {
	return flattenRange(root, sel, buf, via, 0, math.MaxUint32)
}

// flattenRange is flatten writing only the root's named children from
// to to-1 (and the root).
func flattenRange(root *sitter.Node, sel *Selection, buf []FlatNode, via int, from, to uint32) (out []FlatNode, ok bool) {
	if root == nil {
		return buf[:0], true
	}
	cn := *(*C.abi3ls_node)(unsafe.Pointer(root))
	cs := C.abi3ls_sel{from: C.uint32_t(from), to: C.uint32_t(to)}
	var pin runtime.Pinner
	defer pin.Unpin()
	if sel != nil {
		// A non-nil pointer even for no modes: nil modes means "all".
		var none [1]uint8
		modes := sel.Modes
		if len(modes) == 0 {
			modes = none[:]
		}
		pin.Pin(unsafe.SliceData(modes))
		cs.modes = (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(modes)))
		cs.nmodes = C.uint32_t(len(sel.Modes))
		if len(sel.Marks) > 0 {
			pin.Pin(unsafe.SliceData(sel.Marks))
			cs.marks = (*C.int32_t)(unsafe.Pointer(unsafe.SliceData(sel.Marks)))
			cs.nmarks = C.uint32_t(len(sel.Marks))
		}
		cs.value_field = C.uint16_t(sel.ValueField)
	}
	// A selection is usually a small part of the tree: the first try of one
	// guesses (or takes buf as it is); the descendant count bounds it.
	all := int(C.abi3ls_descendants(cn))
	need := all
	// A walk's selection is about a third of the nodes; a range of the
	// root's children, some part of that.
	guess := all / 2
	if from > 0 || to < math.MaxUint32 {
		guess = all / 4
	}
	if sel != nil {
		need = min(all, max(cap(buf), guess, 64))
	}
	for {
		if need > cap(buf) {
			buf = make([]FlatNode, need)
		}
		buf = buf[:need]
		ptr := (*C.abi3ls_flat)(unsafe.Pointer(unsafe.SliceData(buf)))
		n := int64(C.ABI3LS_UNSUPPORTED)
		if via != viaCursor {
			n = int64(C.abi3ls_flatten_direct(cn, ptr, C.uint32_t(len(buf)), &cs))
		}
		if n == C.ABI3LS_UNSUPPORTED {
			if via == viaDirect {
				return buf[:0], false
			}
			n = int64(C.abi3ls_flatten_cursor(cn, ptr, C.uint32_t(len(buf)), &cs))
		}
		if n >= 0 {
			return buf[:n], true
		}
		if need >= all {
			return buf[:0], false // cannot happen: the named nodes are descendants
		}
		need = all
	}
}

// flatSizes reports the sizes of the C types flat.go mirrors (for
// TestFlatLayout).
func flatSizes() (node, cursor, flat uintptr) {
	return unsafe.Sizeof(C.abi3ls_node{}), unsafe.Sizeof(C.abi3ls_cursor{}), unsafe.Sizeof(C.abi3ls_flat{})
}
