package walk

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func isC(p string) bool {
	switch filepath.Ext(p) {
	case ".c", ".h", ".cpp":
		return true
	}
	return false
}

// mkTree creates files (name -> content; a value starting with "->" makes a
// symbolic link to the rest) under dir.
func mkTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(body, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWalk(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		args    []string
		exclude []string // path suffixes (relative to the tree) to exclude
		want    []string
		errs    []string
	}{
		{
			name: "sources only, sorted",
			files: map[string]string{
				"src/b.c": "", "src/a.h": "", "src/x.py": "", "top.cpp": "", "README": "",
			},
			args: []string{"."},
			want: []string{"src/a.h", "src/b.c", "top.cpp"},
		},
		{
			name: "skips vcs, build output, venvs and caches",
			files: map[string]string{
				".git/x.c": "", "build/gen.c": "", "dist/y.c": "", ".venv/z.c": "",
				"myenv/pyvenv.cfg": "", "myenv/include/w.h": "", "pkg.egg-info/q.c": "",
				"__pycache__/p.c": "", "src/ok.c": "",
			},
			args: []string{"."},
			want: []string{"src/ok.c"},
		},
		{
			name:  "a skipped name named on the command line is walked",
			files: map[string]string{"build/gen.c": "", "build/.git/no.c": ""},
			args:  []string{"build"},
			want:  []string{"build/gen.c"},
		},
		{
			name:    "excludes prune directories and files",
			files:   map[string]string{"third_party/x/a.c": "", "src/gen.c": "", "src/m.c": ""},
			args:    []string{"."},
			exclude: []string{"third_party", "src/gen.c"},
			want:    []string{"src/m.c"},
		},
		{
			name:    "excludes apply to named files",
			files:   map[string]string{"src/gen.c": "", "src/m.c": ""},
			args:    []string{"src/gen.c", "src/m.c"},
			exclude: []string{"src/gen.c"},
			want:    []string{"src/m.c"},
		},
		{
			name:  "symlink loop terminates",
			files: map[string]string{"a/x.c": "", "a/loop": "->..", "a/self": "->.", "b/c/up": "->../.."},
			args:  []string{"."},
			want:  []string{"a/x.c"},
		},
		{
			name:  "linked directory walked once, under its real name",
			files: map[string]string{"real/x.c": "", "alias": "->real", "a/deep/link": "->../../real"},
			args:  []string{"."},
			want:  []string{"real/x.c"},
		},
		{
			name:  "links out of the walked tree are not followed",
			files: map[string]string{"out/o.c": "", "out/p.c": "", "tree/in.c": "", "tree/ext": "->../out", "tree/f.c": "->../out/p.c", "tree/abs": "->/"},
			args:  []string{"tree"},
			want:  []string{"tree/in.c"},
		},
		{
			name:  "a link named on the command line is followed",
			files: map[string]string{"out/o.c": "", "tree/ext": "->../out"},
			args:  []string{"tree/ext"},
			want:  []string{"tree/ext/o.c"},
		},
		{
			name:  "the tree is the directory named, not its parent",
			files: map[string]string{"tree/real/x.c": "", "tree/sub/s.c": "", "tree/sub/alias": "->../real"},
			args:  []string{"tree/sub"},
			want:  []string{"tree/sub/s.c"},
		},
		{
			name:    "a directory excluded by its real name is not reached through a link",
			files:   map[string]string{"real/x.c": "", "alias": "->real", "y.c": ""},
			args:    []string{"."},
			exclude: []string{"real"},
			want:    []string{"y.c"},
		},
		{
			name:  "same file twice",
			files: map[string]string{"x.c": "", "y.c": "->x.c"},
			args:  []string{"x.c", ".", "x.c"},
			want:  []string{"x.c"},
		},
		{
			name:  "dangling link in a tree is ignored",
			files: map[string]string{"x.c": "", "gone.c": "->nowhere.c"},
			args:  []string{"."},
			want:  []string{"x.c"},
		},
		{
			name:  "missing path is an error, others still listed",
			files: map[string]string{"x.c": ""},
			args:  []string{"missing.c", "x.c"},
			want:  []string{"x.c"},
			errs:  []string{"missing.c: no such file or directory"},
		},
		{
			name:  "named non-source file is not listed",
			files: map[string]string{"setup.py": ""},
			args:  []string{"setup.py"},
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mkTree(t, dir, tt.files)
			t.Chdir(dir)
			root, err := os.Getwd()
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{
				IsSource: isC,
				Exclude: func(abs string, isDir bool) bool {
					for _, e := range tt.exclude {
						if abs == filepath.Join(root, e) {
							return true
						}
					}
					return false
				},
			}
			files, errs, err := Walk(context.Background(), tt.args, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, filepath.ToSlash(f.Path))
				if f.Abs != filepath.Join(root, f.Path) {
					t.Errorf("Abs %q for Path %q", f.Abs, f.Path)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			var gotErrs []string
			for _, e := range errs {
				gotErrs = append(gotErrs, e.Error())
			}
			if diff := cmp.Diff(tt.errs, gotErrs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads everything; simulate with a file where a directory
		// is expected instead.
		dir := t.TempDir()
		mkTree(t, dir, map[string]string{"ok.c": ""})
		_, errs, err := Walk(context.Background(), []string{filepath.Join(dir, "ok.c", "sub")}, Options{IsSource: isC})
		if err != nil {
			t.Fatal(err)
		}
		if len(errs) != 1 || !errors.Is(errs[0], fs.ErrNotExist) && !strings.Contains(errs[0].Error(), "not a directory") {
			t.Fatalf("errs = %v", errs)
		}
		return
	}
	dir := t.TempDir()
	mkTree(t, dir, map[string]string{"locked/x.c": "", "ok.c": ""})
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(dir, "locked"), 0o755)
	files, errs, err := Walk(context.Background(), []string{dir}, Options{IsSource: isC})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "locked") {
		t.Fatalf("files %v errs %v", files, errs)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Walk(ctx, []string{"."}, Options{IsSource: isC}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}
