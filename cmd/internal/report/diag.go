// Package report turns analysis results into the command line's output
// formats: gcc-style text, JSON, SARIF 2.1.0 and GitHub Actions workflow
// commands. Positions are 1-based; JSON and text columns count bytes,
// SARIF and GitHub columns count Unicode code points (SARIF's
// "unicodeCodePoints" column kind). End positions are exclusive.
package report

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/cmd/internal/fixer"
)

// Diagnostic is one finding, ready for output. The JSON field names are
// the `check --format json` schema.
type Diagnostic struct {
	File      string    `json:"file"`
	Line      int       `json:"line"`
	Column    int       `json:"column"`
	EndLine   int       `json:"endLine"`
	EndColumn int       `json:"endColumn"`
	Severity  string    `json:"severity"`
	Code      string    `json:"code"`
	Rule      string    `json:"rule"`
	Message   string    `json:"message"`
	Symbol    string    `json:"symbol"`
	URL       string    `json:"url,omitempty"`
	Target    Target    `json:"target"`
	Fix       *Fix      `json:"fix,omitempty"`
	Related   []Related `json:"related,omitempty"`

	// Sev is the severity as a value.
	Sev analysis.Severity `json:"-"`
	// RepoPath is File relative to the repository root (slash path), or
	// "" when the file is outside it.
	RepoPath string `json:"-"`
	// Abs is the absolute path of File.
	Abs string `json:"-"`
	// ColumnCP and EndColumnCP are Column and EndColumn in code points.
	ColumnCP, EndColumnCP int `json:"-"`
	// Source is the text of line Line (no line terminator).
	Source string `json:"-"`
	// Fixable: a safe fix exists; UnsafeFixable: only an unsafe one.
	Fixable, UnsafeFixable bool `json:"-"`
	// sarifFix is Fix with code-point columns.
	sarifFix *Fix
}

