package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// waitLiveTrees waits until the server holds at most want trees (a
// diagnostics run releases its snapshot just after publishing).
func waitLiveTrees(t *testing.T, s *Server, want int64, what string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for s.LiveTrees() > want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d live trees, want at most %d", what, s.LiveTrees(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// holding counts the open documents that keep a tree, a snapshot or a
// line index.
func holding(s *Server) (trees, snapshots, lines int) {
	s.docsMu.Lock()
	defer s.docsMu.Unlock()
	for _, d := range s.docs {
		d.mu.Lock()
		if d.tree != nil {
			trees++
		}
		if d.cur != nil {
			snapshots++
		}
		if d.lines != nil {
			lines++
		}
		d.mu.Unlock()
	}
	return trees, snapshots, lines
}

// activeScenario opens more documents than a small set of active ones
// holds and works on the oldest (evicted) ones: diagnostics, hover, code
// actions (from the diagnostics' data and from a fresh analysis), file
// status, edits. It returns every answer, in order, as JSON.
func activeScenario(t *testing.T, active int) []string {
	const docs = 6
	published := make(chan string, 100)
	c := newClient(t, Options{ActiveDocuments: active}, false, func(s *Server) {
		s.onPublish = func(uri string, v int32, sent bool) {
			select {
			case published <- uri:
			default:
			}
		}
	})
	c.initialize(map[string]any{"capabilities": map[string]any{"textDocument": map[string]any{
		"codeAction": map[string]any{"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix", "refactor", "source"}}}},
	}}})
	var out []string
	record := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, what+": "+string(b))
	}
	bound := func(what string) {
		t.Helper()
		if active <= 0 {
			return
		}
		// Each active document holds its tree and its snapshot's.
		waitLiveTrees(t, c.srv, int64(2*active), what)
		if trees, snaps, lines := holding(c.srv); trees > active || snaps > active || lines > active {
			t.Errorf("%s: %d documents keep a tree, %d a snapshot, %d a line index; at most %d are active", what, trees, snaps, lines, active)
		}
	}
	uri := func(i int) string { return fmt.Sprintf("file:///work/ext/mod%d.c", i) }
	text := func(i int) string { return fmt.Sprintf("/* module %d */\n", i) + acceptanceSrc }
	diags := map[int][]protocol.Diagnostic{}
	for i := 0; i < docs; i++ {
		c.open(uri(i), text(i))
	}
	for i := 0; i < docs; i++ {
		diags[i] = c.diags(uri(i), 1).Diagnostics
		record(fmt.Sprintf("diagnostics %d", i), diags[i])
		if len(diags[i]) != 3 {
			t.Fatalf("document %d: %d diagnostics, want 3", i, len(diags[i]))
		}
	}
	bound("after opening")
	// A configuration change reanalyses every document, active or not.
	for len(published) > 0 {
		<-published
	}
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"abi3ls": map[string]any{"maxFileSize": 1 << 20}}})
	for i := 0; i < docs; i++ {
		select {
		case <-published:
		case <-time.After(waitTimeout):
			t.Fatalf("reanalysis after a configuration change: %d of %d documents", i, docs)
		}
	}
	bound("after reanalysing every document")

	queries := func(i int, ds []protocol.Diagnostic) {
		t.Helper()
		for _, d := range ds {
			record(fmt.Sprintf("hover %d %v", i, d.Code), c.hoverText(uri(i), int(d.Range.Start.Line), int(d.Range.Start.Character)+1))
			bound("after a hover")
			record(fmt.Sprintf("actions from data %d %v", i, d.Code), c.codeActions(uri(i), d.Range, []protocol.Diagnostic{d}))
			record(fmt.Sprintf("actions analysed %d %v", i, d.Code), c.codeActions(uri(i), d.Range, nil))
			bound("after code actions")
		}
		var st FileStatus
		c.mustCall(methodFileStatus, map[string]any{"textDocument": map[string]any{"uri": uri(i)}}, &st)
		record(fmt.Sprintf("status %d", i), st)
		var st2 FileStatus
		c.mustCall("workspace/executeCommand", map[string]any{"command": cmdFileStatus, "arguments": []any{uri(i)}}, &st2)
		record(fmt.Sprintf("status command %d", i), st2)
		record(fmt.Sprintf("fix all %d", i), c.codeActions(uri(i), protocol.Range{}, nil, kindFixAll))
		bound("after file status")
	}
	// The oldest documents first: evicted when only a few are active.
	for i := 0; i < docs; i++ {
		queries(i, diags[i])
	}
	// Edit each: "PyTuple_GET_ITEM" becomes "PyTuple_GET_ITEMx" (line 8
	// of the source, one more for the module comment).
	line := strings.Count(acceptanceSrc[:strings.Index(acceptanceSrc, "PyTuple_GET_ITEM")], "\n") + 1
	col := strings.Index(strings.Split(acceptanceSrc, "\n")[line-1], "PyTuple_GET_ITEM") + len("PyTuple_GET_ITEM")
	for i := 0; i < docs; i++ {
		c.change(uri(i), 2, []int{line, col, line, col}, "x")
	}
	for i := 0; i < docs; i++ {
		ds := c.diags(uri(i), 2).Diagnostics
		record(fmt.Sprintf("diagnostics after an edit %d", i), ds)
		queries(i, ds)
	}
	// And back, on the documents in reverse order (the newest are evicted
	// by the time the oldest are edited).
	for i := docs - 1; i >= 0; i-- {
		c.change(uri(i), 3, []int{line, col, line, col + 1}, "")
		ds := c.diags(uri(i), 3).Diagnostics
		record(fmt.Sprintf("diagnostics edited back %d", i), ds)
		got, _ := json.Marshal(ds)
		want, _ := json.Marshal(shiftVersion(diags[i], 3))
		if string(got) != string(want) {
			t.Errorf("document %d: the text is back as opened, but the diagnostics are\n%s\nnot\n%s", i, got, want)
		}
	}
	bound("after the edits")
	for i := 0; i < docs; i++ {
		c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri(i)}})
	}
	waitLiveTrees(t, c.srv, 0, "after closing every document")
	c.shutdownExit()
	return out
}

