// Package walk lists the C and C++ files named by command-line arguments:
// files as given, directories walked recursively. It skips version-control
// metadata, build output and virtual environments, asks the caller about
// every other path (project excludes), follows symbolic links only when they
// stay inside the directory being walked (a link out of it is not
// followed: the walk never leaves the tree the user named) and without ever
// entering a directory twice (so link loops terminate), and returns the
// files in a deterministic order.
package walk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is one file to check.
type File struct {
	// Path is the path as the user would write it: the argument joined with
	// the walked names, cleaned.
	Path string
	// Abs is the absolute, cleaned form of Path (symbolic links not
	// resolved).
	Abs string
	// Explicit is true when the file was named on the command line.
	Explicit bool
}

// Error is a path that could not be read or does not exist.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Options tune Walk.
type Options struct {
	// Exclude reports whether abs (an absolute path) is to be skipped;
	// isDir says whether it is a directory (a skipped directory is not
	// entered). It is asked about named files too. May be nil.
	Exclude func(abs string, isDir bool) bool
	// IsSource reports whether a file found in a directory is to be
	// checked. Required.
	IsSource func(path string) bool
	// Skipped, when non-nil, is told about every named file that is not a
	// source file (IsSource false), so the caller can say so.
	Skipped func(path string)
}

// skipName reports whether a directory called name is never entered while
// walking (a directory named on the command line is still walked).
func skipName(name string) bool {
	switch name {
	case ".git", ".hg", ".svn", ".bzr", "_darcs",
		"build", "dist", "_skbuild", "builddir",
		".venv", "venv", ".tox", ".nox", ".eggs",
		"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
		"node_modules", "site-packages":
		return true
	}
	return strings.HasSuffix(name, ".egg-info")
}

// SkippedDir reports whether a directory called name, containing or not a
// pyvenv.cfg, is one Walk never enters: version control, build output,
// virtual environments and caches.
func SkippedDir(dir, name string) bool {
	if skipName(name) {
		return true
	}
	// Any directory holding pyvenv.cfg is a virtual environment, whatever
	// its name.
	_, err := os.Lstat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

// Walk lists the files named by paths. Errors (missing paths, unreadable
// directories) are returned alongside the files found elsewhere; Walk goes
// on after them. Files reached twice (two arguments, or links) are listed
// once. The result is sorted by Path. It returns ctx.Err() when cancelled.
func Walk(ctx context.Context, paths []string, opts Options) ([]File, []error, error) {
	w := &walker{
		ctx:       ctx,
		opts:      opts,
		seenDirs:  map[string]bool{},
		seenFiles: map[string]bool{},
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		w.arg(p)
		// Linked directories last, so that a tree's own directories are
		// listed under their real names when a link also leads there.
		for len(w.links) > 0 {
			l := w.links[0]
			w.links = w.links[1:]
			w.dir(l.path, l.abs, l.real)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	sort.SliceStable(w.files, func(i, j int) bool { return w.files[i].Path < w.files[j].Path })
	return w.files, w.errs, nil
}

type link struct{ path, abs, real string }

type walker struct {
	ctx       context.Context
	opts      Options
	seenDirs  map[string]bool // real (link-free) directory paths entered
	seenFiles map[string]bool // real file paths listed
	links     []link          // linked directories, walked after the others
	// root is the real path of the directory argument being walked; links
	// leading outside it are not followed.
	root  string
	files []File
	errs  []error
}

func (w *walker) fail(path string, err error) {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	w.errs = append(w.errs, &Error{Path: path, Err: err})
}

// excluded asks about a path as reached and, when links lead elsewhere,
// about its real path too (a glob written for the real tree still holds).
func (w *walker) excluded(abs, real string, isDir bool) bool {
	if w.opts.Exclude == nil {
		return false
	}
	return w.opts.Exclude(abs, isDir) || (real != "" && real != abs && w.opts.Exclude(real, isDir))
}

// realPath resolves links in abs; "" when it cannot.
func realPath(abs string) string {
	r, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return ""
	}
	return r
}

func (w *walker) arg(p string) {
	clean := filepath.Clean(p)
	abs, err := filepath.Abs(clean)
	if err != nil {
		w.fail(p, err)
		return
	}
	info, err := os.Stat(clean) // follows links: a named link means its target
	if err != nil {
		w.fail(p, err)
		return
	}
	real := realPath(abs)
	if info.IsDir() {
		if w.excluded(abs, real, true) {
			return
		}
		w.root = real
		w.dir(clean, abs, real)
		return
	}
	if !info.Mode().IsRegular() {
		w.fail(p, errors.New("not a regular file"))
		return
	}
	if !w.opts.IsSource(clean) {
		if w.opts.Skipped != nil {
			w.opts.Skipped(clean)
		}
		return
	}
	if w.excluded(abs, real, false) {
		return
	}
	w.file(clean, abs, real, true)
}

// inside reports whether the real path p is root or below it.
func inside(p, root string) bool {
	if root == "" || p == root {
		return true
	}
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// file lists a file once, whatever path reached it (real is its path
// without links).
func (w *walker) file(path, abs, real string, explicit bool) {
	if real == "" {
		real = abs
	}
	if w.seenFiles[real] {
		return
	}
	w.seenFiles[real] = true
	w.files = append(w.files, File{Path: path, Abs: abs, Explicit: explicit})
}

// dir walks a directory; real is its path without links. The real path of
// every directory entered is remembered, so a link back to an ancestor (or
// to a directory already walked) is not entered again.
func (w *walker) dir(path, abs, real string) {
	if w.ctx.Err() != nil {
		return
	}
	if real == "" {
		w.fail(path, errors.New("cannot resolve the path"))
		return
	}
	if w.seenDirs[real] {
		return
	}
	w.seenDirs[real] = true
	entries, err := os.ReadDir(path) // sorted by name
	if err != nil {
		w.fail(path, err)
		// ReadDir returns what it read before the error; go on with it.
	}
	for _, e := range entries {
		name := e.Name()
		childPath := filepath.Join(path, name)
		childAbs := filepath.Join(abs, name)
		childReal := filepath.Join(real, name)
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			info, err := os.Stat(childPath)
			if err != nil {
				// A dangling link inside a tree is not an input the user
				// named; leave it.
				continue
			}
			typ = info.Mode().Type()
			if childReal = realPath(childAbs); childReal == "" || !inside(childReal, w.root) {
				continue
			}
		}
		switch {
		case typ.IsDir():
			if SkippedDir(childPath, name) || w.excluded(childAbs, childReal, true) {
				continue
			}
			if e.Type()&fs.ModeSymlink != 0 {
				w.links = append(w.links, link{childPath, childAbs, childReal})
				continue
			}
			w.dir(childPath, childAbs, childReal)
		case typ.IsRegular():
			if !w.opts.IsSource(name) || w.excluded(childAbs, childReal, false) {
				continue
			}
			w.file(childPath, childAbs, childReal, false)
		}
	}
}