// Target is the target that applied to a finding's file, and where it came
// from.
type Target struct {
	// Mode is "abi3", "abi3t" or "audit" (no target).
	Mode string `json:"mode"`
	// Version is the version checked against ("3.10"); empty in audit mode.
	Version string `json:"version,omitempty"`
	// Source is "override" (configuration or --target), "define" (in the
	// file), "header" (a local header), "compile-flags"
	// (compile_commands.json or compile_flags.txt), "build-file", or
	// "none" (audit mode).
	Source string `json:"source"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	// Text is the declaration as written ("Py_LIMITED_API 0x03080000").
	Text string `json:"text,omitempty"`
}

// Fix is a safe fix: its title and its edits.
type Fix struct {
	Title         string `json:"title"`
	Applicability string `json:"applicability"`
	Edits         []Edit `json:"edits"`
}

// Edit replaces the text between two positions of the finding's file.
type Edit struct {
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	NewText   string `json:"newText"`
}

// Related is extra context (e.g. where the target was declared).
type Related struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// FileError is an input that could not be checked.
type FileError struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

// Paths turns absolute paths into the forms the formats show.
type Paths struct {
	Cwd  string // absolute working directory
	Repo string // absolute repository root (SARIF, GitHub)
}

// NewPaths uses the working directory and the repository around it: the
// nearest ancestor holding .git, else the working directory.
func NewPaths() (Paths, error) {
	wd, err := os.Getwd()
	if err != nil {
		return Paths{}, err
	}
	repo := wd
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			repo = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return Paths{Cwd: wd, Repo: repo}, nil
}

// Display is abs relative to the working directory when below it, else abs.
func (p Paths) Display(abs string) string {
	if rel, ok := relBelow(p.Cwd, abs); ok {
		return rel
	}
	return abs
}

// RepoRel is abs as a slash path relative to the repository root, and
// false when abs is outside it.
func (p Paths) RepoRel(abs string) (string, bool) {
	rel, ok := relBelow(p.Repo, abs)
	return filepath.ToSlash(rel), ok
}

func relBelow(root, abs string) (string, bool) {
	if root == "" {
		return "", false
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// File is one analyzed file, the input of Convert.
type File struct {
	Path    string // as shown; empty means Paths.Display(Abs)
	Abs     string // absolute path
	RootDir string // its workspace root (relative locations are below it)
	Src     []byte
	Result  *analysis.Result
}

func (f File) display(p Paths) string {
	if f.Path != "" {
		return f.Path
	}
	return p.Display(f.Abs)
}

// displayLoc shows a location path of f.
func (f File) displayLoc(p Paths, loc string) string {
	if loc == "" {
		return f.display(p)
	}
	return p.Display(f.resolve(loc))
}

// resolve returns the absolute path of a location path of f: empty means
// f itself, relative paths are below the workspace root.
func (f File) resolve(p string) string {
	switch {
	case p == "":
		return f.Abs
	case filepath.IsAbs(p):
		return filepath.Clean(p)
	}
	return filepath.Join(f.RootDir, filepath.FromSlash(p))
}

// maxSourceLine is the longest line shown under a text diagnostic.
const maxSourceLine = 512

// Convert turns f's findings into diagnostics, dropping those switched off
// (SeverityOff). rules gives names by code.
func Convert(p Paths, f File, rules map[string]analysis.Rule) []Diagnostic {
	if f.Result == nil {
		return nil
	}
	idx := NewLineIndex(f.Src)
	file := f.display(p)
	repo, _ := p.RepoRel(f.Abs)
	target := convertTarget(p, f)
	var out []Diagnostic
	for _, fd := range f.Result.Findings {
		if fd.Severity == analysis.SeverityOff {
			continue
		}
		start, end := clampRange(fd.Start, fd.End, len(f.Src))
		sl, sc := idx.Position(start)
		el, ec := idx.Position(end)
		d := Diagnostic{
			File: file, Line: sl, Column: sc, EndLine: el, EndColumn: ec,
			Severity: severityName(fd.Severity), Code: fd.Code, Rule: rules[fd.Code].Name,
			Message: fd.Message, Symbol: fd.Symbol, URL: fd.DocURL, Target: target,
			Sev: fd.Severity, RepoPath: repo, Abs: f.Abs,
			ColumnCP: idx.CodePointColumn(start), EndColumnCP: idx.CodePointColumn(end),
		}
		if line := idx.Line(sl); len(line) <= maxSourceLine {
			d.Source = string(line)
		}
		for _, r := range fd.Related {
			d.Related = append(d.Related, Related{File: f.displayLoc(p, r.Location.Path), Line: r.Location.Line, Message: r.Message})
		}
		for _, fx := range fd.Fixes {
			if fixer.IsSuppression(fx) {
				continue
			}
			switch fx.Applicability {
			case analysis.Safe:
				if !d.Fixable && validEdits(fx.Edits, len(f.Src)) {
					d.Fixable = true
					d.Fix = convertFix(idx, fx, false)
					d.sarifFix = convertFix(idx, fx, true)
				}
			case analysis.Unsafe:
				d.UnsafeFixable = true
			}
		}
		if d.Fixable {
			d.UnsafeFixable = false
		}
		out = append(out, d)
	}
	return out
}

// Sort orders diagnostics by file, position and code.
func Sort(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Code < b.Code
	})
}

func severityName(s analysis.Severity) string {
	if s == analysis.SeverityInformation {
		return "information"
	}
	return s.String()
}

func clampRange(start, end, n int) (int, int) {
	start = max(0, min(start, n))
	end = max(start, min(end, n))
	return start, end
}

func validEdits(edits []analysis.Edit, n int) bool {
	if len(edits) == 0 {
		return false
	}
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > n {
			return false
		}
	}
	return true
}

func convertFix(idx *LineIndex, fx analysis.Fix, codePoints bool) *Fix {
	out := &Fix{Title: fx.Title, Applicability: "safe"}
	for _, e := range fx.Edits {
		sl, sc := idx.Position(e.Start)
		el, ec := idx.Position(e.End)
		if codePoints {
			sc, ec = idx.CodePointColumn(e.Start), idx.CodePointColumn(e.End)
		}
		out.Edits = append(out.Edits, Edit{Line: sl, Column: sc, EndLine: el, EndColumn: ec, NewText: e.NewText})
	}
	return out
}

// convertTarget describes the target of f.
func convertTarget(p Paths, f File) Target {
	ft := f.Result.Target
	t := Target{Source: sourceName(ft.Kind), Text: ft.Text}
	switch {
	case !ft.ABI3T.IsZero():
		t.Mode, t.Version = "abi3t", ft.Effective().String()
	case !ft.Limited.IsZero():
		t.Mode, t.Version = "abi3", ft.Limited.String()
	default:
		t.Mode = "audit"
	}
	switch ft.Kind {
	case analysis.FromDefine, analysis.FromHeader, analysis.FromCompileFlags, analysis.FromBuildFile:
		t.File = f.displayLoc(p, ft.Location.Path)
		t.Line = ft.Location.Line
	}
	return t
}

func sourceName(k analysis.TargetSourceKind) string {
	switch k {
	case analysis.FromOverride:
		return "override"
	case analysis.FromDefine:
		return "define"
	case analysis.FromHeader:
		return "header"
	case analysis.FromCompileFlags:
		return "compile-flags"
	case analysis.FromBuildFile:
		return "build-file"
	}
	return "none"
}

// LineIndex maps byte offsets of a text to lines and columns.
type LineIndex struct {
	src    []byte
	starts []int // byte offset of each line's first byte
}

// NewLineIndex indexes src. Lines end at "\n"; a "\r" before it belongs to
// the line's text for columns but is not shown.
func NewLineIndex(src []byte) *LineIndex {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &LineIndex{src: src, starts: starts}
}

// Position returns the 1-based line and byte column of offset off
// (clamped to the text).
func (x *LineIndex) Position(off int) (line, col int) {
	off = max(0, min(off, len(x.src)))
	i := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off }) - 1
	return i + 1, off - x.starts[i] + 1
}

// CodePointColumn returns the 1-based column of off counted in code points.
func (x *LineIndex) CodePointColumn(off int) int {
	off = max(0, min(off, len(x.src)))
	line, _ := x.Position(off)
	return utf8.RuneCount(x.src[x.starts[line-1]:off]) + 1
}

// Offset returns the byte offset of 1-based line and byte column, clamped
// to the text.
func (x *LineIndex) Offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(x.starts) {
		return len(x.src)
	}
	return max(0, min(x.starts[line-1]+col-1, len(x.src)))
}

// Line returns the text of 1-based line n without its terminator.
func (x *LineIndex) Line(n int) []byte {
	if n < 1 || n > len(x.starts) {
		return nil
	}
	start := x.starts[n-1]
	end := len(x.src)
	if n < len(x.starts) {
		end = x.starts[n] - 1
	}
	line := x.src[start:end]
	return []byte(strings.TrimSuffix(string(line), "\r"))
}
