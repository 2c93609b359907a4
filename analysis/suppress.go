package analysis

import (
	"bytes"
	"sort"
	"strings"
)

// suppressions are the `abi3ls: ignore` comments of a file.
type suppressions struct {
	file bool
	// byLine maps a 1-based line to the codes ignored there; a nil entry
	// in the slice means every code.
	byLine map[int][]string
}

const (
	suppressMarker = "abi3ls:"
)

// parseSuppressions reads the comments of a file:
//
//	/* abi3ls: ignore */                  every rule, this line and the next
//	// abi3ls: ignore[ABI001,ABI004]      these rules, this line and the next
//	/* abi3ls: ignore-file */             the whole file (first comment block only)
func parseSuppressions(src []byte, comments []span, firstCode int, lines []int) suppressions {
	s := suppressions{byLine: map[int][]string{}}
	for _, c := range comments {
		text := src[c.start:c.end]
		i := bytes.Index(text, []byte(suppressMarker))
		if i < 0 {
			continue
		}
		for i >= 0 {
			rest := strings.TrimLeft(string(text[i+len(suppressMarker):]), " \t")
			switch {
			case strings.HasPrefix(rest, "ignore-file"):
				if firstCode < 0 || c.start < firstCode {
					s.file = true
				}
			case strings.HasPrefix(rest, "ignore"):
				codes := []string{""}
				after := strings.TrimLeft(rest[len("ignore"):], " \t")
				if strings.HasPrefix(after, "[") {
					if j := strings.IndexByte(after, ']'); j > 0 {
						codes = codes[:0]
						for _, code := range strings.Split(after[1:j], ",") {
							if code = strings.TrimSpace(code); code != "" {
								codes = append(codes, strings.ToUpper(code))
							}
						}
					}
				}
				l1, l2 := lineOf(lines, c.start), lineOf(lines, c.end-1)
				for l := l1; l <= l2+1; l++ {
					s.byLine[l] = append(s.byLine[l], codes...)
				}
			}
			next := bytes.Index(text[i+len(suppressMarker):], []byte(suppressMarker))
			if next < 0 {
				break
			}
			i += len(suppressMarker) + next
		}
	}
	return s
}

func (s suppressions) suppressed(code string, line int) bool {
	if s.file {
		return true
	}
	for _, c := range s.byLine[line] {
		if c == "" || c == code {
			return true
		}
	}
	return false
}

// suppressFix adds `/* abi3ls: ignore[CODE] */` for a finding: at the end
// of its line, before a line-continuation backslash, or on a line of its
// own above when the line ends inside a comment.
func (p *pass) suppressFix(f Finding) Fix {
	line := lineOf(p.lines, f.Start)
	ls := p.lines[line-1]
	le := len(p.src)
	if line < len(p.lines) {
		le = p.lines[line] - 1
	}
	if le > ls && p.src[le-1] == '\r' {
		le--
	}
	texts := p.suppressTexts(f.Code)
	comment := texts.comment
	fix := Fix{Title: texts.title, Applicability: Unsafe, Kind: "quickfix"}
	cs := p.w.f.comments
	k := sort.Search(len(cs), func(i int) bool { return cs[i].end > le })
	inComment := k < len(cs) && cs[k].start < le
	switch {
	case inComment:
		ind := ls
		for ind < le && (p.src[ind] == ' ' || p.src[ind] == '\t') {
			ind++
		}
		nl := "\n"
		if le < len(p.src) && p.src[le] == '\r' {
			nl = "\r\n"
		}
		fix.Edits = []Edit{{Start: ls, End: ls, NewText: string(p.src[ls:ind]) + comment + nl}}
	default:
		e := le
		for e > ls && (p.src[e-1] == ' ' || p.src[e-1] == '\t') {
			e--
		}
		if e > ls && p.src[e-1] == '\\' {
			fix.Edits = []Edit{{Start: e - 1, End: e - 1, NewText: texts.before}}
		} else {
			fix.Edits = []Edit{{Start: e, End: e, NewText: texts.after}}
		}
	}
	return fix
}

// suppressText is what the suppression fixes of one rule write.
type suppressText struct {
	comment, title string
	before, after  string // the comment before a line continuation, at the end of a line
}

// suppressTexts returns (and keeps for the pass) the texts of code's
// suppression fixes: a file can have thousands of findings of one rule.
func (p *pass) suppressTexts(code string) *suppressText {
	if t, ok := p.supTexts[code]; ok {
		return t
	}
	comment := "/* abi3ls: ignore[" + code + "] */"
	t := &suppressText{comment: comment, title: "Ignore " + code + " on this line",
		before: comment + " ", after: " " + comment}
	if p.supTexts == nil {
		p.supTexts = map[string]*suppressText{}
	}
	p.supTexts[code] = t
	return t
}
