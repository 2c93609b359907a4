package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"

	"go.lsp.dev/protocol"
)

type textDocumentID struct {
	URI string `json:"uri"`
}

// docSnapshot finds an open document, makes it the most recently used
// active one and takes its snapshot. ok is false for unknown documents
// (answered with null, not an error: clients race requests against
// didClose).
func (s *Server) docSnapshot(uri string) (*snapshot, bool) {
	d := s.lookup(uri)
	if d == nil {
		return nil, false
	}
	s.touch(d)
	sn := s.snapshotOf(d)
	return sn, sn != nil
}

func (s *Server) hover(params json.RawMessage) (func(context.Context) (any, error), error) {
	var p struct {
		TextDocument textDocumentID    `json:"textDocument"`
		Position     protocol.Position `json:"position"`
	}
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	sn, ok := s.docSnapshot(p.TextDocument.URI)
	if !ok {
		return func(context.Context) (any, error) { return nil, nil }, nil
	}
	return func(ctx context.Context) (any, error) {
		defer sn.release()
		if err := sn.lock(ctx); err != nil {
			return nil, err
		}
		defer sn.unlock()
		res, err := sn.analyzeLocked(ctx)
		if err != nil {
			return nil, err
		}
		if sn.large || sn.tree == nil {
			return nil, nil
		}
		h, err := s.eng.Hover(ctx, sn.in, res, sn.offset(p.Position))
		if err != nil {
			return nil, fmt.Errorf("hover: %w", err)
		}
		if h == nil || h.Markdown == "" {
			return nil, nil
		}
		out := &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: h.Markdown}}
		if h.End >= h.Start && h.Start >= 0 {
			r := sn.rangeOf(h.Start, h.End)
			out.Range = &r
		}
		return out, nil
	}, nil
}

