package analysis

// The marker-test runner: every testdata/*.txtar archive holds C/C++ files
// whose expected findings sit next to the code as comments,
//
//	x = Py_TYPE(o)->tp_name;   /* want ABI004 "tp_name" */
//	/* want ABI002:error "PyType_GetName" ~"only since 3.11" */
//
// CODE[:severity] "source text of the finding's range" [~"message substring"].
// Every finding must match exactly one expectation on its line and vice
// versa. Optional sections:
//
//	-- config --        key = value lines: target, abi3t, audit, audit-severity,
//	                    severity.ABI006, select, ignore, analyze (files to analyze)
//	-- project --       workspace declarations, one per line:
//	                    build|flags|file:REL  SOURCE  PATH  LINE  TARGET  TEXT...
//	-- NAME.fixed --    golden: NAME after applying every safe fix (fix-all)
//	-- NAME.unsafe --   golden: NAME after applying every fix except suppressions
//	-- NAME.min --      golden: the minimum target of NAME
//
// `go test ./analysis -update` rewrites the goldens (never the expectations).

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/project"
	"github.com/abi3ls/abi3ls/grammars"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden sections and files")

func newTestAnalyzer(t testing.TB) *Analyzer {
	pool := grammars.NewPool()
	t.Cleanup(pool.Close)
	return &Analyzer{DB: abi.Default(), Parse: pool}
}

// fixture is one parsed txtar archive.
type fixture struct {
	path    string
	archive *txtar.Archive
	files   map[string][]byte
	config  Config
	analyze []string
	project *project.Facts
}

func loadFixtures(t *testing.T) []*fixture {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no fixtures in testdata/")
	}
	var out []*fixture
	for _, p := range paths {
		fx, err := parseFixture(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, fx)
	}
	return out
}

func parseFixture(p string) (*fixture, error) {
	ar, err := txtar.ParseFile(p)
	if err != nil {
		return nil, fmt.Errorf("parse fixture: %w", err)
	}
	fx := &fixture{path: p, archive: ar, files: map[string][]byte{}}
	for _, f := range ar.Files {
		switch {
		case f.Name == "config":
			if err := fx.parseConfig(string(f.Data)); err != nil {
				return nil, err
			}
		case f.Name == "project":
			if err := fx.parseProject(string(f.Data)); err != nil {
				return nil, err
			}
		case strings.HasSuffix(f.Name, ".fixed"), strings.HasSuffix(f.Name, ".unsafe"), strings.HasSuffix(f.Name, ".min"):
		default:
			fx.files[f.Name] = f.Data
		}
	}
	if fx.analyze == nil {
		for name := range fx.files {
			if grammars.IsSource(name) {
				fx.analyze = append(fx.analyze, name)
			}
		}
		sort.Strings(fx.analyze)
	}
	return fx, nil
}

func parseTarget(s string) (abi.Target, error) {
	s = strings.TrimSpace(s)
	if v, ok := strings.CutPrefix(s, "abi3t "); ok {
		ver, err := testVersion(v)
		return abi.Target{ABI3T: ver}, err
	}
	ver, err := testVersion(s)
	return abi.Target{Limited: ver}, err
}

// testVersion parses "3.10" without depending on abi.ParseVersion.
func testVersion(s string) (abi.Version, error) {
	maj, min, ok := strings.Cut(strings.TrimSpace(s), ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if !ok || err1 != nil || err2 != nil {
		return abi.Version{}, fmt.Errorf("bad version %q", s)
	}
	return abi.V(a, b), nil
}

func parseSeverity(s string) (Severity, error) {
	for _, sev := range []Severity{SeverityOff, SeverityError, SeverityWarning, SeverityInformation, SeverityHint} {
		if sev.String() == s {
			return sev, nil
		}
	}
	return 0, fmt.Errorf("bad severity %q", s)
}

func (fx *fixture) parseConfig(s string) error {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("config line %q", line)
		}
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		switch {
		case k == "target":
			t, err := parseTarget(v)
			if err != nil {
				return err
			}
			fx.config.Target.Limited = t.Limited
		case k == "abi3t":
			ver, err := testVersion(v)
			if err != nil {
				return err
			}
			fx.config.Target.ABI3T = ver
		case k == "audit":
			fx.config.Audit = v == "true"
		case k == "audit-off":
			fx.config.AuditOff = v == "true"
		case k == "audit-severity":
			sev, err := parseSeverity(v)
			if err != nil {
				return err
			}
			fx.config.AuditSeverity = sev
		case strings.HasPrefix(k, "severity."):
			sev, err := parseSeverity(v)
			if err != nil {
				return err
			}
			if fx.config.Severity == nil {
				fx.config.Severity = map[string]Severity{}
			}
			fx.config.Severity[strings.TrimPrefix(k, "severity.")] = sev
		case k == "select":
			fx.config.Select = strings.Fields(strings.ReplaceAll(v, ",", " "))
		case k == "ignore":
			fx.config.Ignore = strings.Fields(strings.ReplaceAll(v, ",", " "))
		case k == "analyze":
			fx.analyze = strings.Fields(strings.ReplaceAll(v, ",", " "))
		default:
			return fmt.Errorf("unknown config key %q", k)
		}
	}
	return nil
}

