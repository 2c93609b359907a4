package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"
)

// jsonReport is the `check --format json` document.
type jsonReport struct {
	Version     string       `json:"version"`
	Files       int          `json:"files"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	Errors      []FileError  `json:"errors,omitempty"`
}

// WriteJSON writes r as one JSON object: {"version", "files",
// "diagnostics": [...], "errors": [...] (only when some input could not be
// read)}.
func WriteJSON(w io.Writer, r *Report) error {
	doc := jsonReport{Version: r.Version, Files: r.Files, Diagnostics: r.Diagnostics, Errors: r.Errors}
	if doc.Diagnostics == nil {
		doc.Diagnostics = []Diagnostic{}
	}
	return EncodeJSON(w, doc)
}

func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	return nil
}

// WriteGitHub writes r as GitHub Actions workflow commands, one per
// diagnostic: `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=CODE
// name::message`. Paths are relative to the repository root; columns count
// code points.
func WriteGitHub(w io.Writer, r *Report) error {
	for _, d := range r.Diagnostics {
		cmd := "notice"
		switch d.Sev {
		case analysis.SeverityError:
			cmd = "error"
		case analysis.SeverityWarning:
			cmd = "warning"
		}
		file := d.RepoPath
		if file == "" {
			file = d.File
		}
		title := d.Code
		if d.Rule != "" {
			title += " " + d.Rule
		}
		props := []string{
			"file=" + escapeProperty(file),
			fmt.Sprintf("line=%d", d.Line),
			fmt.Sprintf("col=%d", d.ColumnCP),
			fmt.Sprintf("endLine=%d", d.EndLine),
			fmt.Sprintf("endColumn=%d", d.EndColumnCP),
			"title=" + escapeProperty(title),
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(d.Message)); err != nil {
			return err
		}
	}
	return nil
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
