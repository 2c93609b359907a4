package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// waitTimeout bounds every wait of the test client; a hung server fails
// the test instead of hanging it.
const waitTimeout = 20 * time.Second

// fakeEngine stands in for the analysis in tests of the server's own
// machinery. It reads the tree: every identifier starting with BAD_ is a
// finding (T001) with a safe fix to GOOD_..., and findings echo the
// configuration so layering can be observed.
type fakeEngine struct {
	pool     *grammars.Pool
	analyses atomic.Int64
}

func (f *fakeEngine) Analyze(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	f.analyses.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tree := in.Tree
	if tree == nil {
		t, err := f.pool.Parse(in.Lang, in.Src, nil)
		if err != nil {
			return nil, err
		}
		defer t.Close()
		tree = t
	}
	res := &analysis.Result{}
	if bytes.Contains(in.Src, []byte("PANIC_ANALYZE")) {
		panic("fake engine: PANIC_ANALYZE")
	}
	if i := bytes.Index(in.Src, []byte("#define Py_LIMITED_API")); i >= 0 {
		res.Target = analysis.FileTarget{
			Target:   abi.Target{Limited: abi.V(3, 8)},
			Kind:     analysis.FromDefine,
			Location: analysis.Location{Line: bytes.Count(in.Src[:i], []byte("\n")) + 1, Start: i, End: i + len("#define Py_LIMITED_API")},
			Text:     "Py_LIMITED_API 0x03080000",
		}
	}
	if t := in.Config.Target; t.IsLimited() {
		res.Target = analysis.FileTarget{Target: t, Kind: analysis.FromOverride}
	}
	if in.Project != nil && len(in.Project.Build) > 0 {
		res.Findings = append(res.Findings, analysis.Finding{
			Code: "T002", Severity: analysis.SeverityInformation, Start: 0, End: 0,
			Message: "build: " + in.Project.Build[0].Text,
		})
	}
	if sev, ok := in.Config.Severity["T003"]; ok {
		res.Findings = append(res.Findings, analysis.Finding{
			Code: "T003", Severity: sev, Message: "severity from configuration: " + sev.String(),
		})
	}
	walk(tree, func(n *sitter.Node) {
		if n.Kind() != "identifier" {
			return
		}
		name := n.Utf8Text(in.Src)
		if !strings.HasPrefix(name, "BAD_") {
			return
		}
		start, end := int(n.StartByte()), int(n.EndByte())
		fd := analysis.Finding{
			Code: "T001", Severity: analysis.SeverityWarning, Start: start, End: end,
			Message: "bad name " + name, Symbol: name, DocURL: "https://docs.invalid/" + name,
			Fixes: []analysis.Fix{{
				Title: "Rename to GOOD_" + name[4:], Applicability: analysis.Safe,
				Edits: []analysis.Edit{{Start: start, End: end, NewText: "GOOD_" + name[4:]}},
			}, {
				Title: "Suppress", Applicability: analysis.Unsafe, Kind: "refactor.rewrite",
				Edits: []analysis.Edit{{Start: end, End: end, NewText: " /* ok */"}},
			}},
		}
		if res.Target.Kind == analysis.FromDefine {
			fd.Related = []analysis.Related{{Location: res.Target.Location, Message: "target set here"}}
		}
		res.Findings = append(res.Findings, fd)
	})
	res.Min = analysis.MinTarget{Version: abi.V(3, 10), Symbol: "PyType_FromModuleAndSpec", At: analysis.Location{Start: 0, End: 0}}
	return res, nil
}

