package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
)

// MinReport is the output of `check --min-version`: the lowest
// Py_LIMITED_API target every checked file supports, the use that pins
// it, and the uses no Limited API version has.
type MinReport struct {
	Version  string      `json:"version"` // abi3ls version
	Files    int         `json:"files"`
	Minimum  MinVersion  `json:"minimum"`
	Blockers []Blocker   `json:"blockers"`
	Errors   []FileError `json:"errors,omitempty"`

	v abi.Version
}

// MinVersion is a minimum target and what pins it.
type MinVersion struct {
	Version string `json:"version"` // "3.10"
	Hex     string `json:"hex"`     // "0x030A0000"
	Symbol  string `json:"symbol,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

// Blocker is a use no Limited API version allows.
type Blocker struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	Symbol string `json:"symbol"`
	Code   string `json:"code"`
}

// MinFile is the minimum-target part of one file's result.
type MinFile struct {
	v        abi.Version
	pin      MinVersion
	blockers []Blocker
}

// ConvertMin extracts f's minimum target and blockers, with positions.
func ConvertMin(p Paths, f File) MinFile {
	if f.Result == nil {
		return MinFile{}
	}
	idx := NewLineIndex(f.Src)
	m := f.Result.Min
	loc := func(l analysis.Location) (string, int, int) {
		if l.Path == "" && l.Start >= 0 {
			line, col := idx.Position(l.Start)
			return f.display(p), line, col
		}
		return f.displayLoc(p, l.Path), l.Line, 0
	}
	out := MinFile{v: m.Version}
	if !m.Version.IsZero() {
		file, line, col := loc(m.At)
		out.pin = MinVersion{Version: m.Version.String(), Hex: m.Version.Hex(), Symbol: m.Symbol, File: file, Line: line, Column: col}
	}
	for _, b := range m.Blockers {
		file, line, col := loc(b.At)
		out.blockers = append(out.blockers, Blocker{File: file, Line: line, Column: col, Symbol: b.Symbol, Code: b.Code})
	}
	return out
}

// NewMinReport aggregates per-file minimums: the highest wins (the first
// file, in order, on a tie); blockers are listed by position.
func NewMinReport(version string, files int, per []MinFile) *MinReport {
	r := &MinReport{Version: version, Files: files, Blockers: []Blocker{}}
	for _, m := range per {
		if r.v.Less(m.v) {
			r.v, r.Minimum = m.v, m.pin
		}
		r.Blockers = append(r.Blockers, m.blockers...)
	}
	if r.v.IsZero() {
		v := abi.V(3, 2)
		r.Minimum = MinVersion{Version: v.String(), Hex: v.Hex()}
	}
	sort.SliceStable(r.Blockers, func(i, j int) bool {
		a, b := r.Blockers[i], r.Blockers[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return r
}

// WriteMinText writes the minimum target in words.
func WriteMinText(w io.Writer, r *MinReport) error {
	bw := bufio.NewWriter(w)
	m := r.Minimum
	fmt.Fprintf(bw, "Minimum Py_LIMITED_API: %s (%s)", m.Version, m.Hex)
	if m.Symbol != "" {
		fmt.Fprintf(bw, ", pinned by %s at %s", m.Symbol, position(m.File, m.Line, m.Column))
	} else {
		fmt.Fprint(bw, ": no API newer than the first Limited API is used")
	}
	fmt.Fprintf(bw, " (%s checked).\n", plural(r.Files, "file", "files"))
	if len(r.Blockers) == 0 {
		fmt.Fprintln(bw, "No blockers: every use is in the Limited API of that version.")
	} else {
		fmt.Fprintf(bw, "%s no Limited API version has:\n", plural(len(r.Blockers), "blocker", "blockers"))
		for _, b := range r.Blockers {
			fmt.Fprintf(bw, "  %s: %s [%s]\n", position(b.File, b.Line, b.Column), b.Symbol, b.Code)
		}
	}
	return bw.Flush()
}

// WriteMinJSON writes the minimum target as JSON.
func WriteMinJSON(w io.Writer, r *MinReport) error { return EncodeJSON(w, r) }

func position(file string, line, col int) string {
	switch {
	case line <= 0:
		return file
	case col <= 0:
		return fmt.Sprintf("%s:%d", file, line)
	}
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}
