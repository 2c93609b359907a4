package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

const aliveURI = "file:///alive.c"

// alive checks the server still answers a hover correctly.
func (c *client) alive(after string) {
	c.t.Helper()
	if h := c.hoverText(aliveURI, 0, 6); h != "**BAD_alive**" {
		c.t.Errorf("after %s: hover = %q, want **BAD_alive**", after, h)
	}
}

// nextError waits for an error response sent with a null id (the answer
// to a message whose id could not be read).
func (c *client) nextError(what string, code int64) {
	c.t.Helper()
	m := c.next(what, func(m *wireMsg) bool { return m.Method == nil && m.Error != nil })
	if m.Error.Code != code {
		c.t.Errorf("%s: error %d (%s), want %d", what, m.Error.Code, m.Error.Message, code)
	}
	if string(m.ID) != "null" {
		c.t.Errorf("%s: id %s, want null", what, m.ID)
	}
}

func hoverBody(id int, uri string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/hover","params":{"textDocument":{"uri":%q},"position":{"line":0,"character":6}}}`, id, uri)
}

func newAbuseClient(t *testing.T) *client {
	c := newClient(t, Options{}, true)
	c.initialize(nil)
	c.open(aliveURI, "int   BAD_alive;\n")
	c.diags(aliveURI, 1)
	c.alive("start")
	return c
}

