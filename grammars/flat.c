// Flattening of tree-sitter trees for the analysis (see flat.go).
//
// Two traversals write the same records: abi3ls_flatten_cursor through the
// public TSTreeCursor API, and abi3ls_flatten_direct, which reads the tree's
// nodes itself (about five times faster: the cursor recomputes aliases,
// fields and positions at every step). The direct one depends on the
// runtime's internal layouts, mirrored below from go-tree-sitter v0.25.0's
// copy of tree-sitter (src/subtree.h, src/parser.h); it checks every result
// against the tree's own count of visible nodes and says
// ABI3LS_UNSUPPORTED on a mismatch, so that the caller falls back to the
// cursor. TestFlattenMatchesCursor compares the two on the corpus.

#include <stdlib.h>

#include "flat.h"

extern abi3ls_cursor ts_tree_cursor_new(abi3ls_node);
extern void ts_tree_cursor_delete(abi3ls_cursor *);
extern abi3ls_node ts_tree_cursor_current_node(const abi3ls_cursor *);
extern uint16_t ts_tree_cursor_current_field_id(const abi3ls_cursor *);
extern bool ts_tree_cursor_goto_first_child(abi3ls_cursor *);
extern bool ts_tree_cursor_goto_next_sibling(abi3ls_cursor *);
extern bool ts_tree_cursor_goto_parent(abi3ls_cursor *);
extern uint16_t ts_node_symbol(abi3ls_node);
extern bool ts_node_is_named(abi3ls_node);
extern uint32_t ts_node_start_byte(abi3ls_node);
extern uint32_t ts_node_end_byte(abi3ls_node);
extern uint32_t ts_node_descendant_count(abi3ls_node);
extern const void *ts_node_language(abi3ls_node);
extern uint32_t ts_language_abi_version(const void *);

uint32_t abi3ls_descendants(abi3ls_node root) { return ts_node_descendant_count(root); }

// Selection.

enum { SEL_NONE, SEL_ALWAYS, SEL_SCOPE, SEL_DECL, SEL_INIT, SEL_MARKED };
// How a written node's children are written: all of them selected, only
// those with a mark (the others pruned), or all whole.
enum { CM_PRUNE, CM_ALL, CM_PATH, CM_FULL };
#define PRUNED 0x8000
#define ERROR_SYMBOL 65535

// has_mark reports whether a mark lies in [start, end).
static bool has_mark(const abi3ls_sel *s, uint32_t start, uint32_t end) {
	uint32_t lo = 0, hi = s->nmarks;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)s->marks[mid] < start) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo < s->nmarks && (uint32_t)s->marks[lo] < end;
}

static uint8_t mode_of(const abi3ls_sel *s, uint16_t sym) {
	if (sym == ERROR_SYMBOL) {
		return SEL_SCOPE;
	}
	return sym < s->nmodes ? s->modes[sym] : SEL_NONE;
}

// decide says how the children of node f are written, given pm, how its
// parent's children are, and psym, its parent's symbol (root: pm is CM_ALL
// and psym 0). See Selection in flat.go.
static int decide(const abi3ls_sel *s, const abi3ls_flat *f, int pm, uint16_t psym) {
	if (s->modes == NULL) {
		return CM_FULL;
	}
	if (pm == CM_FULL && f->field == s->value_field && psym != 0 && mode_of(s, psym) == SEL_INIT) {
		pm = CM_PATH;
	}
	uint8_t m = mode_of(s, f->symbol);
	switch (m) {
	case SEL_ALWAYS:
		return CM_ALL;
	case SEL_SCOPE:
		return has_mark(s, f->start, f->end) ? CM_ALL : CM_PRUNE;
	}
	if (pm == CM_FULL) {
		return CM_FULL;
	}
	if (m == SEL_DECL && pm == CM_ALL) {
		return CM_FULL;
	}
	if (!has_mark(s, f->start, f->end)) {
		return CM_PRUNE;
	}
	return m == SEL_DECL || m == SEL_MARKED ? CM_FULL : CM_PATH;
}

// The cursor traversal. While a node is open, its next field holds the
// index of its open named ancestor and bits 12-13 of its field the mode of
// its children, so no stack is needed.

#define CM_SHIFT 12
#define CM_MASK 0x3000

