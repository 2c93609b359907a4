package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/preproc"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// database is what the analysis asks of abi.DB.
type database interface {
	Lookup(name string) (*abi.Entry, bool)
	Check(name string, t abi.Target) abi.Result
	Field(st, field string) (abi.Field, bool)
	Fields(st string) []abi.Field
	FieldsNamed(field string) []abi.Field
	CheckField(f abi.Field, t abi.Target) abi.Status
	Struct(name string) (*abi.Struct, bool)
	StructOpaque(name string) bool
	StructOpaqueFor(name string, t abi.Target) bool
}

func (a *Analyzer) database() database {
	if a.testDB != nil {
		return a.testDB
	}
	if a.DB == nil {
		return abi.Default()
	}
	return a.DB
}

// pass is the state of one Analyze call after the walk.
type pass struct {
	a      *Analyzer
	db     database
	in     *Input
	src    []byte
	ti     *targetInfo
	target FileTarget
	// check is the target names are checked against (zero in audit mode).
	check abi.Target
	audit bool
	pp    *preproc.Result
	w     *walker
	lines []int

	findings []Finding
	min      MinTarget
	// staticTypes are the declarations reported by ABI005.
	staticTypes []span
	// supTexts caches suppressTexts by rule code, docURLs docURL by name,
	// targetHere the message of the related location of the target.
	supTexts   map[string]*suppressText
	docURLs    map[string]string
	targetHere string
	// newer caches ABI002's texts by needed version.
	newer map[abi.Version]*newerText
	// raw005 are the ABI005 findings before finish (for State).
	raw005 []Finding
	// root and lang are the analyzed file's tree (alive while rules run),
	// for rules that rewrite whole declarations (the heap-type refactoring).
	root *sitter.Node
	lang grammars.Lang
}

// Analyze analyzes one file.
func (a *Analyzer) Analyze(ctx context.Context, in Input) (*Result, error) {
	p, err := a.run(ctx, &in, false)
	if err != nil {
		return nil, err
	}
	return p.result(), nil
}

// ParseAndAnalyze parses in.Src, incrementally from old when old is not
// nil (the caller has edited old to match in.Src, and keeps it), and
// analyzes it, like Analyze with in.Tree nil; the parse runs beside the
// phases that need only the text. The caller owns the returned tree, nil
// when err is not.
func (a *Analyzer) ParseAndAnalyze(ctx context.Context, in Input, old *sitter.Tree) (*Result, *sitter.Tree, error) {
	p, tree, err := a.parseAndRun(ctx, &in, old)
	if err != nil {
		return nil, nil, err
	}
	return p.result(), tree, nil
}

// parseAndRun runs the analysis parsing in.Src itself (from old when not
// nil) and hands the tree to the caller; on error no tree is left open.
func (a *Analyzer) parseAndRun(ctx context.Context, in *Input, old *sitter.Tree) (*pass, *sitter.Tree, error) {
	job := &parseJob{old: old}
	p, err := a.runJob(ctx, in, false, job)
	if err != nil {
		if job.tree != nil {
			job.tree.Close()
		}
		return nil, nil, err
	}
	return p, job.tree, nil
}

// parseJob asks run for the tree it parses.
type parseJob struct {
	old  *sitter.Tree // the edited previous tree, or nil
	tree *sitter.Tree // the new tree, for the caller
}

// parsed is the outcome of a parse.
type parsed struct {
	tree *sitter.Tree
	err  error
}

// run analyzes a file. full makes the walk visit every CPython name (for
// hover), not only those that can matter to a rule.
func (a *Analyzer) run(ctx context.Context, in *Input, full bool) (*pass, error) {
	return a.runJob(ctx, in, full, nil)
}

