package server

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
	"go.lsp.dev/protocol"
)

// trees counts live tree-sitter trees so tests can check every tree is
// closed (cgo memory is invisible to the Go GC).
type trees struct{ live atomic.Int64 }

func (t *trees) track(tr *sitter.Tree) *sitter.Tree {
	if tr != nil {
		t.live.Add(1)
	}
	return tr
}

func (t *trees) close(tr *sitter.Tree) {
	if tr != nil {
		tr.Close()
		t.live.Add(-1)
	}
}

// change is one content change of didChange; Range nil means the whole
// text is replaced.
type change struct {
	Range *protocol.Range `json:"range"`
	Text  string          `json:"text"`
}

// document is an open text document. Its fields are guarded by mu; the
// analysis works on immutable snapshots taken from it.
type document struct {
	uri        string
	path       string // file system path for file: URIs, "" otherwise
	languageID string
	lang       grammars.Lang
	trees      *trees

	mu        sync.Mutex
	version   int32
	text      []byte
	lines     lineIndex // of text; nil when given up (evict), see index
	tree      *sitter.Tree
	treeFresh bool   // tree is exactly a parse of text (not merely edited)
	textGen   uint64 // bumped on every text change
	gen       uint64 // bumped on every text or configuration change
	cur       *snapshot
	closed    bool
	runCancel context.CancelFunc
	tooLarge  bool
	warned    bool // the too-large message was shown

	// resident: the document is among the server's active documents
	// (Server.touch) and may keep a tree and a snapshot with its analysis.
	// Set with Server.activeMu held too.
	resident bool

	pubMu  sync.Mutex // serialises publishing; guards the fields below
	pubLen int        // length and hash of the last params published
	pubSum uint64
	enc    diagEncoder // encodings of the last publish (resident documents)

	// state is the last analysis kept for an incremental re-analysis, made
	// at workspace generation stateWs (see Server.wsGen); stateDiags are
	// the diagnostics made of its result, once converted.
	state      *analysis.State
	stateWs    uint64
	stateDiags []protocol.Diagnostic
}

// takeState hands out the kept analysis state, with the diagnostics of
// its result, if it is of workspace generation ws (a state is used once);
// kept says whether there was one.
func (d *document) takeState(ws uint64) (st *analysis.State, diags []protocol.Diagnostic, kept bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, diags = d.state, d.stateDiags
	d.state, d.stateDiags = nil, nil
	if st == nil || d.stateWs != ws {
		return nil, nil, st != nil
	}
	return st, diags, true
}

// keepState keeps st, made at workspace generation ws, unless the
// document was closed or evicted or the workspace moved on since.
func (d *document) keepState(st *analysis.State, ws, now uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || !d.resident || st == nil || ws != now {
		return
	}
	d.state, d.stateWs, d.stateDiags = st, ws, nil
}

// keepDiags keeps the diagnostics made of res if res is the kept state's.
func (d *document) keepDiags(res *analysis.Result, diags []protocol.Diagnostic) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != nil && d.state.Result() == res {
		d.stateDiags = diags
	}
}

