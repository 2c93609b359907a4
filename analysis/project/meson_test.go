package project

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMesonBuild(t *testing.T) {
	runReader(t, "meson.build", ParseMesonBuild, []readerCase{
		{
			name: "extension_module",
			src:  "py = import('python').find_installation(pure: false)\npy.extension_module('_m',\n  'src/m.c', ['src/util.c'],\n  limited_api: '3.8',\n  install: true)\n",
			want: []view{{Line: 4, Col: 3, Text: "limited_api: '3.8'", Target: "abi3 3.8+", Value: "3.8", Files: []string{"src/m.c", "src/util.c"}}},
		},
		{
			name: "files() and sources keyword",
			src:  "py.extension_module('_m', files('a.c'), sources: ['b.c'], dependencies: dep, limited_api: '3.12')\n",
			want: []view{{Line: 1, Col: 78, Text: "limited_api: '3.12'", Target: "abi3 3.12+", Value: "3.12", Files: []string{"a.c", "b.c"}}},
		},
		{
			name: "comment does not count",
			src:  "# py.extension_module('_m', 'm.c', limited_api: '3.8')\nx = 'limited_api: 3.8'\n",
		},
		{
			name: "variable value",
			src:  "py.extension_module('_m', 'm.c', limited_api: min_ver)\n",
			want: []view{{Line: 1, Col: 34, Text: "limited_api: min_ver", Target: "audit", Value: "min_ver", ABI3: true, Files: []string{"m.c"}}},
		},
		{
			name: "malformed version",
			src:  "py.extension_module('_m', 'm.c', limited_api: '38.x')\n",
			want: []view{{Line: 1, Col: 34, Text: "limited_api: '38.x'", Target: "audit", Value: "38.x", Err: true, Files: []string{"m.c"}}},
		},
		{
			name: "compiler flag",
			src:  "add_project_arguments('-DPy_LIMITED_API=0x030A0000', language: 'c')\nc_args = ['-DPy_LIMITED_API=@0@'.format(v)]\n",
			want: []view{
				{Line: 1, Col: 23, Text: "'-DPy_LIMITED_API=0x030A0000'", Target: "abi3 3.10+", Macro: "Py_LIMITED_API", Value: "0x030A0000"},
				{Line: 2, Col: 11, Text: "'-DPy_LIMITED_API=@0@'", Target: "audit", Macro: "Py_LIMITED_API", Value: "@0@", ABI3: true},
			},
		},
		{
			name: "source variables",
			src:  "srcs = files('src/a.c',\n  'src/b.c')\nsrcs += ['src/c.c']\npy.extension_module('_m', srcs, 'src/d.c', limited_api: '3.9')\npy.extension_module('_n', gen_srcs, limited_api: '3.9')\n",
			want: []view{
				{Line: 4, Col: 44, Text: "limited_api: '3.9'", Target: "abi3 3.9+", Value: "3.9", Files: []string{"src/a.c", "src/b.c", "src/c.c", "src/d.c"}},
				{Line: 5, Col: 37, Text: "limited_api: '3.9'", Target: "abi3 3.9+", Value: "3.9"},
			},
		},
		{
			name: "two modules",
			src:  "py.extension_module('a', 'a.c', limited_api: '3.9')\npy.extension_module('b', 'b.c', limited_api: '3.11')\n",
			want: []view{
				{Line: 1, Col: 33, Text: "limited_api: '3.9'", Target: "abi3 3.9+", Value: "3.9", Files: []string{"a.c"}},
				{Line: 2, Col: 33, Text: "limited_api: '3.11'", Target: "abi3 3.11+", Value: "3.11", Files: []string{"b.c"}},
			},
		},
	})
}

func TestMesonSubdirs(t *testing.T) {
	_, _, subdirs := parseMeson("sub/meson.build", []byte("subdir('src')\nsubdir('../..')\n# subdir('no')\nsubdir('a/b')\n"))
	if diff := cmp.Diff([]string{"sub/src", "sub/a/b"}, subdirs); diff != "" {
		t.Errorf("subdirs (-want +got):\n%s", diff)
	}
}
