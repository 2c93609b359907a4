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
	"strconv"
	"strings"

	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// declKind is how a header declares a name. Lower values win when a name
// is declared several ways: a function-like macro is what code calls even
// when a function of the same name exists behind it.
type declKind int

const (
	kFuncMacro declKind = iota // #define NAME(args)
	kObjMacro                  // #define NAME value
	kFunction                  // extern or static inline function
	kData                      // extern variable
	kTypedef                   // typedef name
	kEnumConst                 // enumerator
	kStructTag                 // struct/union/enum tag without a typedef of the same name
)

func (k declKind) String() string {
	return [...]string{"function-like macro", "macro", "function", "data", "typedef", "enum constant", "struct tag"}[k]
}

// declared is one public name a header set declares.
type declared struct {
	Name     string
	Kind     declKind // the preferred kind (see declKind)
	Kinds    map[declKind]bool
	Arity    int  // parameters of a function-like macro
	Variadic bool // function-like macro with "..."
	Inline   bool // a static inline function (no exported symbol)
	Header   string
	Body     string // macro replacement text
	Tag      string // "struct", "union" or "enum" for a kStructTag
}

// publicHeaders are included by every name probe, after Python.h, when the
// header set has them: the public headers Python.h does not include.
var publicHeaders = []string{"structmember.h", "frameobject.h", "datetime.h", "marshal.h", "pythread.h"}

// headerPrelude is the #include block every probe translation unit starts
// with. PY_SSIZE_T_CLEAN is not defined: the probes test the headers' plain
// configuration (with it, Py_LIMITED_API below 3.3 leaves PyArg_ParseTuple
// & co. mapped to undeclared _SizeT functions; the corpus shows that case).
func headerPrelude(h headerSet) string {
	var b strings.Builder
	b.WriteString("#include <Python.h>\n")
	for _, name := range publicHeaders {
		if fileExists(filepath.Join(h.Dir, name)) {
			fmt.Fprintf(&b, "#include <%s>\n", name)
		}
	}
	return b.String()
}

var (
	reLinemarker = regexp.MustCompile(`^# (\d+) "([^"]*)"`)
	reDefine     = regexp.MustCompile(`^#define ([A-Za-z_][A-Za-z0-9_]*)(\(([^)]*)\))?\s?(.*)$`)
	reUndef      = regexp.MustCompile(`^#undef ([A-Za-z_][A-Za-z0-9_]*)`)
	reGuard      = regexp.MustCompile(`_H_?_?$`)
)

// inHeaderSet reports whether file (as gcc names it) belongs to the header
// set, excluding pyconfig.h (build configuration, not C API).
func inHeaderSet(h headerSet, file string) bool {
	if !strings.HasPrefix(file, h.Dir+"/") {
		return false
	}
	return filepath.Base(file) != "pyconfig.h"
}

