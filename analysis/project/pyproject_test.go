package project

import "testing"

func TestParsePyproject(t *testing.T) {
	runReader(t, "pyproject.toml", ParsePyproject, []readerCase{
		{
			name: "distutils bdist_wheel",
			src:  "[project]\nname = \"x\"\n\n[tool.distutils.bdist_wheel]\npy-limited-api = \"cp38\"  # abi3\n",
			want: []view{{Line: 5, Col: 1, Text: `py-limited-api = "cp38"`, Target: "abi3 3.8+", Value: "cp38"}},
		},
		{
			name: "distutils underscore key",
			src:  "[tool.distutils.bdist_wheel]\npy_limited_api = \"cp311\"\n",
			want: []view{{Line: 2, Col: 1, Text: `py_limited_api = "cp311"`, Target: "abi3 3.11+", Value: "cp311"}},
		},
		{
			name: "scikit-build-core dotted key",
			src:  "[tool.scikit-build]\nminimum-version = \"0.8\"\nwheel.py-api = \"cp312\"\n",
			want: []view{{Line: 3, Col: 1, Text: `wheel.py-api = "cp312"`, Target: "abi3 3.12+", Value: "cp312"}},
		},
		{
			name: "scikit-build-core wheel table",
			src:  "[tool.scikit-build.wheel]\n  py-api = \"cp38\"\n",
			want: []view{{Line: 2, Col: 3, Text: `py-api = "cp38"`, Target: "abi3 3.8+", Value: "cp38"}},
		},
		{
			name: "scikit-build-core top-level dotted key",
			src:  "tool.scikit-build.wheel.py-api = \"cp39\"\n",
			want: []view{{Line: 1, Col: 1, Text: `tool.scikit-build.wheel.py-api = "cp39"`, Target: "abi3 3.9+", Value: "cp39"}},
		},
		{
			name: "scikit-build-core pure python tag",
			src:  "[tool.scikit-build]\nwheel.py-api = \"py3\"\n",
		},
		{
			name: "meson-python",
			src:  "[build-system]\nbuild-backend = \"mesonpy\"\n[tool.meson-python]\nlimited-api = true\n",
			want: []view{{Line: 4, Col: 1, Text: "limited-api = true", Target: "audit", ABI3: true}},
		},
		{
			name: "meson-python false",
			src:  "[tool.meson-python]\nlimited-api = false\n",
		},
		{
			name: "setuptools ext-modules",
			src: "[[tool.setuptools.ext-modules]]\nname = \"a\"\nsources = [\"src/a.c\"]\ndefine-macros = [[\"Py_LIMITED_API\", \"0x03090000\"]]\n" +
				"[[tool.setuptools.ext-modules]]\nname = \"b\"\nsources = [\"src/b.c\"]\npy-limited-api = true\n",
			want: []view{
				{Line: 4, Col: 1, Text: `define-macros = [["Py_LIMITED_API", "0x03090000"]]`, Target: "abi3 3.9+", Macro: "Py_LIMITED_API", Value: "0x03090000", Files: []string{"src/a.c"}},
				{Line: 8, Col: 1, Text: "py-limited-api = true", Target: "audit", ABI3: true, Files: []string{"src/b.c"}},
			},
		},
		{
			name: "comments and strings do not count",
			src:  "# [tool.distutils.bdist_wheel]\n# py-limited-api = \"cp38\"\n[project]\ndescription = \"py-limited-api = cp38\"\n",
		},
		{
			name: "wrong type",
			src:  "[tool.distutils.bdist_wheel]\npy-limited-api = 38\n",
			want: []view{{Line: 2, Col: 1, Text: "py-limited-api = 38", Target: "audit", Value: "38", Err: true}},
		},
		{
			name:         "malformed TOML",
			src:          "[tool.distutils.bdist_wheel\npy-limited-api = \"cp38\"\n",
			wantProblems: 1,
		},
		{
			name: "settings table is not a declaration",
			src:  "[tool.abi3ls]\ntarget = \"3.10\"\n",
		},
	})
}

func TestParsePyprojectProblemLine(t *testing.T) {
	_, problems := ParsePyproject("pyproject.toml", []byte("[project]\nname = \"x\"\nversion = \n"))
	if len(problems) != 1 || problems[0].Line != 3 {
		t.Fatalf("problems = %+v, want one on line 3", problems)
	}
}
