//go:build oracle

package oracle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
		findingLines := map[int]bool{}
		for _, fd := range c.Res.Findings {
			findingLines[li.line(fd.Start)] = true
		}

		// Recall: gcc errors caused by CPython names, with the primary
		// headers, each matched by a finding on one of its lines.
		limErr := limitedOnly(c.Lim[c.Primary.Label], base[baseKey{c.F.Rel, c.Primary.Label}])
		var groups []*group
		for _, d := range limErr {
			if !d.isError() {
				continue
			}
			ls := diagLines(d, c.F.Path)
			if len(ls) == 0 {
				st.Unexplained++
				t.Errorf("%s at %s (%s): error outside the file: %s:%d: %s", c.F.Rel, c.T, c.Primary.Label, d.File, d.Line, d.Message)
				continue
			}
			var ns []string
			quoted := quotedIdentifiers(d.Message)
			for _, id := range quoted {
				if isCPython(id) {
					ns = append(ns, id)
				}
			}
			if len(quoted) == 0 {
				for _, l := range ls {
					for _, id := range identifiersOnLine(c.F.Src, li, l) {
						if isCPython(id) {
							ns = append(ns, id)
						}
					}
				}
			}
			if len(ns) == 0 {
				// A follow-on error: attach it to the latest cause.
				if len(groups) > 0 {
					g := groups[len(groups)-1]
					g.Follow = append(g.Follow, d)
					st.Followons++
				} else {
					st.Unexplained++
					t.Errorf("%s at %s (%s): compiler error with no CPython name and no earlier cause: line %d: %s", c.F.Rel, c.T, c.Primary.Label, d.Line, d.Message)
				}
				continue
			}
			g := &group{Cause: d, Lines: ls, Names: ns, FileRel: c.F.Rel, FileLine: ls[0]}
			for _, l := range ls {
				if findingLines[l] {
					g.Matched = true
				}
			}
			groups = append(groups, g)
		}
		for _, g := range groups {
			st.Causes++
			if g.Matched {
				st.Matched++
				continue
			}
			st.RecallMiss = append(st.RecallMiss, fmt.Sprintf("%s:%d [%s] %s (%s): no abi3ls finding on the line",
				g.FileRel, g.FileLine, c.Primary.Label, g.Cause.Message, strings.Join(g.Names, ",")))
		}

		// Precision: every error-severity finding is matched by a
		// compiler diagnostic on its line (with the primary headers, else
		// with the newest), or is of a kind the compiler cannot see.
		touched := func(h headerSet) map[int]bool {
			m := map[int]bool{}
			for _, d := range limitedOnly(c.Lim[h.Label], base[baseKey{c.F.Rel, h.Label}]) {
				for _, l := range diagLines(d, c.F.Path) {
					m[l] = true
				}
			}
			return m
		}
		touchedBy := map[string]map[int]bool{c.Primary.Label: touched(c.Primary)}
		for _, h := range c.Extra {
			touchedBy[h.Label] = touched(h)
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
			matched := false
			for _, m := range touchedBy {
				if m[line] {
					matched = true
				}
			}
			if matched {
				st.Confirmed++
				continue
			}
			if known[fd.Symbol+"@"+c.T.String()] {
				st.Known++
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
	fmt.Fprintf(out, "   recall: gcc errors caused by a CPython name that abi3ls flags on the same line; precision: abi3ls errors\n")
	fmt.Fprintf(out, "   the compiler confirms (compiler-invisible rules, lines no header set compiles at the target, and\n")
	fmt.Fprintf(out, "   names of the known classes are counted apart and excluded)\n")
	fmt.Fprintf(out, "   %-6s %5s %7s %7s %8s %7s %7s %7s %9s %7s %9s %5s %5s\n", "target", "files", "causes", "flagged", "recall", "follow", "unexpl",
		"errors", "confirmed", "precis", "invisible", "dead", "known")
	var tot corpusStats
	for _, tv := range ts {
		s := stats[tv]
		fmt.Fprintf(out, "   %-6s %5d %7d %7d %8s %7d %7d %7d %9d %7s %9d %5d %5d\n", tv, s.Files, s.Causes, s.Matched, pct(s.Matched, s.Causes),
			s.Followons, s.Unexplained, s.Visible, s.Confirmed, pct(s.Confirmed, s.Visible), s.Invisible, s.Dead, s.Known)
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
	}
	fmt.Fprintf(out, "   %-6s %5d %7d %7d %8s %7d %7d %7d %9d %7s %9d %5d %5d\n", "all", tot.Files, tot.Causes, tot.Matched, pct(tot.Matched, tot.Causes),
		tot.Followons, tot.Unexplained, tot.Visible, tot.Confirmed, pct(tot.Confirmed, tot.Visible), tot.Invisible, tot.Dead, tot.Known)
	var codes []string
	for c, n := range invisibleCodes {
		codes = append(codes, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(codes)
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
