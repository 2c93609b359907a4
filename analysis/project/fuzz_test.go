package project

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for every reader: no panic, bounded time, and the
// invariants of the results. Seeds are the f.Add calls below and the files
// under testdata/fuzz/<Target>.

// fuzzBudget is the most a reader may take on an input of up to 64 KiB
// (issue: no input may take more than 1 s for 64 KiB).
const fuzzBudget = time.Second

// timed runs f and fails when it takes more than fuzzBudget on an input
// of up to 64 KiB three times in a row: once could be the machine being
// busy (the fuzzer shares it), three times is the reader.
func timed(t *testing.T, n int, f func()) {
	t.Helper()
	for try := 0; ; try++ {
		start := time.Now()
		f()
		d := time.Since(start)
		if n > 64<<10 || d <= fuzzBudget {
			return
		}
		if try == 2 {
			t.Fatalf("took %v on %d bytes (three runs)", d, n)
		}
	}
}

func checkDecls(t *testing.T, path string, src []byte, ds []Declaration, ps []Problem) {
	t.Helper()
	lines := bytes.Count(src, []byte("\n")) + 1
	for _, d := range ds {
		if d.Path != path {
			t.Errorf("Path %q, want %q", d.Path, path)
		}
		if d.Line < 0 || d.Line > lines || d.Column < 0 {
			t.Errorf("position %d:%d outside the %d-line input", d.Line, d.Column, lines)
		}
		if d.Err != "" && d.Target.IsLimited() {
			t.Errorf("malformed declaration with a target: %+v", d)
		}
		if d.ABI3 && d.Target.IsLimited() {
			t.Errorf("versionless declaration with a target: %+v", d)
		}
		if len(d.Text) > maxTextLen+3 || len(d.Value) > maxTextLen+3 {
			t.Errorf("Text/Value not clipped: %d/%d bytes", len(d.Text), len(d.Value))
		}
		for _, f := range d.Files {
			if !fs.ValidPath(f) && d.Source != "compile_commands.json" {
				t.Errorf("Files holds an invalid path %q", f)
			}
		}
	}
	for _, p := range ps {
		if p.Message == "" || p.Line < 0 || p.Line > lines+1 {
			t.Errorf("bad problem %+v", p)
		}
	}
}

func fuzzReader(f *testing.F, path string, parse func(string, []byte) ([]Declaration, []Problem), seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var ds []Declaration
		var ps []Problem
		timed(t, len(src), func() { ds, ps = parse(path, src) })
		checkDecls(t, path, src, ds, ps)
	})
}

func FuzzParseSetupPy(f *testing.F) {
	fuzzReader(f, "setup.py", ParseSetupPy,
		"Extension('m', ['m.c'], define_macros=[(\"Py_LIMITED_API\", \"0x03080000\")], py_limited_api=True)",
		"options={'bdist_wheel': {'py_limited_api': 'cp38'}}",
		"x = [('Py_TARGET_ABI3T', f'0x{v}'), ('Py_LIMITED_API', None)] # ('Py_LIMITED_API', '3')",
		"'''unterminated (\"Py_LIMITED_API\", \"0x03080000\")",
		"rb'\\'' \"\\\n\" 0x1e+5 .5 a:=b Extension(Extension(['a.c'], ('Py_LIMITED_API', ",
	)
}

func FuzzParseSetupCfg(f *testing.F) {
	fuzzReader(f, "setup.cfg", ParseSetupCfg,
		"[bdist_wheel]\npy_limited_api = cp38\n",
		"[build_ext]\ndefine = Py_LIMITED_API=0x03090000,Py_TARGET_ABI3T\n[bdist_wheel\n",
		"[BDIST-WHEEL]\r\n py-limited-api : cp310 ; c\r\n",
	)
}

func FuzzParsePyproject(f *testing.F) {
	fuzzReader(f, "pyproject.toml", ParsePyproject,
		"[tool.distutils.bdist_wheel]\npy-limited-api = \"cp38\"\n",
		"[tool.scikit-build]\nwheel.py-api = \"cp312\"\n[tool.meson-python]\nlimited-api = true\n",
		"[[tool.setuptools.ext-modules]]\nname='a'\nsources=['a.c']\ndefine-macros=[['Py_LIMITED_API','0x03080000']]\n[tool.setuptools.ext-modules.x]\n",
		"a = \"\"\"\n[x]\n\"\"\"\nb = [\n 1,\n]\n[tool.abi3ls]\ntarget='3.10'\n",
		"[tool.distutils.bdist_wheel",
	)
}

func FuzzParseMesonBuild(f *testing.F) {
	fuzzReader(f, "meson.build", ParseMesonBuild,
		"py.extension_module('m', 'm.c', files('x.c'), limited_api: '3.8')\nsubdir('src')\n",
		"add_project_arguments('-DPy_LIMITED_API=0x030A0000', language: 'c')\n",
		"extension_module('m', limited_api: v, sources: ['a.c'\n'''",
	)
}

