// Flattening of tree-sitter trees for the analysis (see flat.go).

#include <stdbool.h>
#include <stdint.h>

// The public layouts of tree_sitter/api.h (v0.25), declared here rather than
// through the header, which is not on this package's include path: the
// symbols are linked from go-tree-sitter's copy of the tree-sitter runtime.
// TestFlatLayout pins them against go-tree-sitter's Node and TreeCursor.
typedef struct {
	uint32_t context[4];
	const void *id;
	const void *tree;
} abi3ls_node;

typedef struct {
	const void *tree;
	const void *id;
	uint32_t context[3];
} abi3ls_cursor;

// Mirrors FlatNode.
typedef struct {
	uint16_t symbol, field;
	uint32_t start, end, next;
} abi3ls_flat;

// Mirrors Selection; modes == NULL selects everything.
typedef struct {
	const uint8_t *modes;
	uint32_t nmodes;
	const int32_t *marks;
	uint32_t nmarks;
	uint16_t value_field;
	// Only the root's named children from..to-1 are written (with the root).
	uint32_t from, to;
} abi3ls_sel;

// Results besides a count of nodes.
enum { ABI3LS_SMALL = -1, ABI3LS_UNSUPPORTED = -2 };

int64_t abi3ls_flatten_cursor(abi3ls_node root, abi3ls_flat *out, uint32_t cap, const abi3ls_sel *sel);
int64_t abi3ls_flatten_direct(abi3ls_node root, abi3ls_flat *out, uint32_t cap, const abi3ls_sel *sel);
uint32_t abi3ls_descendants(abi3ls_node root);
