// Package grammars owns the tree-sitter language handles for C and C++, the
// choice of language by file name, and a small parser helper.
//
// Every tree-sitter object created here is closed exactly once: a Parser is
// owned by the goroutine that took it from a Pool and is returned to the pool
// (or closed) by that goroutine; trees are returned to the caller, who owns
// them and must Close them.
package grammars

import (
	"path/filepath"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
	tsc "github.com/tree-sitter/tree-sitter-c/bindings/go"
	tscpp "github.com/tree-sitter/tree-sitter-cpp/bindings/go"
)

// Lang names a supported source language.
type Lang int

const (
	// Unknown is returned for files abi3ls does not analyze.
	Unknown Lang = iota
	// C is the C language (.c, .h).
	C
	// CPP is C++ (.cc, .cpp, .cxx, .hpp, .hh, .hxx, ...).
	CPP
)

func (l Lang) String() string {
	switch l {
	case C:
		return "c"
	case CPP:
		return "cpp"
	}
	return "unknown"
}

// languages are immutable handles created once; a *sitter.Language is a
// pointer to static grammar tables and needs no closing.
var (
	langC   = sitter.NewLanguage(tsc.Language())
	langCPP = sitter.NewLanguage(tscpp.Language())
)

// Language returns the tree-sitter language for l, or nil for Unknown.
func (l Lang) Language() *sitter.Language {
	switch l {
	case C:
		return langC
	case CPP:
		return langCPP
	}
	return nil
}

// ForPath chooses the language from a file name's extension. `.h` is C.
func ForPath(path string) Lang {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".c", ".h":
		return C
	case ".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tcc":
		return CPP
	}
	return Unknown
}

// ForLanguageID maps an LSP languageId ("c", "cpp", "objective-c", ...) to a
// Lang, falling back to the path's extension.
func ForLanguageID(id, path string) Lang {
	switch strings.ToLower(id) {
	case "c":
		return C
	case "cpp", "c++", "cuda-cpp":
		return CPP
	}
	return ForPath(path)
}

// IsSource reports whether the path is a C/C++ source or header abi3ls checks.
func IsSource(path string) bool { return ForPath(path) != Unknown }