func FuzzParseCMakeLists(f *testing.F) {
	fuzzReader(f, "CMakeLists.txt", ParseCMakeLists,
		"Python_add_library(m MODULE USE_SABI 3.8 WITH_SOABI m.c)\nnanobind_add_module(n STABLE_ABI n.cpp)\n",
		"set(V 0x03080000)\ntarget_compile_definitions(m PRIVATE Py_LIMITED_API=${V} \"Py_TARGET_ABI3T=1\")\n",
		"#[==[ x ]==] add_definitions(-DPy_LIMITED_API=38 [[a]] [=[b\n",
		"add_subdirectory(src) if(x) a\"b c\"d(e(f",
	)
}

func FuzzParseCompileCommands(f *testing.F) {
	seeds := []string{
		`[{"directory":"/ws","file":"a.c","arguments":["cc","-DPy_LIMITED_API=0x030A0000"]}]`,
		`[{"directory":"/ws/b","file":"../a.c","command":"cc -D Py_LIMITED_API=0x03080000 -UPy_LIMITED_API '-DPy_TARGET_ABI3T=0x030F0000'"}]`,
		`[{"directory":"C:\\p","file":"a.c","command":"cl /DPy_LIMITED_API=0x030B0000"}`,
		`{"Py_LIMITED_API": 1}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var ds []Declaration
		var ps []Problem
		timed(t, len(src), func() { ds, ps = ParseCompileCommands("compile_commands.json", src, "/ws") })
		checkDecls(t, "compile_commands.json", src, ds, ps)
		for _, d := range ds {
			if len(d.Files) != 1 {
				t.Errorf("compile database declaration with %d files", len(d.Files))
			}
		}
	})
}

func FuzzParseCompileFlags(f *testing.F) {
	fuzzReader(f, "compile_flags.txt", ParseCompileFlags,
		"-xc\n-DPy_LIMITED_API=0x030B0000\n",
		"-D\nPy_LIMITED_API\n-U\n",
	)
}

func FuzzParseSettingsTOML(f *testing.F) {
	for _, s := range []string{
		"target = \"3.10\"\nabi3t = true\naudit = \"hint\"\n[severity]\nABI001 = \"warning\"\n",
		"exclude = [\"a[\"]\nmax-file-size = -1\nbogus = {a = 1}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var s Settings
		var ps, ps2 []Problem
		timed(t, len(src), func() {
			s, ps = ParseSettingsTOML("abi3ls.toml", src)
			_, _, ps2 = ParsePyprojectSettings("pyproject.toml", src)
		})
		checkDecls(t, "abi3ls.toml", src, nil, append(ps, ps2...))
		useSettings(t, s)
	})
}

func FuzzParseSettingsJSON(f *testing.F) {
	for _, s := range []string{
		`{"abi3ls": {"target": "3.11", "abi3t": true, "severity": {"ABI001": "off"}, "exclude": ["**/gen"]}}`,
		`{"target": 3.1, "maxFileSize": 1e30, "includeDirs": [1]}`,
		`null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s Settings
		var err error
		timed(t, len(raw), func() { s, err = ParseSettingsJSON(json.RawMessage(raw)) })
		if err != nil && !utf8.ValidString(err.Error()) && utf8.Valid(raw) {
			t.Errorf("error text is not UTF-8: %q", err.Error())
		}
		useSettings(t, s)
	})
}

// useSettings calls every helper: none may panic on any decoded value.
func useSettings(t *testing.T, s Settings) {
	t.Helper()
	_ = s.Validate()
	_, _ = s.TargetVersion()
	_ = s.AuditSeverity()
	_ = s.RuleSeverity()
	_ = s.Excluded("src/a.c")
	m := s.Merge(s)
	if m.Target != s.Target || m.MaxFileSize != s.MaxFileSize {
		t.Errorf("s.Merge(s) changed s: %+v vs %+v", m, s)
	}
}

// FuzzLoad runs Load over a workspace given as a txtar archive.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("-- setup.py --\nExtension('m', ['m.c'], py_limited_api=True)\n-- setup.cfg --\n[bdist_wheel]\npy_limited_api=cp38\n"))
	f.Add([]byte("-- meson.build --\nsubdir('a')\n-- a/meson.build --\nsubdir('..')\nsubdir('a')\nextension_module('x', 'x.c', limited_api: '3.9')\n"))
	f.Add([]byte("-- build/compile_commands.json --\n[{\"directory\":\"/x/y\",\"file\":\"/x/y/m.c\",\"arguments\":[\"-DPy_LIMITED_API=0x03080000\"]}]\n-- m.c --\n-- abi3ls.toml --\nmax-file-size = 10\n"))
	f.Fuzz(func(t *testing.T, archive []byte) {
		fsys := workspace(t, string(archive))
		var facts *Facts
		timed(t, len(archive), func() { facts = Load(fsys, "/ws", Options{}) })
		for _, d := range facts.Build {
			_ = facts.Declared(d.Path)
		}
		for rel := range facts.PerFile {
			if d, ok := facts.TargetFor(rel); !ok || d.Source != "compile_commands.json" {
				t.Errorf("TargetFor(%q) = %+v, %v", rel, d, ok)
			}
		}
	})
}
