package project

import (
	"strings"
	"testing"
)

// Benchmarks of each reader on 64 KiB inputs, realistic and adversarial
// (nesting, unterminated constructs, many declarations): the figures show
// the readers stay linear. Run: go test -bench . -run '^$' ./analysis/project/

const benchSize = 64 << 10

// fill repeats unit up to benchSize bytes.
func fill(prefix, unit, suffix string) []byte {
	n := (benchSize - len(prefix) - len(suffix)) / len(unit)
	return []byte(prefix + strings.Repeat(unit, max(n, 1)) + suffix)
}

func benchReader(b *testing.B, path string, parse func(string, []byte) ([]Declaration, []Problem), src []byte) {
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		parse(path, src)
	}
}

func BenchmarkReaders(b *testing.B) {
	for _, bc := range []struct {
		name  string
		path  string
		parse func(string, []byte) ([]Declaration, []Problem)
		src   []byte
	}{
		{"setup.py/extensions", "setup.py", ParseSetupPy, fill("exts = [\n", "  Extension('m', ['src/m.c', 'src/n.c'], define_macros=[('Py_LIMITED_API', '0x03080000')], py_limited_api=True),\n", "]\n")},
		{"setup.py/nested-calls", "setup.py", ParseSetupPy, fill("", "Extension(['a.c'], ('Py_LIMITED_API', ", "")},
		{"setup.py/one-call-many-flags", "setup.py", ParseSetupPy, fill("Extension('m', ['a.c'],", " py_limited_api=True,", ")")},
		{"setup.py/nested-lists", "setup.py", ParseSetupPy, fill("Extension('m', ", "[", "'a.c' py_limited_api=True")},
		{"setup.py/unterminated-string", "setup.py", ParseSetupPy, fill("x = '''", "(\"Py_LIMITED_API\", \"0x03080000\") ", "")},
		{"setup.cfg/sections", "setup.cfg", ParseSetupCfg, fill("", "[bdist_wheel]\npy_limited_api = cp38\n[build_ext]\ndefine = Py_LIMITED_API=0x03080000\n", "")},
		{"pyproject/ext-modules", "pyproject.toml", ParsePyproject, fill("", "[[tool.setuptools.ext-modules]]\nname = \"m\"\nsources = [\"a.c\"]\ndefine-macros = [[\"Py_LIMITED_API\", \"0x03080000\"]]\n", "")},
		{"pyproject/tables", "pyproject.toml", ParsePyproject, fill("", "[[a]]\n[a.b]\n", "")},
		{"meson/modules", "meson.build", ParseMesonBuild, fill("srcs = files('a.c')\n", "py.extension_module('m', srcs, 'b.c', limited_api: '3.9')\nsrcs += ['c.c']\n", "")},
		{"meson/nested", "meson.build", ParseMesonBuild, fill("", "extension_module(['a.c', limited_api: '3.9', ", "")},
		{"cmake/targets", "CMakeLists.txt", ParseCMakeLists, fill("set(V 0x03080000)\n", "Python_add_library(m MODULE m.c USE_SABI 3.9)\ntarget_compile_definitions(m PRIVATE Py_LIMITED_API=${V})\n", "")},
		{"cmake/bracket-comments", "CMakeLists.txt", ParseCMakeLists, fill("", "#[[x]]", "")},
		{"cmake/unterminated", "CMakeLists.txt", ParseCMakeLists, fill("add_compile_definitions(", "Py_LIMITED_API=0x03080000 \"", "")},
		{"compile_flags", "compile_flags.txt", ParseCompileFlags, fill("", "-DPy_LIMITED_API=0x03080000\n-D\n", "")},
	} {
		b.Run(bc.name, func(b *testing.B) { benchReader(b, bc.path, bc.parse, bc.src) })
	}
	db := fill("[", `{"directory": "/ws/build", "file": "/ws/src/a.c", "command": "cc -DNDEBUG -DPy_LIMITED_API=0x03080000 -c ../src/a.c"},`, `{}]`)
	b.Run("compile_commands", func(b *testing.B) {
		b.SetBytes(int64(len(db)))
		b.ReportAllocs()
		for b.Loop() {
			ParseCompileCommands("compile_commands.json", db, "/ws")
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	fsys := workspace(b, `
-- setup.py --
from setuptools import setup, Extension
setup(ext_modules=[Extension("m", ["src/m.c"], define_macros=[("Py_LIMITED_API", "0x03090000")], py_limited_api=True)],
      options={"bdist_wheel": {"py_limited_api": "cp39"}})
-- pyproject.toml --
[build-system]
requires = ["setuptools"]
[tool.abi3ls]
audit = "hint"
-- build/compile_commands.json --
[{"directory": "/ws/build", "file": "/ws/src/m.c", "arguments": ["cc", "-DPy_LIMITED_API=0x03090000", "-c", "../src/m.c"]}]
`)
	b.ReportAllocs()
	for b.Loop() {
		Load(fsys, "/ws", Options{})
	}
}
