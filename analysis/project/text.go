package project

import (
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// lineIndex maps byte offsets of a text to 1-based lines and columns.
type lineIndex struct {
	starts []int // byte offset of the start of each line
	src    []byte
}

func newLineIndex(src []byte) *lineIndex {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{starts: starts, src: src}
}

// pos returns the 1-based line and 1-based byte column of off.
func (li *lineIndex) pos(off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(li.src) {
		off = len(li.src)
	}
	i := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - li.starts[i] + 1
}

// decl builds a declaration whose Text is src[start:end].
func (li *lineIndex) decl(source, file string, start, end int) Declaration {
	if end > len(li.src) {
		end = len(li.src)
	}
	if start > end {
		start = end
	}
	line, col := li.pos(start)
	return Declaration{
		Source: source,
		Path:   file,
		Line:   line,
		Column: col,
		Text:   clipBytes(li.src[start:end]),
	}
}

// maxTextLen bounds Text and Value: only a runaway (unterminated)
// construct is longer, and copying the rest of the file into each of many
// declarations would make memory quadratic in the input.
const maxTextLen = 512

// clipBytes is clip for a byte slice, copying at most maxTextLen+1 bytes.
func clipBytes(b []byte) string {
	if len(b) > maxTextLen+utf8.UTFMax {
		b = b[:maxTextLen+utf8.UTFMax]
	}
	return clip(string(b))
}

// clip cuts s to maxTextLen bytes at a UTF-8 boundary, marking the cut.
func clip(s string) string {
	if len(s) <= maxTextLen {
		return s
	}
	cut := maxTextLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// sourceExts are the file name endings of C/C++ sources and headers that a
// build file may list.
var sourceExts = []string{".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".m", ".mm", ".inc", ".ipp", ".tpp", ".C", ".H"}

func isSourceName(s string) bool {
	for _, e := range sourceExts {
		if strings.HasSuffix(s, e) && len(s) > len(e) {
			return true
		}
	}
	return false
}

// joinRel joins a path written in a build file at dir (slash path relative
// to the root) into a root-relative slash path. ok is false for absolute
// paths, paths leaving the root, and paths containing unexpanded variables
// or glob patterns.
func joinRel(dir, p string) (string, bool) {
	p = strings.ReplaceAll(p, `\`, "/")
	if p == "" || !utf8.ValidString(p) || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "$@*?[{") || hasDrive(p) {
		return "", false
	}
	j := path.Join(dir, p)
	if j == ".." || strings.HasPrefix(j, "../") || j == "." {
		return "", false
	}
	return j, true
}

// hasDrive reports whether p starts with a Windows drive letter ("C:").
func hasDrive(p string) bool {
	return len(p) >= 2 && p[1] == ':' && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
}

// dirOf is the slash directory of a root-relative file path ("" at the root).
func dirOf(file string) string {
	d := path.Dir(file)
	if d == "." {
		return ""
	}
	return d
}
