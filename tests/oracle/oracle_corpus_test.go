//go:build oracle

package oracle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"
)

// corpusCase is one corpus file at one target.
type corpusCase struct {
	F       *corpusFile
	T       abi.Version
	Primary headerSet   // the header set of the target's version (or the next one)
	Extra   []headerSet // more header sets whose builds may explain a finding
	Lim     map[string][]diagnostic
	Live    map[string]map[int]bool
	Res     *analysis.Result
	Err     error
}

// group is a compiler error caused by a CPython name, with its follow-on
// errors.
type group struct {
	Cause    diagnostic
	Lines    []int
	Names    []string
	Follow   []diagnostic
	Matched  bool
	FileRel  string
	FileLine int
}

// corpusStats are the figures of one target.
type corpusStats struct {
	Files, Causes, Matched, Followons, Unexplained       int
	Findings, Visible, Confirmed, Invisible, Dead, Known int
	Shadowed, KnownCauses, ByProbe                       int
	RecallMiss, PrecisionMiss                            []string
}

// corpusOracle compiles the corpus at every target and compares gcc's
// errors with abi3ls's findings.
func corpusOracle(ctx context.Context, t *testing.T, cc *compiler, pool *grammars.Pool, db *abi.DB, sets []headerSet, runs []*nameRun, names []verdict) {
	out := os.Stdout
	files, err := loadCorpus(filepath.Join("..", "..", "testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, f := range files {
		lines += f.Lines
	}
	fmt.Fprintf(out, "\n== corpus: %d files, %d lines (testdata/corpus), compiled at every target with the headers of that version\n", len(files), lines)

	// CPython names: what any header set declares, plus the database.
	cpython := map[string]bool{}
	for _, r := range runs {
		for n := range r.Names {
			cpython[n] = true
		}
	}
	isCPython := func(id string) bool {
		if cpython[id] {
			return true
		}
		_, ok := db.Lookup(id)
		return ok
	}
	// Names the headers accept below the Limited API version, or listed
	// exceptions, per target: abi3ls findings on them are known cases.
	known := map[string]bool{}
	for _, v := range names {
		if v.Class == cShim || v.Class == cUngated || v.Class == cException {
			known[v.Name+"@"+v.T.String()] = true
		}
	}
	// gcc's verdict on a name at a target with the primary headers.
	primaryRun := func(tv abi.Version) *nameRun {
		var best *nameRun
		for _, r := range runs {
			if r.H.Version.Less(tv) {
				continue
			}
			if best == nil || r.H.Version.Less(best.H.Version) {
				best = r
			}
		}
		return best
	}
	primary := func(tv abi.Version) (headerSet, bool) {
		for _, h := range sets {
			if !h.Version.Less(tv) {
				return h, true
			}
		}
		return headerSet{}, false
	}
	newest := sets[len(sets)-1]

	// Cases: every file without its own target at every target the headers
	// cover; files with their own target at that target only.
	var cases []*corpusCase
	for i := range files {
		f := &files[i]
		targets := targetsUpTo(newest.Version)
		if !f.Own.IsZero() {
			targets = []abi.Version{f.Own}
		}
		for _, tv := range targets {
			h, ok := primary(tv)
			if !ok {
				continue
			}
			c := &corpusCase{F: f, T: tv, Primary: h, Lim: map[string][]diagnostic{}, Live: map[string]map[int]bool{}}
			if newest.Label != h.Label {
				c.Extra = []headerSet{newest}
			}
			cases = append(cases, c)
		}
	}

	// Stripped copies (own define blanked) for the builds without the
	// Limited API of files that define it.
	tmp := t.TempDir()
	basePath := map[string]string{}
	for _, f := range files {
		basePath[f.Rel] = f.Path
		if !f.Own.IsZero() {
			p := filepath.Join(tmp, f.Rel)
			if err := os.WriteFile(p, f.withoutOwnDefine(), 0o644); err != nil {
				t.Fatal(err)
			}
			basePath[f.Rel] = p
		}
	}

	// Builds without the Limited API, per file and header set.
	type baseKey struct{ rel, label string }
	var mu sync.Mutex
	base := map[baseKey][]diagnostic{}
	needBase := func(f *corpusFile, h headerSet) (bool, baseKey) {
		k := baseKey{f.Rel, h.Label}
		mu.Lock()
		defer mu.Unlock()
		if _, ok := base[k]; ok {
			return false, k
		}
		base[k] = nil
		return true, k
	}
	var baseJobs []func(context.Context) error
	for _, c := range cases {
		for _, h := range append([]headerSet{c.Primary}, c.Extra...) {
			f, h := c.F, h
			if ok, k := needBase(f, h); ok {
				baseJobs = append(baseJobs, func(ctx context.Context) error {
					_, ds, err := cc.run(ctx, job{CPP: f.CPP, Path: basePath[f.Rel], Includes: []string{h.Dir}})
					if err != nil {
						return err
					}
					// Report against the real file's path.
					for i := range ds {
						remap(&ds[i], basePath[f.Rel], f.Path)
					}
					mu.Lock()
					base[k] = ds
					mu.Unlock()
					return nil
				})
			}
		}
	}
	// Limited API builds and the analysis, per case.
	var caseJobs []func(context.Context) error
	analyzer := &analysis.Analyzer{DB: db, Parse: pool}
	for _, c := range cases {
		for _, h := range append([]headerSet{c.Primary}, c.Extra...) {
			c, h := c, h
			caseJobs = append(caseJobs, func(ctx context.Context) error {
				var defs []string
				if c.F.Own.IsZero() {
					defs = []string{"Py_LIMITED_API=" + c.T.Hex()}
				}
				_, ds, err := cc.run(ctx, job{CPP: c.F.CPP, Path: c.F.Path, Includes: []string{h.Dir}, Defines: defs})
				if err != nil {
					return err
				}
				mu.Lock()
				c.Lim[h.Label] = ds
				mu.Unlock()
				return nil
			})
		}
		caseJobs = append(caseJobs, func(ctx context.Context) error {
			in := analysis.Input{Path: c.F.Path, Lang: grammars.ForPath(c.F.Path), Src: c.F.Src}
			if c.F.Own.IsZero() {
				in.Config.Target = abi.Target{Limited: c.T}
			}
			c.Res, c.Err = analyzer.Analyze(ctx, in)
			return nil
		})
	}
	jobs := append(baseJobs, caseJobs...)
	if err := parallel(ctx, len(jobs), func(ctx context.Context, i int) error { return jobs[i](ctx) }); err != nil {
		t.Fatal(err)
	}

	// The corpus must build cleanly without the Limited API.
	for k, ds := range base {
		for _, d := range ds {
			if d.isError() {
				t.Errorf("corpus %s does not build without Py_LIMITED_API against %s: %s:%d: %s", k.rel, k.label, filepath.Base(d.File), d.Line, d.Message)
			}
		}
	}

	// Liveness (which lines the preprocessor keeps) is only needed for
	// unmatched findings: computed on demand.
	live := func(c *corpusCase, h headerSet) map[int]bool {
		mu.Lock()
		m, ok := c.Live[h.Label]
		mu.Unlock()
		if ok {
			return m
		}
		var defs []string
		if c.F.Own.IsZero() {
			defs = []string{"Py_LIMITED_API=" + c.T.Hex()}
		}
		m, err := liveLines(ctx, cc, *c.F, h, defs, c.F.Path)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		c.Live[h.Label] = m
		mu.Unlock()
		return m
	}

	runByLabel := map[string]*nameRun{}
	for _, r := range runs {
		runByLabel[r.H.Label] = r
	}
	fileUnits := map[string][]unit{}
	for _, f := range files {
		us, err := units(pool, grammars.ForPath(f.Path), f.Src)
		if err != nil {
			t.Fatal(err)
		}
		fileUnits[f.Rel] = us
	}

	stats := map[abi.Version]*corpusStats{}
	var invisibleCodes = map[string]int{}
	for _, c := range cases {
		st := stats[c.T]
		if st == nil {
			st = &corpusStats{}
			stats[c.T] = st
		}
		st.Files++
		if c.Err != nil {
			t.Errorf("%s at %s: analysis failed: %v", c.F.Rel, c.T, c.Err)
			continue
		}
		if !c.F.Own.IsZero() && c.Res.Target.Limited != c.F.Own {
			t.Errorf("%s: abi3ls found target %q, the file defines Py_LIMITED_API %s (line %d)", c.F.Rel, c.Res.Target.String(), c.F.Own, c.F.OwnLine)
		}
		li := newLineIndex(c.F.Src)
		us := fileUnits[c.F.Rel]
		findingLines := map[int]bool{}
		findingSyms := map[string]bool{}
		for _, fd := range c.Res.Findings {
			findingLines[li.line(fd.Start)] = true
			findingSyms[fd.Symbol] = true
		}

		// Recall: gcc errors caused by CPython names, with the primary
		// headers, each matched by a finding on one of its lines. Errors
		// that follow from an earlier one (the rest of an initializer of
		// an incomplete type, uses of a variable whose declaration failed)
		// are grouped with it.
		limErr := limitedOnly(c.Lim[c.Primary.Label], base[baseKey{c.F.Rel, c.Primary.Label}])
		var groups []*group
		inGroups := func(id string) bool {
			for _, g := range groups {
				for _, l := range g.Lines {
					for _, x := range identifiersOnLine(c.F.Src, li, l) {
						if x == id {
							return true
						}
					}
				}
			}
			return false
		}
		follow := func(d diagnostic) bool {
			if len(groups) == 0 {
				return false
			}
			g := groups[len(groups)-1]
			g.Follow = append(g.Follow, d)
			st.Followons++
			return true
		}
		for _, d := range limErr {
			if !d.isError() {
				continue
			}
			ls := diagLines(d, c.F.Path)
			quoted := quotedIdentifiers(d.Message)
			if len(ls) == 0 {
				// Located in a header (an object-like macro's definition):
				// pair it with findings on the macro anywhere in the file.
				ns := cpythonOnly(append(quoted, macroNames(d)...), isCPython)
				g := &group{Cause: d, Names: ns, FileRel: c.F.Rel}
				for _, n := range ns {
					if findingSyms[n] {
						g.Matched = true
					}
				}
				if len(ns) == 0 {
					st.Unexplained++
					t.Errorf("%s at %s (%s): error in a header with no CPython name: %s:%d: %s", c.F.Rel, c.T, c.Primary.Label, d.File, d.Line, d.Message)
					continue
				}
				groups = append(groups, g)
				continue
			}
			// Inside a declaration (not a function body) that already
			// failed: a follow-on.
			if u := unitAt(us, ls[0]); u != nil && !u.Func && len(groups) > 0 {
				last := groups[len(groups)-1]
				if len(last.Lines) > 0 && u.Start <= last.Lines[0] && last.Lines[0] <= u.End && follow(d) {
					continue
				}
			}
			// A member of something that is not a struct (or of an
			// incomplete initializer): the object's type failed earlier.
			// Or another error on the line of the previous cause.
			if (strings.HasPrefix(d.Message, "request for member") || strings.Contains(d.Message, "has no member named")) && follow(d) {
				continue
			}
			if len(groups) > 0 && sameLine(groups[len(groups)-1].Lines, ls) && follow(d) {
				continue
			}
			ns := cpythonOnly(quoted, isCPython)
			if len(ns) == 0 && len(quoted) > 0 {
				// Quotes only user names: a follow-on if an earlier error
				// involved them.
				user := false
				for _, q := range quoted {
					if inGroups(q) {
						user = true
					}
				}
				if user && follow(d) {
					continue
				}
			}
			if len(ns) == 0 {
				for _, l := range ls {
					ns = append(ns, cpythonOnly(identifiersOnLine(c.F.Src, li, l), isCPython)...)
				}
			}
			if len(ns) == 0 {
				if !follow(d) {
					st.Unexplained++
					t.Errorf("%s at %s (%s): compiler error with no CPython name and no earlier cause: line %d: %s", c.F.Rel, c.T, c.Primary.Label, d.Line, d.Message)
				}
				continue
			}
			g := &group{Cause: d, Lines: ls, Names: dedupe(ns), FileRel: c.F.Rel, FileLine: ls[0]}
			for _, l := range ls {
				if findingLines[l] {
					g.Matched = true
				}
			}
			groups = append(groups, g)
		}
		for _, g := range groups {
			if !g.Matched && allKnown(g.Names, c.T, known) {
				st.KnownCauses++
				continue
			}
			st.Causes++
			if g.Matched {
				st.Matched++
				continue
			}
			where := fmt.Sprintf("%s:%d", g.FileRel, g.FileLine)
			if g.FileLine == 0 {
				where = fmt.Sprintf("%s (in a macro from %s:%d)", g.FileRel, filepath.Base(g.Cause.File), g.Cause.Line)
			}
			st.RecallMiss = append(st.RecallMiss, fmt.Sprintf("%s [%s] %s (%s): no abi3ls finding on the line",
				where, c.Primary.Label, g.Cause.Message, strings.Join(g.Names, ",")))
		}

		// Precision: every error-severity finding is matched by a
		// compiler diagnostic on its line (with the primary headers, else
		// with the newest), or is of a kind the compiler cannot see.
		touchedBy := map[string]map[int]bool{}
		implicit := map[string]bool{}  // names gcc reported as implicitly declared (once per file)
		shadowFunc := map[int]bool{}   // function units whose signature failed
		shadowDecl := map[int]bool{}   // declaration units with an error
		failedVars := map[string]int{} // variables whose declaration failed -> line
		for _, h := range append([]headerSet{c.Primary}, c.Extra...) {
			m := map[int]bool{}
			for _, d := range limitedOnly(c.Lim[h.Label], base[baseKey{c.F.Rel, h.Label}]) {
				if d.isError() {
					if reUndeclared.MatchString(d.Message) {
						for _, q := range quotedIdentifiers(d.Message) {
							implicit[q] = true
						}
					}
					for _, m := range macroNames(d) {
						implicit[m] = true
					}
				}
				ls := diagLines(d, c.F.Path)
				for _, l := range ls {
					m[l] = true
					if !d.isError() {
						continue
					}
					if u := unitAt(us, l); u != nil {
						if u.Func && l < u.BodyStart {
							shadowFunc[u.Start] = true
						}
						if !u.Func {
							shadowDecl[u.Start] = true
						}
					}
				}
				if v := failedVariable(d.Message); v != "" && len(ls) > 0 {
					failedVars[v] = ls[0]
				}
			}
			touchedBy[h.Label] = m
		}
		pr := primaryRun(c.T)
		for _, fd := range c.Res.Findings {
			if fd.Severity != analysis.SeverityError {
				continue
			}
			st.Findings++
			line := li.line(fd.Start)
			if !ruleVisible(fd.Code) || (fd.Code == "ABI003" && pr != nil && pr.Names[fd.Symbol] != nil && pr.accepted(fd.Symbol, c.T)) {
				st.Invisible++
				invisibleCodes[fd.Code]++
				continue
			}
			st.Visible++
			matched := implicit[fd.Symbol]
			for _, m := range touchedBy {
				if m[line] {
					matched = true
				}
			}
			if matched {
				st.Confirmed++
				continue
			}
			// gcc reports an undeclared name once per file (C) or
			// function (C++); the name probe with the same headers says
			// whether any use of it compiles at this target.
			probed := false
			for _, h := range append([]headerSet{c.Primary}, c.Extra...) {
				if r := runByLabel[h.Label]; r != nil {
					if _, ok := r.Chosen[fd.Symbol]; ok && !r.accepted(fd.Symbol, c.T) {
						probed = true
					}
				}
			}
			if probed {
				st.Confirmed++
				st.ByProbe++
				continue
			}
			if known[fd.Symbol+"@"+c.T.String()] {
				st.Known++
				continue
			}
			if u := unitAt(us, line); u != nil && ((u.Func && shadowFunc[u.Start]) || (!u.Func && shadowDecl[u.Start])) {
				st.Shadowed++
				continue
			}
			shadow := false
			for _, id := range identifiersOnLine(c.F.Src, li, line) {
				if l, ok := failedVars[id]; ok && l < line {
					shadow = true
				}
			}
			if shadow {
				st.Shadowed++
				continue
			}
			dead := true
			for _, h := range append([]headerSet{c.Primary}, c.Extra...) {
				if live(c, h)[line] {
					dead = false
				}
			}
			if dead {
				st.Dead++
				continue
			}
			st.PrecisionMiss = append(st.PrecisionMiss, fmt.Sprintf("%s:%d %s %s: %s (no compiler diagnostic on the line)",
				c.F.Rel, line, fd.Code, fd.Symbol, fd.Message))
		}
	}

	// Figures.
	var ts []abi.Version
	for tv := range stats {
		ts = append(ts, tv)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Less(ts[j]) })
	fmt.Fprintf(out, "   recall: gcc errors caused by a CPython name (follow-on errors grouped with their cause) that abi3ls\n")
	fmt.Fprintf(out, "   flags on the same line. precision: abi3ls errors the compiler confirms on the same line; counted apart:\n")
	fmt.Fprintf(out, "   compiler-invisible rules, code gcc skips after an earlier error (shadowed), lines no header set\n")
	fmt.Fprintf(out, "   compiles at the target (dead), names of the known classes (known)\n")
	fmt.Fprintf(out, "   %-6s %5s %7s %7s %8s %7s %7s %7s %9s %7s %9s %6s %5s %5s\n", "target", "files", "causes", "flagged", "recall", "follow", "unexpl",
		"errors", "confirmed", "precis", "invisible", "shadow", "dead", "known")
	var tot corpusStats
	for _, tv := range ts {
		s := stats[tv]
		fmt.Fprintf(out, "   %-6s %5d %7d %7d %8s %7d %7d %7d %9d %7s %9d %6d %5d %5d\n", tv, s.Files, s.Causes, s.Matched, pct(s.Matched, s.Causes),
			s.Followons, s.Unexplained, s.Visible, s.Confirmed, pct(s.Confirmed, s.Visible-s.Shadowed-s.Dead-s.Known), s.Invisible, s.Shadowed, s.Dead, s.Known)
		tot.Files += s.Files
		tot.Causes += s.Causes
		tot.Matched += s.Matched
		tot.Followons += s.Followons
		tot.Unexplained += s.Unexplained
		tot.Visible += s.Visible
		tot.Confirmed += s.Confirmed
		tot.Invisible += s.Invisible
		tot.Dead += s.Dead
		tot.Known += s.Known
		tot.Shadowed += s.Shadowed
		tot.KnownCauses += s.KnownCauses
		tot.ByProbe += s.ByProbe
	}
	fmt.Fprintf(out, "   %-6s %5d %7d %7d %8s %7d %7d %7d %9d %7s %9d %6d %5d %5d\n", "all", tot.Files, tot.Causes, tot.Matched, pct(tot.Matched, tot.Causes),
		tot.Followons, tot.Unexplained, tot.Visible, tot.Confirmed, pct(tot.Confirmed, tot.Visible-tot.Shadowed-tot.Dead-tot.Known), tot.Invisible, tot.Shadowed, tot.Dead, tot.Known)
	fmt.Fprintf(out, "   compiler errors on names of the known classes or exceptions (not counted as causes): %d\n", tot.KnownCauses)
	fmt.Fprintf(out, "   confirmed findings whose line gcc is silent on because it reported the name once, earlier (confirmed by the name probe): %d\n", tot.ByProbe)
	var codes []string
	for c, n := range invisibleCodes {
		codes = append(codes, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(codes)
	if len(codes) == 0 {
		codes = []string{"none at error severity"}
	}
	fmt.Fprintf(out, "   compiler-invisible findings by rule: %s\n", strings.Join(codes, ", "))

	for _, tv := range ts {
		s := stats[tv]
		if len(s.RecallMiss) > 0 {
			t.Errorf("target %s: %d compiler errors abi3ls does not flag:\n%s", tv, len(s.RecallMiss), capLines(s.RecallMiss, 60))
		}
		if len(s.PrecisionMiss) > 0 {
			t.Errorf("target %s: %d abi3ls errors the compiler does not confirm:\n%s", tv, len(s.PrecisionMiss), capLines(s.PrecisionMiss, 60))
		}
	}
}

// remap rewrites a diagnostic's file name from one path to another.
func remap(d *diagnostic, from, to string) {
	if d.File == from {
		d.File = to
	}
	for i := range d.Notes {
		remap(&d.Notes[i], from, to)
	}
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func capLines(lines []string, n int) string {
	if len(lines) > n {
		return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n... and %d more", len(lines)-n)
	}
	return strings.Join(lines, "\n")
}

// cpythonOnly keeps the CPython names of ids.
func cpythonOnly(ids []string, isCPython func(string) bool) []string {
	var out []string
	for _, id := range ids {
		if isCPython(id) {
			out = append(out, id)
		}
	}
	return out
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

var reUndeclared = regexp.MustCompile(`^(implicit declaration of function|'[A-Za-z_]\w*' undeclared|'[A-Za-z_]\w*' was not declared|unknown type name|there are no arguments to)`)

// allKnown reports whether every name of a compiler error is one the name
// oracle lists as a known class or exception at the target.
func allKnown(names []string, t abi.Version, known map[string]bool) bool {
	if len(names) == 0 {
		return false
	}
	for _, n := range names {
		if !known[n+"@"+t.String()] {
			return false
		}
	}
	return true
}

func sameLine(a, b []int) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