// uriPath returns the file system path of a file: URI, or "".
func uriPath(u string) string {
	if !strings.HasPrefix(strings.ToLower(u), "file:") {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Path == "" {
		return ""
	}
	path := p.Path
	// file:///C:/x on Windows
	if len(path) >= 3 && path[0] == '/' && path[2] == ':' {
		path = path[1:]
	}
	return filepath.FromSlash(path)
}

// applyChanges applies the changes one at a time, to the text and to the
// tree (Tree.Edit with byte offsets and points computed against the text
// before each change). Ranges are clamped to the text and reversed ranges
// swapped, as vscode-languageserver-textdocument does.
func (d *document) applyChanges(changes []change, enc encoding) {
	if d.lines == nil {
		d.lines = newLineIndex(d.text)
	}
	for _, c := range changes {
		if c.Range == nil {
			d.text = []byte(c.Text)
			d.lines = newLineIndex(d.text)
			d.trees.close(d.tree)
			d.tree, d.treeFresh = nil, false
			continue
		}
		start := d.lines.offset(d.text, c.Range.Start, enc)
		end := d.lines.offset(d.text, c.Range.End, enc)
		if end < start {
			start, end = end, start
		}
		if d.tree != nil {
			sp := tsPoint(d.text, start)
			d.tree.Edit(&sitter.InputEdit{
				StartByte:      uint(start),
				OldEndByte:     uint(end),
				NewEndByte:     uint(start + len(c.Text)),
				StartPosition:  sp,
				OldEndPosition: tsPoint(d.text, end),
				NewEndPosition: advance(sp, c.Text),
			})
			d.treeFresh = false
		}
		nt := make([]byte, 0, len(d.text)-(end-start)+len(c.Text))
		nt = append(nt, d.text[:start]...)
		nt = append(nt, c.Text...)
		nt = append(nt, d.text[end:]...)
		d.lines = d.lines.edited(nt, start, end, len(c.Text))
		d.text = nt
	}
}

// invalidate drops the cached snapshot after a change. Caller holds mu.
func (d *document) invalidate(textChanged bool) {
	d.gen++
	if textChanged {
		d.textGen++
	}
	if d.cur != nil {
		d.cur.release()
		d.cur = nil
	}
}

// evict gives up what only an active document keeps: its tree and its
// current snapshot with the analysis, and its line index. The text,
// version and what was published stay; the next snapshot parses again. Caller holds mu
// (and Server.activeMu).
func (d *document) evict() {
	d.resident = false
	d.state, d.stateDiags = nil, nil
	d.lines = nil
	d.trees.close(d.tree)
	d.tree, d.treeFresh = nil, false
	if d.cur != nil {
		d.cur.release()
		d.cur = nil
	}
}

// index returns the line index of the text. A document that gave it up
// (evict) builds it again (about 20 µs for 2,000 lines) and keeps it only
// when active. Caller holds mu.
func (d *document) index() lineIndex {
	if d.lines != nil {
		return d.lines
	}
	li := newLineIndex(d.text)
	if d.resident {
		d.lines = li
	}
	return li
}

// free releases everything the document holds. Caller holds mu.
func (d *document) free() {
	d.closed = true
	d.resident = false
	if d.runCancel != nil {
		d.runCancel()
		d.runCancel = nil
	}
	if d.cur != nil {
		d.cur.release()
		d.cur = nil
	}
	d.trees.close(d.tree)
	d.tree = nil
	d.state, d.stateDiags = nil, nil
}

// adopt makes t (a fresh parse of the text at textGen) the document's tree
// if the text has not changed since and the document is active, so the
// next incremental parse starts from it.
func (d *document) adopt(textGen uint64, t *sitter.Tree) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || !d.resident || d.textGen != textGen || d.treeFresh {
		return
	}
	d.trees.close(d.tree)
	d.tree = d.trees.track(t.Clone())
	d.treeFresh = true
}

// docConfig is everything besides the text that a snapshot's analysis
// depends on. Immutable.
type docConfig struct {
	folder   *folder // nil when the document is in no workspace folder
	cfg      analysis.Config
	excluded bool // matched an exclude glob: no diagnostics
	include  []string
	maxFile  int64
	maxDoc   int
}

// root is the file system root of the document's folder, if any.
func (c *docConfig) root() string {
	if c == nil || c.folder == nil {
		return ""
	}
	return c.folder.root
}

// snapshot is an immutable view of a document at one version, with the
// configuration in force. It owns its trees; they are closed when the last
// reference is released.
type snapshot struct {
	s       *Server
	doc     *document
	uri     string
	path    string
	version int32
	gen     uint64
	textGen uint64
	text    []byte
	lines   lineIndex
	lang    grammars.Lang
	enc     encoding
	conf    *docConfig
	large   bool
	ws      uint64 // Server.wsGen when the snapshot was taken
	// prevRes and prevDiags are the previous analysis of the document and
	// its diagnostics when res was computed from it incrementally.
	prevRes   *analysis.Result
	prevDiags []protocol.Diagnostic

	refs atomic.Int32
	sem  chan struct{} // held while the trees are used

	// guarded by sem
	base      *sitter.Tree // tree to reparse from (edited) or use (fresh)
	baseFresh bool
	tree      *sitter.Tree
	in        analysis.Input
	res       *analysis.Result
}

func (sn *snapshot) acquire() { sn.refs.Add(1) }

func (sn *snapshot) release() {
	if n := sn.refs.Add(-1); n == 0 {
		sn.s.trees.close(sn.base)
		sn.s.trees.close(sn.tree)
		sn.base, sn.tree = nil, nil
	} else if n < 0 {
		panic("server: snapshot released too often")
	}
}