int64_t abi3ls_flatten_cursor(abi3ls_node root, abi3ls_flat *out, uint32_t cap, const abi3ls_sel *sel) {
	abi3ls_cursor c = ts_tree_cursor_new(root);
	uint32_t n = 0, open = UINT32_MAX, top = 0;
	for (;;) {
		abi3ls_node node = ts_tree_cursor_current_node(&c);
		bool named = ts_node_is_named(node);
		if (named && open == 0) {
			// A child of the root: within the range?
			uint32_t k = top++;
			named = k >= sel->from && k < sel->to;
		}
		if (named) {
			if (n >= cap) {
				ts_tree_cursor_delete(&c);
				return ABI3LS_SMALL;
			}
			abi3ls_flat *f = &out[n];
			f->symbol = ts_node_symbol(node);
			f->field = ts_tree_cursor_current_field_id(&c);
			f->start = ts_node_start_byte(node);
			f->end = ts_node_end_byte(node);
			f->next = open;
			int pm = CM_ALL;
			uint16_t psym = 0;
			if (open != UINT32_MAX) {
				pm = (out[open].field & CM_MASK) >> CM_SHIFT;
				psym = out[open].symbol;
			}
			int cm = decide(sel, f, pm, psym);
			open = n++;
			if (cm != CM_PRUNE) {
				f->field |= cm << CM_SHIFT;
				if (ts_tree_cursor_goto_first_child(&c)) {
					continue;
				}
			} else {
				f->field |= PRUNED; // whether or not it has children
			}
			uint32_t up = out[open].next;
			out[open].next = n;
			out[open].field &= ~CM_MASK;
			open = up;
		}
		// Anonymous nodes are skipped with whatever they hold.
		for (;;) {
			if (ts_tree_cursor_goto_next_sibling(&c)) {
				break;
			}
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return n;
			}
			// Only written nodes are descended into: the parent is open.
			uint32_t up = out[open].next;
			out[open].next = n;
			out[open].field &= ~CM_MASK;
			open = up;
		}
	}
}

// The direct traversal.

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && UINTPTR_MAX == UINT64_MAX

// Mirrors of the runtime's Length, Subtree (inline and heap) and the head
// of TSLanguage, which grammars' generated parsers share (ABI 14 and 15).

typedef struct {
	uint32_t bytes;
	uint32_t row, column;
} ab_length;

typedef struct {
	union {
		char *long_data;
		char short_data[24];
	};
	uint32_t length;
} ab_scanner_state;

typedef struct {
	volatile uint32_t ref_count;
	ab_length padding;
	ab_length size;
	uint32_t lookahead_bytes;
	uint32_t error_cost;
	uint32_t child_count;
	uint16_t symbol;
	uint16_t parse_state;

	bool visible : 1;
	bool named : 1;
	bool extra : 1;
	bool fragile_left : 1;
	bool fragile_right : 1;
	bool has_changes : 1;
	bool has_external_tokens : 1;
	bool has_external_scanner_state_change : 1;
	bool depends_on_column : 1;
	bool is_missing : 1;
	bool is_keyword : 1;

	union {
		struct {
			uint32_t visible_child_count;
			uint32_t named_child_count;
			uint32_t visible_descendant_count;
			int32_t dynamic_precedence;
			uint16_t repeat_depth;
			uint16_t production_id;
			struct {
				uint16_t symbol;
				uint16_t parse_state;
			} first_leaf;
		};
		ab_scanner_state external_scanner_state;
		int32_t lookahead_char;
	};
} ab_heap;

typedef struct {
	bool is_inline : 1;
	bool visible : 1;
	bool named : 1;
	bool extra : 1;
	bool has_changes : 1;
	bool is_missing : 1;
	bool is_keyword : 1;
	uint8_t symbol;
	uint16_t parse_state;
	uint8_t padding_columns;
	uint8_t padding_rows : 4;
	uint8_t lookahead_bytes : 4;
	uint8_t padding_bytes;
	uint8_t size_bytes;
} ab_inline;

typedef union {
	ab_inline data;
	const ab_heap *ptr;
} ab_subtree;

typedef struct {
	uint16_t index;
	uint16_t length;
} ab_slice;

typedef struct {
	uint16_t field_id;
	uint8_t child_index;
	bool inherited;
} ab_field_entry;

typedef struct {
	bool visible;
	bool named;
	bool supertype;
} ab_symbol_metadata;

