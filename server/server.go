// Package server is abi3ls's language server: LSP glue around package
// analysis. It keeps the open documents, maps positions (UTF-16 by default,
// UTF-8 when negotiated), schedules analysis on immutable snapshots and
// converts findings, hovers and fixes to LSP. It makes no judgement of its
// own about C code.
//
// It speaks JSON-RPC itself (see rpc.go) rather than through jsonrpc2's Conn,
// so a malformed message is answered and skipped instead of ending the
// connection; message types come from go.lsp.dev/protocol.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Options configure a server.
type Options struct {
	// Name and Version are reported in the initialize result's serverInfo.
	Name    string
	Version string
	// Logger receives the server's log (stderr in abi3ls serve); nil
	// discards it.
	Logger *slog.Logger
	// Analyzer does the work; nil means one over abi.Default() with a
	// parser pool of its own.
	Analyzer *analysis.Analyzer
	// Debounce is how long didChange waits for more edits before
	// analysing; 0 means the default (50ms), negative means none.
	Debounce time.Duration
	// MaxDocumentSize is the largest document analyzed, in bytes; larger
	// ones are kept in sync but not analyzed. 0 means 10 MiB.
	MaxDocumentSize int
	// MaxMessageSize is the largest JSON-RPC message accepted; 0 means
	// 64 MiB.
	MaxMessageSize int
	// ActiveDocuments is how many of the open documents, the ones edited,
	// opened or queried last, keep their syntax tree, their analysis and
	// the encoding of their diagnostics between requests (a tree takes
	// about 27 times the text). The others keep their text and what was
	// published, and parse again when next needed (about 10 ms for 2,000
	// lines). 0 means 8; negative means every open document.
	ActiveDocuments int
	// IdleRelease is how long the server waits, with nothing to do after
	// work that allocated a lot, before it returns its free memory to the
	// system; 0 means 500ms, negative means never.
	IdleRelease time.Duration
	// ReleaseMemory, when set, is called when the server returns memory,
	// after the Go heap's: abi3ls serve passes glibc's malloc_trim so the
	// C heap freed with syntax trees goes back too.
	ReleaseMemory func()
}

const (
	defaultDebounce   = 50 * time.Millisecond
	defaultMaxDoc     = 10 << 20
	defaultMaxMessage = 64 << 20
	defaultMaxFile    = 4 << 20
	defaultActiveDocs = 8
)

type lifecycle int

const (
	stateNew lifecycle = iota
	stateRunning
	stateShutdown
)

// requestFunc prepares a request on the read loop (decoding params,
// taking snapshots, changing state) and returns the job that computes the
// result, which runs on its own goroutine with the request's context.
type requestFunc func(s *Server, params json.RawMessage) (job func(ctx context.Context) (any, error), err error)

// notificationFunc handles a notification on the read loop; it must not
// block on the client.
type notificationFunc func(s *Server, params json.RawMessage) error

// Server is one language server connection.
type Server struct {
	opts Options
	log  *slog.Logger
	an   *analysis.Analyzer
	eng  engine // an, or a stand-in in tests
	fr   *frameReader
	fw   *frameWriter

	ctx    context.Context // cancelled when the connection ends
	cancel context.CancelFunc
	wg     sync.WaitGroup // background goroutines
	trees  trees
	sem    chan struct{} // bounds concurrent analyses

	requests      map[string]requestFunc
	notifications map[string]notificationFunc

	mu       sync.Mutex // guards the fields below
	state    lifecycle
	exitCode int
	exited   bool
	inflight map[string]*inflight
	pending  map[string]chan *wireMsg
	nextID   int64

	docsMu sync.Mutex
	docs   map[string]*document

	// activeMu guards active, the documents that keep trees and analyses,
	// most recently used first (see touch). Lock order: activeMu, then a
	// document's mu.
	activeMu sync.Mutex
	active   []*document

	seed maphash.Seed // for the hashes of published diagnostics

	idle idleRelease

	ws workspace
	// wsGen counts the events that may change what an analysis reads
	// besides the document's own text (headers, build files, settings,
	// open and closed documents); analysis states of an older generation
	// are not reused.
	wsGen atomic.Uint64
	// reanalyses counts analyses of edited documents: incremental ones and
	// full ones (the state could not be used), for tests and logs.
	incremental, fullReanalyses atomic.Int64
	// pubBufs holds buffers of earlier publishes for the next ones.
	pubBufs chan []byte
	// reusedConversions counts incremental results converted to
	// diagnostics from the previous diagnostics (tests).
	reusedConversions atomic.Int64

	// onPublish, when set (tests), is told of every publish decision.
	onPublish func(uri string, version int32, sent bool)
}

