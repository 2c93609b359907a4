package analysis

// Incremental re-analysis. A keystroke inside a function body changes the
// facts of that function only, as long as the function changes nothing the
// rest of the file sees (a struct, a typedef, a file-scope name, a
// directive, a comment that suppresses). Reanalyze then walks that one
// function with the walker state of the previous analysis, runs the rules
// on its facts, and splices its findings between the previous ones (shifted
// by the edit's length) instead of walking the whole tree again. Whenever a
// precondition fails it falls back to a full analysis; tests check that
// both give the same result.

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/abi3ls/abi3ls/analysis/preproc"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// fnRecord is what the walk of one top-level function changed in the
// file-wide state.
type fnRecord struct {
	start, end int // the function definition
	// hard: it changed file-wide state other than "the user's" marks
	// (typedefs, structs, file-scope variables, prototypes, shims ...).
	hard bool
	// first lists the names it made the user's (they were not before).
	first []*nameInfo
	// all lists every name it marked (only when the walker keeps them).
	all []*nameInfo
}

func (r *fnRecord) marked(ni *nameInfo, keepAll bool) {
	if !ni.user {
		r.first = append(r.first, ni)
	}
	if keepAll {
		r.all = append(r.all, ni)
	}
}

// hard notes a change of file-wide state inside a top-level function.
func (w *walker) hard() {
	if w.rec != nil {
		w.rec.hard = true
	}
}

// Result is the result of the analysis the state was made by.
func (st *State) Result() *Result { return st.res }

// State is an analysis kept for Reanalyze. It may be used by one
// Reanalyze only (which consumes it) and is safe to hand between
// goroutines.
type State struct {
	mu   sync.Mutex
	used bool

	p   *pass
	src []byte
	// raw005 are the ABI005 findings before suppressions (the minimum
	// target counts them), in rule order.
	raw005 []Finding
	// typeNames are the static PyTypeObject variables whose heap-type
	// refactoring reads the whole file.
	typeNames []string
	res       *Result
	// Fallback says why the Reanalyze that made this state analyzed the
	// whole file ("" when it did not), for logs and tests.
	Fallback string
}

// ErrNoTree is returned by Reanalyze when the input has no tree.
var ErrNoTree = errors.New("analysis: Reanalyze needs the input's tree")

// AnalyzeKeep is Analyze that also returns the State a later Reanalyze of
// the same document starts from.
func (a *Analyzer) AnalyzeKeep(ctx context.Context, in Input) (*Result, *State, error) {
	p, err := a.run(ctx, &in, false)
	if err != nil {
		return nil, nil, err
	}
	res := p.result()
	return res, p.state(res), nil
}

// ParseAndAnalyzeKeep is ParseAndAnalyze that also returns the State a
// later Reanalyze starts from. The caller owns the returned tree.
func (a *Analyzer) ParseAndAnalyzeKeep(ctx context.Context, in Input, old *sitter.Tree) (*Result, *State, *sitter.Tree, error) {
	p, tree, err := a.parseAndRun(ctx, &in, old)
	if err != nil {
		return nil, nil, nil, err
	}
	res := p.result()
	return res, p.state(res), tree, nil
}

// state turns a finished pass into a State.
func (p *pass) state(res *Result) *State {
	st := &State{p: p, src: p.src, raw005: p.raw005, res: res}
	for _, bv := range p.w.f.byValue {
		if bv.what == "static" && bv.typeName != "" {
			st.typeNames = append(st.typeNames, bv.declName)
		}
	}
	p.root = nil // the caller owns the tree
	p.in = &Input{Path: p.in.Path, Lang: p.in.Lang, Project: p.in.Project, Includes: p.in.Includes, Config: p.in.Config}
	p.w.nodes = nil // a re-walk flattens its function again
	return st
}

