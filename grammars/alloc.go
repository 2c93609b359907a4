package grammars

/*
#include <stddef.h>
// Declared here rather than through tree_sitter/api.h: the symbols are
// linked from go-tree-sitter's copy of the tree-sitter runtime.
extern void ts_set_allocator(void *(*)(size_t), void *(*)(size_t, size_t),
                             void *(*)(void *, size_t), void (*)(void *));
extern void *(*ts_current_malloc)(size_t);
extern void *c_malloc_fn(size_t); // go-tree-sitter's shim into Go
static void abi3ls_use_libc_allocator(void) { ts_set_allocator(NULL, NULL, NULL, NULL); }
static int abi3ls_allocator_is_shim(void) { return ts_current_malloc == c_malloc_fn; }
*/
import "C"

import "sync"

// go-tree-sitter installs an allocator that routes every malloc and free of
// the tree-sitter runtime through a Go callback (C -> Go -> C), which costs
// a cgo callback per allocation while parsing and closing trees. Its
// callbacks only ever call libc, so handing tree-sitter libc's allocator
// directly changes nothing but the cost. Memory tree-sitter returns to Go
// (strings) is still released with C.free, which matches.
var libcAllocator = sync.OnceFunc(func() { C.abi3ls_use_libc_allocator() })

// directAllocator installs the libc allocator (once) and reports whether
// tree-sitter now allocates without going through Go.
func directAllocator() bool {
	libcAllocator()
	return C.abi3ls_allocator_is_shim() == 0
}
