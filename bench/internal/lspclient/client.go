// Package lspclient is a minimal LSP client for benchmarks: JSON-RPC over
// any reader and writer (a pipe to `abi3ls serve`, or an in-process server),
// requests with results, notifications, and a record of the diagnostics
// published per document with the time each arrived.
//
// Server-to-client requests are answered at once: workspace/configuration
// with one null per item, everything else with a null result.
package lspclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Publish is one textDocument/publishDiagnostics as received.
type Publish struct {
	Version int32
	Count   int       // number of diagnostics
	Bytes   int       // size of the message body
	At      time.Time // when the reader decoded it
}

// RPCError is an error response.
type RPCError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *RPCError       `json:"error,omitempty"`
}

type docState struct {
	last    Publish
	seen    bool
	changed chan struct{} // closed and replaced on every publish
}

// Client is one connection. Its methods are safe for concurrent use.
type Client struct {
	w   io.Writer
	wmu sync.Mutex

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan *message
	docs    map[string]*docState
	err     error         // why the reader stopped
	done    chan struct{} // closed when the reader stops
}

// New starts a client reading server messages from r and writing to w.
func New(r io.Reader, w io.Writer) *Client {
	c := &Client{
		w:       w,
		pending: map[int64]chan *message{},
		docs:    map[string]*docState{},
		done:    make(chan struct{}),
	}
	go c.read(bufio.NewReaderSize(r, 1<<16))
	return c
}

// Done is closed when the server's output ends; Err says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is the reason the reader stopped (io.EOF when the server closed its
// output), or nil while it runs.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Client) read(r *bufio.Reader) {
	err := c.readLoop(r)
	c.mu.Lock()
	c.err = err
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.mu.Unlock()
	close(c.done)
}

func (c *Client) readLoop(r *bufio.Reader) error {
	for {
		body, err := readFrame(r)
		if err != nil {
			return err
		}
		at := time.Now()
		if isPublish(body) {
			if err := c.recordPublish(body, at); err != nil {
				return err
			}
			continue
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("lspclient: decode message: %w", err)
		}
		switch {
		case m.Method != "" && m.ID != nil:
			if err := c.answer(&m); err != nil {
				return err
			}
		case m.Method != "":
			// window/logMessage, $/progress, ...: ignored.
		default:
			id, err := strconv.ParseInt(string(m.ID), 10, 64)
			if err != nil {
				return fmt.Errorf("lspclient: response with unexpected id %s", m.ID)
			}
			c.mu.Lock()
			ch := c.pending[id]
			delete(c.pending, id)
			c.mu.Unlock()
			if ch != nil {
				ch <- &m
			}
		}
	}
}

// readFrame reads one Content-Length framed message body.
func readFrame(r *bufio.Reader) ([]byte, error) {
	n := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Content-Length") {
			n, err = strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return nil, fmt.Errorf("lspclient: bad Content-Length %q: %w", v, err)
			}
		}
	}
	if n < 0 {
		return nil, errors.New("lspclient: message without Content-Length")
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("lspclient: read body: %w", err)
	}
	return body, nil
}

func (c *Client) answer(m *message) error {
	var result any
	if m.Method == "workspace/configuration" {
		var p struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(m.Params, &p); err != nil {
			return fmt.Errorf("lspclient: decode workspace/configuration: %w", err)
		}
		result = make([]any, len(p.Items))
	}
	return c.write(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
}

// isPublish reports whether a message body is a publishDiagnostics
// notification: its method comes before its params.
func isPublish(body []byte) bool {
	head := body[:min(len(body), 160)]
	i := bytes.Index(head, []byte(`"method"`))
	return i >= 0 && bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(head[i+8:], " "), []byte(":")), " "), []byte(`"textDocument/publishDiagnostics"`))
}