// Reanalyze analyzes in, a new version of the document prev was computed
// for. The caller drops prev when the document's local headers may have
// changed (the configuration and project facts are compared here). in.Tree must be a parse of
// in.Src. It re-walks only the edited function when it can; incremental
// says whether it did. prev is consumed: pass the returned State next time.
func (a *Analyzer) Reanalyze(ctx context.Context, prev *State, in Input) (res *Result, st *State, incremental bool, err error) {
	if in.Tree == nil {
		return nil, nil, false, ErrNoTree
	}
	if prev != nil {
		prev.mu.Lock()
		ok := !prev.used
		prev.used = true
		prev.mu.Unlock()
		why := "state already used"
		if ok {
			var res *Result
			var st *State
			if res, st, why = prev.splice(ctx, in); why == "" {
				return res, st, true, nil
			}
		}
		defer func() {
			if st != nil {
				st.Fallback = why
			}
		}()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, false, err
	}
	res, st, err = a.AnalyzeKeep(ctx, in)
	return res, st, false, err
}

// region is the edit between two versions of a text: old[start:oldEnd]
// became new[start:newEnd].
type region struct{ start, oldEnd, newEnd int }

func (r region) delta() int { return r.newEnd - r.oldEnd }

// diffRegion finds the changed region as the text between the common
// prefix and the common suffix.
func diffRegion(old, new []byte) region {
	n := min(len(old), len(new))
	const chunk = 4096
	p := 0
	for p+chunk <= n && bytes.Equal(old[p:p+chunk], new[p:p+chunk]) {
		p += chunk
	}
	for p < n && old[p] == new[p] {
		p++
	}
	s := 0
	for s+chunk <= n-p && bytes.Equal(old[len(old)-s-chunk:len(old)-s], new[len(new)-s-chunk:len(new)-s]) {
		s += chunk
	}
	for s < n-p && old[len(old)-1-s] == new[len(new)-1-s] {
		s++
	}
	return region{start: p, oldEnd: len(old) - s, newEnd: len(new) - s}
}

// safeEditText reports whether text may be typed inside a function body
// without changing anything outside it: no directive, brace, comment,
// string or line-continuation characters.
func safeEditText(b []byte) bool {
	for _, c := range b {
		switch c {
		case '#', '{', '}', '"', '\'', '/', '\\', '\n', '\r':
			return false
		}
	}
	return true
}

