// Package reliability holds end-to-end tests of issue 11: the soak and leak
// test of the language server (live tree-sitter trees, RSS, goroutines over
// thousands of open/edit/close cycles and edits), and the safety tests of
// the abi3ls binary (build files never executed, size caps, writes only in
// fix, symbolic links, no network). Run by `go test ./...`; tests/soak.sh
// runs the full-length soak.
package reliability

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitTimeout bounds every wait of the client, so a hung server fails the
// test instead of hanging it.
const waitTimeout = 30 * time.Second

// message is any JSON-RPC 2.0 message.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

type diagnostic struct {
	Range struct {
		Start struct{ Line, Character int } `json:"start"`
		End   struct{ Line, Character int } `json:"end"`
	} `json:"range"`
	Severity int    `json:"severity"`
	Code     any    `json:"code"`
	Message  string `json:"message"`
}

// publish is one textDocument/publishDiagnostics.
type publish struct {
	Seq         int // count of publishes for the URI so far, this one included
	Version     *int32
	Diagnostics []diagnostic
}

// client is a minimal LSP client: requests with numeric ids, notifications,
// the latest diagnostics per URI, and automatic answers to the server's
// requests (workspace/configuration gets nulls, the others null).
type client struct {
	t testing.TB
	r *bufio.Reader

	wmu sync.Mutex
	w   io.Writer

	mu       sync.Mutex
	nextID   int64
	pending  map[string]chan *message
	diags    map[string]publish
	messages []string // window/showMessage and logMessage texts
	changed  chan struct{}
	readErr  error
	done     chan struct{}
}

func newClient(t testing.TB, r io.Reader, w io.Writer) *client {
	c := &client{
		t: t, r: bufio.NewReaderSize(r, 1<<16), w: w,
		pending: map[string]chan *message{}, diags: map[string]publish{},
		changed: make(chan struct{}), done: make(chan struct{}),
	}
	go c.readLoop()
	return c
}

// readFrame reads one Content-Length framed message; anything else on the
// stream is an error (the server must write only JSON-RPC).
func readFrame(r *bufio.Reader) ([]byte, error) {
	tp := textproto.NewReader(r)
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil, fmt.Errorf("reading a header: %w", err)
	}
	n, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil || n < 0 {
		return nil, fmt.Errorf("bad Content-Length in header %v", h)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("reading a %d-byte body: %w", n, err)
	}
	return body, nil
}

func (c *client) readLoop() {
	defer close(c.done)
	for {
		body, err := readFrame(c.r)
		if err != nil {
			c.fail(err)
			return
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil || m.JSONRPC != "2.0" {
			c.fail(fmt.Errorf("server wrote something that is not JSON-RPC 2.0: %.200q", body))
			return
		}
		switch {
		case m.Method != "" && m.ID != nil: // a request to the client
			go c.answer(&m)
		case m.Method != "":
			c.notification(&m)
		default:
			c.mu.Lock()
			ch := c.pending[string(m.ID)]
			delete(c.pending, string(m.ID))
			c.mu.Unlock()
			if ch != nil {
				ch <- &m
			}
		}
	}
}

func (c *client) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.readErr == nil {
		c.readErr = err
	}
	c.broadcast()
}

// broadcast wakes every waiter. Caller holds mu.
func (c *client) broadcast() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *client) notification(m *message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Method {
	case "textDocument/publishDiagnostics":
		var p struct {
			URI         string       `json:"uri"`
			Version     *int32       `json:"version"`
			Diagnostics []diagnostic `json:"diagnostics"`
		}
		if err := json.Unmarshal(m.Params, &p); err != nil {
			c.t.Errorf("bad publishDiagnostics: %v", err)
			return
		}
		c.diags[p.URI] = publish{Seq: c.diags[p.URI].Seq + 1, Version: p.Version, Diagnostics: p.Diagnostics}
	case "window/showMessage", "window/logMessage":
		var p struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(m.Params, &p)
		c.messages = append(c.messages, p.Message)
	}
	c.broadcast()
}

func (c *client) answer(m *message) {
	var result any
	switch m.Method {
	case "workspace/applyEdit":
		// Applied by nobody: the tests check the server writes nothing.
		result = map[string]any{"applied": true}
	case "workspace/configuration":
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		_ = json.Unmarshal(m.Params, &p)
		result = make([]any, len(p.Items))
	}
	_ = c.write(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
}

func (c *client) write(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.writeRaw(body)
}

func (c *client) writeRaw(body []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n", len(body)); err != nil {
		return err
	}
	_, err := c.w.Write(body)
	return err
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.write(map[string]any{"jsonrpc": "2.0", "method": method, "params": params}); err != nil {
		c.t.Fatalf("notify %s: %v", method, err)
	}
}