// engine is the part of analysis.Analyzer the server calls.
type engine interface {
	Analyze(ctx context.Context, in analysis.Input) (*analysis.Result, error)
	Hover(ctx context.Context, in analysis.Input, res *analysis.Result, off int) (*analysis.Hover, error)
}

// incrementalEngine is implemented by engines that can re-analyze an
// edited document from the state of its previous analysis.
type incrementalEngine interface {
	AnalyzeKeep(ctx context.Context, in analysis.Input) (*analysis.Result, *analysis.State, error)
	ParseAndAnalyzeKeep(ctx context.Context, in analysis.Input, old *sitter.Tree) (*analysis.Result, *analysis.State, *sitter.Tree, error)
	Reanalyze(ctx context.Context, prev *analysis.State, in analysis.Input) (*analysis.Result, *analysis.State, bool, error)
}

type inflight struct {
	cancel    context.CancelFunc
	cancelled bool
}

// New returns a server reading requests from in and writing to out. Run
// serves it.
func New(in io.Reader, out io.Writer, opts Options) *Server {
	if opts.Name == "" {
		opts.Name = "abi3ls"
	}
	if opts.Debounce == 0 {
		opts.Debounce = defaultDebounce
	} else if opts.Debounce < 0 {
		opts.Debounce = 0
	}
	if opts.MaxDocumentSize <= 0 {
		opts.MaxDocumentSize = defaultMaxDoc
	}
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = defaultMaxMessage
	}
	if opts.ActiveDocuments == 0 {
		opts.ActiveDocuments = defaultActiveDocs
	}
	if opts.IdleRelease == 0 {
		opts.IdleRelease = defaultIdleRelease
	}
	if opts.Analyzer == nil {
		opts.Analyzer = &analysis.Analyzer{DB: abi.Default(), Parse: grammars.NewPool()}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	workers := runtime.GOMAXPROCS(0)
	if workers > 4 {
		workers = 4
	}
	s := &Server{
		opts:     opts,
		log:      log,
		an:       opts.Analyzer,
		eng:      opts.Analyzer,
		fr:       newFrameReader(in, opts.MaxMessageSize),
		fw:       &frameWriter{w: out},
		ctx:      ctx,
		cancel:   cancel,
		sem:      make(chan struct{}, workers),
		inflight: map[string]*inflight{},
		pending:  map[string]chan *wireMsg{},
		docs:     map[string]*document{},
		seed:     maphash.MakeSeed(),
		pubBufs:  make(chan []byte, 2),
	}
	s.idle.delay = opts.IdleRelease
	s.idle.minAlloc = releaseAfterAlloc
	s.idle.release = s.releaseMemory

	s.requests = map[string]requestFunc{
		"initialize":               (*Server).initialize,
		"shutdown":                 (*Server).shutdown,
		"textDocument/hover":       (*Server).hover,
		"textDocument/codeAction":  (*Server).codeAction,
		"workspace/executeCommand": (*Server).executeCommand,
		methodFileStatus:           (*Server).fileStatus,
	}
	s.notifications = map[string]notificationFunc{
		"initialized":                         (*Server).initialized,
		"exit":                                (*Server).exit,
		"$/cancelRequest":                     (*Server).cancelRequest,
		"textDocument/didOpen":                (*Server).didOpen,
		"textDocument/didChange":              (*Server).didChange,
		"textDocument/didClose":               (*Server).didClose,
		"workspace/didChangeConfiguration":    (*Server).didChangeConfiguration,
		"workspace/didChangeWatchedFiles":     (*Server).didChangeWatchedFiles,
		"workspace/didChangeWorkspaceFolders": (*Server).didChangeWorkspaceFolders,
	}
	return s
}

// LiveTrees is the number of tree-sitter trees the server holds.
func (s *Server) LiveTrees() int64 { return s.trees.live.Load() }

// Run serves until exit or the end of the input and returns the process
// exit code: 0 after shutdown and exit, 1 otherwise.
func (s *Server) Run() int {
	defer s.cleanup()
	for {
		body, ferr, err := s.fr.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.log.Error("read failed", "err", err)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.state == stateShutdown {
				return 0
			}
			s.log.Info("input ended without exit")
			return 1
		}
		if ferr != nil {
			s.log.Warn("malformed message", "err", ferr.msg)
			s.replyError(json.RawMessage("null"), &rpcError{Code: ferr.code, Message: ferr.msg})
			continue
		}
		s.dispatch(body)
		s.mu.Lock()
		exited, code := s.exited, s.exitCode
		s.mu.Unlock()
		if exited {
			return code
		}
	}
}

