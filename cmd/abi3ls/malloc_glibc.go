//go:build linux && cgo

package main

/*
#include <malloc.h>

// Both are no-ops where the C library is not glibc.
static int abi3ls_limit_arenas(int n) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	return mallopt(M_ARENA_MAX, n);
#else
	(void)n;
	return 0;
#endif
}

static int abi3ls_trim(void) {
#if defined(__GLIBC__)
	return malloc_trim(0);
#else
	return 0;
#endif
}
*/
import "C"

// limitMallocArenas caps the number of glibc malloc arenas. tree-sitter
// allocates (through libc, see grammars/alloc.go) on whichever OS thread a
// cgo call runs, and glibc gives threads arenas of their own, up to eight
// per core: each keeps freed memory of its own, so a long session's RSS
// creeps up as parses land on new threads. The server parses a few
// documents at a time and needs few arenas. It must run before tree-sitter
// first allocates.
func limitMallocArenas(n int) { C.abi3ls_limit_arenas(C.int(n)) }

// trimMalloc hands the free memory of the C heap back to the system
// (glibc's malloc_trim releases whole free pages inside the heap too, not
// only at its top).
func trimMalloc() { C.abi3ls_trim() }
