package analysis

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/grammars"
)

// TestSelectionReadsEnough checks that the walk never needs a part of the
// tree its selection leaves out (walker.selection), and that walking a file
// one top-level node at a time (walker.walkTop) is walking it whole: over
// the corpus, the fixtures and generated modules, the facts of the walk,
// for Analyze and for hover, and the results are the same as with the
// whole tree flattened and as walked top-level node by node.
func TestSelectionReadsEnough(t *testing.T) {
	type input struct {
		name string
		in   Input
	}
	var inputs []input
	files, err := filepath.Glob("../testdata/corpus/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !grammars.IsSource(f) {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{filepath.Base(f), Input{Path: f, Lang: grammars.ForPath(f), Src: src}})
	}
	for _, fx := range loadFixtures(t) {
		for _, name := range fx.analyze {
			inputs = append(inputs, input{fx.path + ":" + name, fx.input(name, fx.files[name])})
		}
	}
	for seed, limited := range []string{"", "0x03080000", "0x030C0000"} {
		src := corpus.Generate(corpus.Options{Lines: 1500, Seed: uint64(seed + 7), Limited: limited})
		inputs = append(inputs, input{"generated " + limited, Input{Path: "gen.c", Lang: grammars.C, Src: src}})
	}
	if len(inputs) < 40 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	sel := newTestAnalyzer(t)
	all := &Analyzer{DB: sel.DB, Parse: sel.Parse, testFlatAll: true}
	tops := &Analyzer{DB: sel.DB, Parse: sel.Parse, testWalkTop: true}
	ctx := context.Background()
	for _, tc := range inputs {
		for _, full := range []bool{false, true} {
			in1 := tc.in
			p1, err := sel.run(ctx, &in1, full)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			for _, other := range []struct {
				what string
				a    *Analyzer
			}{{"with the whole tree", all}, {"walked one top-level node at a time", tops}} {
				in2 := tc.in
				p2, err := other.a.run(ctx, &in2, full)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if !reflect.DeepEqual(p1.w.f, p2.w.f) {
					t.Errorf("%s (hover %v): the walk's facts differ %s", tc.name, full, other.what)
				}
				if !reflect.DeepEqual(p1.result(), p2.result()) {
					t.Errorf("%s (hover %v): the results differ %s", tc.name, full, other.what)
				}
			}
		}
	}
}
