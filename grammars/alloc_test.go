package grammars

import "testing"

// TestAllocatorIsDirect checks tree-sitter allocates with the C library
// directly, not through go-tree-sitter's Go shims (a parse costs 1.5x
// more with them).
func TestAllocatorIsDirect(t *testing.T) {
	if !directAllocator() {
		t.Fatal("tree-sitter allocations go through Go callbacks")
	}
	p := NewPool()
	defer p.Close()
	tree, err := p.Parse(C, []byte("int f(void) { return 1; }\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tree.Close()
}
