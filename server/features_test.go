package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// applyEdits applies LSP text edits to text (positions in UTF-16 unless
// utf8), as an editor would.
func applyEdits(text string, edits []protocol.TextEdit, utf16 bool) string {
	type span struct {
		a, b int
		s    string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{refOffset(text, e.Range.Start, utf16), refOffset(text, e.Range.End, utf16), e.NewText})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].a > spans[j].a })
	for _, sp := range spans {
		text = text[:sp.a] + sp.s + text[sp.b:]
	}
	return text
}

type codeAction struct {
	Title       string                `json:"title"`
	Kind        string                `json:"kind"`
	IsPreferred bool                  `json:"isPreferred"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
	Edit        protocol.WorkspaceEdit
}

func (a codeAction) edits(t *testing.T, uri string) []protocol.TextEdit {
	t.Helper()
	if e, ok := a.Edit.Changes[protocol.DocumentURI(uri)]; ok {
		return e
	}
	for _, dc := range a.Edit.DocumentChanges {
		if string(dc.TextDocument.URI) == uri {
			return dc.Edits
		}
	}
	t.Fatalf("action %q has no edits for %s", a.Title, uri)
	return nil
}

func (c *client) codeActions(uri string, r protocol.Range, diags []protocol.Diagnostic, only ...string) []codeAction {
	c.t.Helper()
	ctx := map[string]any{"diagnostics": diags}
	if only != nil {
		ctx["only"] = only
	}
	if diags == nil {
		ctx["diagnostics"] = []any{}
	}
	var out []codeAction
	c.mustCall("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "range": r, "context": ctx,
	}, &out)
	return out
}

func TestDiagnosticsAndQuickFix(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	uri := "file:///w/a.c"
	text := "#define Py_LIMITED_API 0x03080000\r\n/* é😀 */ int BAD_x;\r\n"
	c.open(uri, text)
	p := c.diags(uri, 1)
	if len(p.Diagnostics) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %+v", len(p.Diagnostics), p.Diagnostics)
	}
	d := p.Diagnostics[0]
	// "/* é😀 */ int " is 14 UTF-16 units (😀 counts 2).
	if want := (protocol.Range{Start: pos(1, 14), End: pos(1, 19)}); d.Range != want {
		t.Errorf("range = %+v, want %+v", d.Range, want)
	}
	if d.Source != "abi3ls" || d.Code != "T001" || d.Severity != protocol.DiagnosticSeverityWarning || d.Message != "bad name BAD_x" {
		t.Errorf("diagnostic = %+v", d)
	}
	if d.CodeDescription == nil || d.CodeDescription.Href != "https://docs.invalid/BAD_x" {
		t.Errorf("codeDescription = %+v", d.CodeDescription)
	}
	if len(d.RelatedInformation) != 1 || d.RelatedInformation[0].Location.URI != protocol.DocumentURI(uri) ||
		d.RelatedInformation[0].Location.Range.Start != pos(0, 0) || d.RelatedInformation[0].Message != "target set here" {
		t.Errorf("relatedInformation = %+v", d.RelatedInformation)
	}
	if d.Data == nil {
		t.Fatalf("diagnostic has no data")
	}

	// Quick fixes come from the data; "only" filters kinds.
	all := c.codeActions(uri, d.Range, p.Diagnostics)
	if len(all) != 2 || all[0].Title != "Rename to GOOD_x" || all[0].Kind != "quickfix" || !all[0].IsPreferred ||
		all[1].Kind != "refactor.rewrite" || all[1].IsPreferred {
		t.Fatalf("actions = %+v", all)
	}
	if len(all[0].Diagnostics) != 1 || all[0].Diagnostics[0].Code != "T001" {
		t.Errorf("quick fix not attached to its diagnostic: %+v", all[0].Diagnostics)
	}
	qf := c.codeActions(uri, d.Range, p.Diagnostics, "quickfix")
	if len(qf) != 1 {
		t.Fatalf("only quickfix: %+v", qf)
	}
	// Without diagnostics in the context the same fixes are computed.
	if again := c.codeActions(uri, protocol.Range{Start: pos(1, 14), End: pos(1, 14)}, nil, "quickfix"); len(again) != 1 || again[0].Title != qf[0].Title {
		t.Errorf("computed quick fixes = %+v", again)
	}

	fixed := applyEdits(text, qf[0].edits(t, uri), true)
	if want := "#define Py_LIMITED_API 0x03080000\r\n/* é😀 */ int GOOD_x;\r\n"; fixed != want {
		t.Fatalf("after fix: %q, want %q", fixed, want)
	}
	// Send the fix as an incremental change, as an editor does.
	e := qf[0].edits(t, uri)[0]
	c.change(uri, 2, []int{int(e.Range.Start.Line), int(e.Range.Start.Character), int(e.Range.End.Line), int(e.Range.End.Character)}, e.NewText)
	if p := c.diags(uri, 2); len(p.Diagnostics) != 0 {
		t.Errorf("diagnostics after the fix: %+v", p.Diagnostics)
	}
	if h := c.hoverText(uri, 1, 15); h != "**GOOD_x**" {
		t.Errorf("hover after the fix = %q", h)
	}

	// Data of an older version is not trusted: the fixes are recomputed
	// against the current text.
	c.change(uri, 3, []int{1, 14, 1, 18}, "BAD")
	p3 := c.diags(uri, 3)
	if len(p3.Diagnostics) != 1 {
		t.Fatalf("v3 diagnostics: %+v", p3.Diagnostics)
	}
	c.change(uri, 4, []int{0, 0, 0, 0}, "\n")
	p4 := c.diags(uri, 4)
	stale := c.codeActions(uri, p4.Diagnostics[0].Range, p3.Diagnostics, "quickfix")
	if len(stale) != 1 || stale[0].edits(t, uri)[0].Range.Start.Line != 2 {
		t.Errorf("actions for stale data = %+v", stale)
	}

	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
	m := c.next("diagnostics cleared on close", isMethod("textDocument/publishDiagnostics"))
	var cleared publishParams
	json.Unmarshal(m.Params, &cleared)
	if cleared.URI != uri || len(cleared.Diagnostics) != 0 || cleared.Version != nil {
		t.Errorf("on close: %+v", cleared)
	}
	if h := c.hoverText(uri, 1, 15); h != "" {
		t.Errorf("hover on a closed document = %q", h)
	}
	c.shutdownExit()
}

func TestUTF8Encoding(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(map[string]any{"capabilities": map[string]any{"general": map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}}}})
	uri := "file:///u8.c"
	c.open(uri, "/*😀é*/int BAD_q;\n")
	d := c.diags(uri, 1).Diagnostics
	if len(d) != 1 || d[0].Range.Start != pos(0, 14) || d[0].Range.End != pos(0, 19) {
		t.Fatalf("utf-8 range: %+v", d)
	}
	// An edit in UTF-8 columns.
	c.change(uri, 2, []int{0, 14, 0, 17}, "GOOD")
	if d := c.diags(uri, 2).Diagnostics; len(d) != 0 {
		t.Errorf("after utf-8 edit: %+v", d)
	}
	if h := c.hoverText(uri, 0, 15); h != "**GOOD_q**" {
		t.Errorf("hover = %q", h)
	}
	c.shutdownExit()
}

func TestFixAll(t *testing.T) {
	var mu sync.Mutex
	var applied []json.RawMessage
	c := newClient(t, Options{}, true)
	c.onRequest = func(method string, params json.RawMessage) (any, *rpcError) {
		if method == "workspace/applyEdit" {
			mu.Lock()
			applied = append(applied, params)
			mu.Unlock()
			return map[string]any{"applied": true}, nil
		}
		return nil, nil
	}
	c.initialize(map[string]any{"capabilities": map[string]any{"workspace": map[string]any{
		"applyEdit": true, "workspaceEdit": map[string]any{"documentChanges": true},
	}}})
	uri := "untitled:Untitled-1"
	text := "int BAD_a; int BAD_b;\nint ok;\nint BAD_c;\n"
	c.notify("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "c", "version": 0, "text": text},
	})
	if d := c.diags(uri, 0).Diagnostics; len(d) != 3 {
		t.Fatalf("diagnostics: %+v", d)
	}
	acts := c.codeActions(uri, protocol.Range{}, nil, "source.fixAll")
	if len(acts) != 1 || acts[0].Kind != "source.fixAll.abi3ls" {
		t.Fatalf("fix-all actions: %+v", acts)
	}
	if v := acts[0].Edit.DocumentChanges[0].TextDocument.Version; v == nil || *v != 0 {
		t.Errorf("fix-all edit version = %v, want 0", v)
	}
	want := "int GOOD_a; int GOOD_b;\nint ok;\nint GOOD_c;\n"
	if got := applyEdits(text, acts[0].edits(t, uri), true); got != want {
		t.Errorf("fix all: %q, want %q", got, want)
	}
	// Source actions are not offered unless asked for.
	for _, a := range c.codeActions(uri, protocol.Range{End: pos(9, 0)}, nil) {
		if strings.HasPrefix(a.Kind, "source") {
			t.Errorf("source action offered without being asked: %+v", a)
		}
	}
	// The command sends workspace/applyEdit.
	c.mustCall("workspace/executeCommand", map[string]any{"command": "abi3ls.fixAll", "arguments": []any{uri}}, nil)
	mu.Lock()
	if len(applied) != 1 {
		t.Fatalf("applyEdit requests: %d", len(applied))
	}
	var ae struct {
		Edit protocol.WorkspaceEdit `json:"edit"`
	}
	json.Unmarshal(applied[0], &ae)
	mu.Unlock()
	if got := applyEdits(text, ae.Edit.DocumentChanges[0].Edits, true); got != want {
		t.Errorf("applyEdit: %q, want %q", got, want)
	}
	if _, err := c.call("workspace/executeCommand", map[string]any{"command": "abi3ls.nope", "arguments": []any{uri}}); err == nil || err.Code != codeInvalidParams {
		t.Errorf("unknown command: %v", err)
	}
	c.shutdownExit()
}

func TestFileStatus(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	uri := "file:///s.c"
	c.open(uri, "int a;\n#define Py_LIMITED_API 0x03080000\nint BAD_z;\n")
	c.diags(uri, 1)
	var st FileStatus
	c.mustCall(methodFileStatus, map[string]any{"textDocument": map[string]any{"uri": uri}}, &st)
	if st.Target != "abi3 3.8+" || st.Source != "define" || st.Declaration != "Py_LIMITED_API 0x03080000" ||
		st.MinVersion != "3.10" || st.MinHex != "0x030A0000" || st.MinSymbol != "PyType_FromModuleAndSpec" || st.Findings != 1 || !st.Analyzed {
		t.Errorf("status = %+v", st)
	}
	if st.Location == nil || st.Location.Range.Start != pos(1, 0) {
		t.Errorf("status location = %+v", st.Location)
	}
	var st2 FileStatus
	c.mustCall("workspace/executeCommand", map[string]any{"command": "abi3ls.fileStatus", "arguments": []any{map[string]any{"uri": uri}}}, &st2)
	if st2.Target != st.Target {
		t.Errorf("command status = %+v", st2)
	}
	res, err := c.call(methodFileStatus, map[string]any{"textDocument": map[string]any{"uri": "file:///not-open.c"}})
	if err != nil || string(res) != "null" {
		t.Errorf("status of an unknown document: %s %v", res, err)
	}
	c.shutdownExit()
}

// TestDebounceAndOrder: a quick run of edits is analysed once, for the last
// version; published versions only increase.
func TestDebounceAndOrder(t *testing.T) {
	var mu sync.Mutex
	var events []int32
	c := newClient(t, Options{Debounce: 50e6}, true, func(s *Server) {
		s.onPublish = func(uri string, v int32, sent bool) {
			if sent {
				mu.Lock()
				events = append(events, v)
				mu.Unlock()
			}
		}
	})
	c.initialize(nil)
	uri := "file:///d.c"
	c.open(uri, "int BAD_0;\n")
	c.diags(uri, 1)
	for v := int32(2); v <= 30; v++ {
		c.change(uri, v, []int{0, 8, 0, 9}, string(rune('a'+v%26)))
	}
	p := c.diags(uri, 30)
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != "bad name BAD_e" {
		t.Errorf("final diagnostics: %+v", p.Diagnostics)
	}
	c.shutdownExit()
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(events); i++ {
		if events[i] <= events[i-1] {
			t.Errorf("published versions not increasing: %v", events)
		}
	}
	if len(events) > 10 {
		t.Errorf("debounce did not merge the burst: published %v", events)
	}
}

// TestSkipIdenticalRepublish: reanalysis with an unchanged result sends
// nothing.
func TestSkipIdenticalRepublish(t *testing.T) {
	type ev struct {
		v    int32
		sent bool
	}
	evs := make(chan ev, 100)
	c := newClient(t, Options{}, true, func(s *Server) {
		s.onPublish = func(uri string, v int32, sent bool) { evs <- ev{v, sent} }
	})
	c.initialize(nil)
	uri := "file:///same.c"
	c.open(uri, "int BAD_s;\n")
	if e := <-evs; !e.sent {
		t.Fatalf("first publish not sent")
	}
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"abi3ls": map[string]any{"maxFileSize": 1 << 20}}})
	if e := <-evs; e.sent {
		t.Errorf("identical diagnostics were published again")
	}
	c.shutdownExit()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func findCode(ds []protocol.Diagnostic, code string) *protocol.Diagnostic {
	for i := range ds {
		if ds[i].Code == code {
			return &ds[i]
		}
	}
	return nil
}

// TestConfigurationLayers: project file < initializationOptions <
// didChangeConfiguration < workspace/configuration, per folder.
func TestConfigurationLayers(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"abi3ls.toml": "[severity]\nT003 = \"hint\"\n",
		"a.c":         "int x;\n",
	})
	other := t.TempDir()
	writeFiles(t, other, map[string]string{"abi3ls.toml": "exclude = [\"gen\"]\n"})
	uri := fileURI(filepath.Join(root, "a.c"))
	sev := func(c *client, v int32) string {
		t.Helper()
		d := findCode(c.diags(uri, v).Diagnostics, "T003")
		if d == nil {
			return "none"
		}
		return d.Message
	}

	// Project file alone.
	c := newClient(t, Options{}, true)
	c.initialize(map[string]any{"rootUri": fileURI(root)})
	c.open(uri, "int x;\n")
	if got := sev(c, 1); got != "severity from configuration: hint" {
		t.Errorf("project file: %s", got)
	}
	c.shutdownExit()

	// initializationOptions over the project file, then
	// didChangeConfiguration over both.
	var mu sync.Mutex
	pulled := map[string]any{}
	c = newClient(t, Options{}, true)
	c.onRequest = func(method string, params json.RawMessage) (any, *rpcError) {
		if method != "workspace/configuration" {
			return nil, nil
		}
		var p struct {
			Items []struct {
				ScopeURI string `json:"scopeUri"`
			} `json:"items"`
		}
		json.Unmarshal(params, &p)
		mu.Lock()
		defer mu.Unlock()
		var out []any
		for _, it := range p.Items {
			out = append(out, pulled[it.ScopeURI])
		}
		return out, nil
	}
	c.initialize(map[string]any{
		"workspaceFolders":      []any{map[string]any{"uri": fileURI(root), "name": "root"}, map[string]any{"uri": fileURI(other), "name": "other"}},
		"initializationOptions": map[string]any{"severity": map[string]any{"T003": "warning"}},
	})
	c.open(uri, "int x;\n")
	if got := sev(c, 1); got != "severity from configuration: warning" {
		t.Errorf("initializationOptions: %s", got)
	}
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"abi3ls": map[string]any{"severity": map[string]any{"T003": "error"}}}})
	c.next("republish after configuration", func(m *wireMsg) bool {
		var p publishParams
		return m.Method != nil && json.Unmarshal(m.Params, &p) == nil && len(p.Diagnostics) > 0 && findCode(p.Diagnostics, "T003") != nil &&
			findCode(p.Diagnostics, "T003").Message == "severity from configuration: error"
	})
	// Per-folder settings: other/gen is excluded, root is not.
	genURI := fileURI(filepath.Join(other, "gen", "g.c"))
	c.open(genURI, "int BAD_g;\n")
	if d := c.diags(genURI, 1).Diagnostics; len(d) != 0 {
		t.Errorf("excluded file has diagnostics: %+v", d)
	}
	c.shutdownExit()

	// A client that supports workspace/configuration is asked, per folder.
	mu.Lock()
	pulled[fileURI(root)] = map[string]any{"severity": map[string]any{"T003": "information"}}
	mu.Unlock()
	c2 := newClient(t, Options{}, true)
	c2.onRequest = c.onRequest
	c2.initialize(map[string]any{
		"workspaceFolders": []any{map[string]any{"uri": fileURI(root), "name": "root"}},
		"capabilities":     map[string]any{"workspace": map[string]any{"configuration": true}},
	})
	c2.open(uri, "int x;\n")
	c2.next("pulled configuration applied", func(m *wireMsg) bool {
		var p publishParams
		return m.Method != nil && json.Unmarshal(m.Params, &p) == nil && findCode(p.Diagnostics, "T003") != nil &&
			findCode(p.Diagnostics, "T003").Message == "severity from configuration: information"
	})
	c2.shutdownExit()
}

// TestBuildFileChange: the server registers watchers; a changed build file
// reloads the facts and republishes.
func TestBuildFileChange(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"setup.cfg": "[bdist_wheel]\npy_limited_api = cp38\n"})
	c := newClient(t, Options{}, true)
	c.initialize(map[string]any{
		"rootUri":      fileURI(root),
		"capabilities": map[string]any{"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}},
	})
	uri := fileURI(filepath.Join(root, "m.c"))
	c.open(uri, "int x;\n")
	d := findCode(c.diags(uri, 1).Diagnostics, "T002")
	if d == nil || !strings.Contains(d.Message, "cp38") {
		t.Fatalf("build fact: %+v", d)
	}
	c.waitRequest("client/registerCapability")
	writeFiles(t, root, map[string]string{"setup.cfg": "[bdist_wheel]\npy_limited_api = cp310\n"})
	c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": fileURI(filepath.Join(root, "setup.cfg")), "type": 2}}})
	c.next("republish after the build file changed", func(m *wireMsg) bool {
		var p publishParams
		if m.Method == nil || json.Unmarshal(m.Params, &p) != nil {
			return false
		}
		d := findCode(p.Diagnostics, "T002")
		return d != nil && strings.Contains(d.Message, "cp310")
	})
	c.shutdownExit()
}

// TestImplicitRootAndFolders: a file outside every workspace folder gets
// the facts of the project above it; folders can be added later.
func TestImplicitRootAndFolders(t *testing.T) {
	proj := t.TempDir()
	writeFiles(t, proj, map[string]string{"setup.cfg": "[bdist_wheel]\npy_limited_api = cp39\n"})
	added := t.TempDir()
	writeFiles(t, added, map[string]string{"setup.cfg": "[bdist_wheel]\npy_limited_api = cp311\n"})
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	uri := fileURI(filepath.Join(proj, "src", "m.c"))
	c.open(uri, "int x;\n")
	if d := findCode(c.diags(uri, 1).Diagnostics, "T002"); d == nil || !strings.Contains(d.Message, "cp39") {
		t.Errorf("implicit root: %+v", d)
	}
	c.notify("workspace/didChangeWorkspaceFolders", map[string]any{"event": map[string]any{
		"added": []any{map[string]any{"uri": fileURI(added), "name": "added"}}, "removed": []any{},
	}})
	// Wait for the folder to be loaded: its document gets its facts.
	uri2 := fileURI(filepath.Join(added, "n.c"))
	for v := int32(1); ; v++ {
		c.open(uri2, "int y;\n")
		d := findCode(c.diags(uri2, 1).Diagnostics, "T002")
		if d != nil && strings.Contains(d.Message, "cp311") {
			break
		}
		if v > 200 {
			t.Fatalf("added folder never applied: %+v", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.shutdownExit()
}

// TestHeaderChange: editing an open header reanalyses the files that
// include it (real analysis: the target comes from the header).
func TestHeaderChange(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, Options{}, false)
	c.initialize(map[string]any{"rootUri": fileURI(dir)})
	hdr := fileURI(filepath.Join(dir, "target.h"))
	src := fileURI(filepath.Join(dir, "m.c"))
	c.open(hdr, "#define Py_LIMITED_API 0x03080000\n")
	c.diags(hdr, 1)
	c.open(src, "#include \"target.h\"\n#include <Python.h>\nPyObject *f(PyObject *m, PyType_Spec *s) { return PyType_FromModuleAndSpec(m, s, NULL); }\n")
	if got := codes(c.diags(src, 1).Diagnostics); got != "ABI002" {
		t.Fatalf("with a 3.8 header: %s", got)
	}
	c.change(hdr, 2, []int{0, 23, 0, 33}, "0x030A0000")
	c.next("the includer reanalysed", func(m *wireMsg) bool {
		var p publishParams
		return m.Method != nil && json.Unmarshal(m.Params, &p) == nil && p.URI == src && len(p.Diagnostics) == 0
	})
	c.shutdownExit()
}