// lock takes the snapshot's semaphore, or fails when ctx ends first.
func (sn *snapshot) lock(ctx context.Context) error {
	select {
	case sn.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (sn *snapshot) unlock() { <-sn.sem }

// analyzeLocked parses (incrementally when it can) and analyzes the
// snapshot once; the result is kept. Caller holds sem.
func (sn *snapshot) analyzeLocked(ctx context.Context) (*analysis.Result, error) {
	if sn.res != nil {
		return sn.res, nil
	}
	if sn.large || sn.lang == grammars.Unknown {
		sn.res = &analysis.Result{}
		return sn.res, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sn.in = analysis.Input{
		Path:     sn.inputPath(),
		Lang:     sn.lang,
		Src:      sn.text,
		Includes: &includer{s: sn.s, root: sn.conf.root(), dirs: sn.conf.include, max: sn.conf.maxFile},
		Config:   sn.conf.cfg,
	}
	if f := sn.conf.folder; f != nil {
		sn.in.Project = f.facts
	}
	if sn.tree == nil && sn.base != nil && sn.baseFresh {
		sn.tree, sn.base = sn.base, nil
	}
	ie, incremental := sn.s.eng.(incrementalEngine)
	var prev *analysis.State
	if incremental {
		var prevDiags []protocol.Diagnostic
		var kept bool
		prev, prevDiags, kept = sn.doc.takeState(sn.ws)
		if prev != nil {
			sn.prevRes, sn.prevDiags = prev.Result(), prevDiags
		} else if kept {
			sn.s.fullReanalyses.Add(1)
			sn.s.log.Debug("full re-analysis", "uri", sn.uri, "why", "the workspace changed")
		}
	}
	var res *analysis.Result
	var st *analysis.State
	var err error
	if sn.tree == nil && incremental && prev == nil {
		// A whole analysis: parse beside the phases that need only the text.
		var t *sitter.Tree
		res, st, t, err = ie.ParseAndAnalyzeKeep(ctx, sn.in, sn.base)
		if err != nil {
			return nil, fmt.Errorf("analyze %s: %w", sn.uri, err)
		}
		sn.setTree(t)
		sn.in.Tree = sn.tree
	} else {
		if sn.tree == nil {
			t, err := sn.s.an.Parse.Parse(sn.lang, sn.text, sn.base)
			if err != nil {
				return nil, fmt.Errorf("parse %s: %w", sn.uri, err)
			}
			sn.setTree(t)
		}
		sn.in.Tree = sn.tree
		switch {
		case prev != nil:
			var incr bool
			res, st, incr, err = ie.Reanalyze(ctx, prev, sn.in)
			switch {
			case err != nil:
			case incr:
				sn.s.incremental.Add(1)
			default:
				sn.s.fullReanalyses.Add(1)
				sn.s.log.Debug("full re-analysis", "uri", sn.uri, "why", st.Fallback)
			}
		case incremental:
			res, st, err = ie.AnalyzeKeep(ctx, sn.in)
		default:
			res, err = sn.s.eng.Analyze(ctx, sn.in)
		}
	}
	if err == nil && st != nil {
		sn.doc.keepState(st, sn.ws, sn.s.wsGen.Load())
	}
	if err != nil {
		return nil, fmt.Errorf("analyze %s: %w", sn.uri, err)
	}
	if res == nil {
		res = &analysis.Result{}
	}
	sn.res = res
	return res, nil
}

// setTree makes t, a parse of the snapshot's text, its tree: the base it
// was parsed from is closed and the document adopts it for the next
// incremental parse. Caller holds sem.
func (sn *snapshot) setTree(t *sitter.Tree) {
	sn.tree = sn.s.trees.track(t)
	sn.s.trees.close(sn.base)
	sn.base = nil
	sn.doc.adopt(sn.textGen, sn.tree)
}

func (sn *snapshot) inputPath() string {
	if sn.path != "" {
		return sn.path
	}
	return sn.uri
}

// result returns the analysis of the snapshot, computing it at most once.
func (sn *snapshot) result(ctx context.Context) (*analysis.Result, error) {
	if err := sn.lock(ctx); err != nil {
		return nil, err
	}
	defer sn.unlock()
	return sn.analyzeLocked(ctx)
}

func (sn *snapshot) rangeOf(start, end int) protocol.Range {
	return protocol.Range{
		Start: sn.lines.position(sn.text, start, sn.enc),
		End:   sn.lines.position(sn.text, end, sn.enc),
	}
}

func (sn *snapshot) offset(p protocol.Position) int {
	return sn.lines.offset(sn.text, p, sn.enc)
}