// recordPublish notes a publishDiagnostics. A large file's diagnostics are
// megabytes of JSON, so the client does not decode them all: it reads
// tokens up to the params' uri and version and counts the diagnostics by
// their "source" member (abi3ls sets it on every diagnostic). Decoding all
// of it would cost the shared cores about as much as the server's encoding.
func (c *Client) recordPublish(body []byte, at time.Time) error {
	uri, version, ok := publishHead(body)
	if !ok {
		var m struct {
			Params struct {
				URI     string `json:"uri"`
				Version int32  `json:"version"`
			} `json:"params"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("lspclient: decode publishDiagnostics: %w", err)
		}
		uri, version = m.Params.URI, m.Params.Version
	}
	n := bytes.Count(body, []byte(`"source":"abi3ls"`))
	c.mu.Lock()
	d := c.doc(uri)
	d.last = Publish{Version: version, Count: n, Bytes: len(body), At: at}
	d.seen = true
	close(d.changed)
	d.changed = make(chan struct{})
	c.mu.Unlock()
	return nil
}

// publishHead reads params.uri and params.version from a notification
// body token by token, stopping as soon as it has both; ok is false when a
// structured value comes first inside params (the caller then decodes all).
func publishHead(body []byte) (uri string, version int32, ok bool) {
	type frame struct {
		obj, expectKey bool
		key            string
	}
	var stack []frame
	haveURI, haveVersion := false, false
	dec := json.NewDecoder(bytes.NewReader(body))
	for !(haveURI && haveVersion) {
		tok, err := dec.Token()
		if err != nil {
			return "", 0, false
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		inParams := len(stack) == 2 && stack[0].key == "params"
		if top != nil && top.obj && top.expectKey {
			if k, isKey := tok.(string); isKey {
				top.key, top.expectKey = k, false
				continue
			}
			stack = stack[:len(stack)-1] // '}'
		} else if d, isDelim := tok.(json.Delim); isDelim {
			if d == '{' || d == '[' {
				if len(stack) >= 1 && !(len(stack) == 1 && top.key == "params" && d == '{') {
					if inParams || len(stack) > 1 {
						return "", 0, false
					}
				}
				stack = append(stack, frame{obj: d == '{', expectKey: d == '{'})
				continue
			}
			stack = stack[:len(stack)-1] // ']'
		} else if inParams {
			switch v := tok.(type) {
			case string:
				if top.key == "uri" {
					uri, haveURI = v, true
				}
			case float64:
				if top.key == "version" {
					version, haveVersion = int32(v), true
				}
			}
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].expectKey = true
		}
	}
	return uri, version, true
}

// doc returns the state of uri. Caller holds mu.
func (c *Client) doc(uri string) *docState {
	d := c.docs[uri]
	if d == nil {
		d = &docState{changed: make(chan struct{})}
		c.docs[uri] = d
	}
	return d
}

func (c *Client) write(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("lspclient: encode: %w", err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n", len(body)); err != nil {
		return fmt.Errorf("lspclient: write header: %w", err)
	}
	if _, err := c.w.Write(body); err != nil {
		return fmt.Errorf("lspclient: write body: %w", err)
	}
	return nil
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) error {
	return c.write(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// Call sends a request and decodes its result into result (when non-nil).
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("lspclient: %s: connection ended: %w", method, err)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan *message, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		return err
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("lspclient: %s: connection ended: %w", method, c.Err())
		}
		if m.Error != nil {
			return fmt.Errorf("lspclient: %s: %w", method, m.Error)
		}
		if result != nil && len(m.Result) > 0 {
			if err := json.Unmarshal(m.Result, result); err != nil {
				return fmt.Errorf("lspclient: decode %s result: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return fmt.Errorf("lspclient: %s: %w", method, ctx.Err())
	}
}

// Diagnostics waits until diagnostics for uri with at least version have
// been published and returns the latest publish.
func (c *Client) Diagnostics(ctx context.Context, uri string, version int32) (Publish, error) {
	for {
		c.mu.Lock()
		d := c.doc(uri)
		if d.seen && d.last.Version >= version {
			p := d.last
			c.mu.Unlock()
			return p, nil
		}
		ch := d.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-c.done:
			return Publish{}, fmt.Errorf("lspclient: waiting for diagnostics of %s v%d: connection ended: %w", uri, version, c.Err())
		case <-ctx.Done():
			return Publish{}, fmt.Errorf("lspclient: waiting for diagnostics of %s v%d: %w", uri, version, ctx.Err())
		}
	}
}

// Initialize sends initialize (no workspace folders, UTF-16 positions) and
// then initialized.
func (c *Client) Initialize(ctx context.Context, rootURI string) error {
	params := map[string]any{
		"processId":    nil,
		"rootUri":      nilIfEmpty(rootURI),
		"capabilities": map[string]any{"textDocument": map[string]any{"publishDiagnostics": map[string]any{"versionSupport": true}}},
	}
	var res json.RawMessage
	if err := c.Call(ctx, "initialize", params, &res); err != nil {
		return err
	}
	return c.Notify("initialized", map[string]any{})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Open sends didOpen of a C document at version 1.
func (c *Client) Open(uri string, text []byte) error {
	return c.Notify("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "c", "version": 1, "text": string(text)},
	})
}

// Close sends didClose and forgets the diagnostics seen for uri.
func (c *Client) Close(uri string) error {
	c.mu.Lock()
	if d := c.docs[uri]; d != nil {
		d.seen = false
	}
	c.mu.Unlock()
	return c.Notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// Position is an LSP position (0-based line, UTF-16 character).
type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Change sends didChange replacing the text between start and end.
func (c *Client) Change(uri string, version int32, start, end Position, text string) error {
	return c.Notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": version},
		"contentChanges": []any{map[string]any{
			"range": map[string]any{"start": start, "end": end},
			"text":  text,
		}},
	})
}

// Shutdown sends shutdown and exit.
func (c *Client) Shutdown(ctx context.Context) error {
	if err := c.Call(ctx, "shutdown", nil, nil); err != nil {
		return err
	}
	return c.Notify("exit", nil)
}

// Lines maps byte offsets of an ASCII text to LSP positions.
type Lines []int

// NewLines indexes the line starts of text.
func NewLines(text []byte) Lines {
	ls := Lines{0}
	for i, c := range text {
		if c == '\n' {
			ls = append(ls, i+1)
		}
	}
	return ls
}

// Position returns the position of byte offset off.
func (ls Lines) Position(off int) Position {
	i := sort.Search(len(ls), func(i int) bool { return ls[i] > off }) - 1
	return Position{Line: i, Character: off - ls[i]}
}
