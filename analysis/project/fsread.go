package project

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// Default caps on file reads.
const (
	DefaultMaxFileSize      = 4 << 20
	DefaultMaxCompileDBSize = 64 << 20
	maxSymlinkHops          = 40
)

var (
	errOutside = errors.New("a symbolic link leads outside the workspace")
	errLoop    = errors.New("too many symbolic links (a loop?)")
)

// reader reads workspace files through an fs.FS with the safety rules of
// Load: only regular files, a size cap, and no symbolic link that leads
// outside the root (when the FS can report links: fs.ReadLinkFS, as
// os.DirFS and fstest.MapFS do). The check and the open are separate
// calls, so a link swapped in between is not caught; an fs.FS from
// os.Root.FS enforces containment in the kernel and is preferable for
// untrusted trees.
type reader struct {
	fsys     fs.FS
	root     string // OS path of the root, for absolute link targets; may be ""
	problems []Problem
}

// read returns the contents of name (slash path relative to the root), or
// ok=false. A missing file is silent; every other failure is a Problem.
func (r *reader) read(name string, limit int64) ([]byte, bool) {
	b, err := readFile(r.fsys, r.root, name, limit)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.problems = append(r.problems, Problem{Path: name, Message: err.Error()})
		}
		return nil, false
	}
	return b, true
}

// exists reports whether name is a regular file (or a directory when dir)
// inside the root.
func (r *reader) exists(name string, dir bool) bool {
	p, err := resolveInside(r.fsys, r.root, name)
	if err != nil {
		return false
	}
	fi, err := fs.Stat(r.fsys, p)
	if err != nil {
		return false
	}
	if dir {
		return fi.IsDir()
	}
	return fi.Mode().IsRegular()
}

// readFile reads a regular file of at most limit bytes.
func readFile(fsys fs.FS, root, name string, limit int64) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("invalid path %q", name)
	}
	p, err := resolveInside(fsys, root, name)
	if err != nil {
		return nil, fmt.Errorf("%s: not read: %w", name, err)
	}
	fi, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not read: not a regular file", name)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: skipped: %d bytes is over the size limit of %d bytes (max-file-size)", name, fi.Size(), limit)
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: skipped: over the size limit of %d bytes (max-file-size)", name, limit)
	}
	return b, nil
}

// resolveInside resolves the symbolic links along name, component by
// component, and returns the link-free path inside the FS. It fails when a
// link points outside the root (an absolute target not under root, or a
// relative one climbing above it) or when links loop. Without
// fs.ReadLinkFS support it returns name unchanged.
func resolveInside(fsys fs.FS, root, name string) (string, error) {
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok || name == "." {
		return name, nil
	}
	parts := strings.Split(name, "/")
	cur := "."
	hops := 0
	for i := 0; i < len(parts); i++ {
		next := path.Join(cur, parts[i])
		fi, err := rl.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		hops++
		if hops > maxSymlinkHops {
			return "", errLoop
		}
		target, err := rl.ReadLink(next)
		if err != nil {
			return "", err
		}
		var joined string
		if t := filepath.ToSlash(target); path.IsAbs(t) || filepath.IsAbs(target) || hasDrive(t) {
			if root == "" {
				return "", errOutside
			}
			rel, err := filepath.Rel(root, target)
			if err != nil {
				return "", errOutside
			}
			joined = path.Clean(filepath.ToSlash(rel))
		} else {
			joined = path.Join(cur, t)
		}
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return "", errOutside
		}
		rest := parts[i+1:]
		parts = append(strings.Split(joined, "/"), rest...)
		cur = "."
		i = -1
	}
	return cur, nil
}