// splice is the incremental path; ok is false when it cannot be taken (the
// state is spent either way).
func (st *State) splice(ctx context.Context, in Input) (*Result, *State, string) {
	p := st.p
	old, src := st.src, in.Src
	if p.in.Path != in.Path || in.Project != p.in.Project {
		return nil, nil, "different file or project"
	}
	lang := in.Lang
	if lang != p.lang && lang != 0 {
		return nil, nil, "language changed"
	}
	if !sameConfig(p.in.Config, in.Config) {
		return nil, nil, "configuration changed"
	}
	r := diffRegion(old, src)
	if !safeEditText(old[r.start:r.oldEnd]) || !safeEditText(src[r.start:r.newEnd]) {
		return nil, nil, "edit text may change structure"
	}
	// A '*' or '/' next to the edit could open or close a comment.
	for _, o := range []int{r.start - 1, r.newEnd} {
		if o >= 0 && o < len(src) && (src[o] == '*' || src[o] == '/') {
			return nil, nil, "edit next to a comment delimiter"
		}
	}
	w := p.w
	// The function that holds the edit, in the previous analysis.
	ri := sort.Search(len(w.fnRecs), func(i int) bool { return w.fnRecs[i].end > r.start })
	if ri == len(w.fnRecs) || w.fnRecs[ri].start >= r.start || w.fnRecs[ri].end < r.oldEnd {
		return nil, nil, "edit outside a walked function"
	}
	oldRec := w.fnRecs[ri]
	if oldRec.hard {
		return nil, nil, "function changes file-wide state"
	}
	fStart, fOldEnd := oldRec.start, oldRec.end
	fNewEnd := fOldEnd + r.delta()
	// The edit must be inside the body's braces, not touching the last one,
	// and not on a directive's line.
	if r.oldEnd >= fOldEnd {
		return nil, nil, "edit at the function's end"
	}
	if onDirectiveLine(old, r.start) {
		return nil, nil, "edit on a directive line"
	}
	body := bytes.IndexByte(old[fStart:fOldEnd], '{')
	if body < 0 || fStart+body >= r.start {
		return nil, nil, "edit before the function body"
	}
	if p.pp.IsDead(fStart) || !st.unmovedAbove(fStart) {
		return nil, nil, "function dead or file-level declarations below it"
	}
	fOld, fNew := old[fStart:fOldEnd], src[fStart:fNewEnd]
	for _, name := range st.typeNames {
		if bytes.Contains(fOld, []byte(name)) || bytes.Contains(fNew, []byte(name)) {
			return nil, nil, "function used by a heap-type refactoring" // the heap-type refactoring reads this function
		}
	}
	for _, pi := range w.f.pyInits {
		if pi.start >= fStart && pi.start < fOldEnd {
			return nil, nil, "module init function"
		}
	}
	// The same function in the new tree, under containers only.
	root := in.Tree.RootNode()
	fn, frames, ok := locateFunction(w.k, *root, fStart, fNewEnd)
	if !ok {
		return nil, nil, "function not found in the new tree"
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, "cancelled"
	}

	// Offsets after the edited text move by its change in length (facts
	// inside the function are replaced, so this only moves the function's
	// directives and what follows the function).
	shift := func(o int) int {
		if o >= r.oldEnd {
			return o + r.delta()
		}
		return o
	}
	lineDelta := bytes.Count(src[r.start:r.newEnd], []byte{'\n'}) - bytes.Count(old[r.start:r.oldEnd], []byte{'\n'})
	pp := shiftPP(p.pp, shift, r.oldEnd, lineDelta)
	var shimPP *preproc.Result
	if w.shimPP != nil {
		shimPP = shiftPP(w.shimPP, shift, r.oldEnd, lineDelta)
	}

	// Opaque-pointer variables the function declares are file-wide: they
	// must be the same before and after.
	w.logOpaque, w.opaqueLog = true, nil
	w.lexRange(old, fStart, fOldEnd)
	oldOpaque := w.opaqueLog
	w.opaqueLog = nil
	w.opaqueMembers = spliceOffsets(w.opaqueMembers, fStart, fOldEnd, nil, shift)
	keptMembers := w.opaqueMembers
	w.opaqueMembers = nil
	lr := w.lexRange(src, fStart, fNewEnd)
	newOpaque := w.opaqueLog
	w.logOpaque, w.opaqueLog = false, nil
	slices.Sort(oldOpaque)
	slices.Sort(newOpaque)
	if !slices.Equal(slices.Compact(oldOpaque), slices.Compact(newOpaque)) {
		return nil, nil, "opaque pointer variables changed"
	}
	w.opaqueMembers = spliceOffsets(keptMembers, fStart, fStart, w.opaqueMembers, func(o int) int { return o })

	// Walk the function alone.
	for k := range w.seenStruct {
		if k >= fStart {
			delete(w.seenStruct, k)
			if k >= fOldEnd {
				defer func(k int) { w.seenStruct[k+r.delta()] = true }(k)
			}
		}
	}
	prevFacts := w.f
	w.f = facts{firstCode: prevFacts.firstCode}
	w.src, w.pp, w.dead, w.deadIx, w.declOnly = src, pp, pp.Dead, 0, false
	w.shimPP = shimPP
	w.cands, w.ci = lr.cands, 0
	w.frames = append(w.frames[:0], frames...)
	w.fn, w.rec, w.keepAll = "", nil, true
	nRecs := len(w.fnRecs)
	w.nodes = grammars.FlattenSelect(fn, w.selection(), w.nodes[:0])
	if len(w.nodes) > 0 {
		w.visit(0, w.cls(0))
	}
	w.keepAll, w.frames = false, w.frames[:0]
	if len(w.scopes) != 1 || len(w.fnRecs) != nRecs+1 {
		return nil, nil, "walk did not finish cleanly"
	}
	newRec := w.fnRecs[nRecs]
	w.fnRecs = w.fnRecs[:nRecs]
	fnFacts := w.f
	if newRec.hard || len(fnFacts.pyInits) > 0 {
		return nil, nil, "new function changes file-wide state"
	}
	// Names the old function made the user's must still be marked by the
	// new one; names the new one marks first must not matter elsewhere.
	for _, ni := range oldRec.first {
		if relevantName(ni) && !slices.Contains(newRec.all, ni) {
			return nil, nil, "a name the old function declared is gone"
		}
	}
	for _, ni := range newRec.first {
		if relevantName(ni) || slices.ContainsFunc(prevFacts.fields, func(f fieldUse) bool { return f.base.Base == ni.name }) {
			return nil, nil, "new function declares a name used elsewhere"
		}
	}
	for i := range fnFacts.fields {
		b := fnFacts.fields[i].base.Base
		if _, isStruct := w.structs[b]; !isStruct && b != "" && w.infoString(b).user {
			if _, td := w.typedefs[b]; !td {
				return nil, nil, "field base is a user name"
			}
		}
	}
	for i := range fnFacts.byValue {
		if fnFacts.byValue[i].what == "static" {
			return nil, nil, "static object in function"
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, "cancelled"
	}

	// Rules on the function's facts.
	// The edit holds no newline: the line starts after it just move.
	lines := make([]int, len(p.lines))
	for i, ls := range p.lines {
		if ls > r.start {
			ls += r.delta()
		}
		lines[i] = ls
	}
	for _, cm := range prevFacts.comments {
		if cm.start < fStart && cm.end > fStart {
			return nil, nil, "function inside a comment"
		}
	}
	comments := spliceSpans(prevFacts.comments, fStart, fOldEnd, lr.comments, shift)
	for _, cm := range lr.comments {
		if bytes.Contains(src[cm.start:cm.end], []byte(suppressMarker)) {
			return nil, nil, "suppression comment in function"
		}
	}
	for _, cm := range prevFacts.comments {
		if cm.start >= fStart && cm.start < fOldEnd && bytes.Contains(old[cm.start:cm.end], []byte(suppressMarker)) {
			return nil, nil, "suppression comment in function"
		}
	}
	np := &pass{a: p.a, db: p.db, in: p.in, src: src, ti: p.ti, target: p.target, check: p.check, audit: p.audit,
		pp: pp, w: w, lines: lines, root: root, lang: p.lang}
	w.f = fnFacts
	w.f.comments = comments
	np.checkByValue()
	np.checkNames()
	np.checkFields()
	var fn005 []Finding
	for _, f := range np.findings {
		if f.Code == "ABI005" {
			fn005 = append(fn005, Finding{Code: f.Code, Start: f.Start, End: f.End, Symbol: f.Symbol})
		}
	}
	np.finish()

	// Splice.
	prevRes := st.res
	var out []Finding
	i := sort.Search(len(prevRes.Findings), func(i int) bool { return prevRes.Findings[i].Start >= fStart })
	j := sort.Search(len(prevRes.Findings), func(i int) bool { return prevRes.Findings[i].Start >= fOldEnd })
	for _, f := range prevRes.Findings[:i] {
		if !editsClear(f, fStart, fOldEnd) {
			return nil, nil, "fix touches the function"
		}
	}
	out = make([]Finding, 0, len(prevRes.Findings)-(j-i)+len(np.findings))
	var arena shiftArena
	head := -1
	for k, f := range prevRes.Findings[:i] {
		nf, moved := arena.shiftFinding(f, shift, r.oldEnd, lineDelta)
		if moved && head < 0 {
			head = k
		}
		out = append(out, nf)
	}
	if head < 0 {
		head = i
	}
	out = append(out, np.findings...)
	for _, f := range prevRes.Findings[j:] {
		if !editsClear(f, fStart, fOldEnd) {
			return nil, nil, "fix touches the function"
		}
		nf, _ := arena.shiftFinding(f, shift, r.oldEnd, lineDelta)
		out = append(out, nf)
	}

	w.f = facts{
		uses:     spliceBy(prevFacts.uses, fnFacts.uses, fStart, fOldEnd, func(u use) int { return u.start }, shiftUse(shift)),
		fields:   spliceBy(prevFacts.fields, fnFacts.fields, fStart, fOldEnd, func(f fieldUse) int { return f.start }, shiftField(shift)),
		byValue:  spliceBy(prevFacts.byValue, fnFacts.byValue, fStart, fOldEnd, func(b byValue) int { return b.start }, shiftByValue(shift)),
		pyInits:  spliceBy(prevFacts.pyInits, nil, fStart, fOldEnd, func(pi pyInit) int { return pi.start }, func(pi pyInit) pyInit { pi.start, pi.end = shift(pi.start), shift(pi.end); return pi }),
		comments: comments, firstCode: prevFacts.firstCode,
	}
	newRec.all = nil
	newRec.first = append(slices.Clone(oldRec.first), newRec.first...)
	recs := make([]fnRecord, 0, len(w.fnRecs))
	recs = append(recs, w.fnRecs[:ri]...)
	recs = append(recs, newRec)
	for _, rc := range w.fnRecs[ri+1:] {
		rc.start, rc.end = shift(rc.start), shift(rc.end)
		recs = append(recs, rc)
	}
	w.fnRecs = recs
	raw005 := spliceBy(st.raw005, fn005, fStart, fOldEnd, func(f Finding) int { return f.Start },
		func(f Finding) Finding { f.Start, f.End = shift(f.Start), shift(f.End); return f })
	np.staticTypes = spliceSpans(p.staticTypes, fStart, fOldEnd, np.staticTypes, shift)

	// The minimum target over the whole file.
	np.findings = raw005
	np.computeMin()
	np.findings = out
	np.raw005 = raw005
	np.root = nil
	res := np.result()
	res.Reuse = &Reuse{Head: head, Tail: len(prevRes.Findings) - j, Shift: r.delta(), Lines: lineDelta,
		EditStart: r.start, EditEnd: r.newEnd}
	next := &State{p: np, src: src, raw005: raw005, typeNames: st.typeNames, res: res}
	return res, next, ""
}

// onDirectiveLine reports whether offset off is on a preprocessor
// directive's line (or a line continued from one).
func onDirectiveLine(src []byte, off int) bool {
	ls := bytes.LastIndexByte(src[:off], '\n') + 1
	i := ls
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i < len(src) && src[i] == '#' {
		return true
	}
	// Continued from the line above?
	k := ls - 2
	if k >= 0 && src[k] == '\r' {
		k--
	}
	return k >= 0 && src[k] == '\\'
}

// unmovedAbove reports whether everything the previous result located by
// offset outside the findings (target, declarations, Python.h include) lies
// before off, so it does not move.
func (st *State) unmovedAbove(off int) bool {
	ti := st.p.ti
	for _, d := range ti.defines {
		if d.def.End > off {
			return false
		}
	}
	if ti.pyInclude != nil && ti.pyInclude.End > off {
		return false
	}
	for _, d := range ti.declared {
		if d.Location.Path == "" && d.Location.End > off {
			return false
		}
	}
	if ti.target.Location.Path == "" && ti.target.Location.End > off {
		return false
	}
	return true
}

// relevantName reports whether "the user's" mark on a name changes a rule:
// names of CPython's or with its prefixes.
func relevantName(ni *nameInfo) bool {
	b := []byte(ni.name)
	return ni.entry != nil || hasAPIPrefix(ni.name) || isInterestingUnknown(b) || isTargetMacro(b)
}

// locateFunction finds the function definition spanning exactly
// [start, end) below containers only, and the walker frames of its
// ancestors.
func locateFunction(k *kinds, root sitter.Node, start, end int) (*sitter.Node, []frame, bool) {
	c := root.Walk()
	defer c.Close()
	frames := []frame{{cls: k.of(&root), node: noNode}}
	for depth := 0; depth < 64; depth++ {
		if c.GotoFirstChildForByte(uint32(start)) == nil {
			return nil, nil, false
		}
		n := c.Node()
		cls := k.of(n)
		s, e := int(n.StartByte()), int(n.EndByte())
		if s == start && cls == cFunctionDef {
			if e != end {
				return nil, nil, false
			}
			return n, frames, true
		}
		switch cls {
		case cPreprocCond, cPreprocIfdef, cPreprocElse, cContainer:
		default:
			return nil, nil, false
		}
		if s > start || e < end {
			return nil, nil, false
		}
		frames = append(frames, frame{cls: cls, node: noNode, skip: cls == cPreprocIfdef})
	}
	return nil, nil, false
}

// sameConfig compares two configurations.
func sameConfig(a, b Config) bool {
	return a.Target == b.Target && a.Audit == b.Audit && a.AuditSeverity == b.AuditSeverity &&
		a.AuditOff == b.AuditOff && maps.Equal(a.Severity, b.Severity) &&
		slices.Equal(a.Select, b.Select) && slices.Equal(a.Ignore, b.Ignore)
}

// editsClear reports whether no fix or related location of f touches the
// function [s, e) (whose text changes).
func editsClear(f Finding, s, e int) bool {
	for _, fx := range f.Fixes {
		for _, ed := range fx.Edits {
			if ed.End > s && ed.Start < e || ed.Start == ed.End && ed.Start > s && ed.Start < e {
				return false
			}
		}
	}
	for _, rl := range f.Related {
		if rl.Location.Path == "" && rl.Location.End > s && rl.Location.Start < e {
			return false
		}
	}
	return true
}

// shiftArena hands out the slices of shifted findings from large blocks
// (thousands of findings move on each keystroke).
type shiftArena struct {
	fixes []Fix
	edits []Edit
}

func (a *shiftArena) fixSlice(n int) []Fix {
	if len(a.fixes) < n {
		a.fixes = make([]Fix, max(n, 512))
	}
	s := a.fixes[:n:n]
	a.fixes = a.fixes[n:]
	return s
}

func (a *shiftArena) editSlice(n int) []Edit {
	if len(a.edits) < n {
		a.edits = make([]Edit, max(n, 512))
	}
	s := a.edits[:n:n]
	a.edits = a.edits[n:]
	return s
}

// shiftFinding moves a finding after the edit; moved says whether any of
// its offsets changed.
func (a *shiftArena) shiftFinding(f Finding, shift func(int) int, at, lineDelta int) (Finding, bool) {
	moved := f.Start >= at || f.End >= at
	f.Start, f.End = shift(f.Start), shift(f.End)
	after := func(e Edit) bool { return e.Start >= at || e.End >= at }
	if slices.ContainsFunc(f.Fixes, func(fx Fix) bool { return slices.ContainsFunc(fx.Edits, after) }) {
		moved = true
		fixes := a.fixSlice(len(f.Fixes))
		for i, fx := range f.Fixes {
			if slices.ContainsFunc(fx.Edits, after) {
				ed := a.editSlice(len(fx.Edits))
				for k, e := range fx.Edits {
					e.Start, e.End = shift(e.Start), shift(e.End)
					ed[k] = e
				}
				fx.Edits = ed
			}
			fixes[i] = fx
		}
		f.Fixes = fixes
	}
	if slices.ContainsFunc(f.Related, func(r Related) bool { return r.Location.Path == "" && r.Location.Start >= at }) {
		moved = true
		rel := make([]Related, len(f.Related))
		for i, r := range f.Related {
			if r.Location.Path == "" && r.Location.Start >= at {
				r.Location.Start, r.Location.End = shift(r.Location.Start), shift(r.Location.End)
				r.Location.Line += lineDelta
			}
			rel[i] = r
		}
		f.Related = rel
	}
	return f, moved
}

// spliceBy returns prev without its items starting in [s, e), with ins
// in their place and the later items shifted.
func spliceBy[T any](prev, ins []T, s, e int, at func(T) int, sh func(T) T) []T {
	out := make([]T, 0, len(prev)+len(ins))
	inserted := false
	for _, x := range prev {
		o := at(x)
		if o >= s && o < e {
			continue
		}
		if o >= e && !inserted {
			out = append(out, ins...)
			inserted = true
		}
		if o >= e {
			x = sh(x)
		}
		out = append(out, x)
	}
	if !inserted {
		out = append(out, ins...)
	}
	return out
}

func spliceSpans(prev []span, s, e int, ins []span, shift func(int) int) []span {
	return spliceBy(prev, ins, s, e, func(x span) int { return x.start },
		func(x span) span { return span{shift(x.start), shift(x.end)} })
}

func spliceOffsets(prev []int32, s, e int, ins []int32, shift func(int) int) []int32 {
	return spliceBy(prev, ins, s, e, func(x int32) int { return int(x) },
		func(x int32) int32 { return int32(shift(int(x))) })
}

func shiftUse(shift func(int) int) func(use) use {
	return func(u use) use {
		u.start, u.end = shift(u.start), shift(u.end)
		if u.argsEnd > 0 {
			u.argsStart, u.argsEnd = shift(u.argsStart), shift(u.argsEnd)
		}
		return u
	}
}

func shiftField(shift func(int) int) func(fieldUse) fieldUse {
	return func(f fieldUse) fieldUse {
		f.start, f.end = shift(f.start), shift(f.end)
		f.exprStart, f.exprEnd = shift(f.exprStart), shift(f.exprEnd)
		f.argStart, f.argEnd = shift(f.argStart), shift(f.argEnd)
		if f.assignEnd > 0 {
			f.assignStart, f.assignEnd = shift(f.assignStart), shift(f.assignEnd)
			f.rhsStart, f.rhsEnd = shift(f.rhsStart), shift(f.rhsEnd)
		}
		if f.callEnd > 0 {
			f.callStart, f.callEnd = shift(f.callStart), shift(f.callEnd)
		}
		return f
	}
}

func shiftByValue(shift func(int) int) func(byValue) byValue {
	return func(b byValue) byValue {
		b.start, b.end = shift(b.start), shift(b.end)
		b.declStart, b.declEnd = shift(b.declStart), shift(b.declEnd)
		return b
	}
}

// shiftPP returns a copy of a preprocessor result with every offset at or
// after `at` moved (the edit holds no directive).
func shiftPP(r *preproc.Result, shift func(int) int, at, lineDelta int) *preproc.Result {
	line := func(o, l int) int {
		if o >= at {
			return l + lineDelta
		}
		return l
	}
	n := &preproc.Result{
		Dead:         make([]preproc.Range, len(r.Dead)),
		Defines:      slices.Clone(r.Defines),
		Includes:     slices.Clone(r.Includes),
		Conditionals: slices.Clone(r.Conditionals),
		Undefs:       slices.Clone(r.Undefs),
		Problems:     slices.Clone(r.Problems),
	}
	for i, d := range r.Dead {
		n.Dead[i] = preproc.Range{Start: shift(d.Start), End: shift(d.End)}
	}
	for i := range n.Defines {
		d := &n.Defines[i]
		d.Line = line(d.Start, d.Line)
		d.Start, d.End, d.NameStart, d.NameEnd = shift(d.Start), shift(d.End), shift(d.NameStart), shift(d.NameEnd)
		d.ValueStart, d.ValueEnd = shift(d.ValueStart), shift(d.ValueEnd)
	}
	for i := range n.Includes {
		d := &n.Includes[i]
		d.Line = line(d.Start, d.Line)
		d.Start, d.End, d.PathStart, d.PathEnd = shift(d.Start), shift(d.End), shift(d.PathStart), shift(d.PathEnd)
		if r.PythonInclude == &r.Includes[i] {
			n.PythonInclude = d
		}
	}
	for i := range n.Conditionals {
		d := &n.Conditionals[i]
		d.Line = line(d.Start, d.Line)
		d.Start, d.End, d.DirectiveStart = shift(d.Start), shift(d.End), shift(d.DirectiveStart)
	}
	for i := range n.Undefs {
		d := &n.Undefs[i]
		d.Line = line(d.Start, d.Line)
		d.Start, d.End, d.NameStart, d.NameEnd = shift(d.Start), shift(d.End), shift(d.NameStart), shift(d.NameEnd)
	}
	for i := range n.Problems {
		d := &n.Problems[i]
		d.Line = line(d.Start, d.Line)
		d.Start, d.End = shift(d.Start), shift(d.End)
	}
	return n
}
