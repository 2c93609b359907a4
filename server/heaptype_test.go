package server

import (
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestHeapTypeRefactoring checks issue 9's code action: on the ABI005
// finding of a static PyTypeObject the server offers "Convert Counter_Type to
// a heap type" as refactor.rewrite, and applying it removes the finding.
func TestHeapTypeRefactoring(t *testing.T) {
	ar, err := txtar.ParseFile("../analysis/testdata/abi005_heaptype.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var src, want string
	for _, f := range ar.Files {
		switch f.Name {
		case "c.c":
			src = string(f.Data)
		case "c.c.unsafe":
			want = string(f.Data)
		}
	}
	if src == "" || want == "" {
		t.Fatal("fixture lacks c.c or c.c.unsafe")
	}
	c := newClient(t, Options{}, false)
	c.initialize(map[string]any{"capabilities": map[string]any{"textDocument": map[string]any{
		"codeAction": map[string]any{"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix", "refactor", "source"}}}},
	}}})
	uri := "file:///work/ext/counter.c"
	c.open(uri, src)
	d := findCode(c.diags(uri, 1).Diagnostics, "ABI005")
	if d == nil {
		t.Fatal("no ABI005 diagnostic")
	}
	var act *codeAction
	for _, a := range c.codeActions(uri, d.Range, nil) {
		if a.Title == "Convert Counter_Type to a heap type" {
			act = &a
			break
		}
	}
	if act == nil {
		t.Fatal("no heap-type refactoring offered")
	}
	if act.Kind != "refactor.rewrite" {
		t.Errorf("kind %q, want refactor.rewrite", act.Kind)
	}
	got := applyEdits(src, act.edits(t, uri), true)
	if got != want {
		t.Fatalf("converted text differs from the analysis golden:\n%s", got)
	}
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": got}},
	})
	for _, d := range c.diags(uri, 2).Diagnostics {
		if d.Code == "ABI005" || strings.Contains(d.Message, "Counter_Type") {
			t.Errorf("after the conversion: %v %s", d.Code, d.Message)
		}
	}
}
