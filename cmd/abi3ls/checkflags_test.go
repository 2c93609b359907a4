package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args      []string
		pos       []string
		format    string
		selected  []string
		exitZero  bool
		wantError bool
	}{
		{args: nil, pos: nil, format: "text"},
		{args: []string{"src", "--format", "json", "lib"}, pos: []string{"src", "lib"}, format: "json"},
		{args: []string{"--select=ABI001,ABI004", "a.c", "--select", "ABI006", "--exit-zero"}, pos: []string{"a.c"}, format: "text",
			selected: []string{"ABI001", "ABI004", "ABI006"}, exitZero: true},
		{args: []string{"a.c", "--", "--format", "-x.c"}, pos: []string{"a.c", "--format", "-x.c"}, format: "text"},
		{args: []string{"a.c", "--bogus"}, wantError: true},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		fs := newFlagSet("check", "u", &stderr)
		var cf configFlags
		cf.register(fs)
		format := fs.String("format", "text", "")
		pos, err := parseInterleaved(fs, tt.args)
		if tt.wantError {
			if err == nil {
				t.Errorf("%q: no error", tt.args)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if diff := cmp.Diff(tt.pos, pos); diff != "" || *format != tt.format || cf.exitZero != tt.exitZero ||
			!cmp.Equal([]string(cf.selected), tt.selected) {
			t.Errorf("%q: pos %q format %q selected %q exit-zero %v", tt.args, pos, *format, cf.selected, cf.exitZero)
		}
	}
}

func TestColorDecision(t *testing.T) {
	tests := []struct {
		mode     string
		terminal bool
		noColor  string
		want     bool
	}{
		{"auto", true, "", true},
		{"auto", true, "1", false},
		{"auto", false, "", false},
		{"always", false, "1", true},
		{"never", true, "", false},
		{"", true, "", true},
	}
	for _, tt := range tests {
		got, err := colorDecision(tt.mode, tt.terminal, tt.noColor)
		if err != nil || got != tt.want {
			t.Errorf("%+v: got %v, %v", tt, got, err)
		}
	}
	if _, err := colorDecision("rainbow", true, ""); err == nil {
		t.Error("--color rainbow accepted")
	}
	// A buffer is never a terminal.
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := startProgress(&b, progressMinFiles, true)
	for range 3 {
		p.step()
	}
	p.stop()
	out := b.String()
	if !strings.HasPrefix(out, "\rabi3ls: checked 0/200 files") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("progress output %q", out)
	}
	for _, tc := range []struct {
		total    int
		terminal bool
	}{{progressMinFiles - 1, true}, {1000, false}} {
		b.Reset()
		p := startProgress(&b, tc.total, tc.terminal)
		p.step()
		p.stop()
		if b.Len() != 0 {
			t.Errorf("%+v: progress shown: %q", tc, b.String())
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, cmd := range []string{"check", "fix", "explain", "rules"} {
		var stdout, stderr bytes.Buffer
		if code := run(env{args: []string{cmd, "-h"}, stdout: &stdout, stderr: &stderr}); code != 0 {
			t.Errorf("%s -h: exit %d", cmd, code)
		}
		if !strings.Contains(stderr.String(), "usage: abi3ls "+cmd) {
			t.Errorf("%s -h: %q", cmd, stderr.String())
		}
	}
}

// TestPreCommitHooks checks .pre-commit-hooks.yaml names real commands and
// builds with the Go toolchain.
func TestPreCommitHooks(t *testing.T) {
	b, err := os.ReadFile(repoRoot(t) + "/.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	entries, golang, types := 0, 0, 0
	for _, line := range strings.Split(text, "\n") {
		switch strings.TrimSpace(line) {
		case "language: golang":
			golang++
		case "types_or: [c, c++]":
			types++
		}
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "entry: ")
		if !ok {
			continue
		}
		entries++
		args := strings.Fields(rest)
		if args[0] != "abi3ls" || len(args) < 2 {
			t.Errorf("entry %q", rest)
			continue
		}
		var stdout, stderr bytes.Buffer
		if code := run(env{args: append(args[1:], "-h"), stdout: &stdout, stderr: &stderr}); code != 0 {
			t.Errorf("entry %q: not a command (exit %d)", rest, code)
		}
	}
	if entries != 2 || golang != 2 || types != 2 {
		t.Errorf(".pre-commit-hooks.yaml: %d entries\n%s", entries, text)
	}
}
