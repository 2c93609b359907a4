package project

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// target summarizes TargetFor(rel) as "Source:Line Target" or "none".
func target(f *Facts, rel string) string {
	d, ok := f.TargetFor(rel)
	if !ok {
		return "none"
	}
	return d.Source + ":" + itoa(d.Line) + " " + d.Target.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func problemsText(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Path + ":" + itoa(p.Line) + ": " + p.Message + "\n")
	}
	return b.String()
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name     string
		archive  string
		targets  map[string]string // rel -> target(f, rel)
		problems []string          // substrings, in order
		settings string            // SettingsPath
	}{
		{
			name: "setup.py extensions and setup.cfg tag",
			archive: `
-- setup.py --
from setuptools import setup, Extension
setup(ext_modules=[
    Extension("a", ["src/a.c"], define_macros=[("Py_LIMITED_API", "0x03090000")], py_limited_api=True),
    Extension("b", ["src/b.c"], py_limited_api=True),
])
-- setup.cfg --
[bdist_wheel]
py_limited_api = cp38
`,
			targets: map[string]string{
				"src/a.c":    "setup.py:3 abi3 3.9+",  // its own define beats the wheel tag
				"src/b.c":    "setup.cfg:2 abi3 3.8+", // versionless flag: the tag gives the version
				"src/util.h": "setup.cfg:2 abi3 3.8+",
			},
		},
		{
			name: "versionless only",
			archive: `
-- pyproject.toml --
[tool.meson-python]
limited-api = true
`,
			targets: map[string]string{"m.c": "pyproject.toml:2 audit"},
		},
		{
			name: "meson-python with meson.build version through subdir",
			archive: `
-- pyproject.toml --
[tool.meson-python]
limited-api = true
-- meson.build --
project('x', 'c')
subdir('src')
-- src/meson.build --
py.extension_module('_m', 'm.c', limited_api: '3.10')
subdir('..')
`,
			targets: map[string]string{
				"src/m.c":  "meson.build:1 abi3 3.10+",
				"src/x.h":  "pyproject.toml:2 audit",
				"other.c":  "pyproject.toml:2 audit",
				"src/m.cc": "pyproject.toml:2 audit",
			},
		},
		{
			name: "compile database beats build files; headers use the build files",
			archive: `
-- CMakeLists.txt --
add_compile_definitions(Py_LIMITED_API=0x03080000)
add_subdirectory(ext)
-- ext/CMakeLists.txt --
Python_add_library(e MODULE e.c USE_SABI 3.11)
-- build/compile_commands.json --
[{"directory": "/ws/build", "file": "/ws/src/a.c", "arguments": ["cc", "-DPy_LIMITED_API=0x030A0000", "-c", "../src/a.c"]},
 {"directory": "/ws/build", "file": "/ws/src/plain.c", "arguments": ["cc", "-c", "../src/plain.c"]}]
`,
			targets: map[string]string{
				"src/a.c":     "compile_commands.json:1 abi3 3.10+",
				"src/a.h":     "CMakeLists.txt:1 abi3 3.8+",
				"src/plain.c": "CMakeLists.txt:1 abi3 3.8+",
				"ext/e.c":     "CMakeLists.txt:1 abi3 3.11+",
			},
		},
		{
			name: "root compile database wins over build/",
			archive: `
-- compile_commands.json --
[{"directory": "/ws", "file": "a.c", "arguments": ["cc", "-DPy_LIMITED_API=0x030A0000"]}]
-- build/compile_commands.json --
[{"directory": "/ws", "file": "a.c", "arguments": ["cc", "-DPy_LIMITED_API=0x03080000"]},
 {"directory": "/ws", "file": "b.c", "arguments": ["cc", "-DPy_LIMITED_API=0x03080000"]}]
-- cmake-build-debug/compile_commands.json --
[{"directory": "/ws", "file": "c.c", "arguments": ["cc", "-DPy_LIMITED_API=0x030C0000"]}]
`,
			targets: map[string]string{
				"a.c": "compile_commands.json:1 abi3 3.10+",
				"b.c": "compile_commands.json:2 abi3 3.8+",
				"c.c": "compile_commands.json:1 abi3 3.12+",
			},
		},
		{
			name: "compile database from another checkout",
			archive: `
-- build/compile_commands.json --
[{"directory": "/src/proj/build", "file": "/src/proj/pkg/a.c", "arguments": ["cc", "-DPy_LIMITED_API=0x030A0000"]},
 {"directory": "/src/proj/build", "file": "/src/proj/pkg/b.c", "arguments": ["cc", "-DPy_LIMITED_API=0x030B0000"]},
 {"directory": "/usr", "file": "/usr/lib/x.c", "arguments": ["cc", "-DPy_LIMITED_API=0x030B0000"]}]
-- pkg/a.c --
-- pkg/b.c --
`,
			targets: map[string]string{
				"pkg/a.c": "compile_commands.json:1 abi3 3.10+",
				"pkg/b.c": "compile_commands.json:2 abi3 3.11+",
			},
		},
		{
			name: "compile_flags.txt applies to every file",
			archive: `
-- compile_flags.txt --
-DPy_LIMITED_API=0x030B0000
-- setup.py --
define_macros=[("Py_LIMITED_API", "0x03080000")]
`,
			targets: map[string]string{"x.c": "compile_flags.txt:1 abi3 3.11+"},
		},
		{
			name: "malformed declarations lose to valid ones but are kept",
			archive: `
-- setup.py --
define_macros=[("Py_LIMITED_API", "38")]
-- pyproject.toml --
[tool.scikit-build]
wheel.py-api = "cp39"
`,
			targets: map[string]string{"x.c": "pyproject.toml:2 abi3 3.9+"},
		},
		{
			name: "only malformed",
			archive: `
-- setup.py --
define_macros=[("Py_LIMITED_API", "3.8")]
`,
			targets: map[string]string{"x.c": "setup.py:1 audit"},
		},
		{
			name: "abi3ls.toml wins over tool.abi3ls",
			archive: `
-- abi3ls.toml --
target = "3.10"
-- pyproject.toml --
[tool.abi3ls]
target = "3.8"
`,
			settings: "abi3ls.toml",
			problems: []string{"pyproject.toml:0: [tool.abi3ls] is ignored"},
		},
		{
			name: "settings problems",
			archive: `
-- pyproject.toml --
[tool.abi3ls]
target = "3.8"
colour = "blue"
`,
			settings: "pyproject.toml",
			problems: []string{`pyproject.toml:3: unknown abi3ls setting "colour"`},
		},
		{
			name: "size cap from settings",
			archive: `
-- abi3ls.toml --
max-file-size = 60
-- setup.py --
# a comment long enough to go over the sixty byte limit set above
define_macros=[("Py_LIMITED_API", "0x03080000")]
-- setup.cfg --
[bdist_wheel]
py_limited_api = cp39
`,
			settings: "abi3ls.toml",
			targets:  map[string]string{"x.c": "setup.cfg:2 abi3 3.9+"},
			problems: []string{"setup.py:0: setup.py: skipped: 115 bytes is over the size limit of 60 bytes"},
		},
		{
			name: "broken files are problems, not failures",
			archive: `
-- pyproject.toml --
[tool.distutils.bdist_wheel
-- compile_commands.json --
{"not": "an array"}
-- setup.cfg --
[bdist_wheel]
py_limited_api = cp310
`,
			targets: map[string]string{"x.c": "setup.cfg:2 abi3 3.10+"},
			problems: []string{
				"pyproject.toml:2: pyproject.toml:",
				"compile_commands.json:0: compile_commands.json: expected a JSON array",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Load(workspace(t, tc.archive), "/ws", Options{})
			for rel, want := range tc.targets {
				if got := target(f, rel); got != want {
					t.Errorf("TargetFor(%q) = %s, want %s", rel, got, want)
				}
			}
			got := problemsText(f.Problems)
			if len(f.Problems) != len(tc.problems) {
				t.Errorf("problems:\n%s\nwant %d: %q", got, len(tc.problems), tc.problems)
			} else {
				for i, p := range tc.problems {
					if line := problemsText(f.Problems[i : i+1]); !strings.HasPrefix(line, p) {
						t.Errorf("problem %d = %q, want prefix %q", i, line, p)
					}
				}
			}
			if f.SettingsPath != tc.settings {
				t.Errorf("SettingsPath = %q, want %q", f.SettingsPath, tc.settings)
			}
		})
	}
}