// extractNames lists the public names (no leading underscore) the header
// set declares without Py_LIMITED_API: macros from `gcc -E -dD`, other
// declarations from a tree-sitter parse of the preprocessed text. config
// holds the macros of pyconfig.h, which are not probed.
func extractNames(ctx context.Context, cc *compiler, pool *grammars.Pool, h headerSet) (names map[string]*declared, config map[string]bool, err error) {
	out, diags, err := cc.run(ctx, job{Src: []byte(headerPrelude(h)), Includes: []string{h.Dir}, Preprocess: true})
	if err != nil {
		return nil, nil, fmt.Errorf("preprocess %s: %w", h.Label, err)
	}
	for _, d := range diags {
		if d.isError() {
			return nil, nil, fmt.Errorf("preprocess %s: %s:%d: %s", h.Label, d.File, d.Line, d.Message)
		}
	}
	names = map[string]*declared{}
	config = map[string]bool{}
	add := func(name string, k declKind, file string) *declared {
		if strings.HasPrefix(name, "_") || name == "" {
			return nil
		}
		d := names[name]
		if d == nil {
			d = &declared{Name: name, Kind: k, Kinds: map[declKind]bool{}, Header: strings.TrimPrefix(file, h.Dir+"/")}
			names[name] = d
		}
		d.Kinds[k] = true
		if k < d.Kind {
			d.Kind = k
		}
		return d
	}

	// Split the output into macros (kept) and code (parsed below); code
	// lines remember the file they came from.
	var code bytes.Buffer
	var codeFiles []string
	file := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := reLinemarker.FindStringSubmatch(line); m != nil {
			file = m[2]
			code.WriteByte('\n')
			codeFiles = append(codeFiles, "")
			continue
		}
		if strings.HasPrefix(line, "#") {
			if filepath.Base(file) == "pyconfig.h" {
				if m := reDefine.FindStringSubmatch(line); m != nil {
					config[m[1]] = true
				}
			}
			if inHeaderSet(h, file) {
				if m := reDefine.FindStringSubmatch(line); m != nil {
					name, params, body := m[1], m[3], strings.TrimSpace(m[4])
					if m[2] == "" && body == "" && reGuard.MatchString(name) {
						// include guard
					} else if m[2] != "" {
						if d := add(name, kFuncMacro, file); d != nil {
							d.Arity, d.Variadic = macroArity(params)
							d.Body = body
						}
					} else if d := add(name, kObjMacro, file); d != nil && d.Body == "" {
						d.Body = body
					}
				} else if m := reUndef.FindStringSubmatch(line); m != nil {
					if d := names[m[1]]; d != nil {
						delete(d.Kinds, kFuncMacro)
						delete(d.Kinds, kObjMacro)
						if len(d.Kinds) == 0 {
							delete(names, m[1])
						} else {
							d.Kind = minKind(d.Kinds)
						}
					}
				}
			}
			code.WriteByte('\n')
			codeFiles = append(codeFiles, "")
			continue
		}
		code.WriteString(line)
		code.WriteByte('\n')
		codeFiles = append(codeFiles, file)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read preprocessed %s: %w", h.Label, err)
	}

	src := code.Bytes()
	tree, err := pool.Parse(grammars.C, src, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("parse preprocessed %s: %w", h.Label, err)
	}
	defer tree.Close()
	root := tree.RootNode()
	tags := map[string][2]string{} // struct tags -> file, keyword; added after typedefs are known
	for i := uint(0); i < root.NamedChildCount(); i++ {
		n := root.NamedChild(i)
		row := int(n.StartPosition().Row)
		if row >= len(codeFiles) || !inHeaderSet(h, codeFiles[row]) {
			continue
		}
		f := codeFiles[row]
		for _, decl := range topLevelNames(n, src) {
			if decl.kind == kStructTag {
				tags[decl.name] = [2]string{f, decl.tag}
				continue
			}
			if d := add(decl.name, decl.kind, f); d != nil && decl.inline {
				d.Inline = true
			}
		}
	}
	for tag, ft := range tags {
		if names[tag] == nil {
			if d := add(tag, kStructTag, ft[0]); d != nil {
				d.Tag = ft[1]
			}
		}
	}
	return names, config, nil
}

func minKind(ks map[declKind]bool) declKind {
	best := kStructTag
	for k := range ks {
		if k < best {
			best = k
		}
	}
	return best
}

// macroArity counts a macro's parameters.
func macroArity(params string) (int, bool) {
	params = strings.TrimSpace(params)
	if params == "" {
		return 0, false
	}
	parts := strings.Split(params, ",")
	last := strings.TrimSpace(parts[len(parts)-1])
	if last == "..." {
		return len(parts) - 1, true
	}
	if strings.HasSuffix(last, "...") {
		return len(parts), true
	}
	return len(parts), false
}

type topName struct {
	name   string
	kind   declKind
	inline bool
	tag    string
}

