package server

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/bench/corpus"
)

// TestIncrementalDiagnostics types and deletes characters in API names of
// an open document and checks that the edits are re-analyzed
// incrementally, that the diagnostics equal those of the same text opened
// afresh, and that opening another document (which may be a header the
// first includes) makes the next analysis a full one.
func TestIncrementalDiagnostics(t *testing.T) {
	c := newClient(t, Options{}, false)
	c.initialize(nil)
	src := corpus.Generate(corpus.Options{Lines: 400, Seed: 3, Limited: "0x03080000"})
	const uri = "file:///inc/a.c"
	c.open(uri, string(src))
	c.diags(uri, 1)
	text := string(src)
	version := int32(1)
	edit := func(off int, del bool) {
		t.Helper()
		line := strings.Count(text[:off], "\n")
		col := off - (strings.LastIndexByte(text[:off], '\n') + 1)
		version++
		if del {
			c.change(uri, version, []int{line, col, line, col + 1}, "")
			text = text[:off] + text[off+1:]
		} else {
			c.change(uri, version, []int{line, col, line, col}, "x")
			text = text[:off] + "x" + text[off:]
		}
		c.diags(uri, version)
	}
	// Type an x after the "Py" of an API name, then delete it (the text
	// stays that of src between pairs, so the points stay valid).
	points := corpus.EditPoints(src, 10, 5)
	for _, p := range points {
		edit(p, false)
		edit(p, true)
	}
	// Some points are in the method table or the object struct, outside
	// any function: those edits are analyzed in full.
	if n := c.srv.incremental.Load(); n < 16 {
		t.Fatalf("%d of 20 edits re-analyzed incrementally (full: %d)", n, c.srv.fullReanalyses.Load())
	}
	// Another document opens: the workspace changed, the next analysis is full.
	c.open("file:///inc/other.h", "#define X 1\n")
	full := c.srv.fullReanalyses.Load()
	edit(points[0], false)
	if got := c.srv.fullReanalyses.Load(); got != full+1 {
		t.Errorf("after another document opened: %d full re-analyses, want %d", got, full+1)
	}
	inc := c.srv.incremental.Load()
	edit(points[0], true)
	if got := c.srv.incremental.Load(); got != inc+1 {
		t.Errorf("edit after the full analysis: %d incremental, want %d", got, inc+1)
	}
	// The diagnostics of an incremental analysis equal those of a full one
	// of the same text (a full replacement reparses from scratch, and an
	// unchanged text is never re-analyzed incrementally).
	inc = c.srv.incremental.Load()
	version++
	line := strings.Count(text[:points[3]], "\n")
	col := points[3] - (strings.LastIndexByte(text[:points[3]], '\n') + 1)
	c.change(uri, version, []int{line, col, line, col}, "x")
	text = text[:points[3]] + "x" + text[points[3]:]
	got := c.diags(uri, version)
	if c.srv.incremental.Load() != inc+1 {
		t.Fatal("the edit was not re-analyzed incrementally")
	}
	if c.srv.reusedConversions.Load() == 0 {
		t.Fatal("no incremental result was converted from the previous diagnostics")
	}
	version++
	c.change(uri, version, nil, text)
	want := c.diags(uri, version)
	if len(want.Diagnostics) < 20 {
		t.Fatalf("only %d diagnostics", len(want.Diagnostics))
	}
	if g, w := diagsJSON(t, got), diagsJSON(t, want); g != w {
		t.Errorf("incremental diagnostics differ from a full analysis:\n got %.2000s\nwant %.2000s", g, w)
	}
}

func diagsJSON(t *testing.T, p publishParams) string {
	t.Helper()
	b, err := json.Marshal(p.Diagnostics)
	if err != nil {
		t.Fatal(err)
	}
	// The fixes' data carries the document version: not part of the result.
	return versionRE.ReplaceAllString(string(bytes.TrimSpace(b)), `"version":N`)
}

var versionRE = regexp.MustCompile(`"version":\d+`)
