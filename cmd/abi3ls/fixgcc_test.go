package main

// The compiler oracle for `abi3ls fix`: after the safe fixes, gcc compiles
// the code under -DPy_LIMITED_API against the real headers, except on the
// lines where abi3ls still reports something (the safe fixes do not cover
// those).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// pythonIncludes are the header directories compiled against: Debian's
// python3-dev (installed by .ci/run) always, the pyenv versions when there.
func pythonIncludes(t *testing.T) []string {
	t.Helper()
	const system = "/usr/include/python3.11"
	if _, err := os.Stat(filepath.Join(system, "Python.h")); err != nil {
		t.Fatalf("%s/Python.h missing: install python3-dev (.ci/run does)", system)
	}
	dirs := []string{system}
	if root, err := exec.Command("pyenv", "root").Output(); err == nil {
		matches, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(root)), "versions", "3.1[0-9]*", "include", "python3.*"))
		sort.Strings(matches)
		dirs = append(dirs, matches...)
	}
	return dirs
}

var gccError = regexp.MustCompile(`(?m)^([^:\n]+):(\d+):(\d+): error: (.*)$`)

// gccErrors compiles file with -fsyntax-only and returns the lines of its
// errors (implicit declarations are errors, as in C99 and gcc 14).
func gccErrors(t *testing.T, file, target, include string) map[int][]string {
	t.Helper()
	cmd := exec.Command("gcc", "-fsyntax-only", "-std=c11",
		"-Werror=implicit-function-declaration", "-Werror=int-conversion", "-Werror=incompatible-pointer-types",
		"-DPy_LIMITED_API="+target, "-I"+include, file)
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("gcc: %v", err)
	}
	lines := map[int][]string{}
	for _, m := range gccError.FindAllStringSubmatch(string(out), -1) {
		if filepath.Base(m[1]) != filepath.Base(file) {
			continue // an error inside the headers is reported at the file's line too
		}
		n, _ := strconv.Atoi(m[2])
		lines[n] = append(lines[n], m[4])
	}
	if err != nil && len(lines) == 0 {
		t.Fatalf("gcc failed without errors in %s:\n%s", file, out)
	}
	return lines
}

// runCLI runs abi3ls in-process and returns its exit status and stdout.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(env{args: args, stdout: &stdout, stderr: &stderr})
	if code == 2 {
		t.Fatalf("abi3ls %s: exit 2\n%s", strings.Join(args, " "), stderr.String())
	}
	return code, stdout.String()
}

// findingLines runs check --format json and returns the lines of the
// findings in file at error or warning severity.
func findingLines(t *testing.T, file string) map[int]bool {
	t.Helper()
	_, out := runCLI(t, "check", "--exit-zero", "--format", "json", file)
	var doc struct {
		Diagnostics []struct {
			Line, EndLine int
			Severity      string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("check output: %v\n%s", err, out)
	}
	lines := map[int]bool{}
	for _, d := range doc.Diagnostics {
		for l := d.Line; l <= d.EndLine; l++ {
			lines[l] = true
		}
	}
	return lines
}

// safeOnly are files every problem of which a safe fix covers: after fix,
// gcc must accept them whole.
var safeOnly = []struct {
	name, target, src string
}{
	{"macros and ob_type", "0x03080000", `#define Py_LIMITED_API 0x03080000
#include <Python.h>

static Py_ssize_t
count(PyObject *seq)
{
    if (PyList_Check(seq))
        return PyList_GET_SIZE(seq);
    return PyTuple_GET_SIZE(seq);
}

static PyObject *
first(PyObject *t)
{
    PyObject *x = PyTuple_GET_ITEM(t, 0);
    PyObject *y = PyList_GET_ITEM(t, 1);
    if (x->ob_type == &PyFloat_Type && y->ob_type == x->ob_type)
        return PyFloat_FromDouble(PyFloat_AS_DOUBLE(x) * 2);
    return PyLong_FromLong(PyBytes_AS_STRING(x)[0] + PyBytes_GET_SIZE(x));
}
`},
	{"refcount and size", "0x030A0000", `#define Py_LIMITED_API 0x030A0000
#include <Python.h>

static PyObject *
info(PyObject *o)
{
    Py_ssize_t r = o->ob_refcnt;
    Py_ssize_t n = PyUnicode_GET_LENGTH(o);
    return Py_BuildValue("nn", r, n);
}
`},
}

func TestFixCompiles(t *testing.T) {
	includes := pythonIncludes(t)
	for _, tc := range safeOnly {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "m.c")
			if err := os.WriteFile(file, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			if errs := gccErrors(t, file, tc.target, includes[0]); len(errs) == 0 {
				t.Fatalf("the fixture compiles before any fix: it tests nothing")
			}
			runCLI(t, "fix", file)
			fixed, _ := os.ReadFile(file)
			for _, inc := range includes {
				if errs := gccErrors(t, file, tc.target, inc); len(errs) > 0 {
					t.Errorf("with %s, the fixed file does not compile: %v\n%s", inc, errs, fixed)
				}
			}
			if lines := findingLines(t, file); len(lines) > 0 {
				t.Errorf("findings remain on lines %v after fix:\n%s", lines, fixed)
			}
		})
	}
}

// TestFixExample is issue 5's "done when" on the bundled example: after
// `abi3ls fix`, every line gcc still rejects is one abi3ls still reports.
func TestFixExample(t *testing.T) {
	includes := pythonIncludes(t)
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "spam", "spammodule.c"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^#define Py_LIMITED_API (0x[0-9A-Fa-f]{8})`).FindSubmatch(src)
	if m == nil {
		t.Fatal("the example does not define Py_LIMITED_API")
	}
	target := string(m[1])
	dir := t.TempDir()
	for _, name := range []string{"spammodule.c", "pyproject.toml"} {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "spam", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "spammodule.c")
	before := gccErrors(t, file, target, includes[0])
	if code, _ := runCLI(t, "check", "--format", "json", dir); code != 1 {
		t.Errorf("check on the example: exit %d, want 1", code)
	}
	runCLI(t, "fix", dir)
	fixed, _ := os.ReadFile(file)
	if bytes.Equal(fixed, src) {
		t.Fatal("fix changed nothing in the example")
	}
	reported := findingLines(t, file)
	for _, inc := range includes {
		after := gccErrors(t, file, target, inc)
		var stray []string
		for line, msgs := range after {
			if !reported[line] {
				stray = append(stray, fmt.Sprintf("line %d: %s", line, strings.Join(msgs, "; ")))
			}
		}
		sort.Strings(stray)
		if len(stray) > 0 {
			t.Errorf("with %s, gcc rejects lines abi3ls no longer reports:\n%s\n\nfixed file:\n%s", inc, strings.Join(stray, "\n"), fixed)
		}
		if inc == includes[0] && len(after) >= len(before) {
			t.Errorf("fix did not reduce gcc's errors: %d before, %d after", len(before), len(after))
		}
	}
	// Idempotent: a second run changes nothing.
	runCLI(t, "fix", dir)
	again, _ := os.ReadFile(file)
	if !bytes.Equal(again, fixed) {
		t.Errorf("a second fix changed the example again")
	}
}