typedef struct {
	uint32_t abi_version;
	uint32_t symbol_count;
	uint32_t alias_count;
	uint32_t token_count;
	uint32_t external_token_count;
	uint32_t state_count;
	uint32_t large_state_count;
	uint32_t production_id_count;
	uint32_t field_count;
	uint16_t max_alias_sequence_length;
	const void *parse_table;
	const void *small_parse_table;
	const void *small_parse_table_map;
	const void *parse_actions;
	const char *const *symbol_names;
	const char *const *field_names;
	const ab_slice *field_map_slices;
	const ab_field_entry *field_map_entries;
	const ab_symbol_metadata *symbol_metadata;
	const uint16_t *public_symbol_map;
	const uint16_t *alias_map;
	const uint16_t *alias_sequences;
} ab_language;

static inline bool st_inline(ab_subtree t) { return t.data.is_inline; }
static inline bool st_visible(ab_subtree t) { return st_inline(t) ? t.data.visible : t.ptr->visible; }
static inline bool st_named(ab_subtree t) { return st_inline(t) ? t.data.named : t.ptr->named; }
static inline bool st_extra(ab_subtree t) { return st_inline(t) ? t.data.extra : t.ptr->extra; }
static inline uint16_t st_symbol(ab_subtree t) { return st_inline(t) ? t.data.symbol : t.ptr->symbol; }
static inline uint32_t st_padding(ab_subtree t) { return st_inline(t) ? t.data.padding_bytes : t.ptr->padding.bytes; }
static inline uint32_t st_size(ab_subtree t) { return st_inline(t) ? t.data.size_bytes : t.ptr->size.bytes; }
static inline uint32_t st_child_count(ab_subtree t) { return st_inline(t) ? 0 : t.ptr->child_count; }
static inline uint32_t st_visible_descendants(ab_subtree t) {
	return st_child_count(t) == 0 ? 0 : t.ptr->visible_descendant_count;
}
static inline uint32_t st_visible_children(ab_subtree t) {
	return st_child_count(t) == 0 ? 0 : t.ptr->visible_child_count;
}

// One node whose children are being read: a written node, or a hidden
// node between written ones.
typedef struct {
	const ab_subtree *children;
	uint32_t count, i;
	uint32_t structural; // index among the non-extra children
	uint32_t pos;        // start byte of child i
	const uint16_t *aliases;
	const ab_field_entry *fields, *fields_end;
	uint16_t inherited; // the field a hidden node passes to its children
	uint8_t cm;         // how the children are written
	uint32_t open;      // the written node, UINT32_MAX for a hidden one
	uint32_t parent;    // the nearest written node (its symbol and mode)
} ab_frame;

typedef struct {
	const ab_language *lang;
	ab_frame *stack;
	uint32_t depth, cap;
} ab_walk;

static bool push(ab_walk *w, ab_subtree t, uint32_t start, uint8_t cm, uint32_t open, uint32_t parent, uint16_t inherited) {
	if (w->depth == w->cap) {
		uint32_t c = w->cap ? 2 * w->cap : 64;
		ab_frame *s = realloc(w->stack, c * sizeof(ab_frame));
		if (s == NULL) {
			return false;
		}
		w->stack = s;
		w->cap = c;
	}
	ab_frame *f = &w->stack[w->depth++];
	const ab_language *l = w->lang;
	f->count = t.ptr->child_count;
	f->children = (const ab_subtree *)t.ptr - f->count;
	f->i = 0;
	f->structural = 0;
	f->pos = start;
	uint16_t prod = t.ptr->production_id;
	f->aliases = prod ? &l->alias_sequences[prod * l->max_alias_sequence_length] : NULL;
	f->fields = f->fields_end = NULL;
	if (l->field_count > 0) {
		ab_slice sl = l->field_map_slices[prod];
		f->fields = &l->field_map_entries[sl.index];
		f->fields_end = f->fields + sl.length;
	}
	// The children are read one subtree after the other: ask for all their
	// headers now, so that the memory latencies overlap.
	for (uint32_t i = 0; i < f->count; i++) {
		if (!f->children[i].data.is_inline) {
			__builtin_prefetch(f->children[i].ptr);
		}
	}
	f->inherited = inherited;
	f->cm = cm;
	f->open = open;
	f->parent = parent;
	return true;
}

static inline uint16_t public_symbol(const ab_language *l, uint16_t sym) {
	return sym == ERROR_SYMBOL ? sym : l->public_symbol_map[sym];
}

