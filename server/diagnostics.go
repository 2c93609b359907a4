package server

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/analysis/project"
	"github.com/abi3ls/abi3ls/grammars"

	"go.lsp.dev/protocol"
)

func languageOf(languageID, path, uri string) grammars.Lang {
	if path == "" {
		path = uri
	}
	return grammars.ForLanguageID(languageID, path)
}

// publishParams is PublishDiagnosticsParams with the version as LSP has it
// (protocol's is uint32,omitempty, so version 0 would vanish).
type publishParams struct {
	URI         string                `json:"uri"`
	Version     *int32                `json:"version,omitempty"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
}

// diagData is kept in Diagnostic.Data so a code action needs no new
// analysis: the fixes as LSP edits of the version the diagnostic is for.
type diagData struct {
	Version int32     `json:"version"`
	Fixes   []fixData `json:"fixes"`
}

type fixData struct {
	Title string              `json:"title"`
	Kind  string              `json:"kind"`
	Safe  bool                `json:"safe,omitempty"`
	Edits []protocol.TextEdit `json:"edits"`
}

// schedule (re)starts the diagnostics run of d after delay, cancelling the
// previous run.
func (s *Server) schedule(d *document, delay time.Duration) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	if d.runCancel != nil {
		d.runCancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	d.runCancel = cancel
	gen := d.gen
	d.mu.Unlock()
	s.wg.Add(1)
	s.idle.begin()
	go func() {
		defer s.wg.Done()
		defer s.idle.end()
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic in diagnostics", "uri", d.uri, "panic", r)
			}
		}()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		s.diagnose(ctx, d, gen)
	}()
}

// diagnose analyses d's snapshot at generation gen and publishes.
func (s *Server) diagnose(ctx context.Context, d *document, gen uint64) {
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		return
	}
	if d.lang == grammars.Unknown {
		return // not C or C++: nothing to say, not even an empty list
	}
	sn := s.snapshotOf(d)
	if sn == nil {
		return
	}
	defer sn.release()
	if sn.gen != gen {
		return // a newer change has its own run
	}
	start := time.Now()
	res, err := sn.result(ctx)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			s.log.Error("analysis failed", "uri", d.uri, "err", err)
		}
		return
	}
	diags := s.toDiagnostics(sn, res)
	d.keepDiags(res, diags)
	s.log.Debug("analyzed", "uri", d.uri, "version", sn.version, "findings", len(diags), "took", time.Since(start))
	if sn.large {
		d.mu.Lock()
		warn := !d.warned
		d.warned = true
		d.mu.Unlock()
		if warn {
			s.sendNotification("window/showMessage", map[string]any{
				"type": protocol.MessageTypeWarning,
				"message": fmt.Sprintf("abi3ls: %s is %d bytes, over the %d-byte limit for analysis; it is not checked.",
					filepath.Base(d.uri), len(sn.text), sn.conf.maxDoc),
			})
		}
	}
	s.publish(d, sn, diags)
}

// publish sends diags for the snapshot unless the document changed since
// (a newer run will publish), was closed, or the same set was already sent.
func (s *Server) publish(d *document, sn *snapshot, diags []protocol.Diagnostic) {
	v := sn.version
	sent := s.publishLocked(d, sn, diags)
	if s.onPublish != nil {
		s.onPublish(d.uri, v, sent)
	}
}

func (s *Server) publishLocked(d *document, sn *snapshot, diags []protocol.Diagnostic) bool {
	d.pubMu.Lock()
	defer d.pubMu.Unlock()
	current := func() (ok, resident bool) {
		d.mu.Lock()
		defer d.mu.Unlock()
		return !d.closed && d.gen == sn.gen, d.resident
	}
	ok, keep := current()
	if !ok {
		return false
	}
	const method = "textDocument/publishDiagnostics"
	reserve := notificationReserve(method)
	buf, err := d.enc.encodeParamsInto(s.pubBuf(), reserve, d.uri, sn.version, diags, keep)
	if err != nil {
		s.log.Error("encode diagnostics", "uri", d.uri, "err", err)
		return false
	}
	recycled := false
	defer func() {
		if !recycled {
			s.recyclePubBuf(buf)
		}
	}()
	sum := maphash.Bytes(s.seed, buf[reserve:])
	if ok, resident := current(); !ok {
		return false
	} else if !resident {
		d.enc = diagEncoder{} // evicted meanwhile
	}
	if d.pubLen == len(buf)-reserve && d.pubSum == sum {
		return false
	}
	frame, err := frameNotification(buf, reserve, method)
	if err == nil {
		recycled = true // by the writer, once written
		err = s.fw.writeFrameThen(frame, func() { s.recyclePubBuf(buf) })
	}
	if err != nil {
		s.log.Error("notification failed", "method", method, "err", err)
		return false
	}
	d.pubLen, d.pubSum = len(buf)-reserve, sum
	return true
}

// pubBuf returns a buffer of an earlier publish to encode into, or nil.
func (s *Server) pubBuf() []byte {
	select {
	case b := <-s.pubBufs:
		return b
	default:
		return nil
	}
}

// recyclePubBuf keeps b for a later publish (a few are kept; the rest are
// left to the garbage collector).
func (s *Server) recyclePubBuf(b []byte) {
	if b == nil {
		return
	}
	select {
	case s.pubBufs <- b[:0]:
	default:
	}
}

// toDiagnostics converts findings to LSP diagnostics.
func (s *Server) toDiagnostics(sn *snapshot, res *analysis.Result) []protocol.Diagnostic {
	out := []protocol.Diagnostic{}
	if sn.conf.excluded {
		return out
	}
	if reused, ok := s.reuseDiagnostics(sn, res); ok {
		return reused
	}
	files := map[string]*fileText{}
	for _, f := range res.Findings {
		if f.Severity == analysis.SeverityOff {
			continue
		}
		out = append(out, s.toDiagnostic(sn, f, files))
	}
	return out
}

// reuseDiagnostics converts an incremental result: the diagnostics of the
// findings before the edit, and of those after it when they are on later
// lines and no line moved, are the previous ones (with the new version in
// their data); only the findings between are converted.
func (s *Server) reuseDiagnostics(sn *snapshot, res *analysis.Result) ([]protocol.Diagnostic, bool) {
	ru, prev, pd := res.Reuse, sn.prevRes, sn.prevDiags
	if ru == nil || prev == nil || pd == nil || len(pd) != len(prev.Findings) || ru.Lines != 0 ||
		ru.Head+ru.Tail > len(res.Findings) || ru.Tail > len(pd) {
		return nil, false
	}
	for _, f := range res.Findings {
		if f.Severity == analysis.SeverityOff {
			return nil, false
		}
	}
	out := make([]protocol.Diagnostic, 0, len(res.Findings))
	for _, d := range pd[:ru.Head] {
		out = append(out, withVersion(d, sn.version))
	}
	files := map[string]*fileText{}
	tail := len(res.Findings) - ru.Tail
	if ru.Tail > 0 && sn.lines.lineOf(res.Findings[tail].Start) <= sn.lines.lineOf(ru.EditEnd) {
		tail = len(res.Findings) // a finding after the edit on its line: its column moved
	}
	for _, f := range res.Findings[ru.Head:tail] {
		out = append(out, s.toDiagnostic(sn, f, files))
	}
	if tail < len(res.Findings) {
		for _, d := range pd[len(pd)-ru.Tail:] {
			out = append(out, withVersion(d, sn.version))
		}
	}
	s.reusedConversions.Add(1)
	return out, true
}

// withVersion is d with the document version of its data set to v.
func withVersion(d protocol.Diagnostic, v int32) protocol.Diagnostic {
	if data, ok := d.Data.(diagData); ok {
		data.Version = v
		d.Data = data
	}
	return d
}

func (s *Server) toDiagnostic(sn *snapshot, f analysis.Finding, files map[string]*fileText) protocol.Diagnostic {
	d := protocol.Diagnostic{
		Range:    sn.rangeOf(f.Start, f.End),
		Severity: protocol.DiagnosticSeverity(f.Severity),
		Code:     f.Code,
		Source:   "abi3ls",
		Message:  f.Message,
	}
	if f.DocURL != "" {
		d.CodeDescription = &protocol.CodeDescription{Href: protocol.URI(f.DocURL)}
	}
	for _, r := range f.Related {
		uri, rng, ok := s.locate(sn, r.Location, files)
		if !ok {
			continue
		}
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: protocol.DocumentURI(uri), Range: rng},
			Message:  r.Message,
		})
	}
	if len(f.Fixes) > 0 {
		data := diagData{Version: sn.version}
		for _, fx := range f.Fixes {
			data.Fixes = append(data.Fixes, fixData{
				Title: fx.Title,
				Kind:  fixKind(fx),
				Safe:  fx.Applicability == analysis.Safe,
				Edits: sn.textEdits(fx.Edits),
			})
		}
		d.Data = data
	}
	return d
}

func fixKind(fx analysis.Fix) string {
	if fx.Kind == "" {
		return string(protocol.QuickFix)
	}
	return fx.Kind
}

func (sn *snapshot) textEdits(edits []analysis.Edit) []protocol.TextEdit {
	out := make([]protocol.TextEdit, 0, len(edits))
	for _, e := range edits {
		out = append(out, protocol.TextEdit{Range: sn.rangeOf(e.Start, e.End), NewText: e.NewText})
	}
	return out
}

// fileText is another file's text, for mapping related locations.
type fileText struct {
	text  []byte
	lines lineIndex
}

// locate maps an analysis location to a URI and range. Byte offsets in
// other files are mapped with the file's text (the open document, else the
// file on disk); when that is unavailable, the line alone is used.
func (s *Server) locate(sn *snapshot, loc analysis.Location, files map[string]*fileText) (string, protocol.Range, bool) {
	if loc.Path == "" || loc.Path == sn.path || loc.Path == sn.uri {
		if loc.Start >= 0 && loc.End >= loc.Start {
			return sn.uri, sn.rangeOf(loc.Start, loc.End), true
		}
		if loc.Line > 0 {
			off := 0
			if loc.Line-1 < len(sn.lines) {
				off = sn.lines[loc.Line-1]
			}
			return sn.uri, sn.rangeOf(off, off), true
		}
		return "", protocol.Range{}, false
	}
	path := loc.Path
	if !filepath.IsAbs(path) {
		base := filepath.Dir(sn.path)
		if f := sn.conf.folder; f != nil && f.root != "" {
			base = f.root
		}
		if base == "" || base == "." {
			return "", protocol.Range{}, false
		}
		path = filepath.Join(base, filepath.FromSlash(path))
	}
	uri := fileURI(path)
	ft, ok := files[path]
	if !ok {
		ft = s.readText(uri, path, sn.conf.maxFile)
		files[path] = ft
	}
	line := loc.Line - 1
	if line < 0 {
		line = 0
	}
	if ft == nil {
		p := protocol.Position{Line: uint32(line)}
		return uri, protocol.Range{Start: p, End: p}, true
	}
	if loc.Start >= 0 && loc.End >= loc.Start && loc.End <= len(ft.text) {
		return uri, protocol.Range{
			Start: ft.lines.position(ft.text, loc.Start, sn.enc),
			End:   ft.lines.position(ft.text, loc.End, sn.enc),
		}, true
	}
	off := len(ft.text)
	if line < len(ft.lines) {
		off = ft.lines[line]
	}
	p := ft.lines.position(ft.text, off, sn.enc)
	return uri, protocol.Range{Start: p, End: p}, true
}

// readText returns the text of a file: the open document's, else the
// file's on disk when it is a regular file of at most max bytes.
func (s *Server) readText(uri, path string, max int64) *fileText {
	if d := s.lookup(uri); d != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		return &fileText{text: d.text, lines: d.index()}
	}
	if d := s.lookupPath(path); d != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		return &fileText{text: d.text, lines: d.index()}
	}
	b, ok := readCapped(path, max)
	if !ok {
		return nil
	}
	return &fileText{text: b, lines: newLineIndex(b)}
}

// lookupPath finds an open document by file system path.
func (s *Server) lookupPath(path string) *document {
	s.docsMu.Lock()
	defer s.docsMu.Unlock()
	for _, d := range s.docs {
		if d.path != "" && d.path == path {
			return d
		}
	}
	return nil
}

// readCapped reads a regular file of at most max bytes.
func readCapped(path string, max int64) ([]byte, bool) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > max {
		return nil, false
	}
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) > max {
		return nil, false
	}
	return b, true
}

// includer resolves local headers for the analysis: open documents first,
// then the disk; relative to the including file, then the include dirs.
// Like the CLI's, it reads only headers inside the workspace folder (root)
// or an include directory, each at most max bytes; absolute names are never
// followed.
type includer struct {
	s    *Server
	root string // the document's folder; "" when it has none
	dirs []string
	max  int64
}

func (in *includer) Include(fromPath, name string) (string, []byte, bool) {
	if name == "" || filepath.IsAbs(name) || strings.ContainsRune(name, 0) {
		return "", nil, false
	}
	var cands []string
	if fromPath != "" && filepath.IsAbs(fromPath) {
		cands = append(cands, filepath.Join(filepath.Dir(fromPath), filepath.FromSlash(name)))
	}
	for _, dir := range in.dirs {
		cands = append(cands, filepath.Join(dir, filepath.FromSlash(name)))
	}
	for _, p := range cands {
		if !in.allowed(p) {
			continue
		}
		if d := in.s.lookupPath(p); d != nil {
			d.mu.Lock()
			text := d.text
			d.mu.Unlock()
			return p, text, true
		}
		if b, ok := readCapped(p, in.max); ok {
			return p, b, true
		}
	}
	return "", nil, false
}

// allowed reports whether p lies inside the folder or an include directory.
func (in *includer) allowed(p string) bool {
	if project.Within(in.root, p) {
		return true
	}
	for _, d := range in.dirs {
		if project.Within(d, p) {
			return true
		}
	}
	return false
}
