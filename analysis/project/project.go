// Package project reads what a workspace declares about its build: the
// Py_LIMITED_API / Py_TARGET_ABI3T targets in build files and compile
// databases, and the abi3ls configuration file. Build files are read as text
// and never executed. It reads only through the fs.FS it is given.
//
// CONTRACT: the exported names in this file are used by analysis/, server/
// and cmd/. Extend them; do not rename or remove them.
package project

import (
	"io/fs"

	"github.com/abi3ls/abi3ls/abi"
)

// Declaration is one target declared by a workspace file.
type Declaration struct {
	Target abi.Target
	// Source names the kind of file: "setup.py", "setup.cfg",
	// "pyproject.toml", "meson.build", "CMakeLists.txt",
	// "compile_commands.json", "compile_flags.txt".
	Source string
	Path   string // slash-separated path relative to the workspace root
	Line   int    // 1-based line of the declaration; 0 when unknown
	Text   string // the declaration as written, e.g. `py_limited_api = "cp38"`
}

// Problem is a workspace file that could not be used (too big, malformed).
type Problem struct {
	Path    string
	Message string
}

// Settings is the abi3ls configuration shared by the server and the CLI
// (abi3ls.toml or [tool.abi3ls] in pyproject.toml; LSP initializationOptions
// and didChangeConfiguration use the same keys).
type Settings struct {
	Target      string            `toml:"target" json:"target,omitempty"` // "3.10"
	ABI3T       *bool             `toml:"abi3t" json:"abi3t,omitempty"`
	Audit       string            `toml:"audit" json:"audit,omitempty"` // "off" | "hint" | "information" | "warning"
	Severity    map[string]string `toml:"severity" json:"severity,omitempty"`
	Select      []string          `toml:"select" json:"select,omitempty"`
	Ignore      []string          `toml:"ignore" json:"ignore,omitempty"`
	Include     []string          `toml:"include-dirs" json:"includeDirs,omitempty"`
	Exclude     []string          `toml:"exclude" json:"exclude,omitempty"` // doublestar globs
	MaxFileSize int64             `toml:"max-file-size" json:"maxFileSize,omitempty"`
}

// Facts is what Load learned about a workspace. Immutable once returned.
type Facts struct {
	Root string // as given to Load
	// Build lists the declarations of build files (setup.py, ...), in a
	// stable order.
	Build []Declaration
	// PerFile maps a slash-separated path relative to Root to the
	// declaration from compile_commands.json for that file.
	PerFile map[string]Declaration
	// Flags is the declaration from compile_flags.txt (applies to every file),
	// if any.
	Flags *Declaration
	// Settings from abi3ls.toml or [tool.abi3ls]; zero when absent.
	Settings     Settings
	SettingsPath string
	Problems     []Problem
}

// Options tune Load.
type Options struct {
	// MaxFileSize caps every file read (bytes); 0 means the default (4 MiB).
	MaxFileSize int64
}

// Load reads the workspace rooted at fsys (e.g. os.DirFS(root)): build
// files at the root (and compile_commands.json in the root or build/), the
// compile database, and the settings file. It never fails: unreadable or
// malformed files become Problems.
// STUB: the project engineer implements it.
func Load(fsys fs.FS, root string, opts Options) *Facts { return &Facts{Root: root} }

// TargetFor returns the declaration that applies to the file at rel (slash
// path relative to Root): compile_commands.json entry, then
// compile_flags.txt, then the first build-file declaration.
func (f *Facts) TargetFor(rel string) (Declaration, bool) {
	if f == nil {
		return Declaration{}, false
	}
	if d, ok := f.PerFile[rel]; ok {
		return d, true
	}
	if f.Flags != nil {
		return *f.Flags, true
	}
	if len(f.Build) > 0 {
		return f.Build[0], true
	}
	return Declaration{}, false
}
