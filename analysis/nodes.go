package analysis

import (
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// startOf reads a node's start byte without a cgo call. sitter.Node wraps
// the C TSNode, whose public layout (tree_sitter/api.h) begins with
// `uint32_t context[4]`, and ts_node_start_byte returns context[0].
// TestStartOfMatchesStartByte pins this against the library.
func startOf(n *sitter.Node) int {
	return int(*(*uint32)(unsafe.Pointer(n)))
}

// identEnd is the end of the identifier token starting at s, found in the
// text instead of asking the tree; -1 when the token is not plain ASCII.
func identEnd(src []byte, s int) int {
	e := s
	for e < len(src) && isIdentChar(src[e]) {
		e++
	}
	if e == s || (e < len(src) && (src[e] >= 0x80 || src[e] == '$')) {
		return -1
	}
	return e
}

// identRange is an identifier node's byte range, with as few cgo calls as
// possible.
func identRange(src []byte, n *sitter.Node) (int, int) {
	s := startOf(n)
	if e := identEnd(src, s); e >= 0 {
		return s, e
	}
	return s, int(n.EndByte())
}
