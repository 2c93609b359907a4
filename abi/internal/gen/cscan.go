package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/abi3ls/abi3ls/abi/headerfacts"
)

// This file reads the output of `gcc -E -dD` (preprocessed C with line
// markers and the #define/#undef lines kept in place) and lists the names
// declared in one directory of headers: macros, functions (declared or
// defined static inline), variables, typedefs, struct/union/enum tags and
// enumeration constants. It is a declaration scanner, not a C parser: it
// needs only file-scope structure, which headers keep simple.

// Form letters, as written in headers.tsv.
const (
	formFuncMacro  = headerfacts.FuncMacro
	formSelfMacro  = headerfacts.SelfMacro
	formConstMacro = headerfacts.ConstMacro
	formObjMacro   = headerfacts.ObjMacro
	formInline     = headerfacts.Inline
	formFunc       = headerfacts.Func
	formData       = headerfacts.Data
	formTypedef    = headerfacts.Typedef
	formTag        = headerfacts.Tag
	formEnumConst  = headerfacts.EnumConst
)

// declared is what one preprocessor run exposes: name -> set of form letters
// and the header (relative to the include directory) of the first
// declaration.
type declared struct {
	forms  map[string]string
	header map[string]string
}

func newDeclared() *declared {
	return &declared{forms: map[string]string{}, header: map[string]string{}}
}

func (d *declared) add(name string, form byte, header string) {
	f := d.forms[name]
	if strings.IndexByte(f, form) < 0 {
		d.forms[name] = sortForms(f + string(form))
	}
	if _, ok := d.header[name]; !ok {
		d.header[name] = header
	}
}

// sortForms orders form letters canonically so equal sets compare equal.
func sortForms(f string) string {
	const order = "mrcoifdtse"
	var b strings.Builder
	for i := 0; i < len(order); i++ {
		if strings.IndexByte(f, order[i]) >= 0 {
			b.WriteByte(order[i])
		}
	}
	return b.String()
}

// token is one C token of the preprocessed text.
type token struct {
	text string
	file string // header relative to the include dir; "" outside it
}

// scanPreprocessed reads `gcc -E -dD` output. incDir is the include
// directory whose declarations count (others, like libc's, are skipped).
func scanPreprocessed(r io.Reader, incDir string) (*declared, error) {
	d := newDeclared()
	macros := map[string]struct {
		forms  string
		header string
	}{}
	var toks []token
	cur := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		trim := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(trim, "#") {
			dir := strings.TrimLeft(trim[1:], " \t")
			switch {
			case strings.HasPrefix(dir, "define ") || strings.HasPrefix(dir, "define\t"):
				if cur == "" {
					continue
				}
				name, forms := parseDefine(dir[len("define"):])
				if name == "" || isIncludeGuard(name, forms, dir) {
					continue
				}
				macros[name] = struct {
					forms  string
					header string
				}{forms, cur}
			case strings.HasPrefix(dir, "undef "):
				delete(macros, strings.TrimSpace(dir[len("undef"):]))
			case len(dir) > 0 && dir[0] >= '0' && dir[0] <= '9':
				cur = markerFile(dir, incDir)
			}
			continue
		}
		if cur == "" {
			// Still tokenize to keep brace structure right across files?
			// Declarations never span headers, so outside text is dropped.
			toks = append(toks, token{text: "\x00"}) // boundary
			continue
		}
		if err := tokenize(line, cur, &toks); err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading preprocessor output: %w", err)
	}
	for name, m := range macros {
		for i := 0; i < len(m.forms); i++ {
			d.add(name, m.forms[i], m.header)
		}
	}
	scanDecls(toks, d)
	return d, nil
}

// markerFile returns the header named by a line marker (`# 12 "file" 2`)
// relative to incDir, or "" when it is outside incDir.
func markerFile(dir, incDir string) string {
	q := strings.IndexByte(dir, '"')
	if q < 0 {
		return ""
	}
	end := strings.LastIndexByte(dir, '"')
	if end <= q {
		return ""
	}
	name, err := strconv.Unquote(dir[q : end+1])
	if err != nil {
		name = dir[q+1 : end]
	}
	rel, err := filepath.Rel(incDir, name)
	if err != nil || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return ""
	}
	rel = filepath.ToSlash(rel)
	if rel == "pyconfig.h" || strings.HasPrefix(rel, "internal/") {
		return ""
	}
	return rel
}

// parseDefine splits the text after "#define" into the macro name and its
// form letters: m (plus r when the body calls the macro's own name, as in
// `#define Py_INCREF(op) Py_INCREF(_PyObject_CAST(op))`), c or o.
func parseDefine(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	i := 0
	for i < len(s) && isIdent(s[i]) {
		i++
	}
	name := s[:i]
	if name == "" {
		return "", ""
	}
	if i < len(s) && s[i] == '(' {
		end := strings.IndexByte(s[i:], ')')
		if end >= 0 && callsName(s[i+end+1:], name) {
			return name, string([]byte{formFuncMacro, formSelfMacro})
		}
		return name, string(formFuncMacro)
	}
	if constBody(s[i:]) {
		return name, string(formConstMacro)
	}
	return name, string(formObjMacro)
}