func (f *fakeEngine) Hover(ctx context.Context, in analysis.Input, res *analysis.Result, off int) (*analysis.Hover, error) {
	var h *analysis.Hover
	var hit string
	walk(in.Tree, func(n *sitter.Node) {
		if n.Kind() == "identifier" && int(n.StartByte()) <= off && off < int(n.EndByte()) {
			hit = n.Utf8Text(in.Src)
			h = &analysis.Hover{Start: int(n.StartByte()), End: int(n.EndByte()), Markdown: "**" + hit + "**"}
		}
	})
	switch hit {
	case "PANIC_HOVER":
		panic("fake engine: PANIC_HOVER")
	case "SLOW_HOVER":
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return h, nil
}

// walk visits every node of tree in document order.
func walk(tree *sitter.Tree, visit func(*sitter.Node)) {
	cur := tree.Walk()
	defer cur.Close()
	for {
		visit(cur.Node())
		if cur.GotoFirstChild() {
			continue
		}
		for !cur.GotoNextSibling() {
			if !cur.GotoParent() {
				return
			}
		}
	}
}

// client is a test LSP client talking to an in-process server over
// net.Pipe.
type client struct {
	t    testing.TB
	conn net.Conn
	srv  *Server
	fw   *frameWriter
	exit chan int
	log  *syncBuffer

	mu       sync.Mutex
	nextID   int
	waiting  map[string]chan *wireMsg
	notes    []*wireMsg
	changed  chan struct{}
	requests []string // methods of server->client requests
	// onRequest answers server->client requests.
	onRequest func(method string, params json.RawMessage) (any, *rpcError)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newClient starts a server with the fake engine (useFake) or the real
// analysis, and a client connected to it; setup runs before the server
// starts.
func newClient(t testing.TB, opts Options, useFake bool, setup ...func(*Server)) *client {
	t.Helper()
	pool := grammars.NewPool()
	t.Cleanup(pool.Close)
	if opts.Analyzer == nil {
		opts.Analyzer = &analysis.Analyzer{DB: abi.Default(), Parse: pool}
	}
	if opts.Debounce == 0 {
		opts.Debounce = -1
	}
	logs := &syncBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sc, cc := net.Pipe()
	srv := New(sc, sc, opts)
	if useFake {
		srv.eng = &fakeEngine{pool: pool}
	}
	for _, f := range setup {
		f(srv)
	}
	c := &client{
		t: t, conn: cc, srv: srv, fw: &frameWriter{w: cc}, exit: make(chan int, 1), log: logs,
		waiting: map[string]chan *wireMsg{}, changed: make(chan struct{}),
	}
	c.onRequest = func(method string, params json.RawMessage) (any, *rpcError) { return nil, nil }
	go func() {
		code := srv.Run()
		sc.Close()
		c.exit <- code
	}()
	go c.readLoop()
	t.Cleanup(func() {
		cc.Close()
		select {
		case <-c.exit:
		case <-time.After(waitTimeout):
			t.Errorf("server did not stop")
		}
		if n := srv.LiveTrees(); n != 0 {
			t.Errorf("%d tree-sitter trees still live after the server stopped", n)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return c
}

func (c *client) readLoop() {
	fr := newFrameReader(c.conn, 1<<30)
	for {
		body, ferr, err := fr.next()
		if err != nil {
			return
		}
		if ferr != nil {
			c.t.Errorf("server wrote a malformed frame: %s", ferr.msg)
			continue
		}
		m, kind, _, rerr := decodeMessage(body)
		if rerr != nil {
			c.t.Errorf("server wrote an invalid message: %s: %s", rerr.Message, body)
			continue
		}
		switch kind {
		case kindResponse:
			c.mu.Lock()
			ch := c.waiting[idKey(m.ID)]
			delete(c.waiting, idKey(m.ID))
			c.mu.Unlock()
			if ch == nil {
				c.mu.Lock()
				c.notes = append(c.notes, m) // unmatched responses (id null) are kept
				close(c.changed)
				c.changed = make(chan struct{})
				c.mu.Unlock()
				continue
			}
			ch <- m
		case kindRequest:
			c.mu.Lock()
			c.requests = append(c.requests, *m.Method)
			h := c.onRequest
			close(c.changed)
			c.changed = make(chan struct{})
			// Answer off the read loop: the server may be writing to us.
			go func() {
				res, rerr := h(*m.Method, m.Params)
				if rerr != nil {
					c.fw.write(outError{JSONRPC: "2.0", ID: m.ID, Error: rerr})
				} else {
					c.fw.write(outResult{JSONRPC: "2.0", ID: m.ID, Result: res})
				}
			}()
			c.mu.Unlock()
		case kindNotification:
			c.mu.Lock()
			c.notes = append(c.notes, m)
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
		}
	}
}

// send starts a request and returns the channel its response arrives on.
func (c *client) send(method string, params any) (int, chan *wireMsg) {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan *wireMsg, 1)
	c.waiting[idKey(json.RawMessage(fmt.Sprint(id)))] = ch
	c.mu.Unlock()
	if err := c.fw.write(outRequest{JSONRPC: "2.0", ID: int64(id), Method: method, Params: params}); err != nil {
		c.t.Fatalf("send %s: %v", method, err)
	}
	return id, ch
}

// sendID starts a request with a given id (a string id, say).
func (c *client) sendID(id any, method string, params any) chan *wireMsg {
	raw, _ := json.Marshal(id)
	ch := make(chan *wireMsg, 1)
	c.mu.Lock()
	c.waiting[idKey(raw)] = ch
	c.mu.Unlock()
	msg := map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}
	if err := c.fw.write(msg); err != nil {
		c.t.Fatalf("send %s: %v", method, err)
	}
	return ch
}

func (c *client) await(ch chan *wireMsg, what string) *wireMsg {
	c.t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(waitTimeout):
		c.t.Fatalf("no response to %s within %v", what, waitTimeout)
		return nil
	}
}

// call makes a request and returns its result or error.
func (c *client) call(method string, params any) (json.RawMessage, *rpcError) {
	c.t.Helper()
	_, ch := c.send(method, params)
	m := c.await(ch, method)
	return m.Result, m.Error
}

// mustCall makes a request that must succeed and decodes its result.
func (c *client) mustCall(method string, params, result any) {
	c.t.Helper()
	res, err := c.call(method, params)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	if result != nil {
		if err := json.Unmarshal(res, result); err != nil {
			c.t.Fatalf("%s: decode %s: %v", method, res, err)
		}
	}
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.fw.write(outNotification{JSONRPC: "2.0", Method: method, Params: params}); err != nil {
		c.t.Fatalf("notify %s: %v", method, err)
	}
}

// raw writes bytes as they are.
func (c *client) raw(b string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// frame writes a body with a correct header.
func (c *client) frame(body string) {
	c.raw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

// next waits for and removes the first notification (or unmatched
// response) satisfying pred.
func (c *client) next(what string, pred func(*wireMsg) bool) *wireMsg {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		for i, m := range c.notes {
			if pred(m) {
				c.notes = append(c.notes[:i:i], c.notes[i+1:]...)
				c.mu.Unlock()
				return m
			}
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			c.t.Fatalf("waited %v for %s", waitTimeout, what)
			return nil
		}
	}
}

func isMethod(method string) func(*wireMsg) bool {
	return func(m *wireMsg) bool { return m.Method != nil && *m.Method == method }
}

// diags waits for the diagnostics of uri at version.
func (c *client) diags(uri string, version int32) publishParams {
	c.t.Helper()
	m := c.next(fmt.Sprintf("diagnostics of %s v%d", uri, version), func(m *wireMsg) bool {
		if m.Method == nil || *m.Method != "textDocument/publishDiagnostics" {
			return false
		}
		var p struct {
			URI     string `json:"uri"`
			Version *int32 `json:"version"`
		}
		return json.Unmarshal(m.Params, &p) == nil && p.URI == uri && p.Version != nil && *p.Version == version
	})
	var p publishParams
	json.Unmarshal(m.Params, &p)
	return p
}

// pendingDiags returns (and drops) every publishDiagnostics received so far.
func (c *client) pendingDiags(uri string) []publishParams {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []publishParams
	keep := c.notes[:0]
	for _, m := range c.notes {
		var p publishParams
		if m.Method != nil && *m.Method == "textDocument/publishDiagnostics" && json.Unmarshal(m.Params, &p) == nil && p.URI == uri {
			out = append(out, p)
			continue
		}
		keep = append(keep, m)
	}
	c.notes = keep
	return out
}

// initialize runs initialize + initialized with the given params.
func (c *client) initialize(params map[string]any) initializeResult {
	c.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	if _, ok := params["capabilities"]; !ok {
		params["capabilities"] = map[string]any{}
	}
	params["processId"] = nil
	var res initializeResult
	raw, err := c.call("initialize", params)
	if err != nil {
		c.t.Fatalf("initialize: %v", err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		c.t.Fatalf("initialize result %s: %v", raw, err)
	}
	c.notify("initialized", map[string]any{})
	return res
}

func (c *client) open(uri, text string) {
	c.notify("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "c", "version": 1, "text": text},
	})
}

// change sends one didChange; r is nil for a full replacement, else
// [startLine, startChar, endLine, endChar].
func (c *client) change(uri string, version int32, r []int, text string) {
	ch := map[string]any{"text": text}
	if r != nil {
		ch["range"] = lspRange(r[0], r[1], r[2], r[3])
	}
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []any{ch},
	})
}

func lspRange(l1, c1, l2, c2 int) map[string]any {
	return map[string]any{
		"start": map[string]any{"line": l1, "character": c1},
		"end":   map[string]any{"line": l2, "character": c2},
	}
}

func (c *client) hoverText(uri string, line, char int) string {
	c.t.Helper()
	res, err := c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"position":     map[string]any{"line": line, "character": char},
	})
	if err != nil {
		c.t.Fatalf("hover: %v", err)
	}
	var h struct {
		Contents struct {
			Kind  string `json:"kind"`
			Value string `json:"value"`
		} `json:"contents"`
	}
	if string(res) == "null" {
		return ""
	}
	if err := json.Unmarshal(res, &h); err != nil {
		c.t.Fatalf("hover result %s: %v", res, err)
	}
	if h.Contents.Kind != "markdown" {
		c.t.Errorf("hover kind = %q, want markdown", h.Contents.Kind)
	}
	return h.Contents.Value
}

// shutdownExit ends the session and returns the exit code.
func (c *client) shutdownExit() int {
	c.t.Helper()
	if _, err := c.call("shutdown", nil); err != nil {
		c.t.Fatalf("shutdown: %v", err)
	}
	c.notify("exit", nil)
	return c.exitCode()
}

func (c *client) exitCode() int {
	c.t.Helper()
	select {
	case code := <-c.exit:
		c.exit <- code // for Cleanup
		return code
	case <-time.After(waitTimeout):
		c.t.Fatalf("server did not exit")
		return -1
	}
}

// waitRequest waits until the server has sent a request with method.
func (c *client) waitRequest(method string) {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		for _, m := range c.requests {
			if m == method {
				c.mu.Unlock()
				return
			}
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			c.t.Fatalf("the server sent no %s request", method)
		}
	}
}