// cleanup ends background work and frees every document.
func (s *Server) cleanup() {
	s.idle.stop()
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.log.Warn("background work did not stop in time")
	}
	s.activeMu.Lock()
	s.active = nil
	s.activeMu.Unlock()
	s.docsMu.Lock()
	for uri, d := range s.docs {
		d.mu.Lock()
		d.free()
		d.mu.Unlock()
		delete(s.docs, uri)
	}
	s.docsMu.Unlock()
	// Deliver what is queued (the shutdown reply, last diagnostics).
	s.fw.close(5 * time.Second)
}

// touch makes d the most recently used active document (opened, edited
// or queried). Active documents keep their tree, the analysis of their
// current snapshot and the encodings of their diagnostics; the least
// recently used beyond Options.ActiveDocuments give them up and parse
// again when next needed, so the memory of hundreds of open documents is
// mostly their text.
func (s *Server) touch(d *document) {
	s.activeMu.Lock()
	i := slices.Index(s.active, d)
	switch {
	case i == 0:
		s.activeMu.Unlock()
		return
	case i > 0:
		copy(s.active[1:i+1], s.active[:i])
		s.active[0] = d
	default:
		d.mu.Lock()
		closed := d.closed
		d.resident = !closed
		d.mu.Unlock()
		if closed {
			s.activeMu.Unlock()
			return
		}
		s.active = slices.Insert(s.active, 0, d)
	}
	var evicted []*document
	if n := s.opts.ActiveDocuments; n > 0 && len(s.active) > n {
		evicted = slices.Clone(s.active[n:])
		clear(s.active[n:])
		s.active = s.active[:n]
	}
	for _, e := range evicted {
		e.mu.Lock()
		e.evict()
		e.mu.Unlock()
	}
	s.activeMu.Unlock()
	for _, e := range evicted {
		e.pubMu.Lock()
		e.mu.Lock()
		if !e.resident {
			e.enc = diagEncoder{}
		}
		e.mu.Unlock()
		e.pubMu.Unlock()
	}
}

// deactivate removes a closed or replaced document from the active ones.
func (s *Server) deactivate(d *document) {
	s.activeMu.Lock()
	defer s.activeMu.Unlock()
	if i := slices.Index(s.active, d); i >= 0 {
		s.active = slices.Delete(s.active, i, i+1)
	}
}

func (s *Server) dispatch(body []byte) {
	s.idle.begin()
	defer s.idle.end()
	m, kind, id, rerr := decodeMessage(body)
	if rerr != nil {
		s.log.Warn("invalid message", "err", rerr.Message)
		s.replyError(id, rerr)
		return
	}
	switch kind {
	case kindResponse:
		s.mu.Lock()
		ch, ok := s.pending[idKey(m.ID)]
		delete(s.pending, idKey(m.ID))
		s.mu.Unlock()
		if !ok {
			s.log.Warn("response to unknown request", "id", string(m.ID))
			return
		}
		ch <- m
	case kindNotification:
		s.notify(*m.Method, m.Params)
	case kindRequest:
		s.request(*m.Method, m.ID, m.Params)
	}
}

func (s *Server) notify(method string, params json.RawMessage) {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	if method != "exit" && state != stateRunning {
		s.log.Debug("notification ignored", "method", method, "state", state)
		return
	}
	h, ok := s.notifications[method]
	if !ok {
		s.log.Debug("unknown notification ignored", "method", method)
		return
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in notification handler", "method", method, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if err := h(s, params); err != nil {
		s.log.Warn("notification failed", "method", method, "err", err)
	}
}

func (s *Server) request(method string, id json.RawMessage, params json.RawMessage) {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	switch {
	case state == stateNew && method != "initialize":
		s.replyError(id, errorf(codeServerNotInitialized, "server not initialized: %s before initialize", method))
		return
	case state == stateShutdown:
		s.replyError(id, errorf(codeInvalidRequest, "invalid request: %s after shutdown", method))
		return
	}
	h, ok := s.requests[method]
	if !ok {
		s.replyError(id, errorf(codeMethodNotFound, "method not found: %s", method))
		return
	}
	job, err := s.prepare(method, h, params)
	if err != nil {
		s.replyError(id, asRPCError(err))
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	key := idKey(id)
	fl := &inflight{cancel: cancel}
	s.mu.Lock()
	s.inflight[key] = fl
	s.mu.Unlock()
	s.wg.Add(1)
	s.idle.begin()
	go func() {
		defer s.wg.Done()
		defer s.idle.end()
		defer cancel()
		res, err := s.runJob(ctx, method, job)
		s.mu.Lock()
		cancelled := fl.cancelled
		if s.inflight[key] == fl {
			delete(s.inflight, key)
		}
		s.mu.Unlock()
		switch {
		case cancelled:
			s.replyError(id, errorf(codeRequestCancelled, "request cancelled: %s", method))
		case err != nil:
			s.replyError(id, asRPCError(err))
		default:
			s.reply(id, res)
		}
	}()
}

// prepare runs a request's read-loop half, recovering a panic.
func (s *Server) prepare(method string, h requestFunc, params json.RawMessage) (job func(context.Context) (any, error), err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in request handler", "method", method, "panic", r, "stack", string(debug.Stack()))
			job, err = nil, errorf(codeInternalError, "internal error in %s: %v", method, r)
		}
	}()
	return h(s, params)
}