int64_t abi3ls_flatten_direct(abi3ls_node root, abi3ls_flat *out, uint32_t cap, const abi3ls_sel *sel) {
	const ab_language *lang = ts_node_language(root);
	uint32_t abi = ts_language_abi_version(lang);
	if (abi != 14 && abi != 15) {
		return ABI3LS_UNSUPPORTED;
	}
	ab_subtree rt = *(const ab_subtree *)root.id;
	uint16_t ralias = (uint16_t)root.context[3];
	bool rnamed = ralias ? lang->symbol_metadata[ralias].named : st_named(rt);
	if (!rnamed) {
		return 0;
	}
	if (cap == 0) {
		return ABI3LS_SMALL;
	}
	// seen counts the visible nodes, read or skipped, for the check against
	// the tree's own count.
	uint64_t seen = 1;
	uint32_t n = 0, top = 0;
	abi3ls_flat *f = &out[n++];
	f->symbol = public_symbol(lang, ralias ? ralias : st_symbol(rt));
	f->field = 0;
	f->start = root.context[0];
	f->end = f->start + st_size(rt);
	f->next = 1;
	int cm = decide(sel, f, CM_ALL, 0);
	if (cm == CM_PRUNE) {
		f->field |= PRUNED;
		seen += st_visible_descendants(rt);
	}
	ab_walk w = {lang, NULL, 0, 0};
	int64_t result = ABI3LS_UNSUPPORTED;
	if (cm != CM_PRUNE && st_child_count(rt) > 0 && !push(&w, rt, f->start, cm, 0, 0, 0)) {
		goto done;
	}
	while (w.depth > 0) {
		ab_frame *fr = &w.stack[w.depth - 1];
		if (fr->i == fr->count) {
			if (fr->open != UINT32_MAX) {
				out[fr->open].next = n;
			}
			w.depth--;
			continue;
		}
		ab_subtree ch = fr->children[fr->i];
		uint32_t start = fr->pos;
		fr->pos += st_size(ch);
		fr->i++;
		if (fr->i < fr->count) {
			fr->pos += st_padding(fr->children[fr->i]);
		}
		bool extra = st_extra(ch);
		uint16_t alias = 0;
		uint32_t structural = fr->structural;
		if (!extra) {
			if (fr->aliases) {
				alias = fr->aliases[structural];
			}
			fr->structural++;
		}
		uint16_t field = 0;
		if (!extra) {
			for (const ab_field_entry *e = fr->fields; e < fr->fields_end; e++) {
				if (!e->inherited && e->child_index == structural) {
					field = e->field_id;
					break;
				}
			}
			if (field == 0) {
				field = fr->inherited;
			}
		}
		if (!(st_visible(ch) || alias != 0)) {
			// Hidden: its visible children are its parent's.
			if (st_visible_children(ch) > 0 &&
					!push(&w, ch, start, fr->cm, UINT32_MAX, fr->parent, extra ? 0 : field)) {
				goto done;
			}
			continue;
		}
		seen++;
		bool named = alias ? lang->symbol_metadata[alias].named : st_named(ch);
		if (named && fr->parent == 0) {
			// A child of the root: within the range?
			uint32_t k = top++;
			named = k >= sel->from && k < sel->to;
		}
		if (!named) {
			seen += st_visible_descendants(ch);
			continue;
		}
		if (n >= cap) {
			result = ABI3LS_SMALL;
			goto done;
		}
		uint32_t i = n++;
		f = &out[i];
		f->symbol = public_symbol(lang, alias ? alias : st_symbol(ch));
		f->field = field;
		f->start = start;
		f->end = start + st_size(ch);
		f->next = n;
		int pm = fr->cm;
		uint16_t psym = out[fr->parent].symbol;
		cm = decide(sel, f, pm, psym);
		if (cm == CM_PRUNE) {
			f->field |= PRUNED;
			seen += st_visible_descendants(ch);
			continue;
		}
		// fr may move when the stack grows.
		if (st_child_count(ch) > 0 && !push(&w, ch, start, cm, i, i, 0)) {
			goto done;
		}
	}
	result = seen == ts_node_descendant_count(root) ? (int64_t)n : ABI3LS_UNSUPPORTED;
done:
	free(w.stack);
	return result;
}

#else

int64_t abi3ls_flatten_direct(abi3ls_node root, abi3ls_flat *out, uint32_t cap, const abi3ls_sel *sel) {
	return ABI3LS_UNSUPPORTED;
}

#endif
