// Package headerfacts reads abi/data/headers.tsv, the committed record of
// what real CPython headers (pyenv 3.6 to 3.13, Debian's 3.11) expose per
// Py_LIMITED_API target, written by `go run ./abi/internal/gen -scan`.
// The database generator uses it, and so can tests that compare abi3ls
// with the compiler (the oracle suite) without preprocessing headers again.
package headerfacts

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Form letters of a cell.
const (
	FuncMacro  = 'm' // function-like macro
	SelfMacro  = 'r' // function-like macro whose body calls the same name (wraps a function of that name)
	ConstMacro = 'c' // object-like macro with a constant value
	ObjMacro   = 'o' // other object-like macro
	Inline     = 'i' // function defined in the header (static inline)
	Func       = 'f' // function declaration (an exported symbol)
	Data       = 'd' // variable declaration
	Typedef    = 't' // typedef name
	Tag        = 's' // struct, union or enum tag
	EnumConst  = 'e' // enumeration constant
)

// Set is one header directory that was scanned (a column of the file).
type Set struct {
	Label string // "3.11" or "3.11-debian"
	Minor int    // 11
	Full  string // PY_VERSION, e.g. "3.11.7"
}

// Step says that from target 3.Minor on (Minor 0: the full API, no
// Py_LIMITED_API) the headers expose the name with these form letters;
// Forms is "" when they no longer expose it.
type Step struct {
	Minor int
	Forms string
}

// Name is what every set exposes for one name.
type Name struct {
	Name    string
	Header  string // where the newest set declaring it does
	PythonH bool   // declared by Python.h alone (newest set declaring it)
	Steps   [][]Step
}

// Facts is the whole file.
type Facts struct {
	Sets  []Set
	names map[string]*Name
}

// Read reads the file at path.
func Read(path string) (*Facts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("headerfacts: %w", err)
	}
	defer f.Close()
	facts, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("headerfacts: %s: %w", path, err)
	}
	return facts, nil
}

// Parse reads headers.tsv.
func Parse(r io.Reader) (*Facts, error) {
	facts := &Facts{names: map[string]*Name{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	full := map[string]string{}
	header := false
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if rest, ok := strings.CutPrefix(text, "# "); ok {
			// "... Header sets: 3.6=3.6.15 3.7=3.7.16 ..."
			if _, sets, ok := strings.Cut(rest, "Header sets:"); ok {
				for _, kv := range strings.Fields(sets) {
					if k, v, ok := strings.Cut(kv, "="); ok {
						full[k] = v
					}
				}
			}
			continue
		}
		cols := strings.Split(text, "\t")
		if !header {
			if len(cols) < 4 || cols[0] != "name" || cols[1] != "header" || cols[2] != "python_h" {
				return nil, fmt.Errorf("line %d: want the column header name, header, python_h, sets...", line)
			}
			for _, label := range cols[3:] {
				ver, _, _ := strings.Cut(label, "-")
				maj, mi, ok := parseVer(ver)
				if !ok || maj != 3 {
					return nil, fmt.Errorf("line %d: bad header set %q", line, label)
				}
				facts.Sets = append(facts.Sets, Set{Label: label, Minor: mi, Full: full[label]})
			}
			header = true
			continue
		}
		if len(cols) != 3+len(facts.Sets) {
			return nil, fmt.Errorf("line %d: %d columns, want %d", line, len(cols), 3+len(facts.Sets))
		}
		n := &Name{Name: cols[0], Header: cols[1], PythonH: cols[2] == "yes"}
		for _, c := range cols[3:] {
			steps, err := ParseCell(c)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", line, n.Name, err)
			}
			n.Steps = append(n.Steps, steps)
		}
		facts.names[n.Name] = n
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !header {
		return nil, fmt.Errorf("no column header")
	}
	return facts, nil
}

func parseVer(s string) (int, int, bool) {
	a, b, ok := strings.Cut(s, ".")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return x, y, ok && err1 == nil && err2 == nil
}

// ParseCell reads one cell: "3.2:mri,3.11:i,*:mri".
func ParseCell(cell string) ([]Step, error) {
	if cell == "" {
		return nil, nil
	}
	var out []Step
	for _, part := range strings.Split(cell, ",") {
		t, forms, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("bad cell part %q", part)
		}
		if forms == "-" {
			forms = ""
		}
		if t == "*" {
			out = append(out, Step{0, forms})
			continue
		}
		maj, mi, ok := parseVer(t)
		if !ok || maj != 3 || mi < 2 {
			return nil, fmt.Errorf("bad cell target %q", t)
		}
		out = append(out, Step{mi, forms})
	}
	return out, nil
}

// Lookup returns the facts about name.
func (f *Facts) Lookup(name string) (*Name, bool) { n, ok := f.names[name]; return n, ok }

// Names returns every name, sorted.
func (f *Facts) Names() []string {
	out := make([]string, 0, len(f.names))
	for n := range f.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SetIndex returns the column of the set with this label, or -1.
func (f *Facts) SetIndex(label string) int {
	for i, s := range f.Sets {
		if s.Label == label {
			return i
		}
	}
	return -1
}

// FormsAt returns the form letters set i exposes at Py_LIMITED_API 3.minor
// (minor 0: without Py_LIMITED_API); "" when it does not expose the name.
// Targets above the set's own version behave like its own version.
func (n *Name) FormsAt(i, minor int) string {
	if n == nil || i < 0 || i >= len(n.Steps) {
		return ""
	}
	forms := ""
	for _, s := range n.Steps[i] {
		if minor == 0 {
			if s.Minor == 0 {
				return s.Forms
			}
			forms = s.Forms // the full API keeps the last limited forms unless a * step says otherwise
			continue
		}
		if s.Minor == 0 || s.Minor > minor {
			break
		}
		forms = s.Forms
	}
	return forms
}

// LowestLimited is the lowest target at which set i exposes the name (0
// when only the full API, or nothing, does).
func (n *Name) LowestLimited(i int) int {
	if n == nil || i < 0 || i >= len(n.Steps) {
		return 0
	}
	for _, s := range n.Steps[i] {
		if s.Minor > 0 && s.Forms != "" {
			return s.Minor
		}
	}
	return 0
}

// LowestMacro is the lowest target at which set i provides the name as a
// static inline function or a macro that does not wrap a function of the
// same name: usable without the exported symbol (0 if never).
func (n *Name) LowestMacro(i int) int {
	if n == nil || i < 0 || i >= len(n.Steps) {
		return 0
	}
	for _, s := range n.Steps[i] {
		if s.Minor > 0 && MacroForm(s.Forms) {
			return s.Minor
		}
	}
	return 0
}

// Declared reports whether set i declares the name in any configuration.
func (n *Name) Declared(i int) bool {
	return n != nil && i >= 0 && i < len(n.Steps) && len(n.Steps[i]) > 0
}

// MacroForm reports whether forms provide a name without its exported
// symbol: a static inline definition, or a macro not wrapping a function of
// the same name.
func MacroForm(forms string) bool {
	return strings.ContainsRune(forms, Inline) ||
		strings.ContainsAny(forms, "mco") && !strings.ContainsRune(forms, SelfMacro)
}