// callsName reports whether body contains the identifier name.
func callsName(body, name string) bool {
	for i := 0; i < len(body); {
		if !isIdent(body[i]) {
			i++
			continue
		}
		j := i
		for j < len(body) && isIdent(body[j]) {
			j++
		}
		if body[i:j] == name {
			return true
		}
		i = j
	}
	return false
}

// constBody reports whether a macro body is a constant: literals and
// operators only (no identifiers), and not empty.
func constBody(body string) bool {
	body = strings.TrimSpace(body)
	if body == "" {
		return false
	}
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '"' || c == '\'':
			j := skipQuoted(body, i)
			if j < 0 {
				return false
			}
			i = j
		case c >= '0' && c <= '9':
			for i < len(body) && (isIdent(body[i]) || body[i] == '.') {
				i++
			}
		case isIdent(c):
			return false
		default:
			i++
		}
	}
	return true
}

func isIncludeGuard(name string, forms string, dir string) bool {
	if forms != string(formObjMacro) {
		return false
	}
	_, body, _ := strings.Cut(strings.TrimSpace(dir[len("define"):]), " ")
	if strings.TrimSpace(body) != "" {
		return false
	}
	return strings.HasSuffix(name, "_H") || strings.HasSuffix(name, "_H_") || strings.HasSuffix(name, "_H__")
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// skipQuoted returns the index after the string or char literal at i.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return -1
}

// tokenize appends the tokens of one line. Literals become "0" (their value
// never matters here).
func tokenize(line, file string, toks *[]token) error {
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '"' || c == '\'':
			j := skipQuoted(line, i)
			if j < 0 {
				return fmt.Errorf("unterminated literal in %q", line)
			}
			*toks = append(*toks, token{"0", file})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9':
			j := i
			for j < len(line) && (isIdent(line[j]) || line[j] == '.') {
				j++
			}
			*toks = append(*toks, token{"0", file})
			i = j
		case isIdent(c):
			j := i
			for j < len(line) && isIdent(line[j]) {
				j++
			}
			*toks = append(*toks, token{line[i:j], file})
			i = j
		default:
			*toks = append(*toks, token{string(c), file})
			i++
		}
	}
	return nil
}

// Words that are never the declared name.
var cWords = map[string]bool{
	"auto": true, "char": true, "const": true, "double": true, "enum": true,
	"extern": true, "float": true, "inline": true, "int": true, "long": true,
	"register": true, "restrict": true, "short": true, "signed": true,
	"static": true, "struct": true, "typedef": true, "union": true,
	"unsigned": true, "void": true, "volatile": true, "_Bool": true,
	"__inline": true, "__inline__": true, "__restrict": true, "__restrict__": true,
	"__const": true, "__signed__": true, "__volatile__": true, "_Atomic": true,
	"_Complex": true, "_Noreturn": true, "_Thread_local": true, "__thread": true,
	"__int128": true, "_Alignas": true,
}

// Words followed by a parenthesized group that is dropped.
var attrWords = map[string]bool{
	"__attribute__": true, "__attribute": true, "__asm__": true, "__asm": true,
	"asm": true, "__declspec": true, "_Alignas": true, "__typeof__": true,
	"__alignof__": true, "_Alignof": true,
}

// scanDecls walks the token stream at file scope.
func scanDecls(toks []token, d *declared) {
	var decl []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.text == "\x00":
			decl = decl[:0]
		case attrWords[t.text]:
			i = skipGroup(toks, i+1) - 1
		case t.text == "__extension__":
		case t.text == ";":
			finishDecl(decl, false, d)
			decl = decl[:0]
		case t.text == "{":
			if len(decl) > 0 && decl[len(decl)-1].text == ")" && !startsTypedef(decl) && parenDepth(decl) == 0 {
				// A function definition: its body ends the declaration.
				finishDecl(decl, true, d)
				decl = decl[:0]
				i = skipBraces(toks, i) - 1
				continue
			}
			// A struct/union/enum body or an initializer: record tags and
			// enumerators inside, keep the declaration going.
			end := skipBraces(toks, i)
			isEnum := len(decl) > 0 && (decl[len(decl)-1].text == "enum" ||
				len(decl) > 1 && decl[len(decl)-2].text == "enum")
			bodyNames(toks[i+1:end-1], isEnum, d)
			decl = append(decl, token{"{}", t.file})
			i = end - 1
		default:
			decl = append(decl, t)
		}
	}
}

