package reliability

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileFiles is a workspace whose build files and compile databases would
// each leave a PWNED-* file behind if anything ran them (python, a PEP 517
// backend, meson, cmake, a shell expanding the compile command). Each also
// declares Py_LIMITED_API 0x03080000, which mod.c (without a define of its
// own) gets only if the files were read.
func hostileFiles(marker string) map[string]string {
	m := func(tool string) string { return filepath.Join(marker, "PWNED-"+tool) }
	return map[string]string{
		"mod.c": "#include <Python.h>\nstatic PyObject *f(PyObject *o) { return PyTuple_GET_ITEM(o, 0); }\n",
		"setup.py": "import pathlib\npathlib.Path(" + quote(m("setup.py")) + ").write_text('ran')\n" +
			"from setuptools import setup, Extension\n" +
			"setup(ext_modules=[Extension('mod', ['mod.c'], py_limited_api=True, define_macros=[('Py_LIMITED_API', '0x03080000')])])\n",
		"evil_backend.py": "import pathlib\npathlib.Path(" + quote(m("backend")) + ").write_text('ran')\n",
		"pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"evil_backend\"\nbackend-path = [\".\"]\n\n" +
			"[project]\nname = \"mod\"\nversion = \"1\"\n",
		"setup.cfg": "[bdist_wheel]\npy_limited_api = cp38\n[options]\nsetup_requires = evil_backend\n",
		"meson.build": "project('mod', 'c')\nrun_command('touch', " + squote(m("meson")) + ", check: true)\n" +
			"py = import('python').find_installation()\n" +
			"py.extension_module('mod', 'mod.c', limited_api: '3.8', c_args: ['-DPy_LIMITED_API=0x03080000'])\n",
		"CMakeLists.txt": "cmake_minimum_required(VERSION 3.20)\nproject(mod C)\n" +
			"execute_process(COMMAND touch " + m("cmake") + ")\nfile(WRITE " + m("cmake-file") + " ran)\n" +
			"add_library(mod MODULE mod.c)\ntarget_compile_definitions(mod PRIVATE Py_LIMITED_API=0x03080000)\n",
		"compile_commands.json": `[{"directory": ".", "file": "mod.c", "command": "cc -DPy_LIMITED_API=0x03080000 $(touch ` + m("compdb") + `) ` +
			"`touch " + m("compdb-backtick") + "`" + ` -c mod.c; touch ` + m("compdb-semicolon") + `"}]`,
		"compile_flags.txt": "-DPy_LIMITED_API=0x03080000\n$(touch " + m("flags") + ")\n",
	}
}

func quote(s string) string  { b, _ := json.Marshal(s); return string(b) }
func squote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// noMarkers fails if any PWNED-* file exists under root.
func noMarkers(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "PWNED-") {
			t.Errorf("a build file was executed: %s exists", p)
		}
		return nil
	})
}

