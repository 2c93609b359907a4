package grammars

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// TestFlatLayout pins the layouts flat.go assumes: go-tree-sitter's Node
// and TreeCursor are the C TSNode and TSTreeCursor, and FlatNode matches
// its C mirror.
func TestFlatLayout(t *testing.T) {
	node, cursor, flat := flatSizes()
	tests := []struct {
		name      string
		got, want uintptr
	}{
		{"sitter.Node", unsafe.Sizeof(sitter.Node{}), node},
		{"sitter.TreeCursor", unsafe.Sizeof(sitter.TreeCursor{}), cursor},
		{"FlatNode", unsafe.Sizeof(FlatNode{}), flat},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("sizeof %s = %d, C says %d", tc.name, tc.got, tc.want)
		}
	}
}

// refFlatten flattens with go-tree-sitter's TreeCursor, one cgo call at a
// time: the reference Flatten must agree with.
func refFlatten(root *sitter.Node) []FlatNode {
	var out []FlatNode
	c := root.Walk()
	defer c.Close()
	var rec func()
	rec = func() {
		n := c.Node()
		if !n.IsNamed() {
			return
		}
		i := len(out)
		out = append(out, FlatNode{Symbol: n.KindId(), Field: c.FieldId(),
			Start: uint32(n.StartByte()), End: uint32(n.EndByte())})
		if c.GotoFirstChild() {
			for {
				rec()
				if !c.GotoNextSibling() {
					break
				}
			}
			c.GotoParent()
		}
		out[i].Next = uint32(len(out))
	}
	rec()
	return out
}

