package fixer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/google/go-cmp/cmp"
)

func fix(app analysis.Applicability, edits ...analysis.Edit) analysis.Fix {
	return analysis.Fix{Title: "t", Applicability: app, Edits: edits}
}

func edit(s, e int, text string) analysis.Edit { return analysis.Edit{Start: s, End: e, NewText: text} }

func finding(fixes ...analysis.Fix) analysis.Finding {
	return analysis.Finding{Code: "X", Fixes: fixes}
}

func TestPickAndApply(t *testing.T) {
	const src = "0123456789"
	tests := []struct {
		name     string
		findings []analysis.Finding
		allow    Allow
		want     string
	}{
		{"one safe fix", []analysis.Finding{finding(fix(analysis.Safe, edit(2, 4, "ab")))}, SafeOnly, "01ab456789"},
		{"unsafe not applied by default", []analysis.Finding{finding(fix(analysis.Unsafe, edit(2, 4, "ab")))}, SafeOnly, src},
		{"unsafe applied when allowed", []analysis.Finding{finding(fix(analysis.Unsafe, edit(2, 4, "ab")))}, SafeAndUnsafe, "01ab456789"},
		{"display-only never", []analysis.Finding{finding(fix(analysis.DisplayOnly, edit(2, 4, "ab")))}, SafeAndUnsafe, src},
		{"first allowed fix of a finding", []analysis.Finding{finding(fix(analysis.Unsafe, edit(0, 1, "U")), fix(analysis.Safe, edit(0, 1, "S")))}, SafeOnly, "S123456789"},
		{"overlap: later skipped", []analysis.Finding{
			finding(fix(analysis.Safe, edit(2, 5, "x"))),
			finding(fix(analysis.Safe, edit(4, 6, "y"))),
			finding(fix(analysis.Safe, edit(5, 6, "z"))),
		}, SafeOnly, "01xz6789"},
		{"two insertions at one offset conflict", []analysis.Finding{
			finding(fix(analysis.Safe, edit(3, 3, "a"))),
			finding(fix(analysis.Safe, edit(3, 3, "b"))),
		}, SafeOnly, "012a3456789"},
		{"insertion at a replacement's end is fine", []analysis.Finding{
			finding(fix(analysis.Safe, edit(1, 3, "R"))),
			finding(fix(analysis.Safe, edit(3, 3, "I"))),
		}, SafeOnly, "0RI3456789"},
		{"multi-edit fix", []analysis.Finding{finding(fix(analysis.Safe, edit(8, 10, ")"), edit(0, 0, "f(")))}, SafeOnly, "f(01234567)"},
		{"out of range edit ignored", []analysis.Finding{finding(fix(analysis.Safe, edit(8, 11, "x")))}, SafeOnly, src},
		{"negative edit ignored", []analysis.Finding{finding(fix(analysis.Safe, edit(-1, 2, "x")))}, SafeOnly, src},
		{"self-overlapping fix ignored", []analysis.Finding{finding(fix(analysis.Safe, edit(1, 3, "x"), edit(2, 4, "y")))}, SafeOnly, src},
		{"suppression comment never applied", []analysis.Finding{finding(fix(analysis.Unsafe, edit(10, 10, " /* abi3ls: ignore[X] */")))}, SafeAndUnsafe, src},
		{"empty fix ignored", []analysis.Finding{finding(fix(analysis.Safe))}, SafeOnly, src},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Apply([]byte(src), Pick(tt.findings, tt.allow, len(src))))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// fakeAnalyze reports every "OLD" with a safe fix to "new", and every
// "LOOP" with a fix to "LOOP!" that never settles.
func fakeAnalyze(_ context.Context, src []byte) (*analysis.Result, error) {
	res := &analysis.Result{}
	for _, w := range []struct{ find, repl string }{{"OLD", "new"}, {"LOOP", "LOOP!"}} {
		for i := 0; ; {
			j := bytes.Index(src[i:], []byte(w.find))
			if j < 0 {
				break
			}
			s := i + j
			res.Findings = append(res.Findings, finding(fix(analysis.Safe, edit(s, s+len(w.find), w.repl))))
			i = s + len(w.find)
		}
	}
	return res, nil
}

func TestConverge(t *testing.T) {
	tests := []struct {
		src, want string
		applied   int
		settled   bool
	}{
		{"a OLD b OLD", "a new b new", 2, true},
		{"nothing", "nothing", 0, true},
		{"OOLDLD", "OnewLD", 1, true},
		{"LOOP", "LOOP" + strings.Repeat("!", MaxRounds), MaxRounds, false},
	}
	for _, tt := range tests {
		out, err := Converge(context.Background(), fakeAnalyze, []byte(tt.src), SafeOnly)
		if err != nil {
			t.Fatal(err)
		}
		if string(out.Src) != tt.want || out.Applied != tt.applied || out.Settled != tt.settled {
			t.Errorf("%q: got %q applied %d settled %v; want %q %d %v", tt.src, out.Src, out.Applied, out.Settled, tt.want, tt.applied, tt.settled)
		}
		// Idempotent: fixing the result again changes nothing.
		if tt.settled {
			again, err := Converge(context.Background(), fakeAnalyze, out.Src, SafeOnly)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Src, out.Src) || again.Applied != 0 {
				t.Errorf("%q: second run changed %q to %q", tt.src, out.Src, again.Src)
			}
		}
	}
}

