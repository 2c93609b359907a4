package project

import "testing"

func TestParseSetupPy(t *testing.T) {
	runReader(t, "setup.py", ParseSetupPy, []readerCase{
		{
			name: "define_macros",
			src:  "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('m', ['m.c'],\n    define_macros=[(\"Py_LIMITED_API\", \"0x03080000\")])])\n",
			want: []view{{Line: 3, Col: 20, Text: `("Py_LIMITED_API", "0x03080000")`, Target: "abi3 3.8+", Macro: "Py_LIMITED_API", Value: "0x03080000", Files: []string{"m.c"}}},
		},
		{
			name: "single quotes and blanks across lines",
			src:  "macros = [ (\n  'Py_LIMITED_API' ,\n  '0x030A0000' ,\n) ]\n",
			want: []view{{Line: 1, Col: 12, Text: "(\n  'Py_LIMITED_API' ,\n  '0x030A0000' ,\n)", Target: "abi3 3.10+", Macro: "Py_LIMITED_API", Value: "0x030A0000"}},
		},
		{
			name: "list pair and decimal value",
			src:  `define_macros=[["Py_LIMITED_API", "50855936"]]`,
			want: []view{{Line: 1, Col: 16, Text: `["Py_LIMITED_API", "50855936"]`, Target: "abi3 3.8+", Macro: "Py_LIMITED_API", Value: "50855936"}},
		},
		{
			name: "hex number literal",
			src:  `define_macros=[("Py_LIMITED_API", 0x03090000)]`,
			want: []view{{Line: 1, Col: 16, Text: `("Py_LIMITED_API", 0x03090000)`, Target: "abi3 3.9+", Macro: "Py_LIMITED_API", Value: "0x03090000"}},
		},
		{
			name: "abi3t",
			src:  `define_macros=[("Py_TARGET_ABI3T", "0x030F0000")]`,
			want: []view{{Line: 1, Col: 16, Text: `("Py_TARGET_ABI3T", "0x030F0000")`, Target: "abi3t 3.15+", Macro: "Py_TARGET_ABI3T", Value: "0x030F0000"}},
		},
		{
			name: "None value is -DPy_LIMITED_API",
			src:  `define_macros=[("Py_LIMITED_API", None)]`,
			want: []view{{Line: 1, Col: 16, Text: `("Py_LIMITED_API", None)`, Target: "abi3 3.2+", Macro: "Py_LIMITED_API"}},
		},
		{
			name: "malformed value",
			src:  `define_macros=[("Py_LIMITED_API", "0x3080000")]`,
			want: []view{{Line: 1, Col: 16, Text: `("Py_LIMITED_API", "0x3080000")`, Target: "audit", Macro: "Py_LIMITED_API", Value: "0x3080000", Err: true}},
		},
		{
			name: "computed value",
			src:  "define_macros=[(\"Py_LIMITED_API\", hex(LIMITED))]\nx = [(\"Py_LIMITED_API\", f\"0x{v:08X}\")]\n",
			want: []view{
				{Line: 1, Col: 16, Text: `("Py_LIMITED_API", hex(LIMITED))`, Target: "audit", Macro: "Py_LIMITED_API", Value: "hex(LIMITED)", ABI3: true},
				{Line: 2, Col: 6, Text: `("Py_LIMITED_API", f"0x{v:08X}")`, Target: "audit", Macro: "Py_LIMITED_API", Value: `f"0x{v:08X}"`, ABI3: true},
			},
		},
		{
			name: "trailing comma",
			src:  `m = ("Py_LIMITED_API", "0x03080000",)`,
			want: []view{{Line: 1, Col: 5, Text: `("Py_LIMITED_API", "0x03080000",)`, Target: "abi3 3.8+", Macro: "Py_LIMITED_API", Value: "0x03080000"}},
		},
		{
			name: "comments and strings do not count",
			src: "# define_macros=[(\"Py_LIMITED_API\", \"0x03080000\")]\n" +
				"\"\"\"define_macros=[(\"Py_LIMITED_API\", \"0x03080000\")] py_limited_api=True\"\"\"\n" +
				"x = 'py_limited_api=True'  # py_limited_api=True\n" +
				"undef_macros=[\"Py_LIMITED_API\"]\n" +
				"if py_limited_api == True: pass\n",
		},
		{
			name: "py_limited_api flag",
			src:  "Extension('a', sources=['src/a.c'], py_limited_api=True)\nExtension('b', ['b.c'], py_limited_api=False)\n",
			want: []view{{Line: 1, Col: 37, Text: "py_limited_api=True", Target: "audit", ABI3: true, Files: []string{"src/a.c"}}},
		},
		{
			name: "py_limited_api expression is not evaluated",
			src:  "Extension('a', ['a.c'], py_limited_api=sys.version_info >= (3, 8))\n",
		},
		{
			name: "bdist_wheel options",
			src:  "setup(\n    options={\"bdist_wheel\": {\"py_limited_api\": \"cp38\"}},\n)\n",
			want: []view{{Line: 2, Col: 30, Text: `"py_limited_api": "cp38"`, Target: "abi3 3.8+", Value: "cp38"}},
		},
		{
			name: "bdist_wheel malformed tag",
			src:  `options={"bdist_wheel": {"py_limited_api": "cpython"}}`,
			want: []view{{Line: 1, Col: 26, Text: `"py_limited_api": "cpython"`, Target: "audit", Value: "cpython", Err: true}},
		},
		{
			name: "compiler flag in extra_compile_args",
			src:  `Extension("m", ["m.c", "util.c"], extra_compile_args=["-O2", "-DPy_LIMITED_API=0x030A0000"])`,
			want: []view{{Line: 1, Col: 62, Text: `"-DPy_LIMITED_API=0x030A0000"`, Target: "abi3 3.10+", Macro: "Py_LIMITED_API", Value: "0x030A0000", Files: []string{"m.c", "util.c"}}},
		},
		{
			name: "several extensions",
			src: "exts = [\n" +
				"    Extension('a', sources=['a/a.c', 'a/helper.h', 'README.md'], define_macros=[('Py_LIMITED_API', '0x03080000')]),\n" +
				"    Pybind11Extension('b', ['b.cpp'], define_macros=[('Py_LIMITED_API', '0x030C0000')]),\n" +
				"    Extension('c', glob('c/*.c'), define_macros=[('Py_LIMITED_API', '0x03090000')]),\n" +
				"]\n",
			want: []view{
				{Line: 2, Col: 81, Text: "('Py_LIMITED_API', '0x03080000')", Target: "abi3 3.8+", Macro: "Py_LIMITED_API", Value: "0x03080000", Files: []string{"a/a.c", "a/helper.h"}},
				{Line: 3, Col: 54, Text: "('Py_LIMITED_API', '0x030C0000')", Target: "abi3 3.12+", Macro: "Py_LIMITED_API", Value: "0x030C0000", Files: []string{"b.cpp"}},
				{Line: 4, Col: 50, Text: "('Py_LIMITED_API', '0x03090000')", Target: "abi3 3.9+", Macro: "Py_LIMITED_API", Value: "0x03090000"},
			},
		},
		{
			name: "source lists in variables",
			src: "COMMON = ['src/common.c']\n" +
				"A = COMMON + [\n    'src/a.c',\n]\n" +
				"Extension('a', A, py_limited_api=True)\n" +
				"Extension('b', sources=COMMON + glob('src/b/*.c'), py_limited_api=True)\n" +
				"Extension('c', sources=UNKNOWN, py_limited_api=True)\n" +
				"A = ['src/late.c']\n",
			want: []view{
				{Line: 5, Col: 19, Text: "py_limited_api=True", Target: "audit", ABI3: true, Files: []string{"src/common.c", "src/a.c"}},
				{Line: 6, Col: 52, Text: "py_limited_api=True", Target: "audit", ABI3: true},
				{Line: 7, Col: 33, Text: "py_limited_api=True", Target: "audit", ABI3: true},
			},
		},
		{
			name: "unterminated input",
			src:  "define_macros=[(\"Py_LIMITED_API\", \"0x03080000\"",
			want: []view{{Line: 1, Col: 16, Text: `("Py_LIMITED_API", "0x03080000"`, Target: "audit", Macro: "Py_LIMITED_API", Value: `"0x03080000"`, ABI3: true}},
		},
	})
}

func TestParseSetupPyInSubdir(t *testing.T) {
	got, _ := ParseSetupPy("pkg/setup.py", []byte(`Extension("m", ["src/m.c", "../../outside.c", "/abs.c"], py_limited_api=True)`))
	if len(got) != 1 || len(got[0].Files) != 1 || got[0].Files[0] != "pkg/src/m.c" {
		t.Fatalf("got %+v, want one declaration for pkg/src/m.c", got)
	}
}
