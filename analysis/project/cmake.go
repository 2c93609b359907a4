package project

import (
	"bytes"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

// cmArg is one argument of a CMake command invocation.
type cmArg struct {
	val        string // unquoted value (escapes of quoted arguments kept as written)
	start, end int    // byte offsets, quotes included
	quoted     bool   // "..." or [[...]]
}

// cmCmd is one command invocation: name(args).
type cmCmd struct {
	name       string // lower-cased
	args       []cmArg
	start, end int
}

// lexCMake splits CMake source into command invocations. Comments (# and
// #[[...]]), quoted and bracket arguments are handled; nested parentheses
// inside arguments are flattened. It never fails and is linear.
func lexCMake(src []byte) []cmCmd {
	var cmds []cmCmd
	n := len(src)
	i := 0
	for i < n {
		c := src[i]
		switch {
		case c == '#':
			i = skipCMakeComment(src, i)
		case isIdentByte(c) && c < 0x80:
			j := i
			for j < n && isIdentByte(src[j]) && src[j] < 0x80 {
				j++
			}
			name := strings.ToLower(string(src[i:j]))
			k := j
			for k < n && (src[k] == ' ' || src[k] == '\t') {
				k++
			}
			if k >= n || src[k] != '(' {
				i = j
				continue
			}
			cmd, next := lexCMakeArgs(src, k)
			cmd.name = name
			cmd.start = i
			cmds = append(cmds, cmd)
			i = next
		default:
			i++
		}
	}
	return cmds
}

func skipCMakeComment(src []byte, i int) int {
	n := len(src)
	if i+1 < n && src[i+1] == '[' {
		if end, ok := skipBracket(src, i+1); ok {
			return end
		}
	}
	for i < n && src[i] != '\n' {
		i++
	}
	return i
}

// skipBracket scans a bracket argument [=*[ ... ]=*] starting at src[i]=='['.
// It returns the offset after it, or ok=false when src[i:] does not open
// one. An unterminated bracket runs to the end of the text.
func skipBracket(src []byte, i int) (int, bool) {
	n := len(src)
	j := i + 1
	for j < n && src[j] == '=' {
		j++
	}
	if j >= n || src[j] != '[' {
		return 0, false
	}
	eq := j - i - 1
	closer := "]" + strings.Repeat("=", eq) + "]"
	idx := bytes.Index(src[j+1:], []byte(closer))
	if idx < 0 {
		return n, true
	}
	return j + 1 + idx + len(closer), true
}

// lexCMakeArgs reads the arguments of a command whose "(" is at src[open].
func lexCMakeArgs(src []byte, open int) (cmCmd, int) {
	var cmd cmCmd
	n := len(src)
	depth := 1
	i := open + 1
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			i = skipCMakeComment(src, i)
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
			if depth == 0 {
				cmd.end = i
				return cmd, i
			}
		case c == '"':
			j := i + 1
			for j < n && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, n)
			cmd.args = append(cmd.args, cmArg{val: string(src[i+1 : min(j, n)]), start: i, end: end, quoted: true})
			i = end
		case c == '[':
			if end, ok := skipBracket(src, i); ok {
				k := i + 1
				for k < n && src[k] == '=' {
					k++
				}
				eq := k - i - 1
				inner := src[min(k+1, end):max(min(k+1, end), end-eq-2)]
				cmd.args = append(cmd.args, cmArg{val: string(inner), start: i, end: end, quoted: true})
				i = end
				continue
			}
			fallthrough
		default:
			j := i
			for j < n {
				d := src[j]
				if d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == '(' || d == ')' || d == '#' {
					break
				}
				if d == '"' {
					// a quoted part inside an unquoted argument: a"b c"
					j++
					for j < n && src[j] != '"' {
						if src[j] == '\\' {
							j++
						}
						j++
					}
					if j < n {
						j++
					}
					continue
				}
				if d == '\\' {
					j++
				}
				j++
			}
			j = min(j, n)
			cmd.args = append(cmd.args, cmArg{val: string(src[i:j]), start: i, end: j})
			i = j
		}
	}
	cmd.end = n
	return cmd, n
}

