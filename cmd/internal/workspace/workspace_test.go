package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/project"
	"github.com/google/go-cmp/cmp"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRootsAndSettings(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"proj/pyproject.toml":     "[tool.abi3ls]\ntarget = \"3.9\"\nexclude = [\"vendor\", \"src/gen_*.c\"]\nselect = [\"ABI001\"]\n",
		"proj/src/a.c":            "",
		"proj/src/gen_x.c":        "",
		"proj/vendor/lib/v.c":     "",
		"other/abi3ls.toml":       "target = \"3.12\"\n",
		"other/deep/er/b.c":       "",
		"bad/abi3ls.toml":         "target = \"three\"\n",
		"bad/c.c":                 "",
		"flagcfg/settings.toml":   "target = \"3.11\"\n",
		"flagcfg/pyproject.toml":  "[project]\nname = \"x\"\n",
		"flagcfg/pyproject2.toml": "",
	})
	ws, err := New(Options{Override: project.Settings{Select: []string{"ABI004"}}, ExtendIgnore: []string{"ABI006"}})
	if err != nil {
		t.Fatal(err)
	}
	a := ws.RootFor(filepath.Join(dir, "proj/src/a.c"))
	if a.Dir != filepath.Join(dir, "proj") || a.Err != nil {
		t.Fatalf("root %q err %v", a.Dir, a.Err)
	}
	if a.Config.Target != (abi.Target{Limited: abi.V(3, 9)}) {
		t.Errorf("target %v", a.Config.Target)
	}
	// --select replaces the project's select; --ignore extends.
	if diff := cmp.Diff([]string{"ABI004"}, a.Config.Select); diff != "" {
		t.Errorf("select: %s", diff)
	}
	if diff := cmp.Diff([]string{"ABI006"}, a.Config.Ignore); diff != "" {
		t.Errorf("ignore: %s", diff)
	}
	for rel, want := range map[string]bool{
		"proj/src/a.c": false, "proj/src/gen_x.c": true, "proj/vendor": true, "proj/vendor/lib/v.c": true, "proj": false,
	} {
		abs := filepath.Join(dir, filepath.FromSlash(rel))
		info, _ := os.Stat(abs)
		if got := ws.Exclude(abs, info.IsDir()); got != want {
			t.Errorf("Exclude(%s) = %v, want %v", rel, got, want)
		}
	}
	if same := ws.RootFor(filepath.Join(dir, "proj/vendor/lib/v.c")); same != a {
		t.Error("a second file of the same project loaded the root again")
	}
	b := ws.RootFor(filepath.Join(dir, "other/deep/er/b.c"))
	if b.Dir != filepath.Join(dir, "other") || b.Config.Target != (abi.Target{Limited: abi.V(3, 12)}) {
		t.Errorf("other: %q %v", b.Dir, b.Config.Target)
	}
	c := ws.RootFor(filepath.Join(dir, "bad/c.c"))
	if c.Err == nil || !strings.Contains(c.Err.Error(), "abi3ls.toml") {
		t.Errorf("bad config: err %v", c.Err)
	}
	if _, _, err := c.Analyze(context.Background(), nil, filepath.Join(dir, "bad/c.c")); err == nil {
		t.Error("a file under an invalid configuration was analyzed")
	}

	// --config replaces the settings of every workspace.
	ws2, err := New(Options{ConfigFile: filepath.Join(dir, "flagcfg/settings.toml")})
	if err != nil {
		t.Fatal(err)
	}
	if r := ws2.RootFor(filepath.Join(dir, "other/deep/er/b.c")); r.Config.Target != (abi.Target{Limited: abi.V(3, 11)}) {
		t.Errorf("--config: target %v", r.Config.Target)
	}
	if _, err := New(Options{ConfigFile: filepath.Join(dir, "flagcfg/pyproject.toml")}); err == nil || !strings.Contains(err.Error(), "no [tool.abi3ls]") {
		t.Errorf("--config pyproject without table: %v", err)
	}
	if _, err := New(Options{ConfigFile: filepath.Join(dir, "missing.toml")}); err == nil {
		t.Error("--config with a missing file accepted")
	}
	if _, err := New(Options{Override: project.Settings{Target: "2.7"}}); err == nil {
		t.Error("--target 2.7 accepted")
	}
}

func TestReadLimit(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"abi3ls.toml": "max-file-size = 10\n", "small.c": "int x;", "big.c": "int a_long_name;"})
	ws, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := ws.RootFor(filepath.Join(dir, "small.c"))
	if b, err := r.Read(filepath.Join(dir, "small.c")); err != nil || string(b) != "int x;" {
		t.Errorf("small: %q %v", b, err)
	}
	if _, err := r.Read(filepath.Join(dir, "big.c")); !errors.Is(err, ErrTooBig) {
		t.Errorf("big: %v", err)
	}
	if _, err := r.Read(dir); err == nil {
		t.Error("read a directory")
	}
}

func TestIncluder(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write(t, dir, map[string]string{
		"src/m.c":         "",
		"src/local.h":     "local",
		"include/pub.h":   "pub",
		"include/sub/s.h": "sub",
		"src/nested/n.h":  "nested",
	})
	write(t, outside, map[string]string{"secret.h": "secret", "inc/extra.h": "extra"})
	in := &includer{root: dir, dirs: []string{filepath.Join(dir, "include"), filepath.Join(outside, "inc")}, max: 1 << 20}
	from := filepath.Join(dir, "src/m.c")
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"local.h", "local", true},
		{"nested/n.h", "nested", true},
		{"pub.h", "pub", true},
		{"sub/s.h", "sub", true},
		{"extra.h", "extra", true}, // an include directory outside the root
		{"../../" + filepath.Base(outside) + "/secret.h", "", false},
		{filepath.Join(outside, "secret.h"), "", false},
		{"missing.h", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		_, b, ok := in.Include(from, tt.name)
		if ok != tt.ok || string(b) != tt.want {
			t.Errorf("Include(%q) = %q, %v; want %q, %v", tt.name, b, ok, tt.want, tt.ok)
		}
	}
}

func TestParallel(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 100} {
		var sum atomic.Int64
		seen := make([]int32, 50)
		Parallel(context.Background(), len(seen), workers, func(i int) {
			atomic.AddInt32(&seen[i], 1)
			sum.Add(int64(i))
		})
		for i, n := range seen {
			if n != 1 {
				t.Fatalf("workers %d: item %d done %d times", workers, i, n)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var n atomic.Int64
	Parallel(ctx, 1000, 2, func(int) { n.Add(1) })
	if n.Load() != 0 {
		t.Errorf("cancelled: %d items done", n.Load())
	}
	Parallel(context.Background(), 0, 4, func(int) { t.Error("called for n = 0") })
}
