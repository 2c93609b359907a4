package grammars

/*
#include <stdint.h>
// Declared here rather than through tree_sitter/api.h (see flat.h).
extern void *ts_parser_parse_string(void *parser, const void *old_tree, const char *string, uint32_t length);
*/
import "C"

import (
	"math"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// parseString parses src with ts_parser_parse_string: tree-sitter reads the
// text in place. go-tree-sitter's own parse goes through a read callback
// that copies the text into C memory, chunk by chunk, with a C -> Go call
// for each (about 7% of a parse of a large file). sitter.Parser and
// sitter.Tree each wrap one C pointer, which is read and written here;
// TestParseStringLayout pins that.
func parseString(ps *sitter.Parser, src []byte, old *sitter.Tree) *sitter.Tree {
	if len(src) > math.MaxUint32 {
		return parseWith(ps, src, old)
	}
	parser := *(*unsafe.Pointer)(unsafe.Pointer(ps))
	var oldTree unsafe.Pointer
	if old != nil {
		oldTree = *(*unsafe.Pointer)(unsafe.Pointer(old))
	}
	var text *C.char
	if len(src) > 0 {
		text = (*C.char)(unsafe.Pointer(unsafe.SliceData(src)))
	}
	t := C.ts_parser_parse_string(parser, oldTree, text, C.uint32_t(len(src)))
	if t == nil {
		return nil
	}
	tree := new(sitter.Tree)
	*(*unsafe.Pointer)(unsafe.Pointer(tree)) = t
	return tree
}