// parseProject reads `KIND SOURCE PATH LINE TARGET TEXT...` lines, TARGET
// being "3.8" or "abi3t-3.15".
func (fx *fixture) parseProject(s string) error {
	facts := &project.Facts{Root: "/ws", PerFile: map[string]project.Declaration{}}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			return fmt.Errorf("project line %q", line)
		}
		n, err := strconv.Atoi(f[3])
		if err != nil {
			return fmt.Errorf("project line %q: %w", line, err)
		}
		t, err := parseTarget(strings.Replace(f[4], "abi3t-", "abi3t ", 1))
		if err != nil {
			return err
		}
		_, text, _ := strings.Cut(line, f[4]+" ")
		d := project.Declaration{Target: t, Source: f[1], Path: f[2], Line: n, Text: strings.TrimSpace(text)}
		switch {
		case f[0] == "build":
			facts.Build = append(facts.Build, d)
		case f[0] == "flags":
			facts.Flags = &d
		case strings.HasPrefix(f[0], "file:"):
			facts.PerFile[strings.TrimPrefix(f[0], "file:")] = d
		default:
			return fmt.Errorf("project line %q: kind", line)
		}
	}
	fx.project = facts
	return nil
}

// Include resolves local headers inside the archive.
func (fx *fixture) Include(from, name string) (string, []byte, bool) {
	from = strings.TrimPrefix(from, "/ws/")
	for _, c := range []string{path.Join(path.Dir(from), name), name, path.Join("include", name)} {
		if b, ok := fx.files[c]; ok {
			return "/ws/" + c, b, true
		}
	}
	return "", nil, false
}

func (fx *fixture) input(name string, src []byte) Input {
	return Input{
		Path:     "/ws/" + name,
		Lang:     grammars.ForPath(name),
		Src:      src,
		Project:  fx.project,
		Includes: fx,
		Config:   fx.config,
	}
}

// want is one expectation.
type want struct {
	line    int
	code    string
	sev     string
	text    string
	msg     string
	matched bool
}

var (
	wantComment = regexp.MustCompile(`/\*\s*want\s+(.*?)\*/`)
	wantItem    = regexp.MustCompile(`(ABI\d{3})(?::(\w+))?\s+"((?:[^"\\]|\\.)*)"(?:\s+~"((?:[^"\\]|\\.)*)")?`)
)

func parseWants(src []byte) []*want {
	var ws []*want
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range wantComment.FindAllStringSubmatch(line, -1) {
			for _, it := range wantItem.FindAllStringSubmatch(m[1], -1) {
				text, _ := strconv.Unquote(`"` + it[3] + `"`)
				msg, _ := strconv.Unquote(`"` + it[4] + `"`)
				ws = append(ws, &want{line: i + 1, code: it[1], sev: it[2], text: text, msg: msg})
			}
		}
	}
	return ws
}

