package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/analysis/project"
)

// clientCallTimeout bounds the server's own requests to the client.
const clientCallTimeout = 30 * time.Second

// folder is a workspace folder (or, for a file outside every folder, the
// project root found above it). Immutable: a reload makes a new folder.
type folder struct {
	uri      string
	root     string // file system path
	name     string
	implicit bool // found from a file, not given by the client
	facts    *project.Facts
	pulled   project.Settings // from workspace/configuration, scoped to this folder
}

// clientCaps is the part of the client's capabilities the server uses.
type clientCaps struct {
	General struct {
		PositionEncodings []string `json:"positionEncodings"`
	} `json:"general"`
	Workspace struct {
		ApplyEdit     bool `json:"applyEdit"`
		WorkspaceEdit struct {
			DocumentChanges bool `json:"documentChanges"`
		} `json:"workspaceEdit"`
		DidChangeWatchedFiles struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"didChangeWatchedFiles"`
		Configuration    bool `json:"configuration"`
		WorkspaceFolders bool `json:"workspaceFolders"`
	} `json:"workspace"`
	TextDocument struct {
		CodeAction struct {
			CodeActionLiteralSupport json.RawMessage `json:"codeActionLiteralSupport"`
		} `json:"codeAction"`
	} `json:"textDocument"`
}

// workspace is the configuration state: folders, their facts and the
// settings layers. Values are replaced, never mutated, under mu.
type workspace struct {
	mu      sync.RWMutex
	folders []*folder // client folders, then implicit ones
	caps    clientCaps
	enc     encoding
	init    project.Settings  // initializationOptions
	push    project.Settings  // workspace/didChangeConfiguration
	pulled  project.Settings  // workspace/configuration without a scope
	maxFile int64             // cap for workspace reads, from the client layers
	roots   map[string]string // directory -> project root found above it ("" = none)
}

// loadFolder reads a folder's build files and settings.
func loadFolder(uri, root, name string, maxFile int64, implicit bool) *folder {
	f := &folder{uri: uri, root: root, name: name, implicit: implicit}
	if root != "" {
		f.facts = project.Load(os.DirFS(root), root, project.Options{MaxFileSize: maxFile})
	}
	return f
}

// folderFor returns the innermost folder containing path. Caller holds mu.
func (w *workspace) folderFor(path string) *folder {
	var best *folder
	for _, f := range w.folders {
		if project.Within(f.root, path) && (best == nil || len(f.root) > len(best.root)) {
			best = f
		}
	}
	return best
}

// settingsFor merges the layers for a folder: project file, then
// initializationOptions, then didChangeConfiguration, then pulled
// configuration. Later wins. Caller holds mu.
func (w *workspace) settingsFor(f *folder) project.Settings {
	var s project.Settings
	if f != nil && f.facts != nil {
		s = f.facts.Settings
	}
	s = s.Merge(w.init).Merge(w.push).Merge(w.pulled)
	if f != nil {
		s = s.Merge(f.pulled)
	}
	return s
}

// configFromSettings turns merged settings into the analysis
// configuration. Invalid values are left out: a client's bad key must not
// stop the server (the CLI fails on the same error instead). They are logged
// where settings arrive (Settings.Validate), so the error is not repeated.
func configFromSettings(s project.Settings) analysis.Config {
	c, _ := analysis.ConfigFromSettings(s)
	return c
}

// configFor computes a document's configuration. A file outside every
// folder gets the project root found above it (loaded once).
func (s *Server) configFor(d *document) *docConfig {
	s.ws.mu.RLock()
	f := s.ws.folderFor(d.path)
	maxFile := s.ws.maxFile
	s.ws.mu.RUnlock()
	if f == nil && d.path != "" {
		f = s.implicitFolder(d.path, maxFile)
	}
	s.ws.mu.RLock()
	defer s.ws.mu.RUnlock()
	set := s.ws.settingsFor(f)
	dc := &docConfig{folder: f, cfg: configFromSettings(set), maxFile: set.MaxFileSize, maxDoc: s.opts.MaxDocumentSize}
	if dc.maxFile <= 0 {
		dc.maxFile = defaultMaxFile
	}
	root := filepath.Dir(d.path)
	if f != nil && f.root != "" {
		root = f.root
		if rel, err := filepath.Rel(f.root, d.path); err == nil && d.path != "" {
			dc.excluded = set.Excluded(filepath.ToSlash(rel))
		}
	}
	for _, inc := range set.Include {
		if !filepath.IsAbs(inc) {
			inc = filepath.Join(root, inc)
		}
		dc.include = append(dc.include, inc)
	}
	return dc
}

// implicitFolder finds (and remembers) the project root above path for a
// file opened outside every workspace folder.
func (s *Server) implicitFolder(path string, maxFile int64) *folder {
	dir := filepath.Dir(path)
	s.ws.mu.RLock()
	root, known := s.ws.roots[dir]
	s.ws.mu.RUnlock()
	if !known {
		root = project.FindRoot(dir, func(p string) bool {
			_, err := os.Stat(p)
			return err == nil
		})
		s.wsGen.Add(1) // settings, folders or build files may change
		s.ws.mu.Lock()
		if s.ws.roots == nil {
			s.ws.roots = map[string]string{}
		}
		s.ws.roots[dir] = root
		s.ws.mu.Unlock()
	}
	if root == "" {
		return nil
	}
	s.ws.mu.RLock()
	for _, f := range s.ws.folders {
		if f.root == root {
			s.ws.mu.RUnlock()
			return f
		}
	}
	s.ws.mu.RUnlock()
	f := loadFolder(fileURI(root), root, filepath.Base(root), maxFile, true)
	s.wsGen.Add(1) // settings, folders or build files may change
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	for _, g := range s.ws.folders {
		if g.root == root {
			return g
		}
	}
	s.ws.folders = append(s.ws.folders, f)
	return f
}

// fileURI is the file: URI of an absolute path.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := (&urlPath{p}).String()
	return "file://" + u
}

// urlPath escapes a path for a URI the way editors do (spaces, '#', '?',
// '%' and non-ASCII escaped; '/' kept).
type urlPath struct{ p string }

func (u *urlPath) String() string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(u.p); i++ {
		c := u.p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/-._~!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// reloadFolders reloads the facts of the folders containing any of paths
// (every folder when paths is nil) and reanalyses the open documents.
func (s *Server) reloadFolders(paths []string) {
	s.ws.mu.RLock()
	old := append([]*folder(nil), s.ws.folders...)
	maxFile := s.ws.maxFile
	s.ws.mu.RUnlock()
	fresh := map[*folder]*folder{}
	for _, f := range old {
		hit := paths == nil
		for _, p := range paths {
			if project.Within(f.root, p) {
				hit = true
			}
		}
		if hit {
			nf := loadFolder(f.uri, f.root, f.name, maxFile, f.implicit)
			nf.pulled = f.pulled
			fresh[f] = nf
			s.logProblems(nf)
		}
	}
	if len(fresh) == 0 {
		return
	}
	s.wsGen.Add(1) // settings, folders or build files may change
	s.ws.mu.Lock()
	for i, f := range s.ws.folders {
		if nf, ok := fresh[f]; ok {
			s.ws.folders[i] = nf
		}
	}
	s.ws.mu.Unlock()
	s.reanalyzeAll()
}

func (s *Server) logProblems(f *folder) {
	if f.facts == nil {
		return
	}
	for _, p := range f.facts.Problems {
		s.log.Warn("workspace file problem", "folder", f.root, "path", p.Path, "line", p.Line, "problem", p.Message)
	}
}

// reanalyzeAll drops every open document's snapshot and analyses it again
// at once (configuration or facts changed).
func (s *Server) reanalyzeAll() { s.reanalyzeOthers(nil, 0) }

// reanalyzeOthers reanalyses every open document but except after delay.
func (s *Server) reanalyzeOthers(except *document, delay time.Duration) {
	s.docsMu.Lock()
	docs := make([]*document, 0, len(s.docs))
	for _, d := range s.docs {
		if d != except {
			docs = append(docs, d)
		}
	}
	s.docsMu.Unlock()
	sort.Slice(docs, func(i, j int) bool { return docs[i].uri < docs[j].uri })
	for _, d := range docs {
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			continue
		}
		d.invalidate(false)
		d.mu.Unlock()
		s.schedule(d, delay)
	}
}

// parseSettings decodes a client settings message, logging problems.
func (s *Server) parseSettings(where string, raw json.RawMessage) project.Settings {
	set, err := project.ParseSettingsJSON(raw)
	if err != nil {
		s.log.Warn("bad settings", "from", where, "err", err)
	}
	for _, e := range set.Validate() {
		s.log.Warn("bad setting", "from", where, "err", e)
	}
	return set
}

func (s *Server) didChangeConfiguration(params json.RawMessage) error {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := decodeParams(params, &p); err != nil {
		return err
	}
	set := s.parseSettings("didChangeConfiguration", p.Settings)
	s.wsGen.Add(1) // settings, folders or build files may change
	s.ws.mu.Lock()
	s.ws.push = set
	if set.MaxFileSize > 0 {
		s.ws.maxFile = set.MaxFileSize
	}
	pull := s.ws.caps.Workspace.Configuration
	s.ws.mu.Unlock()
	if pull {
		s.goBackground("pull configuration", func(ctx context.Context) {
			s.pullConfiguration(ctx)
			s.reanalyzeAll()
		})
		return nil
	}
	s.reanalyzeAll()
	return nil
}

// pullConfiguration asks the client for the "abi3ls" section, once
// globally and once per folder.
func (s *Server) pullConfiguration(ctx context.Context) {
	s.ws.mu.RLock()
	folders := append([]*folder(nil), s.ws.folders...)
	s.ws.mu.RUnlock()
	type item struct {
		ScopeURI string `json:"scopeUri,omitempty"`
		Section  string `json:"section"`
	}
	items := []item{{Section: "abi3ls"}}
	for _, f := range folders {
		items = append(items, item{ScopeURI: f.uri, Section: "abi3ls"})
	}
	ctx, cancel := context.WithTimeout(ctx, clientCallTimeout)
	defer cancel()
	var res []json.RawMessage
	if err := s.call(ctx, "workspace/configuration", map[string]any{"items": items}, &res); err != nil {
		s.log.Warn("workspace/configuration failed", "err", err)
		return
	}
	if len(res) != len(items) {
		s.log.Warn("workspace/configuration: wrong number of results", "want", len(items), "got", len(res))
		return
	}
	global := s.parseSettings("workspace/configuration", res[0])
	s.wsGen.Add(1) // settings, folders or build files may change
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	s.ws.pulled = global
	for i, f := range folders {
		set := s.parseSettings("workspace/configuration "+f.uri, res[i+1])
		for j, g := range s.ws.folders {
			if g == f {
				nf := *g
				nf.pulled = set
				s.ws.folders[j] = &nf
			}
		}
	}
}

// registerWatchers asks the client to watch the build and configuration
// files.
func (s *Server) registerWatchers(ctx context.Context) {
	type watcher struct {
		GlobPattern string `json:"globPattern"`
	}
	var ws []watcher
	for _, name := range project.BuildFiles {
		ws = append(ws, watcher{GlobPattern: "**/" + name})
	}
	params := map[string]any{"registrations": []map[string]any{{
		"id":              "abi3ls-build-files",
		"method":          "workspace/didChangeWatchedFiles",
		"registerOptions": map[string]any{"watchers": ws},
	}}}
	ctx, cancel := context.WithTimeout(ctx, clientCallTimeout)
	defer cancel()
	if err := s.call(ctx, "client/registerCapability", params, nil); err != nil {
		s.log.Warn("registering file watchers failed", "err", err)
	}
}

func (s *Server) didChangeWatchedFiles(params json.RawMessage) error {
	var p struct {
		Changes []struct {
			URI string `json:"uri"`
		} `json:"changes"`
	}
	if err := decodeParams(params, &p); err != nil {
		return err
	}
	paths := []string{}
	for _, c := range p.Changes {
		if path := uriPath(c.URI); path != "" {
			paths = append(paths, path)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	s.wsGen.Add(1) // settings, folders or build files may change
	s.ws.mu.Lock()
	s.ws.roots = nil // a marker file may have come or gone
	s.ws.mu.Unlock()
	s.goBackground("reload workspace", func(context.Context) { s.reloadFolders(paths) })
	return nil
}

func (s *Server) didChangeWorkspaceFolders(params json.RawMessage) error {
	var p struct {
		Event struct {
			Added   []wsFolder `json:"added"`
			Removed []wsFolder `json:"removed"`
		} `json:"event"`
	}
	if err := decodeParams(params, &p); err != nil {
		return err
	}
	s.goBackground("workspace folders", func(ctx context.Context) {
		s.ws.mu.RLock()
		maxFile := s.ws.maxFile
		s.ws.mu.RUnlock()
		var added []*folder
		for _, a := range p.Event.Added {
			if root := uriPath(a.URI); root != "" {
				f := loadFolder(a.URI, root, a.Name, maxFile, false)
				s.logProblems(f)
				added = append(added, f)
			}
		}
		s.wsGen.Add(1) // settings, folders or build files may change
		s.ws.mu.Lock()
		var keep []*folder
		for _, f := range s.ws.folders {
			removed := false
			for _, r := range p.Event.Removed {
				if r.URI == f.uri && !f.implicit {
					removed = true
				}
			}
			if !removed {
				keep = append(keep, f)
			}
		}
		s.ws.folders = append(added, keep...)
		pull := s.ws.caps.Workspace.Configuration
		s.ws.mu.Unlock()
		if pull {
			s.pullConfiguration(ctx)
		}
		s.reanalyzeAll()
	})
	return nil
}

type wsFolder struct {
	URI  string `json:"uri"`
	Name string `json:"name"`
}