// shiftVersion returns ds with the version of their data set to v.
func shiftVersion(ds []protocol.Diagnostic, v int32) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, len(ds))
	for i, d := range ds {
		if m, ok := d.Data.(map[string]any); ok {
			n := map[string]any{}
			for k, x := range m {
				n[k] = x
			}
			n["version"] = float64(v)
			d.Data = n
		}
		out[i] = d
	}
	return out
}

// TestActiveDocuments: with only a few active documents, every answer on
// the documents given up (diagnostics, hover, code actions, file status,
// edits) is the one a server keeping everything gives; the trees held
// stay bounded; closing frees everything.
func TestActiveDocuments(t *testing.T) {
	all := activeScenario(t, -1)
	for _, active := range []int{1, 2} {
		t.Run(fmt.Sprintf("active=%d", active), func(t *testing.T) {
			got := activeScenario(t, active)
			if len(got) != len(all) {
				t.Fatalf("%d answers, want %d", len(got), len(all))
			}
			for i := range got {
				if got[i] != all[i] {
					t.Errorf("answer %d differs:\n got %s\nwant %s", i, got[i], all[i])
				}
			}
		})
	}
}

// TestActiveKeepAnalysis: an active document answers from its kept
// analysis; a document given up is analysed again when queried, and
// becomes active.
func TestActiveKeepAnalysis(t *testing.T) {
	c := newClient(t, Options{ActiveDocuments: 2}, true)
	c.initialize(nil)
	eng := c.srv.eng.(*fakeEngine)
	analyses := func() int64 { return eng.analyses.Load() }
	c.open("file:///a.c", "int BAD_a;\n")
	c.diags("file:///a.c", 1)
	c.open("file:///b.c", "int BAD_b;\n")
	c.diags("file:///b.c", 1)
	if n := analyses(); n != 2 {
		t.Fatalf("%d analyses after opening two documents", n)
	}
	// Active: [b, a]. A hover on a uses its analysis.
	if h := c.hoverText("file:///a.c", 0, 5); h != "**BAD_a**" {
		t.Errorf("hover on a = %q", h)
	}
	if n := analyses(); n != 2 {
		t.Errorf("hover on an active document analysed it again (%d analyses)", n)
	}
	// Active: [a, b]; opening c gives up b.
	c.open("file:///c.c", "int BAD_c;\n")
	c.diags("file:///c.c", 1)
	waitLiveTrees(t, c.srv, 4, "after opening c")
	if h := c.hoverText("file:///b.c", 0, 5); h != "**BAD_b**" {
		t.Errorf("hover on b = %q", h)
	}
	if n := analyses(); n != 4 {
		t.Errorf("%d analyses, want 4 (a, b, c, b again)", n)
	}
	// b is active again, with its analysis: a second hover reuses it.
	c.hoverText("file:///b.c", 0, 6)
	if n := analyses(); n != 4 {
		t.Errorf("%d analyses after a second hover on b, want 4", n)
	}
	c.shutdownExit()
}

// TestIdleRelease: once the server has nothing to do after work, it
// returns memory (the embedder's hook runs), and carries on normally
// afterwards; with a negative delay it never does.
func TestIdleRelease(t *testing.T) {
	released := make(chan struct{}, 10)
	hook := func() { released <- struct{}{} }
	c := newClient(t, Options{IdleRelease: time.Millisecond, ReleaseMemory: hook}, true, func(s *Server) {
		s.idle.minAlloc = 0 // whatever the work allocated
	})
	c.initialize(nil)
	wait := func(what string) {
		t.Helper()
		select {
		case <-released:
		case <-time.After(waitTimeout):
			t.Fatalf("no memory release after %s", what)
		}
	}
	c.open("file:///r.c", "int BAD_r;\n")
	c.diags("file:///r.c", 1)
	wait("opening a document")
	c.change("file:///r.c", 2, []int{0, 9, 0, 9}, "x")
	if d := c.diags("file:///r.c", 2).Diagnostics; len(d) != 1 || d[0].Message != "bad name BAD_rx" {
		t.Errorf("diagnostics after a release: %+v", d)
	}
	wait("an edit")
	c.shutdownExit()

	never := newClient(t, Options{IdleRelease: -1, ReleaseMemory: func() { t.Error("memory released with IdleRelease < 0") }}, true, func(s *Server) {
		s.idle.minAlloc = 0
	})
	never.initialize(nil)
	never.open("file:///n.c", "int BAD_n;\n")
	never.diags("file:///n.c", 1)
	never.srv.idle.mu.Lock()
	armed := never.srv.idle.timer != nil
	never.srv.idle.mu.Unlock()
	if armed {
		t.Errorf("IdleRelease < 0 armed a timer")
	}
	never.shutdownExit()
}
