package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
)

// Commands the server executes (workspace/executeCommand).
const (
	cmdFixAll     = "abi3ls.fixAll"
	cmdFileStatus = "abi3ls.fileStatus"
	// methodFileStatus is the custom request behind status bars.
	methodFileStatus = "abi3ls/fileStatus"
	// kindFixAll is the code action kind of "fix everything safe".
	kindFixAll = "source.fixAll.abi3ls"
)

type initializeParams struct {
	RootURI               *string         `json:"rootUri"`
	RootPath              *string         `json:"rootPath"`
	InitializationOptions json.RawMessage `json:"initializationOptions"`
	Capabilities          json.RawMessage `json:"capabilities"`
	WorkspaceFolders      []wsFolder      `json:"workspaceFolders"`
	ClientInfo            *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"clientInfo"`
}

// serverCapabilities adds the LSP 3.17 field protocol v0.12.0 lacks.
type serverCapabilities struct {
	protocol.ServerCapabilities
	PositionEncoding string `json:"positionEncoding,omitempty"`
}

type initializeResult struct {
	Capabilities serverCapabilities   `json:"capabilities"`
	ServerInfo   *protocol.ServerInfo `json:"serverInfo,omitempty"`
}

func (s *Server) initialize(params json.RawMessage) (func(context.Context) (any, error), error) {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	if state != stateNew {
		return nil, errorf(codeInvalidRequest, "invalid request: initialize was already received")
	}
	var p initializeParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	var caps clientCaps
	if len(p.Capabilities) > 0 {
		if err := json.Unmarshal(p.Capabilities, &caps); err != nil {
			// Odd capabilities are no reason to refuse a client.
			s.log.Warn("client capabilities not understood; assuming none", "err", err)
			caps = clientCaps{}
		}
	}
	enc := encUTF16
	for _, e := range caps.General.PositionEncodings {
		if e == "utf-8" {
			enc = encUTF8
		}
	}
	init := s.parseSettings("initializationOptions", p.InitializationOptions)

	// Folders: workspaceFolders, else rootUri, else rootPath.
	folders := p.WorkspaceFolders
	if len(folders) == 0 {
		switch {
		case p.RootURI != nil && *p.RootURI != "":
			folders = []wsFolder{{URI: *p.RootURI, Name: filepath.Base(uriPath(*p.RootURI))}}
		case p.RootPath != nil && *p.RootPath != "":
			folders = []wsFolder{{URI: fileURI(*p.RootPath), Name: filepath.Base(*p.RootPath)}}
		}
	}
	maxFile := init.MaxFileSize
	var loaded []*folder
	for _, f := range folders {
		root := uriPath(f.URI)
		if root == "" {
			s.log.Info("workspace folder is not a file: URI; it has no build facts", "uri", f.URI)
		}
		lf := loadFolder(f.URI, root, f.Name, maxFile, false)
		s.logProblems(lf)
		loaded = append(loaded, lf)
	}

	s.wsGen.Add(1) // settings, folders or build files may change
	s.ws.mu.Lock()
	s.ws.caps = caps
	s.ws.enc = enc
	s.ws.init = init
	s.ws.maxFile = maxFile
	s.ws.folders = loaded
	s.ws.mu.Unlock()

	s.mu.Lock()
	s.state = stateRunning
	s.mu.Unlock()

	client := ""
	if p.ClientInfo != nil {
		client = p.ClientInfo.Name + " " + p.ClientInfo.Version
	}
	s.log.Info("initialize", "client", client, "positionEncoding", enc.String(), "folders", len(loaded))

	res := initializeResult{
		Capabilities: s.capabilities(caps, enc),
		ServerInfo:   &protocol.ServerInfo{Name: s.opts.Name, Version: s.opts.Version},
	}
	return func(context.Context) (any, error) { return res, nil }, nil
}

func (s *Server) capabilities(caps clientCaps, enc encoding) serverCapabilities {
	var codeAction any = true
	if len(caps.TextDocument.CodeAction.CodeActionLiteralSupport) > 0 {
		codeAction = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{
			protocol.QuickFix, protocol.RefactorRewrite, kindFixAll,
		}}
	}
	return serverCapabilities{
		ServerCapabilities: protocol.ServerCapabilities{
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: true,
				Change:    protocol.TextDocumentSyncKindIncremental,
			},
			HoverProvider:      true,
			CodeActionProvider: codeAction,
			ExecuteCommandProvider: &protocol.ExecuteCommandOptions{
				Commands: []string{cmdFixAll, cmdFileStatus},
			},
			Workspace: &protocol.ServerCapabilitiesWorkspace{
				WorkspaceFolders: &protocol.ServerCapabilitiesWorkspaceFolders{
					Supported:           true,
					ChangeNotifications: true,
				},
			},
		},
		PositionEncoding: enc.String(),
	}
}

func (s *Server) initialized(json.RawMessage) error {
	s.ws.mu.RLock()
	caps := s.ws.caps
	s.ws.mu.RUnlock()
	if caps.Workspace.DidChangeWatchedFiles.DynamicRegistration {
		s.goBackground("register watchers", s.registerWatchers)
	}
	if caps.Workspace.Configuration {
		s.goBackground("pull configuration", func(ctx context.Context) {
			s.pullConfiguration(ctx)
			s.reanalyzeAll()
		})
	}
	return nil
}

// encoding returns the negotiated position encoding.
func (s *Server) encoding() encoding {
	s.ws.mu.RLock()
	defer s.ws.mu.RUnlock()
	return s.ws.enc
}

type textDocumentItem struct {
	URI        string `json:"uri"`
	LanguageID string `json:"languageId"`
	Version    int32  `json:"version"`
	Text       string `json:"text"`
}

func (s *Server) didOpen(params json.RawMessage) error {
	var p struct {
		TextDocument textDocumentItem `json:"textDocument"`
	}
	if err := decodeParams(params, &p); err != nil {
		return err
	}
	td := p.TextDocument
	if td.URI == "" {
		return fmt.Errorf("didOpen without a uri")
	}
	path := uriPath(td.URI)
	d := &document{
		uri:        td.URI,
		path:       path,
		languageID: td.LanguageID,
		lang:       languageOf(td.LanguageID, path, td.URI),
		trees:      &s.trees,
		version:    td.Version,
		text:       []byte(td.Text),
	}
	d.lines = newLineIndex(d.text)
	d.tooLarge = len(d.text) > s.opts.MaxDocumentSize
	s.wsGen.Add(1) // an open document shadows the file on disk
	s.docsMu.Lock()
	old := s.docs[td.URI]
	s.docs[td.URI] = d
	s.docsMu.Unlock()
	if old != nil {
		s.log.Warn("didOpen of an open document; replacing it", "uri", td.URI)
		s.deactivate(old)
		old.mu.Lock()
		old.free()
		old.mu.Unlock()
	}
	s.touch(d)
	s.schedule(d, 0)
	return nil
}

func (s *Server) lookup(uri string) *document {
	s.docsMu.Lock()
	defer s.docsMu.Unlock()
	return s.docs[uri]
}

func (s *Server) didChange(params json.RawMessage) error {
	var p struct {
		TextDocument struct {
			URI     string `json:"uri"`
			Version int32  `json:"version"`
		} `json:"textDocument"`
		ContentChanges []change `json:"contentChanges"`
	}
	if err := decodeParams(params, &p); err != nil {
		return err
	}
	d := s.lookup(p.TextDocument.URI)
	if d == nil {
		return fmt.Errorf("didChange of a document that is not open: %s", p.TextDocument.URI)
	}
	enc := s.encoding()
	d.mu.Lock()
	if p.TextDocument.Version <= d.version {
		s.log.Warn("didChange version does not increase", "uri", d.uri, "had", d.version, "got", p.TextDocument.Version)
	}
	d.version = p.TextDocument.Version
	if isHeader(d.path) {
		s.wsGen.Add(1) // documents including it read it
	}
	d.applyChanges(p.ContentChanges, enc)
	d.tooLarge = len(d.text) > s.opts.MaxDocumentSize
	if d.tooLarge {
		d.trees.close(d.tree)
		d.tree, d.treeFresh = nil, false
	}
	d.invalidate(true)
	d.mu.Unlock()
	s.touch(d)
	s.schedule(d, s.opts.Debounce)
	if isHeader(d.path) {
		// Files including the header may see another target or macros.
		s.reanalyzeOthers(d, s.opts.Debounce)
	}
	return nil
}

func isHeader(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".h", ".hh", ".hpp", ".hxx", ".h++", ".inc":
		return true
	}
	return false
}

func (s *Server) didClose(params json.RawMessage) error {
	var p struct {
		TextDocument struct {
			URI string `json:"uri"`
		} `json:"textDocument"`
	}
	if err := decodeParams(params, &p); err != nil {
		return err
	}
	s.wsGen.Add(1)
	s.docsMu.Lock()
	d := s.docs[p.TextDocument.URI]
	delete(s.docs, p.TextDocument.URI)
	s.docsMu.Unlock()
	if d == nil {
		return fmt.Errorf("didClose of a document that is not open: %s", p.TextDocument.URI)
	}
	s.deactivate(d)
	d.mu.Lock()
	d.free()
	d.mu.Unlock()
	d.pubMu.Lock()
	defer d.pubMu.Unlock()
	s.sendNotification("textDocument/publishDiagnostics", publishParams{URI: d.uri, Diagnostics: []protocol.Diagnostic{}})
	return nil
}

// snapshotOf returns the document's current snapshot (acquired: the caller
// must release it), or nil when the document is closed. Only an active
// document (see touch) keeps the snapshot for the next caller.
func (s *Server) snapshotOf(d *document) *snapshot {
	conf := s.configFor(d)
	enc := s.encoding()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	if d.cur != nil {
		d.cur.acquire()
		return d.cur
	}
	sn := &snapshot{
		s:       s,
		doc:     d,
		uri:     d.uri,
		path:    d.path,
		version: d.version,
		gen:     d.gen,
		textGen: d.textGen,
		ws:      s.wsGen.Load(),
		text:    d.text,
		lines:   d.index(),
		lang:    d.lang,
		enc:     enc,
		conf:    conf,
		large:   d.tooLarge,
		sem:     make(chan struct{}, 1),
	}
	if d.tree != nil {
		sn.base = s.trees.track(d.tree.Clone())
		sn.baseFresh = d.treeFresh
	}
	if !d.resident {
		// An inactive document keeps no snapshot: this one (its tree and
		// analysis) is freed when the caller releases it.
		sn.refs.Store(1)
		return sn
	}
	sn.refs.Store(2) // the document's and the caller's
	d.cur = sn
	return sn
}