// ctxDiagnostic is a diagnostic as a client sends it back in a code action
// request; Data is kept raw.
type ctxDiagnostic struct {
	Range   protocol.Range  `json:"range"`
	Code    any             `json:"code"`
	Source  string          `json:"source"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	raw     json.RawMessage
}

type codeActionParams struct {
	TextDocument textDocumentID `json:"textDocument"`
	Range        protocol.Range `json:"range"`
	Context      struct {
		Diagnostics []json.RawMessage `json:"diagnostics"`
		Only        []string          `json:"only"`
	} `json:"context"`
}

// kindWanted reports whether kind is requested by only (a kind matches a
// requested prefix: "source" asks for "source.fixAll.abi3ls").
func kindWanted(only []string, kind string, explicitOnly bool) bool {
	if len(only) == 0 {
		return !explicitOnly
	}
	for _, o := range only {
		if kind == o || strings.HasPrefix(kind, o+".") {
			return true
		}
	}
	return false
}

func (s *Server) codeAction(params json.RawMessage) (func(context.Context) (any, error), error) {
	var p codeActionParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	sn, ok := s.docSnapshot(p.TextDocument.URI)
	if !ok {
		return func(context.Context) (any, error) { return nil, nil }, nil
	}
	return func(ctx context.Context) (any, error) {
		defer sn.release()
		return s.codeActions(ctx, sn, &p)
	}, nil
}

func (s *Server) codeActions(ctx context.Context, sn *snapshot, p *codeActionParams) ([]protocol.CodeAction, error) {
	actions := []protocol.CodeAction{}
	seen := map[string]bool{}
	add := func(a protocol.CodeAction) {
		key := a.Title + "\x00" + string(a.Kind)
		if a.Edit != nil {
			b, _ := json.Marshal(a.Edit)
			key += string(b)
		}
		if !seen[key] {
			seen[key] = true
			actions = append(actions, a)
		}
	}
	// Diagnostics the client sent back carry their fixes.
	covered := map[string]bool{}
	for _, raw := range p.Context.Diagnostics {
		var cd ctxDiagnostic
		if json.Unmarshal(raw, &cd) != nil || cd.Source != "abi3ls" || len(cd.Data) == 0 {
			continue
		}
		var data diagData
		if json.Unmarshal(cd.Data, &data) != nil || data.Version != sn.version {
			continue
		}
		var diag protocol.Diagnostic
		if json.Unmarshal(raw, &diag) != nil {
			continue
		}
		covered[diagKey(cd.Code, cd.Range)] = true
		for i, fx := range data.Fixes {
			if !kindWanted(p.Context.Only, fx.Kind, false) {
				continue
			}
			add(protocol.CodeAction{
				Title:       fx.Title,
				Kind:        protocol.CodeActionKind(fx.Kind),
				Diagnostics: []protocol.Diagnostic{diag},
				IsPreferred: fx.Safe && i == 0,
				Edit:        sn.workspaceEdit(fx.Edits),
			})
		}
	}
	// Everything else comes from the snapshot's analysis (computed once,
	// shared with diagnostics).
	res, err := sn.result(ctx)
	if err != nil {
		return nil, err
	}
	if sn.conf.excluded {
		return actions, nil
	}
	start, end := sn.offset(p.Range.Start), sn.offset(p.Range.End)
	if end < start {
		start, end = end, start
	}
	files := map[string]*fileText{}
	for _, f := range res.Findings {
		if f.Severity == analysis.SeverityOff || len(f.Fixes) == 0 {
			continue
		}
		if f.End < start || f.Start > end {
			continue
		}
		diag := s.toDiagnostic(sn, f, files)
		if covered[diagKey(diag.Code, diag.Range)] {
			continue
		}
		for i, fx := range f.Fixes {
			kind := fixKind(fx)
			if !kindWanted(p.Context.Only, kind, false) {
				continue
			}
			add(protocol.CodeAction{
				Title:       fx.Title,
				Kind:        protocol.CodeActionKind(kind),
				Diagnostics: []protocol.Diagnostic{diag},
				IsPreferred: fx.Applicability == analysis.Safe && i == 0,
				Edit:        sn.workspaceEdit(sn.textEdits(fx.Edits)),
			})
		}
	}
	if kindWanted(p.Context.Only, kindFixAll, true) {
		if edits := sn.fixAllEdits(res); len(edits) > 0 {
			add(protocol.CodeAction{
				Title: "Fix all safe abi3ls issues",
				Kind:  kindFixAll,
				Edit:  sn.workspaceEdit(edits),
			})
		}
	}
	return actions, nil
}

func diagKey(code any, r protocol.Range) string {
	return fmt.Sprintf("%v@%d:%d-%d:%d", code, r.Start.Line, r.Start.Character, r.End.Line, r.End.Character)
}

// fixAllEdits collects the edits of every safe fix, skipping any fix that
// overlaps one already taken.
func (sn *snapshot) fixAllEdits(res *analysis.Result) []protocol.TextEdit {
	if sn.conf.excluded {
		return nil
	}
	var taken []analysis.Edit
	overlaps := func(e analysis.Edit) bool {
		for _, t := range taken {
			if e.Start < t.End && t.Start < e.End || e.Start == t.Start {
				return true
			}
		}
		return false
	}
	for _, f := range res.Findings {
		if f.Severity == analysis.SeverityOff {
			continue
		}
		for _, fx := range f.Fixes {
			if fx.Applicability != analysis.Safe || len(fx.Edits) == 0 {
				continue
			}
			ok := true
			for _, e := range fx.Edits {
				if e.Start < 0 || e.End < e.Start || e.End > len(sn.text) || overlaps(e) {
					ok = false
					break
				}
			}
			if ok {
				taken = append(taken, fx.Edits...)
				break // one fix per finding
			}
		}
	}
	sort.Slice(taken, func(i, j int) bool { return taken[i].Start < taken[j].Start })
	return sn.textEdits(taken)
}

// workspaceEdit wraps edits to this document, versioned when the client
// supports documentChanges.
func (sn *snapshot) workspaceEdit(edits []protocol.TextEdit) *protocol.WorkspaceEdit {
	sn.s.ws.mu.RLock()
	docChanges := sn.s.ws.caps.Workspace.WorkspaceEdit.DocumentChanges
	sn.s.ws.mu.RUnlock()
	if docChanges {
		v := sn.version
		return &protocol.WorkspaceEdit{DocumentChanges: []protocol.TextDocumentEdit{{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
				TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: protocol.DocumentURI(sn.uri)},
				Version:                &v,
			},
			Edits: edits,
		}}}
	}
	return &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{
		protocol.DocumentURI(sn.uri): edits,
	}}
}

// commandURI extracts the document URI from a command's arguments: either
// "uri" or {"uri": ...} or {"textDocument": {"uri": ...}}.
func commandURI(args []json.RawMessage) (string, error) {
	if len(args) == 0 {
		return "", errorf(codeInvalidParams, "invalid params: the command needs the document URI as its argument")
	}
	var s string
	if json.Unmarshal(args[0], &s) == nil && s != "" {
		return s, nil
	}
	var o struct {
		URI          string         `json:"uri"`
		TextDocument textDocumentID `json:"textDocument"`
	}
	if json.Unmarshal(args[0], &o) == nil {
		if o.URI != "" {
			return o.URI, nil
		}
		if o.TextDocument.URI != "" {
			return o.TextDocument.URI, nil
		}
	}
	return "", errorf(codeInvalidParams, "invalid params: the command's argument must be a document URI")
}

func (s *Server) executeCommand(params json.RawMessage) (func(context.Context) (any, error), error) {
	var p struct {
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	}
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	switch p.Command {
	case cmdFixAll, cmdFileStatus:
	default:
		return nil, errorf(codeInvalidParams, "invalid params: unknown command %q", p.Command)
	}
	uri, err := commandURI(p.Arguments)
	if err != nil {
		return nil, err
	}
	sn, ok := s.docSnapshot(uri)
	if !ok {
		return nil, errorf(codeInvalidParams, "invalid params: document not open: %s", uri)
	}
	if p.Command == cmdFileStatus {
		return func(ctx context.Context) (any, error) {
			defer sn.release()
			return s.status(ctx, sn)
		}, nil
	}
	return func(ctx context.Context) (any, error) {
		defer sn.release()
		res, err := sn.result(ctx)
		if err != nil {
			return nil, err
		}
		edits := sn.fixAllEdits(res)
		if len(edits) == 0 {
			return nil, nil
		}
		s.ws.mu.RLock()
		canApply := s.ws.caps.Workspace.ApplyEdit
		s.ws.mu.RUnlock()
		if !canApply {
			return nil, errorf(codeInvalidRequest, "invalid request: the client cannot apply edits (workspace.applyEdit)")
		}
		var out struct {
			Applied       bool   `json:"applied"`
			FailureReason string `json:"failureReason"`
		}
		ctx, cancel := context.WithTimeout(ctx, clientCallTimeout)
		defer cancel()
		err = s.call(ctx, "workspace/applyEdit", map[string]any{
			"label": "abi3ls: fix all safe issues",
			"edit":  sn.workspaceEdit(edits),
		}, &out)
		if err != nil {
			return nil, err
		}
		if !out.Applied {
			s.log.Warn("client did not apply the fix-all edit", "uri", uri, "reason", out.FailureReason)
		}
		return nil, nil
	}, nil
}

// FileStatus is the result of abi3ls/fileStatus (see README.md).
type FileStatus struct {
	URI      string `json:"uri"`
	Version  int32  `json:"version"`
	Language string `json:"language"`
	Analyzed bool   `json:"analyzed"`
	Reason   string `json:"reason,omitempty"`
	// Target is "abi3 3.8+", "abi3t 3.15+" or "audit".
	Target      string             `json:"target"`
	Limited     string             `json:"limited,omitempty"`
	ABI3T       string             `json:"abi3t,omitempty"`
	Source      string             `json:"source"`
	Declaration string             `json:"declaration,omitempty"`
	Location    *protocol.Location `json:"location,omitempty"`
	MinVersion  string             `json:"minVersion,omitempty"`
	MinHex      string             `json:"minHex,omitempty"`
	MinSymbol   string             `json:"minSymbol,omitempty"`
	MinLocation *protocol.Location `json:"minLocation,omitempty"`
	Blockers    int                `json:"blockers"`
	Findings    int                `json:"findings"`
}

func sourceName(k analysis.TargetSourceKind) string {
	switch k {
	case analysis.FromOverride:
		return "config"
	case analysis.FromDefine:
		return "define"
	case analysis.FromHeader:
		return "header"
	case analysis.FromCompileFlags:
		return "compileFlags"
	case analysis.FromBuildFile:
		return "buildFile"
	}
	return "none"
}

func (s *Server) fileStatus(params json.RawMessage) (func(context.Context) (any, error), error) {
	var p struct {
		TextDocument textDocumentID `json:"textDocument"`
	}
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	sn, ok := s.docSnapshot(p.TextDocument.URI)
	if !ok {
		return func(context.Context) (any, error) { return nil, nil }, nil
	}
	return func(ctx context.Context) (any, error) {
		defer sn.release()
		return s.status(ctx, sn)
	}, nil
}

func (s *Server) status(ctx context.Context, sn *snapshot) (*FileStatus, error) {
	res, err := sn.result(ctx)
	if err != nil {
		return nil, err
	}
	st := &FileStatus{
		URI:         sn.uri,
		Version:     sn.version,
		Language:    sn.lang.String(),
		Analyzed:    true,
		Target:      res.Target.String(),
		Limited:     res.Target.Limited.String(),
		ABI3T:       res.Target.ABI3T.String(),
		Source:      sourceName(res.Target.Kind),
		Declaration: res.Target.Text,
		Blockers:    len(res.Min.Blockers),
	}
	switch {
	case sn.large:
		st.Analyzed, st.Reason = false, "too large"
	case sn.lang.String() == "unknown":
		st.Analyzed, st.Reason = false, "not C or C++"
	case sn.conf.excluded:
		st.Analyzed, st.Reason = false, "excluded by configuration"
	}
	files := map[string]*fileText{}
	if k := res.Target.Kind; k != analysis.FromNone && k != analysis.FromOverride {
		if uri, rng, ok := s.locate(sn, res.Target.Location, files); ok {
			st.Location = &protocol.Location{URI: protocol.DocumentURI(uri), Range: rng}
		}
	}
	if !res.Min.Version.IsZero() {
		st.MinVersion = res.Min.Version.String()
		st.MinHex = res.Min.Version.Hex()
		st.MinSymbol = res.Min.Symbol
		if uri, rng, ok := s.locate(sn, res.Min.At, files); ok && res.Min.Symbol != "" {
			st.MinLocation = &protocol.Location{URI: protocol.DocumentURI(uri), Range: rng}
		}
	}
	for _, f := range res.Findings {
		if f.Severity != analysis.SeverityOff {
			st.Findings++
		}
	}
	if !st.Analyzed {
		st.Findings = 0
	}
	return st, nil
}
