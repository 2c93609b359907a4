package heaptype

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"
)

// The oracle compiles every converted module under the Limited API with
// gcc against real CPython headers, builds it as an extension module and
// imports it in Python, where testdata's check.py exercises it and checks
// that the type's reference count does not leak. tests/heaptype.sh runs it
// (go test -run TestOracle -oracle); it needs gcc, the python3-dev headers
// of 3.11 and a Python 3.11 interpreter (.ci installs them). pyenv
// interpreters and headers are used as well where present.
var oracle = flag.Bool("oracle", false, "compile the converted testdata with gcc and run it in Python")

// The system headers and interpreter (Debian's python3-dev / python3).
const (
	sysInclude = "/usr/include/python3.11"
	sysPython  = "/usr/bin/python3.11"
)

// pyHelpers is prepended to every check.py.
const pyHelpers = `import gc, os, sys
CONVERTED = os.environ.get("CONVERTED") == "1"
HEAPTYPE = 1 << 9

def check_heap(tp):
    """The converted type is a heap type; the original a static one."""
    is_heap = bool(tp.__flags__ & HEAPTYPE)
    assert is_heap == CONVERTED, (tp, is_heap, CONVERTED)

def check_leak(tp, make, use=None, n=1000):
    """Creating and deleting n instances leaves tp's refcount unchanged."""
    o = make()
    if use is not None:
        use(o)
    del o
    gc.collect()
    before = sys.getrefcount(tp)
    for _ in range(n):
        o = make()
        if use is not None:
            use(o)
        del o
    gc.collect()
    after = sys.getrefcount(tp)
    assert after == before, "%s: refcount %d before, %d after %d instances" % (tp, before, after, n)

def raises(exc, f, *args):
    try:
        f(*args)
    except exc:
        return
    raise AssertionError("%s did not raise %s" % (f, exc))

`

// headerSet is one CPython include directory and, when known, the
// interpreter that goes with it.
type headerSet struct {
	version abi.Version
	include string
	python  string
}

var includeVersion = regexp.MustCompile(`python(\d+)\.(\d+)m?$`)

// headerSets returns the system 3.11 headers first, then pyenv's.
func headerSets(t *testing.T) []headerSet {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sysInclude, "Python.h")); err != nil {
		t.Fatalf("the oracle needs the Python 3.11 headers (python3-dev): %v", err)
	}
	if _, err := os.Stat(sysPython); err != nil {
		t.Fatalf("the oracle needs %s: %v", sysPython, err)
	}
	sets := []headerSet{{abi.V(3, 11), sysInclude, sysPython}}
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		if out, err := exec.Command("pyenv", "root").Output(); err == nil {
			root = strings.TrimSpace(string(out))
		}
	}
	if root == "" {
		return sets
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "versions", "*", "include", "python3.*"))
	sort.Strings(dirs)
	for _, d := range dirs {
		m := includeVersion.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		maj, _ := strconv.Atoi(m[1])
		min, _ := strconv.Atoi(m[2])
		py := filepath.Join(filepath.Dir(filepath.Dir(d)), "bin", fmt.Sprintf("python%d.%d", maj, min))
		if _, err := os.Stat(py); err != nil {
			py = ""
		}
		sets = append(sets, headerSet{abi.V(maj, min), d, py})
	}
	return sets
}

