//go:build linux && cgo

package main

/*
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GLIBC__) && defined(M_ARENA_MAX)
// abi3ls_serve_arenas caps glibc at one malloc arena in `abi3ls serve`.
// tree-sitter allocates (through libc, see grammars/alloc.go) on whichever
// OS thread a cgo call runs, and glibc gives threads arenas of their own,
// up to eight per core, each keeping freed memory of its own: over a long
// session RSS creeps up as parses land on new threads. Over 10,000 edits
// (bench/run -only edits, four runs each) RSS grew +6% to +9% with glibc's
// default, +0.5% to +8% with two arenas and -2% to +5% with one, with no
// change in keystroke latency; the server runs at most a few analyses at a
// time. The check command, which parses on every core, keeps the default.
//
// It runs as a constructor, when the program is loaded: glibc fixes its
// arena limit when it makes the second arena, on a thread's first malloc
// or free, and the Go runtime has started threads long before main runs,
// so a mallopt from Go comes too late. glibc passes constructors main's
// arguments. A MALLOC_ARENA_MAX in the environment wins.
__attribute__((constructor)) static void abi3ls_serve_arenas(int argc, char **argv, char **envp) {
	(void)envp;
	if (argc > 1 && strcmp(argv[1], "serve") == 0 && getenv("MALLOC_ARENA_MAX") == NULL) {
		mallopt(M_ARENA_MAX, 1);
	}
}
#endif

static int abi3ls_trim(void) {
#if defined(__GLIBC__)
	return malloc_trim(0);
#else
	return 0;
#endif
}
*/
import "C"

// trimMalloc hands the free memory of the C heap back to the system
// (glibc's malloc_trim releases whole free pages inside the heap too, not
// only at its top).
func trimMalloc() { C.abi3ls_trim() }