// TestMalformedFrames: bad framing is answered and the next message is
// read normally.
func TestMalformedFrames(t *testing.T) {
	c := newAbuseClient(t)
	hover := hoverBody(1_000_001, aliveURI)
	for _, tc := range []struct {
		name string
		raw  string
		code int64
	}{
		{"non-numeric Content-Length", "Content-Length: abc\r\n\r\n" + hover, codeParseError},
		{"negative Content-Length", "Content-Length: -5\r\n\r\n" + hover, codeParseError},
		{"huge Content-Length", "Content-Length: 99999999999999999999\r\n\r\n" + hover, codeParseError},
		{"no Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + hover, codeParseError},
		{"body without header", hover, codeParseError},
		{"garbage line", "hello there\r\n", codeParseError},
		{"header without body", "Content-Length: 80\r\n\r\n", codeParseError},
		{"Content-Length too large", fmt.Sprintf("Content-Length: %d\r\n\r\n{}", len("{}")+10), codeParseError},
		{"Content-Length one byte into the next header", fmt.Sprintf("Content-Length: %d\r\n\r\n{}", len("{}")+1), codeParseError},
	} {
		c.raw(tc.raw)
		c.alive(tc.name) // the hover frame after the junk must be read
		c.nextError(tc.name, tc.code)
	}
	c.shutdownExit()
}

func TestMalformedMessages(t *testing.T) {
	c := newAbuseClient(t)
	for _, tc := range []struct {
		name, body string
		code       int64
		id         string
	}{
		{"invalid JSON", `{"jsonrpc":"2.0","id":1,"method":`, codeParseError, "null"},
		{"not JSON at all", `hello`, codeParseError, "null"},
		{"deeply nested JSON", `{"jsonrpc":"2.0","method":"x","params":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, codeParseError, "null"},
		{"JSON array (batch)", `[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]`, codeInvalidRequest, "null"},
		{"JSON number", `42`, codeInvalidRequest, "null"},
		{"object without method", `{"hello":"world"}`, codeInvalidRequest, "null"},
		{"wrong jsonrpc version", `{"jsonrpc":"1.0","id":77,"method":"shutdown"}`, codeInvalidRequest, "77"},
		{"object id", `{"jsonrpc":"2.0","id":{"a":1},"method":"shutdown"}`, codeInvalidRequest, "null"},
		{"method of wrong type", `{"jsonrpc":"2.0","id":78,"method":5}`, codeInvalidRequest, "null"},
	} {
		c.frame(tc.body)
		m := c.next(tc.name, func(m *wireMsg) bool { return m.Method == nil && m.Error != nil })
		if m.Error.Code != tc.code || string(m.ID) != tc.id {
			t.Errorf("%s: got id %s error %d (%s), want id %s error %d", tc.name, m.ID, m.Error.Code, m.Error.Message, tc.id, tc.code)
		}
		c.alive(tc.name)
	}
	c.shutdownExit()
}

func TestWrongParams(t *testing.T) {
	c := newAbuseClient(t)
	for _, tc := range []struct {
		method string
		params any
		code   int64
	}{
		{"textDocument/hover", "a string", codeInvalidParams},
		{"textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": 5}}, codeInvalidParams},
		{"textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": aliveURI}, "position": map[string]any{"line": -1, "character": 0}}, codeInvalidParams},
		{"textDocument/codeAction", []int{1, 2}, codeInvalidParams},
		{"workspace/executeCommand", map[string]any{"command": "abi3ls.fixAll", "arguments": []any{7}}, codeInvalidParams},
		{"workspace/executeCommand", map[string]any{"command": "abi3ls.fixAll"}, codeInvalidParams},
		{"initialize", map[string]any{}, codeInvalidRequest},
		{"textDocument/definition", map[string]any{}, codeMethodNotFound},
		{"abi3ls/unknown", nil, codeMethodNotFound},
	} {
		_, err := c.call(tc.method, tc.params)
		if err == nil || err.Code != tc.code {
			t.Errorf("%s %v: got %v, want %d", tc.method, tc.params, err, tc.code)
		}
		c.alive(tc.method)
	}
	// Notifications with bad params or for unknown documents are dropped.
	for _, n := range []struct {
		method string
		params any
	}{
		{"textDocument/didOpen", "x"},
		{"textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": ""}}},
		{"textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": "file:///nope.c", "version": 2}, "contentChanges": []any{map[string]any{"text": "x"}}}},
		{"textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": aliveURI, "version": "two"}}},
		{"textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": "file:///nope.c"}}},
		{"workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"abi3ls": map[string]any{"target": 3.1, "severity": "loud"}}}},
		{"workspace/didChangeWatchedFiles", map[string]any{"changes": "all"}},
		{"$/cancelRequest", map[string]any{"id": []int{1}}},
		{"$/cancelRequest", nil},
	} {
		c.notify(n.method, n.params)
		c.alive(n.method)
	}
	// Hovers on unknown documents are null, not errors.
	if h := c.hoverText("file:///nope.c", 0, 0); h != "" {
		t.Errorf("hover on an unknown document = %q", h)
	}
	c.shutdownExit()
}

// TestBadEdits: out-of-range and reversed ranges, invalid UTF-8 and NUL
// bytes keep the document in step with a naive editor.
func TestBadEdits(t *testing.T) {
	c := newAbuseClient(t)
	uri := "file:///edits.c"
	text := "int BAD_e;\r\nint x;\n"
	c.open(uri, text)
	c.diags(uri, 1)
	type edit struct {
		r    protocol.Range
		text string
	}
	steps := []edit{
		{protocol.Range{Start: pos(99, 0), End: pos(120, 5)}, "int BAD_tail;"}, // past the end: appended
		{protocol.Range{Start: pos(0, 200), End: pos(0, 300)}, " /*x*/"},       // past the line end
		{protocol.Range{Start: pos(1, 3), End: pos(0, 4)}, " "},                // reversed
		{protocol.Range{Start: pos(0, 0), End: pos(0, 0)}, "\x00\x00/*\x00*/"}, // NUL bytes
		{protocol.Range{Start: pos(1, 1), End: pos(1, 1)}, "é😀\u2028"},         // multi-byte
		{protocol.Range{Start: pos(0, 3), End: pos(0, 4)}, "\xff\xfe"},         // invalid UTF-8
	}
	v := int32(1)
	for _, st := range steps {
		v++
		r := st.r
		// Raw bytes on the wire: invalid UTF-8 inside the JSON string is
		// read as U+FFFD, one per bad byte.
		rj, _ := json.Marshal(r)
		c.frame(fmt.Sprintf(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":%q,"version":%d},"contentChanges":[{"range":%s,"text":"%s"}]}}`,
			uri, v, rj, jsonEscapeKeepBytes(st.text)))
		ins := replaceInvalid(st.text)
		text = refApply(text, change{Range: &r, Text: ins}, true)
		c.diags(uri, v)
		c.alive(fmt.Sprintf("edit %+v", st))
	}
	d := c.srv.lookup(uri)
	d.mu.Lock()
	got := string(d.text)
	d.mu.Unlock()
	if got != text {
		t.Errorf("document text %q, want %q", got, text)
	}
	c.shutdownExit()
}

