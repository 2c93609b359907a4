package project

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCompileCommands(t *testing.T) {
	const db = `[
  {
    "directory": "/ws/build",
    "file": "/ws/src/a.c",
    "arguments": ["cc", "-c", "-DPy_LIMITED_API=0x030A0000", "/ws/src/a.c"]
  },
  {
    "directory": "/ws/build",
    "file": "../src/b.c",
    "command": "cc -c -D Py_LIMITED_API=0x03090000 -o b.o ../src/b.c"
  },
  {
    "directory": "/ws/build",
    "file": "/ws/src/c.c",
    "command": "cc '-DPy_LIMITED_API=0x03080000' -UPy_LIMITED_API -c /ws/src/c.c"
  },
  {"directory": "/ws", "file": "src/d.c", "arguments": ["cc", "-DPy_LIMITED_API=0x030F0000", "-DPy_TARGET_ABI3T=0x030F0000"]},
  {"directory": "/ws", "file": "src/e.c", "arguments": ["cc", "-DPy_LIMITED_API", "-DPy_LIMITED_API=0x3080000"]},
  {"directory": "/elsewhere", "file": "x.c", "arguments": ["cc", "/DPy_LIMITED_API=0x030B0000"]},
  {"directory": "/ws", "file": "src/f.c", "arguments": ["cc", "-O2"]},
  {"directory": "/ws", "file": "src/g.c", "arguments": ["cc", "--define-macro", "Py_LIMITED_API=0x030C0000"]}
]`
	got, problems := ParseCompileCommands("build/compile_commands.json", []byte(db), "/ws")
	if len(problems) != 0 {
		t.Fatalf("problems: %+v", problems)
	}
	want := []view{
		{Text: "-DPy_LIMITED_API=0x030A0000", Target: "abi3 3.10+", Macro: "Py_LIMITED_API", Value: "0x030A0000", Files: []string{"src/a.c"}},
		{Text: "-D Py_LIMITED_API=0x03090000", Target: "abi3 3.9+", Macro: "Py_LIMITED_API", Value: "0x03090000", Files: []string{"src/b.c"}},
		{Text: "-DPy_LIMITED_API=0x030F0000 -DPy_TARGET_ABI3T=0x030F0000", Target: "abi3t 3.15+", Macro: "Py_TARGET_ABI3T", Value: "0x030F0000", Files: []string{"src/d.c"}},
		{Text: "-DPy_LIMITED_API=0x3080000", Target: "audit", Macro: "Py_LIMITED_API", Value: "0x3080000", Err: true, Files: []string{"src/e.c"}},
		{Text: "/DPy_LIMITED_API=0x030B0000", Target: "abi3 3.11+", Macro: "Py_LIMITED_API", Value: "0x030B0000", Files: []string{"/elsewhere/x.c"}},
		{Text: "--define-macro Py_LIMITED_API=0x030C0000", Target: "abi3 3.12+", Macro: "Py_LIMITED_API", Value: "0x030C0000", Files: []string{"src/g.c"}},
	}
	// Each declaration points at its first effective flag in the JSON text.
	li := newLineIndex([]byte(db))
	for i := range want {
		needle := strings.Fields(want[i].Text)[0]
		if f := strings.Fields(want[i].Text); f[0] == "-D" || f[0] == "--define-macro" {
			needle = f[1]
		}
		if want[i].Err {
			needle = want[i].Text
		}
		want[i].Line, want[i].Col = li.pos(strings.Index(db, needle))
	}
	if diff := cmp.Diff(want, viewOf(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseCompileCommandsMalformed(t *testing.T) {
	for _, src := range []string{
		``,
		`{}`,
		`[{"file": 3, "arguments": ["-DPy_LIMITED_API=0x03080000"]}]`,
		`[{"file": "a.c", "arguments": ["-DPy_LIMITED_API=0x03080000"]}`,
		`not json`,
		`[1, 2`,
	} {
		_, problems := ParseCompileCommands("compile_commands.json", []byte(src), "/ws")
		if len(problems) == 0 {
			t.Errorf("%q: no problem reported", src)
		}
	}
	// A valid database with no target macro is silent.
	got, problems := ParseCompileCommands("compile_commands.json", []byte(`[{"directory":"/ws","file":"a.c","arguments":["cc"]}]`), "/ws")
	if len(got)+len(problems) != 0 {
		t.Errorf("got %+v %+v, want nothing", got, problems)
	}
}

func TestParseCompileFlags(t *testing.T) {
	runReader(t, "compile_flags.txt", ParseCompileFlags, []readerCase{
		{
			name: "one per line",
			src:  "-xc\n-I/usr/include/python3.11\n-DPy_LIMITED_API=0x030B0000\n",
			want: []view{{Line: 3, Col: 1, Text: "-DPy_LIMITED_API=0x030B0000", Target: "abi3 3.11+", Macro: "Py_LIMITED_API", Value: "0x030B0000"}},
		},
		{
			name: "split -D",
			src:  "-D\r\nPy_LIMITED_API=0x03080000\r\n",
			want: []view{{Line: 1, Col: 1, Text: "-D Py_LIMITED_API=0x03080000", Target: "abi3 3.8+", Macro: "Py_LIMITED_API", Value: "0x03080000"}},
		},
		{
			name: "undefined again",
			src:  "-DPy_LIMITED_API=0x03080000\n-U\nPy_LIMITED_API\n",
		},
		{
			name: "other macros",
			src:  "-DPy_LIMITED_API_X=1\n-DNDEBUG\n",
		},
	})
}

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`cc -c a.c`, []string{"cc", "-c", "a.c"}},
		{`cc "-DX=\"a b\"" 'y z' w\ v`, []string{"cc", `-DX="a b"`, "y z", "w v"}},
		{`  `, nil},
		{`a "unterminated`, []string{"a", "unterminated"}},
		{`a 'unterminated`, []string{"a", "unterminated"}},
		{`a\`, []string{`a\`}},
	} {
		if diff := cmp.Diff(tc.want, splitCommand(tc.in)); diff != "" {
			t.Errorf("splitCommand(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestRelToRoot(t *testing.T) {
	for _, tc := range []struct{ p, root, want string }{
		{"/ws/src/a.c", "/ws", "src/a.c"},
		{"/ws/src/a.c", "/ws/", "src/a.c"},
		{"/wsx/a.c", "/ws", "/wsx/a.c"},
		{"./src/a.c", "/ws", "src/a.c"},
		{"C:/Proj/a.c", `c:\proj`, "a.c"},
		{"/a.c", "", "/a.c"},
	} {
		if got := relToRoot(tc.p, tc.root); got != tc.want {
			t.Errorf("relToRoot(%q, %q) = %q, want %q", tc.p, tc.root, got, tc.want)
		}
	}
}