func TestFixtures(t *testing.T) {
	a := newTestAnalyzer(t)
	var snapshot []string
	for _, fx := range loadFixtures(t) {
		fx := fx
		t.Run(strings.TrimSuffix(filepath.Base(fx.path), ".txtar"), func(t *testing.T) {
			changed := false
			for _, name := range fx.analyze {
				src, ok := fx.files[name]
				if !ok {
					t.Fatalf("analyze: no file %s", name)
				}
				res, err := a.Analyze(context.Background(), fx.input(name, src))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				checkWants(t, name, src, res)
				for _, f := range res.Findings {
					ln, col := lineCol(src, f.Start)
					snapshot = append(snapshot, fmt.Sprintf("%s/%s:%d:%d: %s %s [%s] %s",
						filepath.Base(fx.path), name, ln, col, f.Code, f.Severity, f.Symbol, f.Message))
				}
				for _, kind := range []string{"fixed", "unsafe", "min"} {
					sec := name + "." + kind
					idx := sectionIndex(fx.archive, sec)
					if idx < 0 {
						continue
					}
					var got []byte
					switch kind {
					case "fixed":
						got = applyFixAll(t, a, fx, name, src, func(f Fix) bool { return f.Applicability == Safe })
					case "unsafe":
						got = applyFixAll(t, a, fx, name, src, func(f Fix) bool { return !strings.HasPrefix(f.Title, "Ignore ") })
					case "min":
						got = []byte(describeMin(res) + "\n")
					}
					if *update {
						if !bytes.Equal(fx.archive.Files[idx].Data, got) {
							fx.archive.Files[idx].Data = got
							changed = true
						}
						continue
					}
					if diff := cmp.Diff(string(fx.archive.Files[idx].Data), string(got)); diff != "" {
						t.Errorf("%s (-golden +got):\n%s", sec, diff)
					}
				}
			}
			if changed {
				if err := os.WriteFile(fx.path, txtar.Format(fx.archive), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	// Snapshot of every message, in fixture order.
	got := strings.Join(snapshot, "\n") + "\n"
	const golden = "testdata/messages.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("messages snapshot (-golden +got):\n%s", diff)
	}
}

func sectionIndex(ar *txtar.Archive, name string) int {
	for i, f := range ar.Files {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func describeMin(res *Result) string {
	var b strings.Builder
	if res.Min.Version.IsZero() {
		b.WriteString("version: 3.2 (no versioned API)")
	} else {
		fmt.Fprintf(&b, "version: %s (pinned by %s, line %d)", res.Min.Version, res.Min.Symbol, res.Min.At.Line)
	}
	for _, bl := range res.Min.Blockers {
		fmt.Fprintf(&b, "\nblocker: %s %s line %d", bl.Code, bl.Symbol, bl.At.Line)
	}
	fmt.Fprintf(&b, "\ntarget: %s from %d", res.Target.Target, res.Target.Kind)
	return b.String()
}

func lineCol(src []byte, off int) (int, int) {
	ls := lineStarts(src)
	l := lineOf(ls, off)
	return l, off - ls[l-1] + 1
}

func checkWants(t *testing.T, name string, src []byte, res *Result) {
	t.Helper()
	wants := parseWants(src)
	for _, f := range res.Findings {
		if f.Start < 0 || f.End > len(src) || f.Start > f.End {
			t.Errorf("%s: finding %s has bad range [%d,%d)", name, f.Code, f.Start, f.End)
			continue
		}
		ln, col := lineCol(src, f.Start)
		text := string(src[f.Start:f.End])
		var hit *want
		for _, w := range wants {
			if w.matched || w.line != ln || w.code != f.Code || w.text != text {
				continue
			}
			if w.sev != "" && w.sev != f.Severity.String() {
				continue
			}
			if w.msg != "" && !strings.Contains(f.Message, w.msg) {
				continue
			}
			hit = w
			break
		}
		if hit == nil {
			t.Errorf("%s:%d:%d: unexpected %s %s %q: %s", name, ln, col, f.Code, f.Severity, text, f.Message)
			continue
		}
		hit.matched = true
	}
	for _, w := range wants {
		if !w.matched {
			t.Errorf("%s:%d: missing %s %q (sev %q msg %q)", name, w.line, w.code, w.text, w.sev, w.msg)
		}
	}
}

// applyFixes applies the non-overlapping edits of the chosen fixes, first
// come first served, and says whether anything changed.
func applyFixes(src []byte, res *Result, choose func(Fix) bool) ([]byte, bool) {
	var edits []Edit
	taken := func(e Edit) bool {
		for _, x := range edits {
			if e.Start < x.End && x.Start < e.End || (e.Start == x.Start && e.End == x.End) ||
				(e.Start == e.End && x.Start < e.Start && e.Start < x.End) ||
				(x.Start == x.End && e.Start < x.Start && x.Start < e.End) {
				return true
			}
		}
		return false
	}
	for _, f := range res.Findings {
		for _, fix := range f.Fixes {
			if !choose(fix) {
				continue
			}
			ok := true
			for _, e := range fix.Edits {
				if taken(e) {
					ok = false
				}
			}
			if ok {
				edits = append(edits, fix.Edits...)
			}
			break // one fix per finding
		}
	}
	if len(edits) == 0 {
		return src, false
	}
	return applyEdits(src, edits), true
}

func applyEdits(src []byte, edits []Edit) []byte {
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start > sorted[j].Start })
	out := append([]byte(nil), src...)
	for _, e := range sorted {
		out = append(out[:e.Start:e.Start], append([]byte(e.NewText), out[e.End:]...)...)
	}
	return out
}

// applyFixAll applies chosen fixes and re-analyzes until nothing changes.
func applyFixAll(t *testing.T, a *Analyzer, fx *fixture, name string, src []byte, choose func(Fix) bool) []byte {
	t.Helper()
	cur := src
	for round := 0; round < 8; round++ {
		res, err := a.Analyze(context.Background(), fx.input(name, cur))
		if err != nil {
			t.Fatal(err)
		}
		next, changed := applyFixes(cur, res, choose)
		if !changed {
			return cur
		}
		cur = next
	}
	t.Errorf("%s: fixes did not converge in 8 rounds", name)
	return cur
}