func TestLoadOrderAndFiles(t *testing.T) {
	f := Load(workspace(t, `
-- setup.py --
setup(options={"bdist_wheel": {"py_limited_api": "cp38"}},
      ext_modules=[Extension("m", ["m.c"], py_limited_api=True, define_macros=[("Py_LIMITED_API", "0x03080000"), ("Py_TARGET_ABI3T", "0x030F0000")])])
-- CMakeLists.txt --
add_compile_definitions(Py_LIMITED_API=0x03080000)
add_compile_definitions(Py_LIMITED_API=x)
-- pyproject.toml --
[tool.meson-python]
limited-api = true
`), "/ws", Options{})
	var got []string
	for _, d := range f.Build {
		got = append(got, d.Source+":"+itoa(d.Line)+" "+d.Text)
	}
	want := []string{
		`setup.py:2 ("Py_TARGET_ABI3T", "0x030F0000")`, // file-specific abi3t define
		`setup.py:2 ("Py_LIMITED_API", "0x03080000")`,  // file-specific define
		`CMakeLists.txt:1 Py_LIMITED_API=0x03080000`,   // project-wide define
		`setup.py:1 "py_limited_api": "cp38"`,          // wheel tag
		`setup.py:2 py_limited_api=True`,               // versionless, file-specific
		`pyproject.toml:2 limited-api = true`,          // versionless
		`CMakeLists.txt:2 Py_LIMITED_API=x`,            // malformed
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Build order (-want +got):\n%s", diff)
	}
	if d, _ := f.BuildTarget(); d.Source != "CMakeLists.txt" || d.Line != 1 {
		t.Errorf("BuildTarget = %+v", d)
	}
	if n := len(f.Declared("m.c")); n != 7 {
		t.Errorf("Declared(m.c) has %d, want 7", n)
	}
	if n := len(f.Declared("other.c")); n != 4 {
		t.Errorf("Declared(other.c) has %d, want 4", n)
	}
	if diff := cmp.Diff([]string{"pyproject.toml", "setup.py", "CMakeLists.txt"}, f.Files); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
}