// call makes a request and waits for its answer.
func (c *client) call(method string, params any) (json.RawMessage, *rpcError) {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan *message, 1)
	c.pending[strconv.FormatInt(id, 10)] = ch
	c.mu.Unlock()
	if err := c.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	select {
	case m := <-ch:
		return m.Result, m.Error
	case <-c.done:
		c.t.Fatalf("%s: connection ended: %v", method, c.err())
	case <-time.After(waitTimeout):
		c.t.Fatalf("%s: no answer within %v", method, waitTimeout)
	}
	return nil, nil
}

func (c *client) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// waitFor waits until cond (called with mu held) holds.
func (c *client) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		ok, err, ch := cond(), c.readErr, c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		select {
		case <-ch:
		case <-deadline:
			c.t.Fatalf("waiting for %s: nothing within %v", what, waitTimeout)
		}
	}
}

// diagnostics waits for the diagnostics of uri at version.
func (c *client) diagnostics(uri string, version int32) []diagnostic {
	c.t.Helper()
	var out []diagnostic
	c.waitFor(fmt.Sprintf("diagnostics of %s version %d", uri, version), func() bool {
		p, ok := c.diags[uri]
		if ok && p.Version != nil && *p.Version == version {
			out = p.Diagnostics
			return true
		}
		return false
	})
	return out
}

func (c *client) publishes(uri string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.diags[uri].Seq
}

// cleared waits for an empty publish of uri after the first `after`
// publishes.
func (c *client) cleared(uri string, after int) {
	c.t.Helper()
	c.waitFor("cleared diagnostics of "+uri, func() bool {
		p := c.diags[uri]
		return p.Seq > after && len(p.Diagnostics) == 0
	})
}

func (c *client) initialize(rootURI string) {
	c.t.Helper()
	var root any
	if rootURI != "" {
		root = rootURI
	}
	caps := map[string]any{"workspace": map[string]any{"applyEdit": true, "configuration": true}}
	if _, err := c.call("initialize", map[string]any{"processId": nil, "rootUri": root, "capabilities": caps}); err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	c.notify("initialized", map[string]any{})
}

func (c *client) open(uri, text string) {
	c.t.Helper()
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "c", "version": 1, "text": text}})
}

type pos struct{ Line, Character int }

func (p pos) json() map[string]any { return map[string]any{"line": p.Line, "character": p.Character} }

func (c *client) change(uri string, version int32, start, end pos, text string) {
	c.t.Helper()
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []any{map[string]any{"range": map[string]any{"start": start.json(), "end": end.json()}, "text": text}},
	})
}

func (c *client) close(uri string) {
	c.t.Helper()
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// hover returns the hover's markdown ("" for none).
func (c *client) hover(uri string, p pos) string {
	c.t.Helper()
	res, rerr := c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": p.json()})
	if rerr != nil {
		c.t.Fatalf("hover %s %v: %v", uri, p, rerr)
	}
	var h *struct {
		Contents struct {
			Value string `json:"value"`
		} `json:"contents"`
	}
	if err := json.Unmarshal(res, &h); err != nil {
		c.t.Fatalf("hover result %s: %v", res, err)
	}
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

// codeActions returns the titles of the code actions over the whole line.
func (c *client) codeActions(uri string, line int) []string {
	c.t.Helper()
	res, rerr := c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        map[string]any{"start": pos{line, 0}.json(), "end": pos{line + 1, 0}.json()},
		"context":      map[string]any{"diagnostics": []any{}},
	})
	if rerr != nil {
		c.t.Fatalf("codeAction %s line %d: %v", uri, line, rerr)
	}
	var acts []struct {
		Title string `json:"title"`
	}
	if err := json.Unmarshal(res, &acts); err != nil {
		c.t.Fatalf("codeAction result %s: %v", res, err)
	}
	titles := make([]string, len(acts))
	for i, a := range acts {
		titles[i] = a.Title
	}
	return titles
}

// shutdownExit ends the session politely.
func (c *client) shutdownExit() {
	c.t.Helper()
	if _, err := c.call("shutdown", nil); err != nil {
		c.t.Fatalf("shutdown: %v", err)
	}
	c.notify("exit", nil)
}

// position of byte offset off in text (UTF-16 units; the fixtures are
// ASCII, so bytes).
func position(text string, off int) pos {
	line := strings.Count(text[:off], "\n")
	return pos{line, off - (strings.LastIndexByte(text[:off], '\n') + 1)}
}

// codes lists the diagnostics' codes, for messages.
func codes(ds []diagnostic) string {
	var b bytes.Buffer
	for i, d := range ds {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, d.Code)
	}
	return b.String()
}