// TestBuildFilesNeverExecuted: check, fix --diff and a serve session on a
// hostile workspace start no program, and the declarations of its build
// files still reach the analysis (errors under the 3.8 target, not audit
// hints).
func TestBuildFilesNeverExecuted(t *testing.T) {
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	writeTree(t, ws, hostileFiles(root))

	res := run(t, ws, nil, "check", ".")
	if res.code != 1 || !strings.Contains(res.stdout, "error: PyTuple_GET_ITEM") {
		t.Errorf("check: exit %d, want 1 with an error for PyTuple_GET_ITEM (the build files' target):\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = run(t, ws, nil, "check", "--min-version", ".")
	if !strings.Contains(res.stdout+res.stderr, "3.") {
		t.Errorf("check --min-version printed no version:\n%s%s", res.stdout, res.stderr)
	}
	res = run(t, ws, nil, "fix", "--diff", ".")
	if !strings.Contains(res.stdout, "+") || !strings.Contains(res.stdout, "PyTuple_GetItem") {
		t.Errorf("fix --diff: no diff with the fix:\n%s%s", res.stdout, res.stderr)
	}
	serve(t, ws, func(c *client) {
		c.initialize(fileURI(ws))
		uri := fileURI(filepath.Join(ws, "mod.c"))
		src, _ := os.ReadFile(filepath.Join(ws, "mod.c"))
		c.open(uri, string(src))
		ds := c.diagnostics(uri, 1)
		if len(ds) != 1 || ds[0].Severity != 1 {
			t.Errorf("serve: diagnostics %+v, want one error (the build files' target)", ds)
		}
	})
	noMarkers(t, root)
}

// safetyTree is a project with findings in two files, build files, a
// settings file and a header.
var safetyTree = map[string]string{
	"a.c":            "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\n#include \"h.h\"\nPyObject *a(PyObject *o) { return PyTuple_GET_ITEM(o, 0); }\n",
	"sub/b.c":        "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\nPyObject *b(PyObject *o) { return PyList_GET_ITEM(o, 0); }\n",
	"h.h":            "static inline Py_ssize_t h(PyObject *o) { return PyTuple_GET_SIZE(o); }\n",
	"abi3ls.toml":    "target = \"3.8\"\n",
	"pyproject.toml": "[project]\nname = \"p\"\nversion = \"1\"\n",
	"setup.py":       "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('a', ['a.c', 'sub/b.c'], py_limited_api=True)])\n",
}

// readOnly removes write permission from everything under dir (which does
// not stop root, hence the hash comparison) and restores it at cleanup so
// the temporary directory can be removed.
func readOnly(t *testing.T, dir string) {
	t.Helper()
	var dirs []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Type()&os.ModeSymlink != 0 {
			return nil
		}
		info, _ := d.Info()
		os.Chmod(p, info.Mode().Perm()&^0o222)
		if d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	t.Cleanup(func() {
		for _, d := range dirs {
			os.Chmod(d, 0o755)
		}
	})
}

// TestWritesOnlyInFix: every command but fix, and a serve session that
// edits, asks for fixes and runs fix-all, leave a read-only tree exactly as
// it was (hash of paths, modes, sizes, times and contents) and make no
// write system call; fix writes only the file it was given, through a
// temporary file in the same directory renamed over it, and leaves nothing
// else behind.
func TestWritesOnlyInFix(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	writeTree(t, ws, safetyTree)
	readOnly(t, ws)
	before := treeHash(t, ws)

	for _, args := range [][]string{
		{"check", "."},
		{"check", "--format", "json", "."},
		{"check", "--format", "sarif", "."},
		{"check", "--format", "github", "a.c", "sub"},
		{"check", "--min-version", "."},
		{"fix", "--diff", "."},
		{"fix", "--diff", "--unsafe", "."},
		{"lookup", "PyTuple_GET_ITEM"},
		{"explain", "ABI001"},
		{"rules"},
		{"version"},
	} {
		run(t, ws, nil, args...)
	}
	serve(t, ws, func(c *client) {
		c.initialize(fileURI(ws))
		uri := fileURI(filepath.Join(ws, "a.c"))
		c.open(uri, safetyTree["a.c"])
		if ds := c.diagnostics(uri, 1); len(ds) == 0 {
			t.Errorf("serve: no diagnostics for a.c")
		}
		c.change(uri, 2, pos{3, 0}, pos{3, 0}, "/* edited */ ")
		c.diagnostics(uri, 2)
		if acts := c.codeActions(uri, 3); len(acts) == 0 {
			t.Errorf("serve: no code actions on the finding's line")
		}
		if _, err := c.call("workspace/executeCommand", map[string]any{"command": "abi3ls.fixAll", "arguments": []any{uri}}); err != nil {
			t.Errorf("serve: fixAll: %v", err)
		}
		c.close(uri)
	})
	if diff := cmp.Diff(before, treeHash(t, ws)); diff != "" {
		t.Fatalf("the tree changed without fix (-before +after):\n%s", diff)
	}

	// fix a.c only, in a writable tree.
	fixDir := filepath.Join(t.TempDir(), "fix")
	writeTree(t, fixDir, safetyTree)
	target := filepath.Join(fixDir, "a.c")
	before = treeHash(t, fixDir)
	var renamed []string
	res := run(t, fixDir, func(c call) bool {
		// Temporary files next to a.c, and a.c replaced by a rename.
		for _, p := range c.paths {
			if filepath.Dir(p) != fixDir || !strings.Contains(filepath.Base(p), "a.c") {
				return false
			}
		}
		if strings.HasPrefix(c.name, "rename") {
			if len(c.paths) != 2 || c.paths[1] != target {
				return false
			}
			renamed = append(renamed, c.paths[1])
		}
		return len(c.paths) > 0
	}, "fix", "a.c")
	if res.code != 0 && res.code != 1 {
		t.Fatalf("fix a.c: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if len(renamed) != 1 {
		t.Errorf("fix a.c: %d renames onto a.c, want 1 (an atomic replace)", len(renamed))
	}
	after := treeHash(t, fixDir)
	if before["a.c"] == after["a.c"] {
		t.Errorf("fix a.c did not change a.c")
	}
	delete(before, "a.c")
	delete(after, "a.c")
	delete(before, ".") // the directory's time changes with the rename
	delete(after, ".")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("fix a.c changed other files (-before +after):\n%s", diff)
	}
	fixed, _ := os.ReadFile(target)
	if !strings.Contains(string(fixed), "PyTuple_GetItem") {
		t.Errorf("a.c after fix:\n%s", fixed)
	}
}

// TestSizeCaps: a source file or build file over max-file-size is skipped
// and the output says so; the rest is analyzed. A document over the
// server's limit is refused with a message, and the server goes on.
func TestSizeCaps(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	small := "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\nPyObject *f(PyObject *o) { return PyTuple_GET_ITEM(o, 0); }\n"
	big := small + strings.Repeat("/* padding padding padding */\n", 200) // 6 KiB
	writeTree(t, ws, map[string]string{
		"abi3ls.toml": "max-file-size = 4096\n",
		"small.c":     small,
		"big.c":       big,
		"setup.py":    "# " + strings.Repeat("x", 5000) + "\nfrom setuptools import setup\n",
	})
	res := run(t, ws, nil, "check", ".")
	for _, want := range []string{
		"big.c: file too big",
		"setup.py: skipped",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("check: stderr does not say %q:\n%s", want, res.stderr)
		}
	}
	if !strings.Contains(res.stdout, "small.c:3:") || strings.Contains(res.stdout, "big.c:") {
		t.Errorf("check: want small.c reported and big.c not:\n%s", res.stdout)
	}

	// The default cap, without settings: 16 MiB for sources.
	def := filepath.Join(t.TempDir(), "def")
	writeTree(t, def, map[string]string{"huge.c": small + strings.Repeat("int x;\n", (16<<20)/7+1)})
	res = run(t, def, nil, "check", ".")
	if !strings.Contains(res.stderr, "huge.c: file too big") {
		t.Errorf("check of a 16 MiB file: stderr does not say it was skipped:\n%s", res.stderr)
	}

	// The server: a document over -max-document-size is not analyzed, the
	// user is told, and the server still answers.
	serve(t, ws, func(c *client) {
		c.initialize(fileURI(ws))
		bigURI := fileURI(filepath.Join(ws, "huge.c"))
		c.open(bigURI, small+strings.Repeat("x = PyList_GET_ITEM(l, 0);\n", 4000)) // 108 KiB
		if ds := c.diagnostics(bigURI, 1); len(ds) != 0 {
			t.Errorf("serve: %d diagnostics for a document over the limit", len(ds))
		}
		c.waitFor("a message about the document's size", func() bool {
			for _, m := range c.messages {
				if strings.Contains(m, "huge.c") && strings.Contains(m, "limit") {
					return true
				}
			}
			return false
		})
		uri := fileURI(filepath.Join(ws, "small.c"))
		c.open(uri, small)
		if ds := c.diagnostics(uri, 1); len(ds) != 1 {
			t.Errorf("serve: %d diagnostics for small.c after the big document, want 1", len(ds))
		}
		if h := c.hover(uri, pos{2, 36}); !strings.Contains(h, "PyTuple_GET_ITEM") {
			t.Errorf("serve: hover after the big document = %q", h)
		}
	}, "-max-document-size", "65536")
}

// TestSymlinks: links out of the workspace (a directory, a source file, a
// build file) are not followed, and link loops end, in check and in serve.
func TestSymlinks(t *testing.T) {
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	writeTree(t, root, map[string]string{
		"outside/evil.c":   "#include <Python.h>\nPyObject *g(PyObject *o) { return PyList_GET_ITEM(o, 0); }\n",
		"outside/other.c":  "#include <Python.h>\nPyObject *h(PyObject *o) { return PyList_GET_ITEM(o, 1); }\n",
		"outside/setup.py": "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('m', ['mod.c'], define_macros=[('Py_LIMITED_API', '0x030C0000')])])\n",
		"ws/mod.c":         "#include <Python.h>\nPyObject *f(PyObject *o) { return PyTuple_GET_ITEM(o, 0); }\n",
		"ws/ext":           "->../outside",
		"ws/other.c":       "->../outside/other.c",
		"ws/abs":           "->" + filepath.Join(root, "outside"),
		"ws/setup.py":      "->../outside/setup.py",
		"ws/loop":          "->.",
		"ws/sub/up":        "->..",
		"ws/sub/s.c":       "#include <Python.h>\nPyObject *s(PyObject *o) { return PyTuple_GET_ITEM(o, 1); }\n",
	})
	res := run(t, ws, nil, "check", "--format", "github", ".")
	var files []string
	for _, line := range strings.Split(res.stdout, "\n") {
		if _, rest, ok := strings.Cut(line, "file="); ok {
			f, _, _ := strings.Cut(rest, ",")
			files = append(files, f)
		}
	}
	if diff := cmp.Diff([]string{"mod.c", "sub/s.c"}, files); diff != "" {
		t.Errorf("check: files reported (-want +got):\n%s\nstdout:\n%s", diff, res.stdout)
	}
	if !strings.Contains(res.stderr, "setup.py") || !strings.Contains(res.stderr, "outside the workspace") {
		t.Errorf("check: stderr does not say setup.py leads outside the workspace:\n%s", res.stderr)
	}
	for _, c := range res.calls {
		for _, p := range c.paths {
			if strings.HasPrefix(p, filepath.Join(root, "outside")) && (c.name == "openat" || c.name == "open") {
				t.Errorf("check opened a file outside the workspace: %s", c.line)
			}
		}
	}

	res = serve(t, ws, func(c *client) {
		c.initialize(fileURI(ws))
		uri := fileURI(filepath.Join(ws, "mod.c"))
		src, _ := os.ReadFile(filepath.Join(ws, "mod.c"))
		c.open(uri, string(src))
		ds := c.diagnostics(uri, 1)
		// Audit mode (hint): the 3.12 target of the linked setup.py was not
		// read.
		if len(ds) != 1 || ds[0].Severity != 4 {
			t.Errorf("serve: diagnostics %+v, want one hint (no target from the linked setup.py)", ds)
		}
	})
	for _, c := range res.calls {
		for _, p := range c.paths {
			if strings.HasPrefix(p, filepath.Join(root, "outside")) && (c.name == "openat" || c.name == "open") {
				t.Errorf("serve opened a file outside the workspace: %s", c.line)
			}
		}
	}
}
