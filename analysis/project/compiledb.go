package project

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// compileEntry is one entry of a JSON compilation database.
type compileEntry struct {
	Directory string   `json:"directory"`
	File      string   `json:"file"`
	Arguments []string `json:"arguments"`
	Command   string   `json:"command"`
}

// ParseCompileCommands reads a compile_commands.json. Each returned
// Declaration is the target one entry's flags set (the last -D/-U of each
// macro wins, as with a compiler; -DPy_LIMITED_API=... and
// -DPy_TARGET_ABI3T=... of one entry make one declaration) and applies to
// the single file in Files: the entry's file relative to root when it lies
// under root (root is an OS path, as given to Load), else its absolute
// slash-separated path. Entries without a target macro are left out. Line
// is the line of the first target flag in the JSON text.
func ParseCompileCommands(file string, src []byte, root string) ([]Declaration, []Problem) {
	const source = "compile_commands.json"
	if !bytes.Contains(src, []byte(MacroLimitedAPI)) && !bytes.Contains(src, []byte(MacroABI3T)) {
		// Still check it is a JSON array, so a broken file is reported.
		if err := checkJSONArray(src); err != nil {
			return nil, []Problem{{Path: file, Message: fmt.Sprintf("compile_commands.json: %v", err)}}
		}
		return nil, nil
	}
	li := newLineIndex(src)
	dec := json.NewDecoder(bytes.NewReader(src))
	if err := expectArray(dec); err != nil {
		return nil, []Problem{{Path: file, Message: fmt.Sprintf("compile_commands.json: %v", err)}}
	}
	var decls []Declaration
	var problems []Problem
	for dec.More() {
		start := int(dec.InputOffset())
		var e compileEntry
		if err := dec.Decode(&e); err != nil {
			line, _ := li.pos(int(dec.InputOffset()))
			problems = append(problems, Problem{Path: file, Line: line, Message: fmt.Sprintf("compile_commands.json: %v", err)})
			return decls, problems
		}
		end := int(dec.InputOffset())
		args := e.Arguments
		if len(args) == 0 && e.Command != "" {
			args = splitCommand(e.Command)
		}
		d, first, ok := flagsDeclaration(args)
		if !ok {
			continue
		}
		d.Source = source
		d.Path = file
		// Locate the first effective flag in the entry's JSON text.
		chunk := src[min(start, len(src)):min(end, len(src))]
		d.Line, d.Column = li.pos(start)
		flag := strings.TrimSpace(args[first])
		if _, _, _, _, bare := flagDefine(flag); bare && first+1 < len(args) {
			flag = strings.TrimSpace(args[first+1]) // -D NAME=V: point at NAME=V
		}
		for _, needle := range []string{flag, d.Macro} {
			if k := bytes.Index(chunk, []byte(needle)); needle != "" && k >= 0 {
				d.Line, d.Column = li.pos(start + k)
				break
			}
		}
		target := entryPath(e.Directory, e.File, dirOf(file))
		if target == "" {
			continue
		}
		d.Files = []string{relToRoot(target, root)}
		decls = append(decls, d)
	}
	if _, err := dec.Token(); err != nil {
		line, _ := li.pos(int(dec.InputOffset()))
		problems = append(problems, Problem{Path: file, Line: line, Message: fmt.Sprintf("compile_commands.json: unterminated array: %v", err)})
	}
	return decls, problems
}

func expectArray(dec *json.Decoder) error {
	tk, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if d, ok := tk.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected a JSON array of entries")
	}
	return nil
}

func checkJSONArray(src []byte) error {
	trim := bytes.TrimSpace(src)
	if len(trim) == 0 || trim[0] != '[' {
		return fmt.Errorf("expected a JSON array of entries")
	}
	if !json.Valid(trim) {
		return fmt.Errorf("not valid JSON")
	}
	return nil
}

// entryPath is the entry's file as an absolute slash path when possible;
// a relative directory is taken relative to the database's directory
// (dbDir, root-relative), giving a root-relative path prefixed with "./".
func entryPath(dir, file, dbDir string) string {
	file = toSlash(file)
	dir = toSlash(dir)
	if file == "" {
		return ""
	}
	if isAbsSlash(file) {
		return cleanSlash(file)
	}
	if isAbsSlash(dir) {
		return cleanSlash(dir + "/" + file)
	}
	j := path.Join(dbDir, dir, file)
	if j == ".." || strings.HasPrefix(j, "../") {
		return ""
	}
	return "./" + j
}

