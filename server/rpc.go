package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// JSON-RPC and LSP error codes.
const (
	codeParseError           = -32700
	codeInvalidRequest       = -32600
	codeMethodNotFound       = -32601
	codeInvalidParams        = -32602
	codeInternalError        = -32603
	codeServerNotInitialized = -32002
	codeRequestCancelled     = -32800
	codeContentModified      = -32801
)

// rpcError is a JSON-RPC error object; handlers return it to choose the code.
type rpcError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message) }

func errorf(code int64, format string, args ...any) *rpcError {
	return &rpcError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// wireMsg is any incoming JSON-RPC message. RawMessage fields are nil when
// absent and "null" when null, so presence can be told apart.
type wireMsg struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  *string         `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   *rpcError       `json:"error"`
}

type msgKind int

const (
	kindRequest msgKind = iota
	kindNotification
	kindResponse
)

// decodeMessage classifies body. On failure it returns the error to send
// back and the id to send it with (null when unknown).
func decodeMessage(body []byte) (*wireMsg, msgKind, json.RawMessage, *rpcError) {
	null := json.RawMessage("null")
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if !json.Valid(body) {
			return nil, 0, null, errorf(codeParseError, "parse error: message body is not valid JSON")
		}
		return nil, 0, null, errorf(codeInvalidRequest, "invalid request: a JSON-RPC message must be a JSON object (batches are not supported)")
	}
	var m wireMsg
	if err := json.Unmarshal(body, &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || !json.Valid(body) {
			return nil, 0, null, errorf(codeParseError, "parse error: %v", err)
		}
		return nil, 0, null, errorf(codeInvalidRequest, "invalid request: %v", err)
	}
	id := null
	if m.ID != nil {
		if !validID(m.ID) {
			return nil, 0, null, errorf(codeInvalidRequest, "invalid request: id must be a number, a string or null")
		}
		id = m.ID
	}
	if m.JSONRPC != "2.0" {
		return nil, 0, id, errorf(codeInvalidRequest, `invalid request: "jsonrpc" must be "2.0"`)
	}
	switch {
	case m.Method != nil && m.ID != nil:
		return &m, kindRequest, id, nil
	case m.Method != nil:
		return &m, kindNotification, nil, nil
	case m.ID != nil && (m.Result != nil || m.Error != nil):
		return &m, kindResponse, id, nil
	}
	return nil, 0, id, errorf(codeInvalidRequest, "invalid request: neither a request, a notification nor a response")
}

func validID(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch raw[0] {
	case '"', 'n':
		return true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// idKey turns a JSON id into a map key: numbers by value (1 and 1.0 are the
// same request), strings prefixed so "1" and 1 differ.
func idKey(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return "s:" + s
		}
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
		return "n:" + strconv.FormatFloat(f, 'g', -1, 64)
	}
	return "r:" + string(raw)
}

// frameError is a framing problem: it is answered with an error and the
// reader carries on with the next message.
type frameError struct {
	code int64
	msg  string
}

// frameReader reads Content-Length framed messages. Unlike jsonrpc2's
// stream it survives malformed input: a bad header makes it skip to the next
// "Content-Length:" header, and a body that turns out to contain the start
// of the next message is cut there and the rest pushed back.
type frameReader struct {
	r       io.Reader
	buf     []byte // unread bytes are buf[off:]
	off     int
	eof     error
	maxBody int
}

const maxHeaderLine = 8 << 10

func newFrameReader(r io.Reader, maxBody int) *frameReader {
	return &frameReader{r: r, maxBody: maxBody}
}

// fill reads more input; it returns an error only when nothing more will come.
func (fr *frameReader) fill() error {
	if fr.eof != nil {
		return fr.eof
	}
	if fr.off > 0 && fr.off == len(fr.buf) {
		fr.buf, fr.off = fr.buf[:0], 0
	} else if fr.off > 64<<10 && fr.off > len(fr.buf)/2 {
		n := copy(fr.buf, fr.buf[fr.off:])
		fr.buf, fr.off = fr.buf[:n], 0
	}
	if cap(fr.buf)-len(fr.buf) < 32<<10 {
		nb := make([]byte, len(fr.buf), 2*cap(fr.buf)+64<<10)
		copy(nb, fr.buf)
		fr.buf = nb
	}
	n, err := fr.r.Read(fr.buf[len(fr.buf):cap(fr.buf)])
	fr.buf = fr.buf[:len(fr.buf)+n]
	if err != nil {
		fr.eof = err
		if n > 0 {
			return nil
		}
		return err
	}
	return nil
}

// readLine returns the next line without its line ending. A line longer
// than maxHeaderLine is returned truncated with long=true (the caller treats
// it as garbage).
func (fr *frameReader) readLine() (line string, long bool, err error) {
	for {
		if i := bytes.IndexByte(fr.buf[fr.off:], '\n'); i >= 0 {
			l := fr.buf[fr.off : fr.off+i]
			fr.off += i + 1
			return strings.TrimSuffix(string(l), "\r"), false, nil
		}
		if len(fr.buf)-fr.off > maxHeaderLine {
			l := string(fr.buf[fr.off : fr.off+maxHeaderLine])
			fr.off += maxHeaderLine
			return l, true, nil
		}
		if err := fr.fill(); err != nil {
			if len(fr.buf) > fr.off {
				l := string(fr.buf[fr.off:])
				fr.off = len(fr.buf)
				return l, false, nil
			}
			return "", false, err
		}
	}
}

// readN returns the next n bytes (a copy).
func (fr *frameReader) readN(n int) ([]byte, error) {
	for len(fr.buf)-fr.off < n {
		if err := fr.fill(); err != nil {
			return nil, err
		}
	}
	out := make([]byte, n)
	copy(out, fr.buf[fr.off:fr.off+n])
	fr.off += n
	return out, nil
}

// unread pushes b back in front of the unread input.
func (fr *frameReader) unread(b []byte) {
	rest := fr.buf[fr.off:]
	nb := make([]byte, 0, len(b)+len(rest)+64<<10)
	nb = append(nb, b...)
	nb = append(nb, rest...)
	fr.buf, fr.off = nb, 0
}

var contentLengthKey = []byte("content-length:")

// indexHeader finds "Content-Length:" (any case) in b.
func indexHeader(b []byte) int {
	for i := 0; i+len(contentLengthKey) <= len(b); i++ {
		c := b[i]
		if c != 'C' && c != 'c' {
			continue
		}
		if bytes.EqualFold(b[i:i+len(contentLengthKey)], contentLengthKey) {
			return i
		}
	}
	return -1
}

// headerPrefixSuffix is the length of the longest end of b that begins
// "Content-Length:" (a body that ends inside the next message's header).
func headerPrefixSuffix(b []byte) int {
	for n := min(len(b), len(contentLengthKey)-1); n > 0; n-- {
		if bytes.EqualFold(b[len(b)-n:], contentLengthKey[:n]) {
			return n
		}
	}
	return 0
}

// resync discards input up to the next "Content-Length:" header.
func (fr *frameReader) resync() error {
	for {
		if i := indexHeader(fr.buf[fr.off:]); i >= 0 {
			fr.off += i
			return nil
		}
		// Keep a tail that may hold the start of a split header.
		if keep := len(contentLengthKey) - 1; len(fr.buf)-fr.off > keep {
			fr.off = len(fr.buf) - keep
		}
		if err := fr.fill(); err != nil {
			fr.off = len(fr.buf)
			return err
		}
	}
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// next reads one message. It returns either a body, or a frameError to be
// answered (reading can go on), or err when the input has ended.
func (fr *frameReader) next() ([]byte, *frameError, error) {
	length, sawHeader := -1, false
	var bad string
	for {
		line, long, err := fr.readLine()
		if err != nil {
			return nil, nil, err
		}
		if line == "" && !long {
			if !sawHeader {
				continue // stray blank line between messages
			}
			break
		}
		sawHeader = true
		if i := indexHeader([]byte(line)); i > 0 {
			// Junk (the rest of a cut-off message) runs into the next
			// message's header: answer the junk, read the message.
			rest := line[i:]
			if !long {
				rest += "\n"
			}
			fr.unread([]byte(rest))
			return nil, &frameError{codeParseError, fmt.Sprintf("parse error: malformed input %q", truncate(line[:i], 60))}, nil
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if long || !ok || !isToken(name) {
			// Not a header block at all (e.g. a body without header):
			// skip to the next message.
			if err := fr.resync(); err != nil {
				return nil, nil, err
			}
			return nil, &frameError{codeParseError, fmt.Sprintf("parse error: malformed header %q", truncate(line, 60))}, nil
		}
		if strings.EqualFold(name, "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			switch {
			case err != nil || n < 0:
				bad = fmt.Sprintf("invalid Content-Length %q", truncate(strings.TrimSpace(value), 40))
			case n > int64(fr.maxBody):
				bad = fmt.Sprintf("Content-Length %d exceeds the limit of %d bytes", n, fr.maxBody)
			default:
				length = int(n)
			}
		}
	}
	if bad == "" && length < 0 {
		bad = "missing Content-Length header"
	}
	if bad != "" {
		if err := fr.resync(); err != nil {
			return nil, nil, err
		}
		return nil, &frameError{codeParseError, "parse error: " + bad}, nil
	}
	body, err := fr.readN(length)
	if err != nil {
		return nil, nil, err
	}
	if !json.Valid(body) {
		// A header without its body (or a too-large Content-Length)
		// swallows the next message's header: give it back.
		i := indexHeader(body)
		if i < 0 {
			i = len(body) - headerPrefixSuffix(body)
		}
		if i < len(body) {
			fr.unread(body[i:])
			return nil, &frameError{codeParseError, "parse error: message body is not valid JSON (wrong Content-Length?)"}, nil
		}
	}
	return body, nil, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// frameWriter writes framed messages; safe for concurrent use. Messages
// are queued and written in order by a goroutine of their own, so a
// client that is slow to read never blocks the server's read loop.
// outFrame is a queued frame; done, when set, is called once it is
// written (to recycle its buffer).
type outFrame struct {
	b    []byte
	done func()
}

type frameWriter struct {
	w io.Writer

	once   sync.Once
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []outFrame
	err    error
	closed bool
	done   chan struct{}
}

func (fw *frameWriter) start() {
	fw.once.Do(func() {
		fw.cond = sync.NewCond(&fw.mu)
		fw.done = make(chan struct{})
		go fw.loop()
	})
}

func (fw *frameWriter) loop() {
	defer close(fw.done)
	for {
		fw.mu.Lock()
		for len(fw.queue) == 0 && !fw.closed {
			fw.cond.Wait()
		}
		batch := fw.queue
		fw.queue = nil
		fw.mu.Unlock()
		if len(batch) == 0 {
			return // closed and drained
		}
		for _, f := range batch {
			if _, err := fw.w.Write(f.b); err != nil {
				fw.mu.Lock()
				fw.err = fmt.Errorf("write message: %w", err)
				fw.queue = nil
				fw.mu.Unlock()
				return
			}
			if f.done != nil {
				f.done()
			}
		}
	}
}

// preEncoded is JSON the server encoded itself (with encoding/json, so
// valid and compact). As a notification's params it is written into the
// frame as is: json.Marshal would validate and compact it a second time,
// which for the 2.4 MB of diagnostics of a large file costs more than
// encoding them did.
type preEncoded []byte

// MarshalJSON lets a preEncoded value sit anywhere else in a message.
func (p preEncoded) MarshalJSON() ([]byte, error) {
	if len(p) == 0 {
		return []byte("null"), nil
	}
	return p, nil
}

// encodeFrame returns the framed message for v: the Content-Length header
// and the JSON body.
func encodeFrame(v any) ([]byte, error) {
	if n, ok := v.(outNotification); ok {
		if raw, ok := n.Params.(preEncoded); ok && len(raw) > 0 && n.JSONRPC == "2.0" {
			return rawNotificationFrame(n.Method, raw)
		}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	b := make([]byte, 0, len(body)+32)
	b = appendHeader(b, len(body))
	return append(b, body...), nil
}

func appendHeader(b []byte, n int) []byte {
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "\r\n\r\n"...)
}

const (
	envJSONRPC = `{"jsonrpc":`
	envMethod  = `,"method":`
	envParams  = `,"params":`
)

// notificationReserve is room enough, before a notification's params,
// for its header and the envelope up to the params (frameNotification).
func notificationReserve(method string) int {
	m, _ := json.Marshal(method)
	return len("Content-Length: ") + 20 + len("\r\n\r\n") + len(envJSONRPC) + len(`"2.0"`) + len(envMethod) + len(m) + len(envParams)
}

// frameNotification makes the frame of a notification of method whose
// params are buf[reserve:] (valid compact JSON, written as is; buf's first
// reserve bytes are free, reserve at least notificationReserve(method)). It
// writes the header and the envelope in front of the params and the
// closing brace after them, and returns the frame, which shares buf's
// memory: the same bytes json.Marshal gives for the outNotification,
// without encoding the params again.
func frameNotification(buf []byte, reserve int, method string) ([]byte, error) {
	m, err := json.Marshal(method)
	if err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	n := len(envJSONRPC) + len(`"2.0"`) + len(envMethod) + len(m) + len(envParams) + (len(buf) - reserve) + 1
	var pre []byte
	pre = appendHeader(pre, n)
	pre = append(pre, envJSONRPC...)
	pre = append(pre, `"2.0"`...)
	pre = append(pre, envMethod...)
	pre = append(pre, m...)
	pre = append(pre, envParams...)
	if len(pre) > reserve {
		return nil, fmt.Errorf("encode message: %d bytes reserved for the frame of %s, %d needed", reserve, method, len(pre))
	}
	start := reserve - len(pre)
	copy(buf[start:], pre)
	return append(buf[start:], '}'), nil
}

// rawNotificationFrame builds the frame of a notification around params
// without re-encoding them.
func rawNotificationFrame(method string, params []byte) ([]byte, error) {
	reserve := notificationReserve(method)
	buf := make([]byte, reserve, reserve+len(params)+1)
	buf = append(buf, params...)
	return frameNotification(buf, reserve, method)
}

// write encodes v and queues it. It fails when v cannot be encoded or an
// earlier write failed.
func (fw *frameWriter) write(v any) error {
	b, err := encodeFrame(v)
	if err != nil {
		return err
	}
	return fw.writeFrame(b)
}

// writeFrame queues a framed message (header and body); b is not copied.
func (fw *frameWriter) writeFrame(b []byte) error { return fw.writeFrameThen(b, nil) }

// writeFrameThen is writeFrame calling done (when not nil) once b is
// written; b must not change until then.
func (fw *frameWriter) writeFrameThen(b []byte, done func()) error {
	fw.start()
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.err != nil {
		return fw.err
	}
	if fw.closed {
		return errors.New("write message: connection closed")
	}
	fw.queue = append(fw.queue, outFrame{b: b, done: done})
	fw.cond.Signal()
	return nil
}

// close stops accepting messages and waits up to timeout for the queued
// ones to be written.
func (fw *frameWriter) close(timeout time.Duration) {
	fw.start()
	fw.mu.Lock()
	fw.closed = true
	fw.cond.Signal()
	fw.mu.Unlock()
	select {
	case <-fw.done:
	case <-time.After(timeout):
	}
}

type outRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int64  `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

type outNotification struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

type outResult struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result"`
}

type outError struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   *rpcError       `json:"error"`
}
