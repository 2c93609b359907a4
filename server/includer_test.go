package server

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIncluderStaysInWorkspace checks that local headers are read only
// inside the document's folder or an include directory, never through an
// absolute name or a path that climbs out.
func TestIncluderStaysInWorkspace(t *testing.T) {
	base := t.TempDir()
	ws := filepath.Join(base, "ws")
	inc := filepath.Join(base, "inc")
	outside := filepath.Join(base, "outside")
	for dir, files := range map[string][]string{ws: {"local.h", "src/a.c"}, inc: {"extra.h"}, outside: {"secret.h"}} {
		for _, f := range files {
			p := filepath.Join(dir, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("#define X 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	in := &includer{s: &Server{}, root: ws, dirs: []string{inc}, max: 1 << 20}
	from := filepath.Join(ws, "src", "a.c")
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"../local.h", true},
		{"extra.h", true},
		{filepath.Join(outside, "secret.h"), false},
		{"../../outside/secret.h", false},
		{"missing.h", false},
	} {
		_, _, ok := in.Include(from, tc.name)
		if ok != tc.ok {
			t.Errorf("Include(%q) ok = %v, want %v", tc.name, ok, tc.ok)
		}
	}
}
