// Package analysis turns a parsed C/C++ file into findings: uses of CPython
// API outside the Limited API of the file's target. It does no IO and knows
// nothing of LSP: callers pass file contents and workspace facts in, and get
// plain data back (byte offsets, rule codes, messages, fixes).
//
// CONTRACT: the exported names in this file are used by server/ and cmd/.
// Extend them; do not rename or remove them.
package analysis

import (
	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/project"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Severity of a finding; the numbers match LSP's DiagnosticSeverity.
type Severity int

const (
	SeverityOff         Severity = 0 // rule disabled
	SeverityError       Severity = 1
	SeverityWarning     Severity = 2
	SeverityInformation Severity = 3
	SeverityHint        Severity = 4
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInformation:
		return "information"
	case SeverityHint:
		return "hint"
	}
	return "off"
}

// Applicability says how far a fix can be trusted (ruff's terms).
type Applicability int

const (
	Safe        Applicability = iota // keeps behaviour; applied by fix-all and `abi3ls fix`
	Unsafe                           // may change behaviour; only on request (`fix --unsafe`)
	DisplayOnly                      // shown, never applied automatically
)

// Edit replaces Src[Start:End] with NewText. Offsets are bytes into the
// analyzed file's text.
type Edit struct {
	Start, End int
	NewText    string
}

// Fix is a set of non-overlapping edits to the analyzed file.
type Fix struct {
	Title         string
	Applicability Applicability
	Edits         []Edit
	// Kind is the LSP code action kind this fix maps to: "quickfix" (default
	// when empty) or e.g. "refactor.rewrite".
	Kind string
}

// Location is a place in some file (the analyzed one or another).
type Location struct {
	Path       string // file path as given by the caller; empty = the analyzed file
	Line       int    // 1-based line
	Start, End int    // byte offsets in that file; -1 when unknown
}

// Related is extra context for a finding (e.g. where the target was set).
type Related struct {
	Location Location
	Message  string
}

// Finding is one problem in the analyzed file.
type Finding struct {
	Code     string // "ABI001"
	Severity Severity
	Start    int // byte offsets into Input.Src
	End      int
	Message  string
	Symbol   string // the CPython name (or field) concerned
	Related  []Related
	Fixes    []Fix
	// DocURL is the official C API documentation page for Symbol, if any.
	DocURL string
}

// TargetSourceKind says where a file's target came from.
type TargetSourceKind int

const (
	FromNone         TargetSourceKind = iota // audit mode
	FromOverride                             // configuration / --target
	FromDefine                               // #define in the file
	FromHeader                               // #define in a local header the file includes
	FromCompileFlags                         // compile_commands.json / compile_flags.txt
	FromBuildFile                            // setup.py, pyproject.toml, meson.build, ...
)

// FileTarget is the target that applies to a file and where it came from.
type FileTarget struct {
	abi.Target
	Kind     TargetSourceKind
	Location Location // where it was declared (zero for FromNone/FromOverride)
	Text     string   // the declaration as written, e.g. "Py_LIMITED_API 0x03090000"
}

// MinTarget is the lowest Py_LIMITED_API version under which every
// limited-API use of the file is available.
type MinTarget struct {
	Version  abi.Version // zero when the file uses no versioned API (3.2 suffices)
	Symbol   string      // the name that pins Version
	At       Location    // where Symbol is used
	Blockers []Blocker   // uses no version resolves (non-limited, private)
}

// Blocker is a use that no Limited API version allows.
type Blocker struct {
	Symbol string
	At     Location
	Code   string
}

// Config is the caller's configuration (project file, LSP settings, CLI).
type Config struct {
	// Target overrides any declared target when non-zero.
	Target abi.Target
	// Audit forces audit-mode reporting even when a target is set.
	Audit bool
	// AuditSeverity is the severity of audit-mode findings (default hint).
	AuditSeverity Severity
	// Severity overrides a rule's default severity by code; SeverityOff
	// disables the rule.
	Severity map[string]Severity
	// Select, when non-empty, enables only these codes; Ignore disables codes.
	Select []string
	Ignore []string
	// AuditOff drops audit-mode findings (the "audit = off" setting); the
	// minimum target is still computed.
	AuditOff bool
}

// Includer resolves `#include "name"` from the file at fromPath to a local
// header's path and contents. The caller does the IO (open documents first,
// then disk); ok is false when the header is not in the workspace.
type Includer interface {
	Include(fromPath, name string) (path string, src []byte, ok bool)
}

// Input is one file to analyze.
type Input struct {
	Path string
	Lang grammars.Lang
	Src  []byte
	// Tree, when non-nil, is a tree-sitter tree of exactly Src (the caller
	// keeps ownership; Analyze does not close it). When nil, Analyze parses.
	Tree *sitter.Tree
	// Project holds workspace facts (build files, compile database); may be nil.
	Project *project.Facts
	// Includes resolves local headers; may be nil.
	Includes Includer
	Config   Config
}

// Result is everything Analyze learned about a file.
type Result struct {
	Findings []Finding // sorted by Start, then Code
	Target   FileTarget
	// Declared lists every target declaration seen (file, headers, compile
	// flags, build files), for hover and ABI010.
	Declared []FileTarget
	Min      MinTarget

	// Reuse, set by an incremental Reanalyze, relates the findings to
	// those of the previous result, so callers can reuse what they made of
	// them; nil after a full analysis.
	Reuse *Reuse

	// pyInclude is the offset of the #include that brings in Python.h
	// (for the audit-mode define fix).
	pyInclude    int
	hasPyInclude bool
}

// Reuse relates the findings of an incremental result to those of the
// previous result (the one of the State given to Reanalyze), prev:
// Findings[:Head] equal prev.Findings[:Head] and lie before the edit; the
// last Tail findings are prev's last Tail moved by Shift bytes and Lines
// lines (they follow the edited function); the findings between are new.
// The edit replaced the text between EditStart and, in the new text,
// EditEnd.
type Reuse struct {
	Head, Tail         int
	Shift, Lines       int
	EditStart, EditEnd int
}

// Analyzer runs the analysis. It holds only immutable, shareable state and
// is safe for concurrent use.
type Analyzer struct {
	DB    *abi.DB
	Parse *grammars.Pool

	// testDB replaces DB in tests.
	testDB database
	// testFlatAll makes the walk flatten whole trees (see
	// walker.selection), testWalkTop walk the file one top-level node at a
	// time (walker.walkTop), for tests.
	testFlatAll bool
	testWalkTop bool
}

// Analyze analyzes one file. It never fails because the C is odd (broken
// code yields fewer findings, never an error); it returns an error only when
// ctx is cancelled or the file cannot be parsed at all.
// (Implemented in analyze.go.)

// Hover describes the CPython name, struct field or target define at byte
// offset off of the analyzed file; nil when there is nothing to say.
// res is the Result of Analyze on the same Input.
// (Implemented in hover.go.)

// Hover is hover content: Markdown, most important line first, and the
// byte range it applies to.
type Hover struct {
	Start, End int
	Markdown   string
}
