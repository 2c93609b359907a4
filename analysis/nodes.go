package analysis

import (
	"sort"
	"unsafe"

	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// The walker reads the tree flattened by grammars.FlattenSelect (one cgo
// call per walk) instead of asking tree-sitter node by node: a node is an
// index into w.nodes, and these helpers stand in for the few sitter.Node
// methods the walk and the declaration readers need. Only named nodes are
// there, and subtrees the selection leaves out (see walker.selection) are
// missing: their root is written alone, marked Pruned.

// node is a node of the walker's flattened tree; noNode is none.
type node int32

const noNode node = -1

func (w *walker) start(n node) int { return int(w.nodes[n].Start) }
func (w *walker) end(n node) int   { return int(w.nodes[n].End) }

// fieldID is n's field in its parent, 0 when none.
func (w *walker) fieldID(n node) uint16 { return w.nodes[n].FieldID() }

// cls is n's class.
func (w *walker) cls(n node) class { return w.k.ofSymbol(w.nodes[n].Symbol) }

// firstChild is n's first named child, noNode when it has none.
func (w *walker) firstChild(n node) node {
	if int(w.nodes[n].Next) > int(n)+1 {
		return n + 1
	}
	return noNode
}

// nextSibling is the named sibling after child c of parent p.
func (w *walker) nextSibling(p, c node) node {
	if nx := node(w.nodes[c].Next); nx < node(w.nodes[p].Next) {
		return nx
	}
	return noNode
}

// child is n's first child in field f (sitter's ChildByFieldId for named
// children), noNode when none.
func (w *walker) child(n node, f uint16) node {
	if n == noNode {
		return noNode
	}
	for c := w.firstChild(n); c != noNode; c = w.nextSibling(n, c) {
		if w.nodes[c].FieldID() == f {
			return c
		}
	}
	return noNode
}

// namedChild is n's i-th named child, noNode when it has fewer.
func (w *walker) namedChild(n node, i int) node {
	for c := w.firstChild(n); c != noNode; c = w.nextSibling(n, c) {
		if i == 0 {
			return c
		}
		i--
	}
	return noNode
}

// namedChildCount is the number of n's named children.
func (w *walker) namedChildCount(n node) int {
	k := 0
	for c := w.firstChild(n); c != noNode; c = w.nextSibling(n, c) {
		k++
	}
	return k
}

func (w *walker) text(n node) string {
	return string(w.src[w.nodes[n].Start:w.nodes[n].End])
}

// walkTop walks one top-level node of the file (a child of its root) with
// the walker's state, as walk visits it in the whole file: the same
// flattened nodes, under a frame for the file. Walking every top-level node
// in order this way collects the same facts as walk (TestWalkTop).
func (w *walker) walkTop(top *sitter.Node) {
	w.nodes = grammars.FlattenSelect(top, w.selection(), w.nodes[:0])
	if len(w.nodes) == 0 {
		return
	}
	start := int(w.nodes[0].Start)
	w.ci = sort.Search(len(w.cands), func(i int) bool { return int(w.cands[i]) >= start })
	w.frames = append(w.frames[:0], frame{cls: cOther, node: noNode}) // the file
	w.visit(0, w.cls(0))
	w.frames = w.frames[:0]
}

// walkTops walks the file under root one top-level node at a time (for
// tests of walkTop).
func walkTops(w *walker, root *sitter.Node) {
	c := root.Walk()
	defer c.Close()
	if !c.GotoFirstChild() {
		return
	}
	for {
		if n := c.Node(); n.IsNamed() {
			w.walkTop(n)
		}
		if !c.GotoNextSibling() {
			return
		}
	}
}

// selection is what the walk needs of the tree: containers child by child,
// declarations whole, and whatever holds a candidate of the lexical
// pre-pass whole (expressions are read around the candidates: types of
// field bases, argument lists). The walk never reads below a pruned node.
func (w *walker) selection() *grammars.Selection {
	if w.flatAll {
		return nil
	}
	return &grammars.Selection{Modes: w.k.modes, Marks: w.cands, ValueField: w.k.fValue}
}

// startOf reads a node's start byte without a cgo call. sitter.Node wraps
// the C TSNode, whose public layout (tree_sitter/api.h) begins with
// `uint32_t context[4]`, and ts_node_start_byte returns context[0].
// TestStartOfMatchesStartByte pins this against the library.
func startOf(n *sitter.Node) int {
	return int(*(*uint32)(unsafe.Pointer(n)))
}
