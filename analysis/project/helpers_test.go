package project

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// view is the part of a Declaration the reader tests compare.
type view struct {
	Line, Col int
	Text      string
	Target    string // abi.Target.String(): "abi3 3.8+", "abi3t 3.15+", "audit"
	Macro     string
	Value     string
	ABI3      bool
	Files     []string
	Err       bool
}

func viewOf(ds []Declaration) []view {
	var out []view
	for _, d := range ds {
		out = append(out, view{
			Line: d.Line, Col: d.Column, Text: d.Text, Target: d.Target.String(),
			Macro: d.Macro, Value: d.Value, ABI3: d.ABI3, Files: d.Files, Err: d.Err != "",
		})
	}
	return out
}

type readerCase struct {
	name         string
	src          string
	want         []view
	wantProblems int
}

func runReader(t *testing.T, path string, parse func(string, []byte) ([]Declaration, []Problem), cases []readerCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := parse(path, []byte(tc.src))
			if diff := cmp.Diff(tc.want, viewOf(got)); diff != "" {
				t.Errorf("declarations (-want +got):\n%s", diff)
			}
			if len(problems) != tc.wantProblems {
				t.Errorf("got %d problems, want %d: %+v", len(problems), tc.wantProblems, problems)
			}
			for _, d := range got {
				if d.Path != path {
					t.Errorf("Path = %q, want %q", d.Path, path)
				}
				if d.Err != "" && d.Target.IsLimited() {
					t.Errorf("malformed declaration %q has a target %v", d.Text, d.Target)
				}
			}
		})
	}
}

// workspace builds a MapFS from a txtar archive.
func workspace(t testing.TB, archive string) fstest.MapFS {
	t.Helper()
	ar := txtar.Parse([]byte(strings.TrimLeft(archive, "\n")))
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	return fsys
}