// runJob runs a request's job, recovering a panic.
func (s *Server) runJob(ctx context.Context, method string, job func(context.Context) (any, error)) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in request handler", "method", method, "panic", r, "stack", string(debug.Stack()))
			res, err = nil, errorf(codeInternalError, "internal error in %s: %v", method, r)
		}
	}()
	return job(ctx)
}

func asRPCError(err error) *rpcError {
	var re *rpcError
	if errors.As(err, &re) {
		return re
	}
	if errors.Is(err, context.Canceled) {
		return errorf(codeRequestCancelled, "request cancelled")
	}
	return errorf(codeInternalError, "%v", err)
}

func (s *Server) reply(id json.RawMessage, result any) {
	if err := s.fw.write(outResult{JSONRPC: "2.0", ID: id, Result: result}); err != nil {
		s.log.Error("reply failed", "err", err)
		// An unencodable result must still be answered.
		s.replyError(id, errorf(codeInternalError, "internal error: %v", err))
	}
}

func (s *Server) replyError(id json.RawMessage, e *rpcError) {
	if id == nil {
		id = json.RawMessage("null")
	}
	if err := s.fw.write(outError{JSONRPC: "2.0", ID: id, Error: e}); err != nil {
		s.log.Error("reply failed", "err", err)
	}
}

// sendNotification sends a notification to the client.
func (s *Server) sendNotification(method string, params any) {
	if err := s.fw.write(outNotification{JSONRPC: "2.0", Method: method, Params: params}); err != nil {
		s.log.Error("notification failed", "method", method, "err", err)
	}
}

// call sends a request to the client and waits for its response. It must
// never run on the read loop.
func (s *Server) call(ctx context.Context, method string, params, result any) error {
	ch := make(chan *wireMsg, 1)
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	key := idKey(json.RawMessage(fmt.Sprint(id)))
	s.pending[key] = ch
	s.mu.Unlock()
	if err := s.fw.write(outRequest{JSONRPC: "2.0", ID: id, Method: method, Params: params}); err != nil {
		s.mu.Lock()
		delete(s.pending, key)
		s.mu.Unlock()
		return fmt.Errorf("call %s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("call %s: %w", method, m.Error)
		}
		if result != nil && len(m.Result) > 0 {
			if err := json.Unmarshal(m.Result, result); err != nil {
				return fmt.Errorf("call %s: decode result: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.pending, key)
		s.mu.Unlock()
		s.sendNotification("$/cancelRequest", map[string]any{"id": id})
		return fmt.Errorf("call %s: %w", method, ctx.Err())
	}
}

// goBackground runs f on a goroutine tied to the connection's lifetime.
func (s *Server) goBackground(name string, f func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic in background task", "task", name, "panic", r, "stack", string(debug.Stack()))
			}
		}()
		f(s.ctx)
	}()
}

// decodeParams decodes params into v, reporting InvalidParams.
func decodeParams(params json.RawMessage, v any) error {
	if len(params) == 0 {
		params = json.RawMessage("null")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return errorf(codeInvalidParams, "invalid params: %v", err)
	}
	return nil
}

func (s *Server) cancelRequest(params json.RawMessage) error {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if err := decodeParams(params, &p); err != nil {
		return err
	}
	if !validID(p.ID) {
		return fmt.Errorf("cancel: bad id %s", p.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if fl, ok := s.inflight[idKey(p.ID)]; ok {
		fl.cancelled = true
		fl.cancel()
	}
	return nil
}

func (s *Server) shutdown(json.RawMessage) (func(context.Context) (any, error), error) {
	s.mu.Lock()
	s.state = stateShutdown
	s.mu.Unlock()
	return func(context.Context) (any, error) { return nil, nil }, nil
}

func (s *Server) exit(json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exited = true
	if s.state == stateShutdown {
		s.exitCode = 0
	} else {
		s.exitCode = 1
	}
	return nil
}