func TestHugeInputs(t *testing.T) {
	c := newAbuseClient(t)
	// A single line of 1 MB.
	long := "int BAD_long = " + strings.Repeat("1+", 500_000) + "1;"
	c.open("file:///long.c", long)
	if d := c.diags("file:///long.c", 1).Diagnostics; len(d) != 1 {
		t.Errorf("1 MB line: %d diagnostics", len(d))
	}
	if h := c.hoverText("file:///long.c", 0, 5); h != "**BAD_long**" {
		t.Errorf("hover on the 1 MB line = %q", h)
	}
	c.alive("1 MB line")
	// 100,000 nested parentheses.
	nested := "int BAD_n = " + strings.Repeat("(", 100_000) + "1" + strings.Repeat(")", 100_000) + ";\n"
	c.open("file:///nested.c", nested)
	c.diags("file:///nested.c", 1)
	c.alive("100,000 nested parentheses")
	// A 20 MB document is refused with a message; the server stays responsive.
	big := strings.Repeat("int BAD_big;\n", 20<<20/13)
	c.open("file:///big.c", big)
	m := c.next("too-large message", isMethod("window/showMessage"))
	if !strings.Contains(string(m.Params), "not checked") {
		t.Errorf("showMessage: %s", m.Params)
	}
	if d := c.diags("file:///big.c", 1).Diagnostics; len(d) != 0 {
		t.Errorf("20 MB document: %d diagnostics", len(d))
	}
	if h := c.hoverText("file:///big.c", 0, 5); h != "" {
		t.Errorf("hover on the refused document = %q", h)
	}
	c.alive("20 MB document")
	// Shrinking it back under the limit analyses it again.
	c.change("file:///big.c", 2, nil, "int BAD_small;\n")
	if d := c.diags("file:///big.c", 2).Diagnostics; len(d) != 1 {
		t.Errorf("after shrinking: %d diagnostics", len(d))
	}
	c.shutdownExit()
}

// TestBurst: 10,000 didChange notifications in a row; the last version is
// published and the text is right.
func TestBurst(t *testing.T) {
	c := newAbuseClient(t)
	uri := "file:///burst.c"
	c.open(uri, "int BAD_0;\n")
	c.diags(uri, 1)
	const n = 10_000
	start := time.Now()
	var b strings.Builder
	for v := 2; v <= n+1; v++ {
		b.Reset()
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": v},
			"contentChanges": []any{map[string]any{"range": lspRange(0, 8, 0, 9), "text": string(rune('a' + v%26))}},
		}})
		c.frame(string(body))
	}
	p := c.diags(uri, n+1)
	t.Logf("%d didChange: last diagnostics after %v", n, time.Since(start))
	want := "bad name BAD_" + string(rune('a'+(n+1)%26))
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != want {
		t.Errorf("after the burst: %+v, want %q", p.Diagnostics, want)
	}
	c.alive("burst")
	c.shutdownExit()
}

// TestCancelAll cancels every request in flight.
func TestCancelAll(t *testing.T) {
	c := newAbuseClient(t)
	uri := "file:///slow.c"
	c.open(uri, "int   SLOW_HOVER;\n")
	c.diags(uri, 1)
	var chans []chan *wireMsg
	var ids []int
	for i := 0; i < 50; i++ {
		id, ch := c.send("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 8}})
		ids = append(ids, id)
		chans = append(chans, ch)
	}
	c.alive("50 requests in flight")
	for _, id := range ids {
		c.notify("$/cancelRequest", map[string]any{"id": id})
	}
	for i, ch := range chans {
		m := c.await(ch, fmt.Sprintf("cancelled request %d", ids[i]))
		if m.Error == nil || m.Error.Code != codeRequestCancelled {
			t.Errorf("request %d: %+v", ids[i], m)
		}
	}
	c.alive("cancelling everything")
	c.shutdownExit()
}

// jsonEscapeKeepBytes escapes s for a JSON string but leaves bytes >= 0x80
// as they are (so invalid UTF-8 reaches the server raw).
func jsonEscapeKeepBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, "\\u%04x", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