// runJob is run; when in.Tree is nil or job is not, it parses the file
// itself, beside the target resolution and the lexical pre-pass (which
// need only the text), and frees the tree in the background afterwards
// unless job takes it.
func (a *Analyzer) runJob(ctx context.Context, in *Input, full bool, job *parseJob) (*pass, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db := a.database()
	lang := in.Lang
	if lang == grammars.Unknown {
		lang = grammars.ForPath(in.Path)
		if lang == grammars.Unknown {
			lang = grammars.C
		}
	}

	// 0. The parse.
	var pending chan parsed
	if in.Tree == nil || job != nil {
		if a.Parse == nil {
			return nil, fmt.Errorf("analysis: no parser pool")
		}
		var old *sitter.Tree
		if job != nil {
			old = job.old
		}
		pending = make(chan parsed, 1)
		go func(ch chan<- parsed) {
			t, err := a.Parse.Parse(lang, in.Src, old)
			ch <- parsed{t, err}
		}(pending)
		defer func() {
			// Not taken (an early return): wait for the parse, which may be
			// reading old, and free its tree.
			if pending != nil {
				if r := <-pending; r.tree != nil {
					r.tree.Close()
				}
			}
		}()
	}

	// 1. The target.
	env0 := preproc.Env{Defined: map[string]string{}}
	if in.Config.Target.IsLimited() {
		env0 = envFor(in.Config.Target, false)
	}
	pp0 := preproc.Evaluate(in.Src, env0)
	ti := a.resolveTarget(in, pp0, env0)
	audit := !ti.target.IsLimited() || in.Config.Audit
	env := envFor(ti.target.Target, audit)
	pp := preproc.Evaluate(in.Src, env)
	if !audit && a.knownMacros(db, pp, ti.target.Target, env) {
		pp = preproc.Evaluate(in.Src, env)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	p := &pass{a: a, db: db, in: in, src: in.Src, ti: ti, target: ti.target, audit: audit, pp: pp}
	if !audit {
		p.check = ti.target.Target
	}
	k := kindsFor(lang)
	w := newWalker(db, k, in.Src)
	w.included = ti.included
	w.abi3t = !audit && !ti.target.ABI3T.IsZero()
	w.check = p.check
	w.full = full
	w.flatAll = a.testFlatAll
	if !audit {
		w.shimPP = shimResult(in.Src, pp, env, ti.target.Target)
	}
	for _, d := range pp.Defines {
		if d.Name == "PY_SSIZE_T_CLEAN" && d.Live && !d.AfterPython {
			w.sizeTClean = true
		}
	}
	p.w = w

	// 2. Declarations of local headers: their names are the user's and
	// their types feed inference.
	if a.Parse != nil || len(ti.headers) > 0 {
		for _, h := range ti.headers {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			a.walkHeader(w, h, env)
		}
	}

	// 3. The file itself: the lexical pre-pass, then the walk.
	w.src, w.pp, w.dead, w.deadIx, w.declOnly = in.Src, pp, pp.Dead, 0, false
	lr := w.lex(in.Src)
	w.cands, w.ci = lr.cands, 0
	w.f.comments, w.f.firstCode = lr.comments, lr.firstCode
	tree := in.Tree
	if pending != nil {
		r := <-pending
		pending = nil
		if r.err != nil {
			return nil, fmt.Errorf("analysis: parse %s: %w", in.Path, r.err)
		}
		tree = r.tree
		if job != nil {
			job.tree = tree
		} else {
			// Freeing a tree costs about as much as walking it: not on the
			// caller's time.
			defer func() { go tree.Close() }()
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if a.testWalkTop {
		walkTops(w, tree.RootNode())
	} else {
		w.walk(tree.RootNode())
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// 4. Rules.
	p.root, p.lang = tree.RootNode(), lang
	p.lines = lineStarts(in.Src)
	p.runRules()
	for _, f := range p.findings {
		if f.Code == "ABI005" {
			p.raw005 = append(p.raw005, Finding{Code: f.Code, Start: f.Start, End: f.End, Symbol: f.Symbol})
		}
	}
	p.finish()
	return p, nil
}

// knownMacros adds to env the CPython function-like macros and inline
// functions that #if conditions test with defined() and that the target's
// headers certainly provide, so that compatibility shims
// (`#if !defined(Py_SET_TYPE)`) are dead code there. It reports whether
// it added any.
func (a *Analyzer) knownMacros(db database, pp *preproc.Result, t abi.Target, env preproc.Env) bool {
	added := false
	v := t.Effective()
	for _, c := range pp.Conditionals {
		for _, name := range c.Uses {
			if _, ok := env.Defined[name]; ok {
				continue
			}
			e, ok := db.Lookup(name)
			if !ok || e.Tier != abi.TierLimited || e.FirstSeen.IsZero() || v.Less(e.FirstSeen) {
				continue
			}
			if !(e.Kind == abi.KindFunction && (hasForm(e, "macro") || hasForm(e, "static_inline"))) {
				continue
			}
			if db.Check(name, t).Status != abi.Available {
				continue
			}
			env.Defined[name] = "1"
			added = true
		}
	}
	return added
}

// shimResult evaluates the file again with PY_VERSION_HEX set to the
// target's release, when some conditional tests it: a definition that is
// dead there (`#if PY_VERSION_HEX < 0x030900A1` shims at target 3.9+) is
// a compatibility shim for older headers, which the target's headers do
// not compile, so it does not make a CPython name the user's. Nil when no
// conditional tests PY_VERSION_HEX.
func shimResult(src []byte, pp *preproc.Result, env preproc.Env, t abi.Target) *preproc.Result {
	v := t.Effective()
	if v.IsZero() {
		return nil
	}
	tests := false
	for _, c := range pp.Conditionals {
		if c.Live && slices.Contains(c.Uses, "PY_VERSION_HEX") {
			tests = true
			break
		}
	}
	if !tests {
		return nil
	}
	shimEnv := preproc.Env{Defined: make(map[string]string, len(env.Defined)+1), Undefined: env.Undefined}
	for k, val := range env.Defined {
		shimEnv.Defined[k] = val
	}
	shimEnv.Defined["PY_VERSION_HEX"] = fmt.Sprintf("0x%02X%02X00F0", v.Major, v.Minor)
	return preproc.Evaluate(src, shimEnv)
}

// walkHeader collects the declarations of a local header.
func (a *Analyzer) walkHeader(w *walker, h localHeader, env preproc.Env) {
	if a.Parse == nil {
		return
	}
	lang := grammars.ForPath(h.path)
	if lang == grammars.Unknown {
		lang = grammars.C
	}
	tree, err := a.Parse.Parse(lang, h.src, nil)
	if err != nil {
		return
	}
	defer tree.Close()
	hp := preproc.Evaluate(h.src, env)
	for _, d := range hp.Defines {
		if d.Live {
			w.markUser(d.Name)
		}
	}
	saveK := w.k
	w.k = kindsFor(lang)
	w.src, w.pp, w.dead, w.deadIx, w.declOnly = h.src, hp, hp.Dead, 0, true
	w.cands, w.ci = nil, 0
	w.walk(tree.RootNode())
	w.k = saveK
	// Scopes opened by the header are closed by the walk; the file scope
	// keeps the header's globals.
}

func (p *pass) result() *Result {
	r := &Result{
		Findings: p.findings,
		Target:   p.target,
		Declared: p.ti.declared,
		Min:      p.min,
	}
	if p.ti.pyInclude != nil {
		r.pyInclude = p.ti.pyInclude.Start
		r.hasPyInclude = true
	}
	return r
}

// runRules runs every rule over the collected facts.
func (p *pass) runRules() {
	// Macros the file defines in live code are the user's (a compatibility
	// shim that is dead under the target does not hide the real name).
	for _, d := range p.pp.Defines {
		if d.Live {
			p.w.markUserAt(d.Name, d.Start)
		}
	}
	p.checkByValue() // ABI005, ABI011 (PyObject by value)
	p.checkNames()   // ABI001, ABI002, ABI003, ABI011 (names), ABI009
	p.checkFields()  // ABI004, ABI006
	p.checkPyInit()  // ABI011 (single-phase init)
	p.checkDefines() // ABI007, ABI008, ABI010
	p.computeMin()
}

// finish applies suppressions, configuration and severities, removes
// duplicates and sorts.
func (p *pass) finish() {
	sup := parseSuppressions(p.src, p.w.f.comments, p.w.f.firstCode, p.lines)
	cfg := p.in.Config
	sel := map[string]bool{}
	for _, c := range cfg.Select {
		sel[c] = true
	}
	ign := map[string]bool{}
	for _, c := range cfg.Ignore {
		ign[c] = true
	}
	auditSev := cfg.AuditSeverity
	if auditSev == SeverityOff {
		auditSev = SeverityHint
	}
	abi3t := !p.target.ABI3T.IsZero() && !p.audit
	out := p.findings[:0]
	for _, f := range p.findings {
		if sup.file {
			break
		}
		if len(sel) > 0 && !sel[f.Code] || ign[f.Code] {
			continue
		}
		if sup.suppressed(f.Code, lineOf(p.lines, f.Start)) {
			continue
		}
		r, ok := ruleByCode[f.Code]
		if !ok {
			continue
		}
		sev := r.Severity
		if abi3t && r.ABI3TSeverity != 0 {
			sev = r.ABI3TSeverity
		}
		if s, ok := cfg.Severity[f.Code]; ok {
			sev = s
		}
		if p.audit && auditRules[f.Code] {
			if s, ok := cfg.Severity[f.Code]; ok && s == SeverityOff {
				continue
			}
			if cfg.AuditOff {
				continue
			}
			sev = auditSev
		}
		if sev == SeverityOff {
			continue
		}
		f.Severity = sev
		out = append(out, f)
	}
	p.findings = p.sortFindings(out)
}

// sortFindings orders findings by start, then code (stably: rules report
// in a deliberate order), drops the repeats of a finding (same range, code
// and message: the first stays) and adds each one's suppression fix. The
// findings come as a few sorted runs (one per rule); an order of indices
// is sorted rather than the findings themselves, which are large.
func (p *pass) sortFindings(fs []Finding) []Finding {
	order := make([]int32, len(fs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		fa, fb := &fs[a], &fs[b]
		if fa.Start != fb.Start {
			return cmp.Compare(fa.Start, fb.Start)
		}
		return strings.Compare(fa.Code, fb.Code)
	})
	out := make([]Finding, 0, len(fs))
	run := 0 // out[run:] have the start and code of the next finding's run
	for _, i := range order {
		f := &fs[i]
		if run < len(out) && (out[run].Start != f.Start || out[run].Code != f.Code) {
			run = len(out)
		}
		dup := false
		for j := run; j < len(out); j++ {
			if out[j].End == f.End && out[j].Message == f.Message {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		g := *f
		g.Fixes = append(g.Fixes, p.suppressFix(g))
		out = append(out, g)
	}
	return out
}

// auditRules are the rules about API uses, reported at the audit severity
// when the file has no target.
var auditRules = map[string]bool{
	"ABI001": true, "ABI002": true, "ABI003": true, "ABI004": true,
	"ABI005": true, "ABI006": true, "ABI011": true,
}

// report adds a finding with the fields every finding shares.
func (p *pass) report(f Finding) {
	if f.DocURL == "" && f.Symbol != "" {
		f.DocURL = p.docURL(f.Symbol)
	}
	if !p.audit && p.target.Kind != FromNone && p.target.Kind != FromOverride && f.Related == nil &&
		f.Code != "ABI007" && f.Code != "ABI008" {
		if p.targetHere == "" {
			p.targetHere = "target set here: " + p.target.Text
		}
		f.Related = []Related{{Location: p.target.Location, Message: p.targetHere}}
	}
	p.findings = append(p.findings, f)
}

// docURL is the official documentation page of a name, if any (kept per
// name: a name is often reported many times).
func (p *pass) docURL(name string) string {
	if u, ok := p.docURLs[name]; ok {
		return u
	}
	u := ""
	if e, ok := p.db.Lookup(name); ok && e != nil {
		u = e.DocURL()
	}
	if p.docURLs == nil {
		p.docURLs = map[string]string{}
	}
	p.docURLs[name] = u
	return u
}

// lineStarts returns the byte offset of every line's start.
func lineStarts(src []byte) []int {
	ls := make([]int, 1, len(src)/32+1)
	for i, c := range src {
		if c == '\n' {
			ls = append(ls, i+1)
		}
	}
	return ls
}

// lineOf returns the 1-based line of byte offset off.
func lineOf(ls []int, off int) int {
	i := sort.Search(len(ls), func(i int) bool { return ls[i] > off })
	return i
}
