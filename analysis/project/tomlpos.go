package project

import (
	"strconv"
	"strings"
)

// tomlPos is where a key is written in a TOML file.
type tomlPos struct {
	line, col int
	text      string // the whole line, trimmed (the declaration as written)
}

// tomlKeys locates keys in TOML text, since the TOML library does not
// expose positions. Keys are dotted paths joined with "."; the k-th table
// of an array of tables [[a.b]] is "a.b[k]" (0-based). Only the first
// line of a multi-line value is known; keys of inline tables are not
// located (find falls back to the enclosing key).
type tomlKeys map[string]tomlPos

func locateTOMLKeys(src []byte) tomlKeys {
	keys := tomlKeys{}
	arrays := map[string]int{} // array-of-tables path -> count so far
	table := ""
	inMulti := "" // the closing delimiter of a multi-line string being skipped
	depth := 0    // open [ of a multi-line array value
	lineNo := 0
	for _, raw := range strings.Split(string(src), "\n") {
		lineNo++
		line := strings.TrimRight(raw, "\r")
		if inMulti != "" {
			if strings.Contains(line, inMulti) {
				inMulti = ""
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if depth > 0 {
			depth += bracketDelta(trimmed)
			if depth < 0 {
				depth = 0
			}
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		if strings.HasPrefix(trimmed, "[[") {
			end := strings.Index(trimmed, "]]")
			if end < 0 {
				continue
			}
			p := tomlJoin(splitTOMLKey(trimmed[2:end]))
			k := arrays[p]
			arrays[p] = k + 1
			table = p + "[" + strconv.Itoa(k) + "]"
			keys.add(table, lineNo, indent+1, trimmed)
			continue
		}
		if trimmed[0] == '[' {
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				continue
			}
			table = tomlJoin(splitTOMLKey(trimmed[1:end]))
			// [a.b] below [[a]] belongs to the latest a element.
			// The longest array-of-tables path that prefixes table.
			for i := len(table) - 1; i > 0; i-- {
				if table[i] != '.' {
					continue
				}
				if n, ok := arrays[table[:i]]; ok {
					table = table[:i] + "[" + strconv.Itoa(n-1) + "]" + table[i:]
					break
				}
			}
			keys.add(table, lineNo, indent+1, trimmed)
			continue
		}
		eq := keyEquals(trimmed)
		if eq < 0 {
			continue
		}
		full := tomlJoin(append(splitTablePath(table), splitTOMLKey(trimmed[:eq])...))
		keys.add(full, lineNo, indent+1, stripTOMLComment(trimmed))
		val := strings.TrimSpace(trimmed[eq+1:])
		for _, delim := range []string{`"""`, `'''`} {
			if strings.HasPrefix(val, delim) && !strings.Contains(val[3:], delim) {
				inMulti = delim
			}
		}
		if strings.HasPrefix(val, "[") {
			depth = bracketDelta(val)
			if depth < 0 {
				depth = 0
			}
		}
	}
	return keys
}

func (k tomlKeys) add(p string, line, col int, text string) {
	if _, ok := k[p]; !ok {
		k[p] = tomlPos{line: line, col: col, text: clip(text)}
	}
}

// find returns the position of the key path, or of its nearest located
// ancestor.
func (k tomlKeys) find(p string) tomlPos {
	for p != "" {
		if pos, ok := k[p]; ok {
			return pos
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return tomlPos{}
}

// keyEquals returns the index of the "=" that ends the key of a key/value
// line, or -1. Quoted keys may contain "=".
func keyEquals(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '=':
			return i
		case c == '#' || c == '[' || c == '{':
			return -1
		}
	}
	return -1
}

// splitTOMLKey splits a dotted key (`a."b.c".d`) into its parts, unquoted.
func splitTOMLKey(s string) []string {
	var parts []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		case c == ' ' || c == '\t':
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

// splitTablePath splits a path built by tomlJoin back into parts (array
// indexes stay attached).
func splitTablePath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

func tomlJoin(parts []string) string { return strings.Join(parts, ".") }

func stripTOMLComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// bracketDelta counts [ minus ] outside strings and comments.
func bracketDelta(s string) int {
	n := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return n
		case c == '[':
			n++
		case c == ']':
			n--
		}
	}
	return n
}