// topLevelNames returns the names a top-level node declares.
func topLevelNames(n *sitter.Node, src []byte) []topName {
	var out []topName
	typeNames := func(t *sitter.Node) {
		if t == nil {
			return
		}
		switch t.Kind() {
		case "struct_specifier", "union_specifier", "enum_specifier":
			if name := t.ChildByFieldName("name"); name != nil {
				out = append(out, topName{name: name.Utf8Text(src), kind: kStructTag, tag: strings.TrimSuffix(t.Kind(), "_specifier")})
			}
			if t.Kind() == "enum_specifier" {
				if body := t.ChildByFieldName("body"); body != nil {
					for i := uint(0); i < body.NamedChildCount(); i++ {
						e := body.NamedChild(i)
						if e.Kind() == "enumerator" {
							if name := e.ChildByFieldName("name"); name != nil {
								out = append(out, topName{name: name.Utf8Text(src), kind: kEnumConst})
							}
						}
					}
				}
			}
		}
	}
	switch n.Kind() {
	case "declaration":
		typeNames(n.ChildByFieldName("type"))
		// An attribute before `typedef` (Py_DEPRECATED(3.13) typedef ...)
		// makes the grammar see a declaration.
		isTypedef := false
		if ty := n.ChildByFieldName("type"); ty != nil && ty.Utf8Text(src) == "typedef" {
			isTypedef = true
		}
		for i := uint(0); i < n.ChildCount(); i++ {
			if c := n.Child(i); c.Kind() == "typedef" || (c.Kind() == "ERROR" && strings.Contains(c.Utf8Text(src), "typedef")) {
				isTypedef = true
			}
		}
		for _, d := range fieldChildren(n, "declarator") {
			name, isFunc := declaratorName(d, src)
			if name == "" {
				continue
			}
			if isTypedef {
				out = append(out, topName{name: name, kind: kTypedef})
				continue
			}
			if isFunc {
				out = append(out, topName{name: name, kind: kFunction, inline: hasStorage(n, src, "static")})
			} else {
				out = append(out, topName{name: name, kind: kData})
			}
		}
	case "type_definition":
		typeNames(n.ChildByFieldName("type"))
		for _, d := range fieldChildren(n, "declarator") {
			if name, _ := declaratorName(d, src); name != "" {
				out = append(out, topName{name: name, kind: kTypedef})
			}
		}
	case "function_definition":
		typeNames(n.ChildByFieldName("type"))
		if name, isFunc := declaratorName(n.ChildByFieldName("declarator"), src); name != "" && isFunc {
			out = append(out, topName{name: name, kind: kFunction, inline: true})
		}
	case "struct_specifier", "union_specifier", "enum_specifier":
		typeNames(n)
	}
	return out
}

func fieldChildren(n *sitter.Node, field string) []*sitter.Node {
	var out []*sitter.Node
	for i := uint(0); i < n.ChildCount(); i++ {
		if n.FieldNameForChild(uint32(i)) == field {
			out = append(out, n.Child(i))
		}
	}
	return out
}

func hasStorage(n *sitter.Node, src []byte, class string) bool {
	for i := uint(0); i < n.NamedChildCount(); i++ {
		c := n.NamedChild(i)
		if c.Kind() == "storage_class_specifier" && c.Utf8Text(src) == class {
			return true
		}
	}
	return false
}

// declaratorName unwraps a declarator to the declared identifier. isFunc
// is true when the outermost non-pointer declarator is a function
// declarator applied directly to the name (a function, not a pointer to
// one).
func declaratorName(d *sitter.Node, src []byte) (string, bool) {
	isFunc := false
	for d != nil {
		switch d.Kind() {
		case "identifier", "type_identifier", "field_identifier", "primitive_type":
			return d.Utf8Text(src), isFunc
		case "init_declarator":
			d = d.ChildByFieldName("declarator")
			continue
		case "function_declarator":
			inner := d.ChildByFieldName("declarator")
			if inner != nil && (inner.Kind() == "identifier" || inner.Kind() == "type_identifier" || inner.Kind() == "attributed_declarator") {
				isFunc = true
			}
			d = inner
		case "pointer_declarator", "array_declarator":
			d = d.ChildByFieldName("declarator")
		case "parenthesized_declarator", "attributed_declarator":
			if d.NamedChildCount() == 0 {
				return "", false
			}
			d = d.NamedChild(0)
		default:
			return "", false
		}
	}
	return "", false
}

// sortedNames returns the keys of m in order.
func sortedNames[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func itoa(i int) string { return strconv.Itoa(i) }

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
