package oracle

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// corpusFile is one source of testdata/corpus.
type corpusFile struct {
	Path    string // absolute
	Rel     string // relative to the corpus directory
	CPP     bool
	Src     []byte
	Lines   int
	Own     abi.Version // the file's own #define Py_LIMITED_API; zero if none
	OwnLine int         // 1-based line of that define
}

var reOwnDefine = regexp.MustCompile(`(?m)^[ \t]*#[ \t]*define[ \t]+Py_LIMITED_API\b(.*)$`)

// loadCorpus reads every C and C++ source under dir.
func loadCorpus(dir string) ([]corpusFile, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus dir: %w", err)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	var files []corpusFile
	for _, e := range entries {
		lang := grammars.ForPath(e.Name())
		if e.IsDir() || lang == grammars.Unknown {
			continue
		}
		p := filepath.Join(abs, e.Name())
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		f := corpusFile{Path: p, Rel: e.Name(), CPP: lang == grammars.CPP, Src: src, Lines: bytes.Count(src, []byte("\n"))}
		if loc := reOwnDefine.FindSubmatchIndex(src); loc != nil {
			v, err := abi.ParseLimitedAPI(strings.TrimSpace(string(src[loc[2]:loc[3]])))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name(), err)
			}
			f.Own = v
			f.OwnLine = bytes.Count(src[:loc[0]], []byte("\n")) + 1
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no sources in %s", abs)
	}
	return files, nil
}

// withoutOwnDefine returns the source with its Py_LIMITED_API define
// blanked (line numbers unchanged): the file's build without the Limited API.
func (f corpusFile) withoutOwnDefine() []byte {
	if f.Own.IsZero() {
		return f.Src
	}
	lines := bytes.SplitAfter(f.Src, []byte("\n"))
	out := make([]byte, 0, len(f.Src))
	for i, l := range lines {
		if i+1 == f.OwnLine {
			out = append(out, '\n')
			continue
		}
		out = append(out, l...)
	}
	return out
}

// diagLines are the lines of the corpus file a diagnostic points at: its
// own location and its notes' (macro definitions and expansions).
func diagLines(d diagnostic, file string) []int {
	var out []int
	if d.File == file {
		out = append(out, d.Line)
	}
	for _, n := range d.Notes {
		if n.File == file {
			out = append(out, n.Line)
		}
	}
	return out
}

func diagKey(d diagnostic) string { return fmt.Sprintf("%d\x00%s\x00%s", d.Line, d.Kind, d.Message) }

// limitedOnly returns the diagnostics of lim that the build without the
// Limited API (base) does not have.
func limitedOnly(lim, base []diagnostic) []diagnostic {
	seen := map[string]int{}
	for _, d := range base {
		seen[diagKey(d)]++
	}
	var out []diagnostic
	for _, d := range lim {
		if k := diagKey(d); seen[k] > 0 {
			seen[k]--
			continue
		}
		out = append(out, d)
	}
	return out
}

// liveLines runs the preprocessor and returns the corpus file's lines that
// survive it (code in dead #if branches does not).
func liveLines(ctx context.Context, cc *compiler, f corpusFile, h headerSet, defines []string, path string) (map[int]bool, error) {
	out, _, err := cc.run(ctx, job{CPP: f.CPP, Path: path, Includes: []string{h.Dir}, Defines: defines, Preprocess: true})
	if err != nil {
		return nil, err
	}
	live := map[int]bool{}
	cur, line := "", 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		text := sc.Text()
		if m := reLinemarker.FindStringSubmatch(text); m != nil {
			cur = m[2]
			fmt.Sscan(m[1], &line)
			continue
		}
		if cur == path && strings.TrimSpace(text) != "" {
			live[line] = true
		}
		line++
	}
	return live, sc.Err()
}

// lineIndex maps byte offsets of a source to 1-based lines.
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range src {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (li lineIndex) line(off int) int { return sort.SearchInts(li, off+1) }

// identifiersOnLine returns the identifiers of a source line.
func identifiersOnLine(src []byte, li lineIndex, line int) []string {
	if line < 1 || line > len(li) {
		return nil
	}
	start := li[line-1]
	end := len(src)
	if line < len(li) {
		end = li[line]
	}
	return reIdent.FindAllString(string(src[start:end]), -1)
}

// ruleVisible says whether the compiler can see a rule's findings.
func ruleVisible(code string) bool {
	switch code {
	case "ABI006", "ABI009", "ABI010":
		return false
	case "ABI003":
		return true // decided per name: see corpusOracle
	}
	if r, ok := analysis.RuleByCode(code); ok {
		return r.CompilerVisible
	}
	return true
}

// unit is a declaration or function definition at file (or namespace)
// scope: the span the compiler's error recovery works in.
type unit struct {
	Start, End int  // 1-based lines, inclusive
	Func       bool // a function definition
	BodyStart  int  // first line of the body, for a function
}

// units lists the file-scope declarations and function definitions of a
// source, looking inside #if blocks, namespaces and extern "C" blocks.
func units(pool *grammars.Pool, lang grammars.Lang, src []byte) ([]unit, error) {
	tree, err := pool.Parse(lang, src, nil)
	if err != nil {
		return nil, err
	}
	defer tree.Close()
	var out []unit
	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		for i := uint(0); i < n.NamedChildCount(); i++ {
			c := n.NamedChild(i)
			switch c.Kind() {
			case "function_definition":
				u := unit{Start: int(c.StartPosition().Row) + 1, End: int(c.EndPosition().Row) + 1, Func: true}
				u.BodyStart = u.End
				if body := c.ChildByFieldName("body"); body != nil {
					u.BodyStart = int(body.StartPosition().Row) + 1
				}
				out = append(out, u)
			case "declaration", "type_definition", "struct_specifier", "enum_specifier", "union_specifier":
				out = append(out, unit{Start: int(c.StartPosition().Row) + 1, End: int(c.EndPosition().Row) + 1})
			case "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef",
				"namespace_definition", "declaration_list", "linkage_specification", "template_declaration":
				walk(c)
			}
		}
	}
	walk(tree.RootNode())
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out, nil
}

// unitAt returns the innermost unit containing line, or nil.
func unitAt(us []unit, line int) *unit {
	var best *unit
	for i := range us {
		u := &us[i]
		if u.Start <= line && line <= u.End && (best == nil || u.Start >= best.Start) {
			best = u
		}
	}
	return best
}

var reDeclFailed = regexp.MustCompile(`^(?:variable '([A-Za-z_]\w*)' has initializer but incomplete type|storage size of '([A-Za-z_]\w*)' isn't known|aggregate '[^']*?([A-Za-z_]\w*)' has incomplete type|'([A-Za-z_]\w*)' has incomplete type|field '([A-Za-z_]\w*)' has incomplete type)`)

// failedVariable returns the variable a declaration error is about
// ("storage size of 'x' isn't known"): later uses of it get no diagnostics.
func failedVariable(msg string) string {
	m := reDeclFailed.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return ""
}

var reMacroNote = regexp.MustCompile(`in (?:definition|expansion) of macro '([A-Za-z_]\w*)'`)

// macroNames returns the macros a diagnostic's notes name.
func macroNames(d diagnostic) []string {
	var out []string
	for _, n := range d.Notes {
		if m := reMacroNote.FindStringSubmatch(n.Message); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}