// cmakeSABIKeywords are the option keywords of python_add_library.
var cmakeLibKeywords = map[string]bool{
	"MODULE": true, "SHARED": true, "STATIC": true, "WITH_SOABI": true, "USE_SABI": true,
	"EXCLUDE_FROM_ALL": true, "OBJECT": true, "INTERFACE": true,
	// nanobind_add_module / pybind11_add_module options
	"STABLE_ABI": true, "FREE_THREADED": true, "NB_STATIC": true, "NB_SHARED": true, "PROTECT_STACK": true,
	"LTO": true, "NOMINSIZE": true, "NB_SUPPRESS_WARNINGS": true, "NB_DOMAIN": true, "THIN_LTO": true,
	"NO_EXTRAS": true, "SYSTEM": true, "WITHOUT_SOABI": true, "OPT_SIZE": true,
	"PRIVATE": true, "PUBLIC": true,
}

// ParseCMakeLists reads a CMakeLists.txt as text and returns:
//
//   - Python_add_library(name MODULE USE_SABI 3.8 src...) (also
//     Python3_add_library): that version ("3" alone means 3.2, as CMake
//     documents and abi.ParseVersion reads it); USE_SABI ${VAR} with an unknown variable gives a
//     declaration without a version;
//   - nanobind_add_module(name STABLE_ABI src...): nanobind's stable ABI
//     build, which defines Py_LIMITED_API=0x030C0000 (3.12);
//   - Py_LIMITED_API=... / Py_TARGET_ABI3T=... in add_compile_definitions,
//     target_compile_definitions, COMPILE_DEFINITIONS properties, and
//     -DPy_LIMITED_API=... in any command (add_definitions,
//     target_compile_options ...).
//
// Declarations tied to a target carry its sources in Files, when all of
// them are known. ${VAR} is expanded for variables set once with literal
// values, set(VAR a.c b.c), in the same file; nothing is executed.
func ParseCMakeLists(path string, src []byte) ([]Declaration, []Problem) {
	decls, problems, _ := parseCMake(path, src)
	return decls, problems
}

