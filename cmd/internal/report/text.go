package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"
)

// Report is everything a check prints.
type Report struct {
	Version     string // abi3ls version
	Files       int    // files checked
	Diagnostics []Diagnostic
	Errors      []FileError
}

// Counts are the numbers a summary gives.
type Counts struct {
	Errors, Warnings, Infos, Hints int
	Fixable, UnsafeFixable         int
	FilesWithProblems              int
}

// Count tallies r's diagnostics.
func (r *Report) Count() Counts {
	var c Counts
	files := map[string]bool{}
	for _, d := range r.Diagnostics {
		switch d.Sev {
		case analysis.SeverityError:
			c.Errors++
		case analysis.SeverityWarning:
			c.Warnings++
		case analysis.SeverityInformation:
			c.Infos++
		default:
			c.Hints++
		}
		if d.Fixable {
			c.Fixable++
		} else if d.UnsafeFixable {
			c.UnsafeFixable++
		}
		files[d.File] = true
	}
	c.FilesWithProblems = len(files)
	return c
}

// ANSI styles of the text format.
const (
	styleReset   = "\x1b[0m"
	styleBold    = "\x1b[1m"
	styleError   = "\x1b[1;31m"
	styleWarning = "\x1b[1;35m"
	styleNote    = "\x1b[1;36m"
	styleCaret   = "\x1b[1;32m"
	styleDim     = "\x1b[2m"
)

type painter bool

func (p painter) paint(style, s string) string {
	if !p {
		return s
	}
	return style + s + styleReset
}

// textLabel is the severity word of the text format (gcc's, plus info and
// hint).
func textLabel(s analysis.Severity) (string, string) {
	switch s {
	case analysis.SeverityError:
		return "error", styleError
	case analysis.SeverityWarning:
		return "warning", styleWarning
	case analysis.SeverityInformation:
		return "info", styleNote
	}
	return "hint", styleNote
}

// WriteText writes r in gcc style: `path:line:col: error: message [CODE]`,
// the source line with a caret under the range, and a one-line summary.
func WriteText(w io.Writer, r *Report, color bool) error {
	bw := bufio.NewWriter(w)
	p := painter(color)
	for _, d := range r.Diagnostics {
		label, style := textLabel(d.Sev)
		fmt.Fprintf(bw, "%s %s %s %s\n",
			p.paint(styleBold, fmt.Sprintf("%s:%d:%d:", d.File, d.Line, d.Column)),
			p.paint(style, label+":"),
			p.paint(styleBold, d.Message),
			p.paint(styleDim, "["+d.Code+"]"))
		if d.Source != "" || d.Column == 1 {
			writeSnippet(bw, p, d)
		}
	}
	fmt.Fprintln(bw, Summary(r))
	return bw.Flush()
}

// writeSnippet prints the source line under a diagnostic and a caret line
// marking its range (to the end of the line when it spans lines).
func writeSnippet(w io.Writer, p painter, d Diagnostic) {
	line := d.Source
	num := strconv.Itoa(d.Line)
	width := max(4, len(num))
	fmt.Fprintf(w, " %*s | %s\n", width, num, line)
	start := min(max(d.Column-1, 0), len(line))
	end := len(line)
	if d.EndLine == d.Line {
		end = min(max(d.EndColumn-1, start), len(line))
	}
	var pad strings.Builder
	for i := 0; i < start; i++ {
		switch b := line[i]; {
		case b == '\t':
			pad.WriteByte('\t')
		case b&0xC0 == 0x80: // UTF-8 continuation byte
		default:
			pad.WriteByte(' ')
		}
	}
	n := 0
	for i := start; i < end; i++ {
		if line[i]&0xC0 != 0x80 {
			n++
		}
	}
	caret := "^" + strings.Repeat("~", max(n-1, 0))
	fmt.Fprintf(w, " %*s | %s%s\n", width, "", pad.String(), p.paint(styleCaret, caret))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Summary is the last line of the text format.
func Summary(r *Report) string {
	c := r.Count()
	var b strings.Builder
	total := len(r.Diagnostics)
	if total == 0 {
		fmt.Fprintf(&b, "No problems found (%s checked).", plural(r.Files, "file", "files"))
	} else {
		var parts []string
		for _, x := range []struct {
			n         int
			one, many string
		}{{c.Errors, "error", "errors"}, {c.Warnings, "warning", "warnings"}, {c.Infos, "info", "infos"}, {c.Hints, "hint", "hints"}} {
			if x.n > 0 {
				parts = append(parts, plural(x.n, x.one, x.many))
			}
		}
		fmt.Fprintf(&b, "Found %s (%s) in %s of %s checked",
			plural(total, "problem", "problems"), strings.Join(parts, ", "),
			plural(c.FilesWithProblems, "file", "files"), strconv.Itoa(r.Files))
		if c.Fixable > 0 {
			fmt.Fprintf(&b, "; %d fixable with `abi3ls fix`", c.Fixable)
		}
		switch {
		case c.UnsafeFixable > 0 && c.Fixable > 0:
			fmt.Fprintf(&b, "; %d more with `abi3ls fix --unsafe`", c.UnsafeFixable)
		case c.UnsafeFixable > 0:
			fmt.Fprintf(&b, "; %d fixable with `abi3ls fix --unsafe`", c.UnsafeFixable)
		}
		b.WriteString(".")
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, " %s could not be read.", plural(len(r.Errors), "input", "inputs"))
	}
	return b.String()
}
