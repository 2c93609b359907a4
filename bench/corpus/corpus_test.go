package corpus

import (
	"bytes"
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
