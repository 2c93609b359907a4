package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestInitializeResult(t *testing.T) {
	c := newClient(t, Options{Version: "1.2.3"}, true)
	var res map[string]any
	c.mustCall("initialize", map[string]any{
		"processId": nil, "rootUri": nil,
		"capabilities": map[string]any{
			"textDocument": map[string]any{"codeAction": map[string]any{
				"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix"}}},
			}},
		},
	}, &res)
	got, _ := json.Marshal(res)
	// Golden: the capabilities a client sees (kept stable on purpose).
	want := `{"capabilities":{"codeActionProvider":{"codeActionKinds":["quickfix","refactor.rewrite","source.fixAll.abi3ls"]},` +
		`"executeCommandProvider":{"commands":["abi3ls.fixAll","abi3ls.fileStatus"]},"hoverProvider":true,` +
		`"positionEncoding":"utf-16","textDocumentSync":{"change":2,"openClose":true},` +
		`"workspace":{"workspaceFolders":{"changeNotifications":true,"supported":true}}},` +
		`"serverInfo":{"name":"abi3ls","version":"1.2.3"}}`
	if string(got) != want {
		t.Errorf("initialize result:\n got %s\nwant %s", got, want)
	}
	if code := c.shutdownExit(); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
}

func TestPositionEncodingNegotiation(t *testing.T) {
	for _, tc := range []struct {
		offered []string
		want    string
	}{
		{nil, "utf-16"},
		{[]string{"utf-16"}, "utf-16"},
		{[]string{"utf-32", "utf-16"}, "utf-16"},
		{[]string{"utf-16", "utf-8"}, "utf-8"},
		{[]string{"utf-8"}, "utf-8"},
	} {
		c := newClient(t, Options{}, true)
		res := c.initialize(map[string]any{"capabilities": map[string]any{
			"general": map[string]any{"positionEncodings": tc.offered},
		}})
		if res.Capabilities.PositionEncoding != tc.want {
			t.Errorf("offered %v: got %q, want %q", tc.offered, res.Capabilities.PositionEncoding, tc.want)
		}
		c.shutdownExit()
	}
}

func TestLifecycleErrors(t *testing.T) {
	c := newClient(t, Options{}, true)
	// Before initialize: ServerNotInitialized; notifications are dropped.
	c.open("file:///early.c", "int BAD_x;")
	if _, err := c.call("textDocument/hover", map[string]any{}); err == nil || err.Code != codeServerNotInitialized {
		t.Fatalf("hover before initialize: got %v, want %d", err, codeServerNotInitialized)
	}
	c.initialize(nil)
	if _, err := c.call("initialize", map[string]any{"capabilities": map[string]any{}}); err == nil || err.Code != codeInvalidRequest {
		t.Errorf("second initialize: got %v, want %d", err, codeInvalidRequest)
	}
	// The early didOpen was ignored: the document is unknown.
	if h := c.hoverText("file:///early.c", 0, 5); h != "" {
		t.Errorf("hover on a document opened before initialize = %q", h)
	}
	if _, err := c.call("abi3ls/noSuchMethod", nil); err == nil || err.Code != codeMethodNotFound {
		t.Errorf("unknown method: got %v, want %d", err, codeMethodNotFound)
	}
	c.notify("abi3ls/noSuchNotification", map[string]any{"x": 1})
	c.notify("$/setTrace", map[string]any{"value": "off"})
	if _, err := c.call("shutdown", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.call("textDocument/hover", map[string]any{}); err == nil || err.Code != codeInvalidRequest {
		t.Errorf("request after shutdown: got %v, want %d", err, codeInvalidRequest)
	}
	if _, err := c.call("shutdown", nil); err == nil || err.Code != codeInvalidRequest {
		t.Errorf("second shutdown: got %v, want %d", err, codeInvalidRequest)
	}
	c.notify("exit", nil)
	if code := c.exitCode(); code != 0 {
		t.Errorf("exit after shutdown = %d, want 0", code)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	c.notify("exit", nil)
	if code := c.exitCode(); code != 1 {
		t.Errorf("exit without shutdown = %d, want 1", code)
	}
}

func TestEOFWithoutExit(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	c.conn.Close()
	if code := c.exitCode(); code != 1 {
		t.Errorf("end of input without shutdown = %d, want 1", code)
	}
}

// TestCancel cancels in-flight requests by numeric and string ids: each
// is answered -32800, and the server goes on answering.
func TestCancel(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	uri := "file:///slow.c"
	c.open(uri, "int SLOW_HOVER;\nint BAD_a;\n")
	c.diags(uri, 1)
	hover := map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 6}}
	for _, id := range []any{int64(1000), "req-α", 7.0} {
		ch := c.sendID(id, "textDocument/hover", hover)
		// The hover blocks until cancelled; make sure it is in flight.
		time.Sleep(20 * time.Millisecond)
		c.notify("$/cancelRequest", map[string]any{"id": id})
		m := c.await(ch, "cancelled hover")
		if m.Error == nil || m.Error.Code != codeRequestCancelled {
			t.Errorf("id %v: got %+v, want error %d", id, m, codeRequestCancelled)
		}
	}
	// Cancelling an unknown or finished request is harmless.
	c.notify("$/cancelRequest", map[string]any{"id": 424242})
	c.notify("$/cancelRequest", map[string]any{"id": map[string]any{}})
	if h := c.hoverText(uri, 1, 5); h != "**BAD_a**" {
		t.Errorf("hover after cancellations = %q", h)
	}
	c.shutdownExit()
}

