package project

import (
	"path/filepath"
	"strings"
)

// Within reports whether path is dir or lies below it, lexically (no
// symlinks are resolved). Empty arguments are never within anything. The
// server and the CLI use it to keep header reads and roots inside a
// workspace.
func Within(dir, path string) bool {
	if dir == "" || path == "" {
		return false
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