func run(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func compiler(lang grammars.Lang) string {
	if lang == grammars.CPP {
		return "g++"
	}
	return "gcc"
}

// strictFlags turn the warnings that hide Limited API mistakes into errors.
func strictFlags(lang grammars.Lang) []string {
	f := []string{"-Wall", "-Wno-unused-function", "-Wno-missing-braces", "-Werror=return-type"}
	if lang == grammars.C {
		f = append(f, "-Werror=implicit-function-declaration", "-Werror=incompatible-pointer-types", "-Werror=int-conversion")
	}
	return f
}

func TestOracle(t *testing.T) {
	if !*oracle {
		t.Skip("the compiler oracle runs with -oracle (tests/heaptype.sh)")
	}
	sets := headerSets(t)
	pool := grammars.NewPool()
	defer pool.Close()
	cases := loadCases(t)
	ran := 0
	for _, tc := range cases {
		if tc.module == "" {
			continue
		}
		if !tc.target.Less(abi.V(3, 12)) {
			// newer than the system Python: runs where newer headers
			// and interpreters are installed (pyenv)
			present := false
			for _, hs := range sets {
				present = present || !hs.version.Less(tc.target)
			}
			if !present {
				t.Logf("%s: no CPython %s+ headers installed; not compiled", tc.name, tc.target)
				continue
			}
		} else {
			ran++
		}
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			out, log := convertAll(t, pool, tc.lang, tc.input, tc.target)
			for _, l := range log {
				if strings.HasPrefix(l, "problem:") {
					t.Fatalf("a type was not converted: %s", l)
				}
			}
			dir := t.TempDir()
			src := "conv." + tc.ext
			if err := os.WriteFile(filepath.Join(dir, src), out, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "orig."+tc.ext), tc.input, 0o644); err != nil {
				t.Fatal(err)
			}
			check := pyHelpers + tc.check
			if err := os.WriteFile(filepath.Join(dir, "check.py"), []byte(check), 0o644); err != nil {
				t.Fatal(err)
			}
			cc := compiler(tc.lang)
			limited := "-DPy_LIMITED_API=" + tc.target.Hex()

			// 0. The original builds and passes the check (so the check
			// tests something the conversion must keep).
			origDir := filepath.Join(dir, "orig")
			if err := os.Mkdir(origDir, 0o755); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"-shared", "-fPIC", "-O1", "-g", "-I" + sysInclude}, strictFlags(tc.lang)...)
			args = append(args, "-o", filepath.Join(origDir, tc.module+".so"), "orig."+tc.ext)
			if o, err := run(ctx, dir, nil, cc, args...); err != nil {
				t.Fatalf("the original does not build: %v\n%s", err, o)
			}
			if o, err := run(ctx, dir, []string{"PYTHONPATH=" + origDir, "CONVERTED=0"}, sysPython, "-X", "dev", "check.py"); err != nil {
				t.Fatalf("check.py fails on the original: %v\n%s", err, o)
			}

			// 1. gcc -fsyntax-only under the Limited API, every header set
			// at least as new as the target.
			compiled := 0
			for _, hs := range sets {
				if hs.version.Less(tc.target) {
					continue
				}
				args := append([]string{"-fsyntax-only", limited, "-I" + hs.include}, strictFlags(tc.lang)...)
				args = append(args, src)
				if o, err := run(ctx, dir, nil, cc, args...); err != nil {
					t.Errorf("%s %s against %s: %v\n%s", cc, limited, hs.include, err, o)
				} else if strings.Contains(o, "warning") {
					t.Logf("%s against %s warns:\n%s", cc, hs.include, o)
				}
				compiled++
			}
			if compiled == 0 {
				t.Errorf("no headers at least as new as %s", tc.target)
			}

			// 2. Build and import: Python 3.11 with the system headers
			// (required), and each pyenv interpreter at least as new as
			// the target with its own headers.
			for i, hs := range sets {
				if hs.python == "" || hs.version.Less(tc.target) || hs.version.Less(abi.V(3, 8)) {
					continue
				}
				if i > 0 && hs.version == abi.V(3, 11) {
					continue // the system 3.11 already ran
				}
				bdir := filepath.Join(dir, "py"+hs.version.String())
				if err := os.Mkdir(bdir, 0o755); err != nil {
					t.Fatal(err)
				}
				args := append([]string{"-shared", "-fPIC", "-O1", "-g", limited, "-I" + hs.include}, strictFlags(tc.lang)...)
				args = append(args, "-o", filepath.Join(bdir, tc.module+".abi3.so"), src)
				if o, err := run(ctx, dir, nil, cc, args...); err != nil {
					t.Errorf("build for %s: %v\n%s", hs.version, err, o)
					continue
				}
				if o, err := run(ctx, dir, []string{"PYTHONPATH=" + bdir, "CONVERTED=1"}, hs.python, "-X", "dev", "check.py"); err != nil {
					t.Errorf("check.py with Python %s (%s): %v\n%s", hs.version, hs.python, err, o)
				} else {
					t.Logf("check.py passed with Python %s", hs.version)
				}
			}
		})
	}
	if ran < 10 {
		t.Errorf("only %d cases run with Python 3.11; the oracle wants at least 10", ran)
	}
}