func parseCMake(path string, src []byte) ([]Declaration, []Problem, []string) {
	const source = "CMakeLists.txt"
	li := newLineIndex(src)
	cmds := lexCMake(src)
	dir := dirOf(path)

	vars := map[string]string{}
	setCount := map[string]int{}
	for _, c := range cmds {
		switch {
		case c.name == "set" && len(c.args) >= 1:
			name := c.args[0].val
			setCount[name]++
			var vals []string
			literal := len(c.args) >= 2
			for _, a := range c.args[1:] {
				if strings.Contains(a.val, "$") || !a.quoted && (a.val == "CACHE" || a.val == "PARENT_SCOPE") {
					literal = false
					break
				}
				vals = append(vals, a.val)
			}
			if literal {
				vars[name] = strings.Join(vals, ";")
			}
		case (c.name == "list" || c.name == "file" || c.name == "string") && len(c.args) >= 2:
			// list(APPEND V ...), file(GLOB V ...), string(... V): the
			// variable's value depends on the flow.
			for _, a := range c.args[1:] {
				setCount[a.val] += 2
			}
		}
	}
	for name, n := range setCount {
		if n > 1 {
			delete(vars, name) // set more than once: value depends on the flow
		}
	}
	expand := func(s string) string {
		if !strings.Contains(s, "${") {
			return s
		}
		var b strings.Builder
		for {
			i := strings.Index(s, "${")
			if i < 0 {
				b.WriteString(s)
				break
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				b.WriteString(s)
				break
			}
			name := s[i+2 : i+j]
			b.WriteString(s[:i])
			switch {
			case name == "CMAKE_CURRENT_SOURCE_DIR" || name == "CMAKE_CURRENT_LIST_DIR" || name == "PROJECT_SOURCE_DIR" && dir == "" || name == "CMAKE_SOURCE_DIR" && dir == "":
				b.WriteString(".")
			case vars[name] != "":
				b.WriteString(vars[name])
			default:
				b.WriteString(s[i : i+j+1])
			}
			s = s[i+j+1:]
		}
		return b.String()
	}

	targets := map[string][]string{} // target name -> root-relative sources
	incomplete := map[string]bool{}  // targets with sources abi3ls cannot list
	addSources := func(target string, args []cmArg) {
		for _, a := range args {
			for _, part := range strings.Split(expand(a.val), ";") {
				if cmakeLibKeywords[part] || part == "" {
					continue
				}
				if strings.ContainsAny(part, "$*?") {
					incomplete[target] = true
					continue
				}
				if p, ok := joinRel(dir, part); ok && isSourceName(p) {
					targets[target] = append(targets[target], p)
				}
			}
		}
	}
	type located struct {
		d      Declaration
		target string
	}
	var found []located
	var subdirs []string

	for _, c := range cmds {
		switch c.name {
		case "python_add_library", "python3_add_library", "nanobind_add_module", "pybind11_add_module", "add_library", "add_executable":
			if len(c.args) == 0 {
				continue
			}
			target := expand(c.args[0].val)
			rest := c.args[1:]
			var srcArgs []cmArg
			for k := 0; k < len(rest); k++ {
				a := rest[k]
				switch {
				case !a.quoted && a.val == "USE_SABI" && (c.name == "python_add_library" || c.name == "python3_add_library"):
					if k+1 >= len(rest) {
						continue
					}
					v := rest[k+1]
					d := li.decl(source, path, a.start, v.end)
					val := expand(v.val)
					switch {
					case strings.Contains(val, "${") || strings.Contains(val, "$<"):
						setComputed(&d, "", v.val)
					default:
						setWheelVersion(&d, val)
						d.Value = clip(v.val)
					}
					found = append(found, located{d, target})
					k++
				case !a.quoted && a.val == "STABLE_ABI" && c.name == "nanobind_add_module":
					d := li.decl(source, path, a.start, a.end)
					d.Macro = MacroLimitedAPI
					d.Target.Limited = abi.V(3, 12)
					found = append(found, located{d, target})
				case !a.quoted && a.val == "NB_DOMAIN" && k+1 < len(rest):
					k++ // its value is not a source
				default:
					srcArgs = append(srcArgs, a)
				}
			}
			addSources(target, srcArgs)
		case "target_sources":
			if len(c.args) > 1 {
				addSources(expand(c.args[0].val), c.args[1:])
			}
		case "add_subdirectory":
			if len(c.args) > 0 {
				if p, ok := joinRel(dir, expand(c.args[0].val)); ok {
					subdirs = append(subdirs, p)
				}
			}
		}

		// Definitions.
		target := ""
		defsCmd := false
		switch c.name {
		case "add_compile_definitions":
			defsCmd = true
		case "target_compile_definitions":
			defsCmd = true
			if len(c.args) > 0 {
				target = expand(c.args[0].val)
			}
		case "target_compile_options":
			if len(c.args) > 0 {
				target = expand(c.args[0].val)
			}
		case "set_property", "set_target_properties", "set_source_files_properties", "set_directory_properties":
			for _, a := range c.args {
				if strings.HasPrefix(a.val, "COMPILE_DEFINITIONS") {
					defsCmd = true
				}
			}
			if c.name == "set_target_properties" && len(c.args) > 0 {
				target = expand(c.args[0].val)
			}
		case "if", "elseif", "else", "endif", "while", "message", "option", "string", "list":
			continue
		}
		for _, a := range c.args {
			for _, part := range strings.Split(a.val, ";") {
				part = strings.TrimSpace(part)
				macro, value, has, ok, _ := flagDefine(part)
				if !ok && defsCmd {
					macro, value, has, ok = parseDefineSpec(part)
				}
				if !ok {
					continue
				}
				d := li.decl(source, path, a.start, a.end)
				if a.quoted && len(d.Text) >= 2 && d.Text[0] == '"' {
					d.Text = d.Text[1 : len(d.Text)-1]
					d.Column++
				}
				ev := expand(value)
				if strings.Contains(ev, "${") || strings.Contains(ev, "$<") {
					setComputed(&d, macro, value)
				} else {
					setDefine(&d, macro, ev, has)
					d.Value = clip(value)
				}
				found = append(found, located{d, target})
			}
		}
	}
	out := make([]Declaration, len(found))
	for k, f := range found {
		out[k] = f.d
		if f.target != "" && !incomplete[f.target] {
			out[k].Files = targets[f.target]
		}
	}
	return out, nil, subdirs
}