// flatInputs are the corpus files and a few broken or odd snippets.
func flatInputs(t *testing.T) map[string]struct {
	lang Lang
	src  []byte
} {
	t.Helper()
	in := map[string]struct {
		lang Lang
		src  []byte
	}{
		"empty":        {C, nil},
		"blank":        {C, []byte("\n\n  \n")},
		"error":        {C, []byte("int f( { return ;; }}} PyObject_HEAD int x\n#if\n")},
		"missing":      {C, []byte("int f(void) { return g(1 }\n")},
		"comment only": {C, []byte("/* a */ // b\n")},
		"deep":         {C, []byte("int x = " + deepExpr(3000) + ";\n")},
		"cpp":          {CPP, []byte("namespace n { template <class T> struct S { T *p; }; }\nauto l = [](int a) { return a; };\n")},
	}
	files, err := filepath.Glob("../testdata/corpus/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		l := ForPath(f)
		if l == Unknown {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in[filepath.Base(f)] = struct {
			lang Lang
			src  []byte
		}{l, src}
	}
	if len(in) < 20 {
		t.Fatalf("only %d inputs; is ../testdata/corpus there?", len(in))
	}
	return in
}

func deepExpr(n int) string {
	s := "1"
	for i := 0; i < n; i++ {
		s = fmt.Sprintf("(%s + %d)", s, i%10)
	}
	return s
}

// TestFlattenMatchesCursor checks every record of both traversals
// (kind, field, range, subtree extent) against a TreeCursor walk of the
// same tree: the direct one must not fall back.
func TestFlattenMatchesCursor(t *testing.T) {
	p := NewPool()
	defer p.Close()
	var buf []FlatNode
	for name, in := range flatInputs(t) {
		t.Run(name, func(t *testing.T) {
			tree, err := p.Parse(in.lang, in.src, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			root := tree.RootNode()
			want := refFlatten(root)
			for _, via := range []int{viaDirect, viaCursor} {
				var ok bool
				buf, ok = flatten(root, nil, buf, via)
				if !ok {
					t.Fatalf("traversal %d could not run", via)
				}
				sameFlat(t, fmt.Sprint("traversal ", via), buf, want)
			}
			// A subtree flattens on its own too.
			if len(want) > 1 {
				child := root.NamedChild(0)
				sub, ok := flatten(child, nil, nil, viaDirect)
				if !ok || len(sub) == 0 || sub[0].Start != want[1].Start || sub[0].Next != want[1].Next-1 {
					t.Errorf("flatten of the first child: %v, %d nodes; in the whole tree %+v", ok, len(sub), want[1])
				}
			}
		})
	}
}

func sameFlat(t *testing.T, what string, got, want []FlatNode) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d nodes, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: node %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// refSelect applies a selection to a whole flattened tree: the
// specification of FlattenSelect (see the Select* modes), written again.
func refSelect(full []FlatNode, sel *Selection) []FlatNode {
	const (
		prune    = iota
		all      // every child entered
		marked   // only children with a mark entered
		complete // whole subtree
	)
	mode := func(sym uint16) uint8 {
		if sym == 65535 {
			return SelectScope
		}
		if int(sym) < len(sel.Modes) {
			return sel.Modes[sym]
		}
		return SelectNone
	}
	hasMark := func(s, e uint32) bool {
		for _, m := range sel.Marks {
			if uint32(m) >= s && uint32(m) < e {
				return true
			}
		}
		return false
	}
	var out []FlatNode
	var rec func(i int, pm int, psym uint16)
	rec = func(i int, pm int, psym uint16) {
		n := full[i]
		if pm == complete && n.Field == sel.ValueField && psym != 0 && mode(psym) == SelectInit {
			pm = marked
		}
		m := mode(n.Symbol)
		has := hasMark(n.Start, n.End)
		var cm int
		switch {
		case m == SelectAlways:
			cm = all
		case m == SelectScope && has:
			cm = all
		case m == SelectScope:
			cm = prune
		case pm == complete:
			cm = complete
		case m == SelectDecl && (pm == all || has):
			cm = complete
		case !has:
			cm = prune
		case m == SelectDecl || m == SelectMarked:
			cm = complete
		default:
			cm = marked
		}
		k := len(out)
		if cm == prune {
			n.Field |= Pruned
		}
		out = append(out, n)
		if cm != prune {
			for ch := i + 1; ch < int(full[i].Next); ch = int(full[ch].Next) {
				rec(ch, cm, n.Symbol)
			}
		}
		out[k].Next = uint32(len(out))
	}
	if len(full) > 0 {
		rec(0, all, 0)
	}
	return out
}

// TestFlattenSelect checks both traversals against refSelect under random
// selections.
func TestFlattenSelect(t *testing.T) {
	p := NewPool()
	defer p.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	for name, in := range flatInputs(t) {
		t.Run(name, func(t *testing.T) {
			tree, err := p.Parse(in.lang, in.src, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			root := tree.RootNode()
			lang := in.lang.Language()
			full := refFlatten(root)
			for round := 0; round < 8; round++ {
				sel := &Selection{Modes: make([]uint8, lang.NodeKindCount()), ValueField: lang.FieldIdForName("value")}
				for i := range sel.Modes {
					sel.Modes[i] = uint8(rng.IntN(int(SelectMarked) + 1))
				}
				if round == 0 {
					sel.Modes = nil // everything SelectNone
				}
				for off := 0; off < len(in.src); off += 1 + rng.IntN(1+len(in.src)/(4+round)) {
					sel.Marks = append(sel.Marks, int32(off))
				}
				want := refSelect(full, sel)
				for _, via := range []int{viaDirect, viaCursor} {
					got, ok := flatten(root, sel, nil, via)
					if !ok {
						t.Fatalf("traversal %d could not run", via)
					}
					sameFlat(t, fmt.Sprintf("round %d, traversal %d", round, via), got, want)
					// The root's children in two ranges, joined.
					n := uint32(root.NamedChildCount())
					h := n / 2
					a, ok1 := flattenRange(root, sel, nil, via, 0, h)
					b, ok2 := flattenRange(root, sel, nil, via, h, n)
					if !ok1 || !ok2 {
						t.Fatalf("traversal %d could not run on ranges", via)
					}
					sameFlat(t, fmt.Sprintf("round %d, traversal %d, halves", round, via), joinFlat(a, b), want)
				}
				sameFlat(t, fmt.Sprintf("round %d, split", round), flattenSplit(root, sel, nil, 2), want)
			}
		})
	}
}

func TestFlattenNil(t *testing.T) {
	if got := Flatten(nil, make([]FlatNode, 3)); len(got) != 0 {
		t.Fatalf("Flatten(nil) = %d nodes", len(got))
	}
}

func BenchmarkFlatten(b *testing.B) {
	b.Run("direct", func(b *testing.B) { benchFlatten(b, viaDirect) })
	b.Run("cursor", func(b *testing.B) { benchFlatten(b, viaCursor) })
}

func benchFlatten(b *testing.B, via int) {
	src, err := os.ReadFile("../testdata/corpus/bigcollections.c")
	if err != nil {
		b.Fatal(err)
	}
	p := NewPool()
	defer p.Close()
	tree, err := p.Parse(C, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	root := tree.RootNode()
	var buf []FlatNode
	for b.Loop() {
		buf, _ = flatten(root, nil, buf, via)
	}
	b.ReportMetric(float64(len(buf)), "named")
	b.ReportMetric(float64(root.DescendantCount()), "nodes")
}

// FuzzFlatten compares the direct traversal with a TreeCursor walk on any
// input, C and C++ (the seeds run with go test).
func FuzzFlatten(f *testing.F) {
	for _, s := range []string{"", "int x;", "int f( { return ;; }}} #if\n", "a<b<c>>::d e = [](){ return 1; };",
		"#define X(a) a->b\nstruct S { PyObject_HEAD int x };", "((((((((((((", "\"\\\n'"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	p := NewPool()
	defer p.Close()
	f.Fuzz(func(t *testing.T, src []byte, cpp bool) {
		lang := C
		if cpp {
			lang = CPP
		}
		tree, err := p.Parse(lang, src, nil)
		if err != nil {
			t.Skip()
		}
		defer tree.Close()
		root := tree.RootNode()
		got, ok := flatten(root, nil, nil, viaDirect)
		if !ok {
			t.Fatal("the direct traversal could not run")
		}
		sameFlat(t, "direct", got, refFlatten(root))
	})
}