// skipGroup returns the index after a parenthesized group starting at i
// (or i when there is none).
func skipGroup(toks []token, i int) int {
	if i >= len(toks) || toks[i].text != "(" {
		return i
	}
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// skipBraces returns the index after the brace block starting at i.
func skipBraces(toks []token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i].text {
		case "{":
			depth++
		case "}":
			depth--
			if depth == 0 {
				return i + 1
			}
		case "\x00":
			return i
		}
	}
	return i
}

func parenDepth(decl []token) int {
	depth := 0
	for _, t := range decl {
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		}
	}
	return depth
}

func startsTypedef(decl []token) bool {
	for _, t := range decl {
		if t.text == "typedef" {
			return true
		}
	}
	return false
}

// bodyNames records tags declared inside a struct/enum body and, for an
// enum body, its constants.
func bodyNames(body []token, isEnum bool, d *declared) {
	depth := 0
	expectConst := isEnum
	for i, t := range body {
		switch t.text {
		case "(", "{", "[":
			depth++
		case ")", "}", "]":
			depth--
		case ",":
			if depth == 0 && isEnum {
				expectConst = true
			}
			continue
		case "struct", "union", "enum":
			if i+1 < len(body) && isName(body[i+1].text) && t.file != "" {
				d.add(body[i+1].text, formTag, t.file)
			}
		}
		if expectConst && depth == 0 && isName(t.text) && t.file != "" {
			d.add(t.text, formEnumConst, t.file)
			expectConst = false
		} else if expectConst && t.text != "," {
			expectConst = false
		}
	}
}

func isName(s string) bool {
	if s == "" || !(s[0] == '_' || s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	return !cWords[s]
}

// finishDecl records the names one file-scope declaration declares.
func finishDecl(decl []token, isDef bool, d *declared) {
	if len(decl) == 0 {
		return
	}
	file := decl[0].file
	if file == "" {
		return
	}
	if decl[0].text == "_Static_assert" || decl[0].text == "static_assert" {
		return
	}
	typedef := false
	// Tags named in the specifiers.
	for i, t := range decl {
		if t.text == "typedef" {
			typedef = true
		}
		if (t.text == "struct" || t.text == "union" || t.text == "enum") && i+1 < len(decl) && isName(decl[i+1].text) {
			d.add(decl[i+1].text, formTag, file)
		}
	}
	for _, part := range splitTop(decl) {
		name, isFunc, isPtr := declarator(part)
		if name == "" {
			continue
		}
		switch {
		case typedef:
			d.add(name, formTypedef, file)
		case isFunc && !isPtr && isDef:
			d.add(name, formInline, file)
		case isFunc && !isPtr:
			d.add(name, formFunc, file)
		default:
			d.add(name, formData, file)
		}
	}
}

// splitTop splits a declaration at top-level commas (several declarators).
func splitTop(decl []token) [][]token {
	var parts [][]token
	depth, start := 0, 0
	for i, t := range decl {
		switch t.text {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case ",":
			if depth == 0 {
				parts = append(parts, decl[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, decl[start:])
}

// declarator finds the declared name of one declarator (the first part also
// carries the specifiers). isFunc is set when a parameter list follows the
// name; isPtr when the name is inside (*name), a pointer to function.
func declarator(part []token) (name string, isFunc, isPtr bool) {
	// Drop an initializer.
	depth := 0
	for i, t := range part {
		switch t.text {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case "=":
			if depth == 0 {
				part = part[:i]
			}
		}
		if len(part) <= i {
			break
		}
	}
	// The first top-level "(".
	for i, t := range part {
		if t.text != "(" {
			continue
		}
		if i+1 < len(part) && (part[i+1].text == "*" || part[i+1].text == "^") {
			// (*name)(...) or (*name)[...]
			end := skipGroup(part, i)
			for j := end - 2; j > i; j-- {
				if isName(part[j].text) {
					return part[j].text, end < len(part) && part[end].text == "(", true
				}
			}
			return "", false, false
		}
		if i > 0 && isName(part[i-1].text) {
			if i > 1 && (part[i-2].text == "struct" || part[i-2].text == "union" || part[i-2].text == "enum") {
				return "", false, false
			}
			return part[i-1].text, true, false
		}
		return "", false, false
	}
	// No parameter list: the last name before any "[".
	for i, t := range part {
		if t.text == "[" {
			part = part[:i]
			break
		}
	}
	for j := len(part) - 1; j >= 0; j-- {
		t := part[j].text
		if t == "{}" || t == "*" {
			// `struct X {...}` without declarator, or pointer stars:
			// keep looking only past stars.
			if t == "{}" {
				return "", false, false
			}
			continue
		}
		if isName(t) {
			if j > 0 && (part[j-1].text == "struct" || part[j-1].text == "union" || part[j-1].text == "enum") {
				return "", false, false
			}
			if j == 0 {
				// A lone word is a type with no declarator (e.g. `int;`),
				// unless the part is a later declarator of a list.
				return t, false, false
			}
			return t, false, false
		}
		return "", false, false
	}
	return "", false, false
}