// TestPanicRecovered: a panic inside a request is answered -32603 and the
// connection lives; one inside the analysis is logged.
func TestPanicRecovered(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	uri := "file:///p.c"
	c.open(uri, "int PANIC_HOVER;\nint BAD_b;\n")
	c.diags(uri, 1)
	_, err := c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 5},
	})
	if err == nil || err.Code != codeInternalError {
		t.Fatalf("panicking hover: got %v, want %d", err, codeInternalError)
	}
	if h := c.hoverText(uri, 1, 5); h != "**BAD_b**" {
		t.Errorf("hover after a panic = %q", h)
	}
	// A panicking analysis: no diagnostics, no crash.
	uri2 := "file:///p2.c"
	c.open(uri2, "int PANIC_ANALYZE;\n")
	if _, err := c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri2}, "position": map[string]any{"line": 0, "character": 5},
	}); err == nil || err.Code != codeInternalError {
		t.Errorf("hover over a panicking analysis: got %v, want %d", err, codeInternalError)
	}
	if h := c.hoverText(uri, 1, 5); h != "**BAD_b**" {
		t.Errorf("hover after an analysis panic = %q", h)
	}
	if !strings.Contains(c.log.String(), "PANIC_ANALYZE") {
		t.Errorf("the analysis panic was not logged")
	}
	c.shutdownExit()
}

// TestTreesFreed: closing, reopening and replacing documents frees their
// trees while the server runs.
func TestTreesFreed(t *testing.T) {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	waitTrees := func(want int64, what string) {
		t.Helper()
		deadline := time.Now().Add(waitTimeout)
		for c.srv.LiveTrees() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d live trees, want %d", what, c.srv.LiveTrees(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for cycle := 0; cycle < 200; cycle++ {
		uri := "file:///cycle.c"
		c.open(uri, "int BAD_a;\n")
		c.diags(uri, 1)
		c.change(uri, 2, []int{0, 0, 0, 0}, "int y;\n")
		c.diags(uri, 2)
		c.hoverText(uri, 1, 5)
		if cycle%3 == 0 {
			c.open(uri, "int BAD_b;\n") // replaces the open document
			c.diags(uri, 1)
		}
		if cycle%5 == 0 {
			c.change(uri, 3, nil, "int BAD_full;\n") // full replacement
			c.diags(uri, 3)
		}
		c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
		c.next("cleared", isMethod("textDocument/publishDiagnostics"))
	}
	waitTrees(0, "after 200 open/edit/close cycles")
	// Open documents hold a bounded number of trees (document + snapshot).
	for i := 0; i < 10; i++ {
		uri := "file:///open" + string(rune('a'+i)) + ".c"
		c.open(uri, "int BAD_x;\n")
		c.diags(uri, 1)
	}
	if n := c.srv.LiveTrees(); n > 20 {
		t.Errorf("10 open documents hold %d trees", n)
	}
	c.shutdownExit()
}

// TestOtherLanguages: documents that are not C or C++ are kept in sync but
// get no diagnostics and no hover.
func TestOtherLanguages(t *testing.T) {
	published := make(chan string, 10)
	c := newClient(t, Options{}, true, func(s *Server) {
		s.onPublish = func(uri string, v int32, sent bool) { published <- uri }
	})
	c.initialize(nil)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": "file:///x.py", "languageId": "python", "version": 1, "text": "BAD_py = 1\n"}})
	c.open("file:///y.c", "int BAD_c;\n")
	if uri := <-published; uri != "file:///y.c" {
		t.Errorf("published for %s", uri)
	}
	if h := c.hoverText("file:///x.py", 0, 1); h != "" {
		t.Errorf("hover on python = %q", h)
	}
	// A header by extension, whatever its language id.
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": "file:///z.hpp", "languageId": "", "version": 1, "text": "int BAD_h;\n"}})
	if d := c.diags("file:///z.hpp", 1).Diagnostics; len(d) != 1 {
		t.Errorf("z.hpp: %+v", d)
	}
	c.shutdownExit()
}