func TestLoadSafety(t *testing.T) {
	fsys := fstest.MapFS{
		"setup.py":                   {Data: []byte("../outside/setup.py"), Mode: fs.ModeSymlink},
		"setup.cfg":                  {Data: []byte("/etc/setup.cfg"), Mode: fs.ModeSymlink},
		"pyproject.toml":             {Data: []byte("real/pyproject.toml"), Mode: fs.ModeSymlink},
		"real/pyproject.toml":        {Data: []byte("[tool.distutils.bdist_wheel]\npy-limited-api = \"cp311\"\n")},
		"meson.build":                {Data: []byte("loop/meson.build"), Mode: fs.ModeSymlink},
		"loop":                       {Data: []byte("loop2"), Mode: fs.ModeSymlink},
		"loop2":                      {Data: []byte("loop"), Mode: fs.ModeSymlink},
		"compile_flags.txt":          {Mode: fs.ModeNamedPipe},
		"build":                      {Data: []byte("/ws/real"), Mode: fs.ModeSymlink},
		"real/compile_commands.json": {Data: []byte(`[{"directory":"/ws","file":"a.c","arguments":["-DPy_LIMITED_API=0x030C0000"]}]`)},
	}
	f := Load(fsys, "/ws", Options{})
	if got := target(f, "a.c"); got != "compile_commands.json:1 abi3 3.12+" {
		t.Errorf("a.c: %s (an absolute link inside the root is followed)", got)
	}
	if got := target(f, "x.c"); got != "pyproject.toml:2 abi3 3.11+" {
		t.Errorf("x.c: %s (a relative link inside the root is followed)", got)
	}
	text := problemsText(f.Problems)
	for _, want := range []string{
		"setup.py:0: setup.py: not read: a symbolic link leads outside the workspace",
		"setup.cfg:0: setup.cfg: not read: a symbolic link leads outside the workspace",
		"meson.build:0: meson.build: not read: too many symbolic links",
		"compile_flags.txt:0: compile_flags.txt: not read: not a regular file",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
}

func TestLoadNilAndEmpty(t *testing.T) {
	f := Load(fstest.MapFS{}, "", Options{})
	if len(f.Build)+len(f.PerFile)+len(f.Problems) != 0 || f.Flags != nil {
		t.Errorf("empty workspace: %+v", f)
	}
	if _, ok := f.TargetFor("a.c"); ok {
		t.Error("TargetFor found a target in an empty workspace")
	}
	var nilFacts *Facts
	if _, ok := nilFacts.TargetFor("a.c"); ok {
		t.Error("nil Facts has a target")
	}
	if nilFacts.Declared("a.c") != nil {
		t.Error("nil Facts has declarations")
	}
}

func TestFindRoot(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		dir   string
		want  string
	}{
		{"pyproject above", []string{"/p/pyproject.toml", "/p/src/x.c"}, "/p/src/ext", "/p"},
		{"nearest python project", []string{"/mono/.git", "/mono/pyproject.toml", "/mono/pkgs/a/setup.py"}, "/mono/pkgs/a/src", "/mono/pkgs/a"},
		{"git when no python marker", []string{"/r/.git", "/r/src/CMakeLists.txt"}, "/r/src", "/r"},
		{"outermost build chain", []string{"/b/meson.build", "/b/src/meson.build", "/b/src/ext/meson.build"}, "/b/src/ext", "/b"},
		{"chain broken", []string{"/c/meson.build", "/c/x/y/CMakeLists.txt"}, "/c/x/y", "/c/x/y"},
		{"compile database", []string{"/d/compile_commands.json"}, "/d/src", "/d"},
		{"nothing", nil, "/e/f", ""},
		{"abi3ls.toml", []string{"/g/abi3ls.toml", "/g/.git"}, "/g/h", "/g"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := map[string]bool{}
			for _, f := range tc.files {
				set[f] = true
			}
			if got := FindRoot(tc.dir, func(p string) bool { return set[p] }); got != tc.want {
				t.Errorf("FindRoot(%q) = %q, want %q", tc.dir, got, tc.want)
			}
		})
	}
	if FindRoot("", func(string) bool { return true }) != "" {
		t.Error("FindRoot of an empty dir")
	}
}
