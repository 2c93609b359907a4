package project

import (
	"bytes"
	"strings"
)

// ParseSetupCfg reads a setup.cfg (INI) and returns:
//
//   - [bdist_wheel] py_limited_api = cp38 (also py-limited-api): the wheel
//     tag's version;
//   - [build_ext] define = Py_LIMITED_API=0x03080000 (comma-separated, as
//     the build_ext --define option takes it).
//
// Section and key names are matched case-insensitively, with "-" and "_"
// equivalent; lines starting with # or ; are comments, and an inline
// comment (" #" or " ;") is stripped from a value.
func ParseSetupCfg(path string, src []byte) ([]Declaration, []Problem) {
	const source = "setup.cfg"
	var decls []Declaration
	var problems []Problem
	section := ""
	off := 0
	lineNo := 0
	for off <= len(src) {
		lineNo++
		end := bytes.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += off
		}
		raw := src[off:end]
		off = end + 1
		line := strings.TrimRight(string(raw), "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // continuation of a multi-line value
		}
		if trimmed[0] == '[' {
			closeIdx := strings.IndexByte(trimmed, ']')
			if closeIdx < 0 {
				problems = append(problems, Problem{Path: path, Line: lineNo, Message: "setup.cfg: malformed section header " + quoteShort(trimmed)})
				section = ""
				continue
			}
			section = normKey(trimmed[1:closeIdx])
			continue
		}
		sep := strings.IndexAny(line, "=:")
		if sep < 0 {
			continue
		}
		key := normKey(line[:sep])
		value := stripInlineComment(line[sep+1:])
		vstart := sep + 1
		for vstart < len(line) && (line[vstart] == ' ' || line[vstart] == '\t') {
			vstart++
		}
		keyStart := len(line) - len(strings.TrimLeft(line, " \t"))
		mk := func() Declaration {
			return Declaration{
				Source: source,
				Path:   path,
				Line:   lineNo,
				Column: keyStart + 1,
				Text:   clip(strings.TrimSpace(line[:vstart] + value)),
			}
		}
		switch {
		case section == "bdistwheel" && key == "pylimitedapi":
			if value == "" || strings.EqualFold(value, "false") {
				continue
			}
			d := mk()
			setWheelVersion(&d, value)
			decls = append(decls, d)
		case section == "buildext" && (key == "define" || key == "d"):
			for _, spec := range strings.Split(value, ",") {
				if m, v, has, ok := parseDefineSpec(strings.TrimSpace(spec)); ok {
					d := mk()
					setDefine(&d, m, v, has)
					decls = append(decls, d)
				}
			}
		}
	}
	return decls, problems
}

// normKey lowercases s and drops "-", "_" and surrounding blanks, so that
// py_limited_api, py-limited-api and Py_Limited_API compare equal.
func normKey(s string) string {
	s = strings.TrimSpace(s)
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_':
		case c >= 'A' && c <= 'Z':
			b = append(b, c+('a'-'A'))
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func stripInlineComment(v string) string {
	for i := 1; i < len(v); i++ {
		if (v[i] == '#' || v[i] == ';') && (v[i-1] == ' ' || v[i-1] == '\t') {
			v = v[:i]
			break
		}
	}
	return strings.TrimSpace(v)
}

// quoteShort quotes s for a message, cut to a readable length.
func quoteShort(s string) string {
	const limit = 60
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return "\"" + strings.ToValidUTF8(s, "\uFFFD") + "\""
}