func TestConvergeError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Converge(context.Background(), func(context.Context, []byte) (*analysis.Result, error) { return nil, boom }, nil, SafeOnly)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteAtomic(t *testing.T) {
	t.Run("replaces and keeps mode", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "m.c")
		if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o751); err != nil {
			t.Fatal(err)
		}
		if err := WriteAtomic(p, []byte("new"), []byte("old")); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(p)
		info, _ := os.Stat(p)
		if string(got) != "new" || info.Mode().Perm() != 0o751 {
			t.Errorf("got %q mode %v", got, info.Mode())
		}
		if diff := cmp.Diff([]string{"m.c"}, listDir(t, dir)); diff != "" {
			t.Errorf("leftover files: %s", diff)
		}
	})
	t.Run("changed on disk is not written", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "m.c")
		os.WriteFile(p, []byte("edited meanwhile"), 0o644)
		err := WriteAtomic(p, []byte("new"), []byte("old"))
		if !errors.Is(err, ErrChanged) {
			t.Fatalf("err = %v", err)
		}
		got, _ := os.ReadFile(p)
		if string(got) != "edited meanwhile" {
			t.Errorf("file now %q", got)
		}
	})
	t.Run("failed rename leaves the file whole and no temporary", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "m.c")
		os.WriteFile(p, []byte("old"), 0o644)
		fail := func(string, string) error { return errors.New("disk on fire") }
		if err := writeAtomic(p, []byte("new"), []byte("old"), fail); err == nil {
			t.Fatal("no error")
		}
		got, _ := os.ReadFile(p)
		if string(got) != "old" {
			t.Errorf("file now %q", got)
		}
		if diff := cmp.Diff([]string{"m.c"}, listDir(t, dir)); diff != "" {
			t.Errorf("leftover files: %s", diff)
		}
	})
	t.Run("symbolic link kept, target replaced", func(t *testing.T) {
		dir := t.TempDir()
		real := filepath.Join(dir, "real.c")
		link := filepath.Join(dir, "link.c")
		os.WriteFile(real, []byte("old"), 0o644)
		if err := os.Symlink("real.c", link); err != nil {
			t.Fatal(err)
		}
		if err := WriteAtomic(link, []byte("new"), []byte("old")); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
			t.Error("link replaced by a file")
		}
		got, _ := os.ReadFile(real)
		if string(got) != "new" {
			t.Errorf("target now %q", got)
		}
	})
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", "x\n", "x\n", ""},
		{"one line", "a\nb\nc\n", "a\nB\nc\n", "--- a/f.c\n+++ b/f.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"no newline at end", "a\nb", "a\nB", "--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Diff("f.c", []byte(tt.a), []byte(tt.b))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
