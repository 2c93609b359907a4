package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestGenerateDeterministicAndSized(t *testing.T) {
	a := Generate(Options{Lines: 2000, Seed: 7})
	b := Generate(Options{Lines: 2000, Seed: 7})
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different output")
	}
	if c := Generate(Options{Lines: 2000, Seed: 8}); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same output")
	}
	n := bytes.Count(a, []byte{'\n'})
	if n < 1900 || n > 2300 {
		t.Fatalf("asked for 2000 lines, got %d", n)
	}
	if !bytes.Contains(a, []byte("PyInit_gen")) {
		t.Fatal("no module init")
	}
}

func TestEditPoints(t *testing.T) {
	src := Generate(Options{Lines: 3000, Seed: 3})
	tests := []struct {
		name string
		n    int
		seed uint64
	}{
		{"few", 5, 1},
		{"many", 1000, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pts := EditPoints(src, tc.n, tc.seed)
			if len(pts) != tc.n {
				t.Fatalf("got %d points, want %d", len(pts), tc.n)
			}
			distinct := map[int]bool{}
			for _, p := range pts {
				distinct[p] = true
				if p < 2 || p >= len(src) || string(src[p-2:p]) != "Py" {
					t.Fatalf("point %d is not after an API name's Py: %q", p, src[max(0, p-10):min(len(src), p+10)])
				}
				ls := bytes.LastIndexByte(src[:p], '\n') + 1
				if !bytes.HasPrefix(src[ls:], []byte("    ")) {
					t.Fatalf("point %d is not in an indented line", p)
				}
			}
			if tc.n >= 100 && len(distinct) < tc.n/4 {
				t.Fatalf("only %d distinct points of %d", len(distinct), tc.n)
			}
			if again := EditPoints(src, tc.n, tc.seed); !equalInts(again, pts) {
				t.Fatal("same seed gave different points")
			}
		})
	}
	if pts := EditPoints([]byte("int x;\n"), 3, 1); pts != nil {
		t.Fatalf("points in a file without API names: %v", pts)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTree(t *testing.T) {
	files := Tree(12, 200, 5, "0x03080000")
	if len(files) != 12 {
		t.Fatalf("got %d files", len(files))
	}
	seen := map[string]bool{}
	for i, f := range files {
		if seen[f.Path] {
			t.Fatalf("duplicate path %s", f.Path)
		}
		seen[f.Path] = true
		if !bytes.Contains(f.Src, []byte("#define Py_LIMITED_API 0x03080000\n")) {
			t.Fatalf("file %d has no target define", i)
		}
	}
	if files[0].Path != "pkg0/m0.c" || files[11].Path != "pkg1/m11.c" {
		t.Fatalf("unexpected paths %s, %s", files[0].Path, files[11].Path)
	}
}

// TestStable pins the generator's output: benchmark figures are comparable
// across commits only while the inputs stay the same. When the generator
// changes on purpose, update the sum and say so in docs/performance.md.
func TestStable(t *testing.T) {
	sum := sha256.Sum256(Generate(Options{Lines: 500, Seed: 1, Limited: "0x03080000"}))
	const want = "106e66d8e92ed5bc2e04792cb3101f258ff633f0fd30e3645ea5de613152e1cd"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("generator output changed: sha256 %s, pinned %s", got, want)
	}
}
