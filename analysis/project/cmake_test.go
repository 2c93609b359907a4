package project

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCMakeLists(t *testing.T) {
	runReader(t, "CMakeLists.txt", ParseCMakeLists, []readerCase{
		{
			name: "Python_add_library USE_SABI",
			src:  "find_package(Python 3.8 COMPONENTS Interpreter Development.SABIModule REQUIRED)\nPython_add_library(_core MODULE src/main.c WITH_SOABI USE_SABI 3.8)\n",
			want: []view{{Line: 2, Col: 55, Text: "USE_SABI 3.8", Target: "abi3 3.8+", Value: "3.8", Files: []string{"src/main.c"}}},
		},
		{
			name: "case-insensitive command, major only",
			src:  "python3_ADD_library(m MODULE USE_SABI 3 m.c)\n",
			want: []view{{Line: 1, Col: 30, Text: "USE_SABI 3", Target: "abi3 3.2+", Value: "3", Files: []string{"m.c"}}},
		},
		{
			name: "scikit-build-core variable",
			src:  "python_add_library(_core MODULE src/main.c WITH_SOABI USE_SABI ${SKBUILD_SABI_VERSION})\n",
			want: []view{{Line: 1, Col: 55, Text: "USE_SABI ${SKBUILD_SABI_VERSION}", Target: "audit", Value: "${SKBUILD_SABI_VERSION}", ABI3: true, Files: []string{"src/main.c"}}},
		},
		{
			name: "nanobind STABLE_ABI",
			src:  "nanobind_add_module(\n  my_ext\n  STABLE_ABI\n  NB_STATIC\n  NB_DOMAIN dom\n  src/ext.cpp\n)\n",
			want: []view{{Line: 3, Col: 3, Text: "STABLE_ABI", Target: "abi3 3.12+", Macro: "Py_LIMITED_API", Files: []string{"src/ext.cpp"}}},
		},
		{
			name: "compile definitions",
			src: "add_compile_definitions(Py_LIMITED_API=0x03080000)\n" +
				"add_library(m MODULE m.c)\ntarget_sources(m PRIVATE extra.c)\n" +
				"target_compile_definitions(m PRIVATE \"Py_LIMITED_API=0x03090000\")\n" +
				"add_definitions(-DPy_TARGET_ABI3T=0x030F0000)\n",
			want: []view{
				{Line: 1, Col: 25, Text: "Py_LIMITED_API=0x03080000", Target: "abi3 3.8+", Macro: "Py_LIMITED_API", Value: "0x03080000"},
				{Line: 4, Col: 39, Text: "Py_LIMITED_API=0x03090000", Target: "abi3 3.9+", Macro: "Py_LIMITED_API", Value: "0x03090000", Files: []string{"m.c", "extra.c"}},
				{Line: 5, Col: 17, Text: "-DPy_TARGET_ABI3T=0x030F0000", Target: "abi3t 3.15+", Macro: "Py_TARGET_ABI3T", Value: "0x030F0000"},
			},
		},
		{
			name: "variable expansion",
			src:  "set(LIMITED 0x030A0000)\ntarget_compile_definitions(m PRIVATE Py_LIMITED_API=${LIMITED})\n",
			want: []view{{Line: 2, Col: 38, Text: "Py_LIMITED_API=${LIMITED}", Target: "abi3 3.10+", Macro: "Py_LIMITED_API", Value: "${LIMITED}"}},
		},
		{
			name: "source variables",
			src: "set(SRCS a.c\n  b.c)\nPython_add_library(m MODULE ${SRCS} USE_SABI 3.9)\n" +
				"file(GLOB G src/*.c)\nPython_add_library(g MODULE ${G} USE_SABI 3.9)\n" +
				"Python_add_library(h MODULE h.c USE_SABI 3.9)\nlist(APPEND HS more.c)\ntarget_sources(h PRIVATE ${HS})\n",
			want: []view{
				{Line: 3, Col: 37, Text: "USE_SABI 3.9", Target: "abi3 3.9+", Value: "3.9", Files: []string{"a.c", "b.c"}},
				{Line: 5, Col: 34, Text: "USE_SABI 3.9", Target: "abi3 3.9+", Value: "3.9"},
				{Line: 6, Col: 33, Text: "USE_SABI 3.9", Target: "abi3 3.9+", Value: "3.9"},
			},
		},
		{
			name: "unknown variable",
			src:  "add_compile_definitions(Py_LIMITED_API=${V})\n",
			want: []view{{Line: 1, Col: 25, Text: "Py_LIMITED_API=${V}", Target: "audit", Macro: "Py_LIMITED_API", Value: "${V}", ABI3: true}},
		},
		{
			name: "comments and conditions do not count",
			src: "# add_compile_definitions(Py_LIMITED_API=0x03080000)\n" +
				"#[[ add_compile_definitions(Py_LIMITED_API=0x03080000) ]]\n" +
				"#[==[\nPython_add_library(x MODULE USE_SABI 3.8)\n]==]\n" +
				"if(Py_LIMITED_API)\nmessage(STATUS \"-DPy_LIMITED_API=0x03080000\")\nendif()\n" +
				"target_compile_definitions(m PRIVATE NOT_Py_LIMITED_API=1)\n",
		},
		{
			name: "malformed value",
			src:  "add_compile_definitions(Py_LIMITED_API=38)\n",
			want: []view{{Line: 1, Col: 25, Text: "Py_LIMITED_API=38", Target: "audit", Macro: "Py_LIMITED_API", Value: "38", Err: true}},
		},
		{
			name: "list in one quoted argument",
			src:  "set_property(TARGET m PROPERTY COMPILE_DEFINITIONS \"A=1;Py_LIMITED_API=0x030B0000\")\n",
			want: []view{{Line: 1, Col: 53, Text: "A=1;Py_LIMITED_API=0x030B0000", Target: "abi3 3.11+", Macro: "Py_LIMITED_API", Value: "0x030B0000"}},
		},
		{
			name: "unterminated",
			src:  "add_compile_definitions(Py_LIMITED_API=0x03080000\n",
			want: []view{{Line: 1, Col: 25, Text: "Py_LIMITED_API=0x03080000", Target: "abi3 3.8+", Macro: "Py_LIMITED_API", Value: "0x03080000"}},
		},
	})
}

func TestCMakeSubdirs(t *testing.T) {
	_, _, subdirs := parseCMake("CMakeLists.txt", []byte("add_subdirectory(src)\nADD_SUBDIRECTORY(\"ext/a\" bin)\n# add_subdirectory(no)\nadd_subdirectory(/abs)\n"))
	if diff := cmp.Diff([]string{"src", "ext/a"}, subdirs); diff != "" {
		t.Errorf("subdirs (-want +got):\n%s", diff)
	}
}