// relToRoot makes an absolute slash path relative to root when it lies
// under it; "./rel" paths (already root-relative) lose their prefix.
func relToRoot(p, root string) string {
	if strings.HasPrefix(p, "./") {
		return p[2:]
	}
	r := cleanSlash(toSlash(root))
	if r == "" || !isAbsSlash(r) {
		return p
	}
	if r == "/" {
		return strings.TrimPrefix(p, "/")
	}
	if hasDrive(r) {
		if len(p) > len(r) && strings.EqualFold(p[:len(r)], r) && p[len(r)] == '/' {
			return p[len(r)+1:]
		}
		return p
	}
	if strings.HasPrefix(p, r+"/") {
		return p[len(r)+1:]
	}
	return p
}

func toSlash(p string) string {
	if strings.Contains(p, `\`) && (hasDrive(p) || strings.HasPrefix(p, `\\`)) {
		return strings.ReplaceAll(p, `\`, "/")
	}
	return p
}

func isAbsSlash(p string) bool { return strings.HasPrefix(p, "/") || hasDrive(p) }

func cleanSlash(p string) string {
	if p == "" {
		return ""
	}
	if hasDrive(p) {
		return p[:2] + path.Clean("/"+p[2:])
	}
	return path.Clean(p)
}

// flagsDeclaration scans compiler arguments for target macros, the last
// definition of each winning. Text joins the effective flags as written.
func flagsDeclaration(args []string) (d Declaration, first int, ok bool) {
	type def struct {
		text, value string
		has, set    bool
		at          int
	}
	var defs [2]def // Py_LIMITED_API, Py_TARGET_ABI3T
	idx := func(m string) int {
		if m == MacroABI3T {
			return 1
		}
		return 0
	}
	seen := false
	for i := 0; i < len(args); i++ {
		a := strings.TrimSpace(args[i])
		at := i
		if m, v, has, ok, next := flagDefine(a); ok || next {
			text := a
			if next {
				if i+1 >= len(args) {
					break
				}
				var ok2 bool
				m, v, has, ok2 = parseDefineSpec(strings.TrimSpace(args[i+1]))
				text = a + " " + strings.TrimSpace(args[i+1])
				i++
				if !ok2 {
					continue
				}
			}
			defs[idx(m)] = def{text: text, value: v, has: has, set: true, at: at}
			seen = true
			continue
		}
		if m, ok, next := flagUndef(a); ok || next {
			if next {
				if i+1 >= len(args) {
					break
				}
				m = strings.TrimSpace(args[i+1])
				i++
				if !isTargetMacro(m) {
					continue
				}
			}
			defs[idx(m)] = def{}
		}
	}
	if !seen || (!defs[0].set && !defs[1].set) {
		return Declaration{}, 0, false
	}
	first = len(args)
	var texts []string
	for k, m := range []string{MacroLimitedAPI, MacroABI3T} {
		df := defs[k]
		if !df.set {
			continue
		}
		var one Declaration
		setDefine(&one, m, df.value, df.has)
		texts = append(texts, df.text)
		first = min(first, df.at)
		if !one.Target.Limited.IsZero() {
			d.Target.Limited = one.Target.Limited
		}
		if !one.Target.ABI3T.IsZero() {
			d.Target.ABI3T = one.Target.ABI3T
		}
		if d.Err == "" {
			d.Err = one.Err
		}
		d.Macro = m // Py_TARGET_ABI3T when both are set
		d.Value = one.Value
	}
	d.Text = clip(strings.Join(texts, " "))
	return d, first, true
}

// ParseCompileFlags reads a compile_flags.txt (one argument per line, as
// clangd reads it) and returns the target its flags set, if any.
func ParseCompileFlags(file string, src []byte) ([]Declaration, []Problem) {
	var args []string
	var lines []int
	lineNo := 0
	for _, raw := range strings.Split(string(src), "\n") {
		lineNo++
		a := strings.TrimSpace(raw)
		if a == "" {
			continue
		}
		args = append(args, a)
		lines = append(lines, lineNo)
	}
	d, first, ok := flagsDeclaration(args)
	if !ok {
		return nil, nil
	}
	d.Source = "compile_flags.txt"
	d.Path = file
	d.Column = 1
	if first < len(lines) {
		d.Line = lines[first]
	}
	return []Declaration{d}, nil
}

// splitCommand splits a shell command line the way a POSIX shell would
// for the simple quoting compile databases use: '...', "..." and
// backslash escapes. It never fails.
func splitCommand(s string) []string {
	var args []string
	var cur strings.Builder
	inArg := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		case c == '\'':
			inArg = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				cur.WriteString(s[i+1:])
				i = len(s)
			} else {
				cur.WriteString(s[i+1 : i+1+j])
				i += j + 1
			}
		case c == '"':
			inArg = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
		case c == '\\' && i+1 < len(s):
			inArg = true
			i++
			cur.WriteByte(s[i])
		default:
			inArg = true
			cur.WriteByte(c)
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}
