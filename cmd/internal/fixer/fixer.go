// Package fixer applies the fixes of analysis findings to a file's text:
// it picks non-overlapping fixes, applies them, re-analyzes and repeats
// until nothing is left to fix, writes the result atomically (temporary
// file and rename, mode kept, never over a file that changed meanwhile),
// and renders unified diffs.
package fixer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/pmezard/go-difflib/difflib"
)

// MaxRounds bounds the analyze-and-fix loop.
const MaxRounds = 10

// Allow says which applicabilities may be applied.
type Allow func(analysis.Applicability) bool

// SafeOnly allows safe fixes.
func SafeOnly(a analysis.Applicability) bool { return a == analysis.Safe }

// SafeAndUnsafe allows safe and unsafe fixes (never display-only ones).
func SafeAndUnsafe(a analysis.Applicability) bool {
	return a == analysis.Safe || a == analysis.Unsafe
}

// Pick chooses, in finding order, the first allowed fix (suppression
// comments excepted) of each finding
// whose edits are valid for a text of n bytes and overlap no edit already
// chosen. Two insertions at the same offset overlap (their order would be
// arbitrary).
func Pick(findings []analysis.Finding, allow Allow, n int) []analysis.Fix {
	var taken []analysis.Edit
	var out []analysis.Fix
	for _, f := range findings {
		for _, fx := range f.Fixes {
			if !allow(fx.Applicability) || IsSuppression(fx) || !valid(fx.Edits, n) || overlapsAny(fx.Edits, taken) {
				continue
			}
			taken = append(taken, fx.Edits...)
			out = append(out, fx)
			break
		}
	}
	return out
}

// IsSuppression reports whether fx only inserts an `abi3ls: ignore`
// comment. Such fixes silence a finding instead of fixing it: editors offer
// them one at a time, `abi3ls fix` never applies them, even with --unsafe.
func IsSuppression(fx analysis.Fix) bool {
	if len(fx.Edits) == 0 {
		return false
	}
	for _, e := range fx.Edits {
		if e.Start != e.End || !strings.Contains(e.NewText, "abi3ls: ignore") {
			return false
		}
	}
	return true
}

func valid(edits []analysis.Edit, n int) bool {
	if len(edits) == 0 {
		return false
	}
	for i, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > n {
			return false
		}
		if overlapsAny(edits[i+1:], []analysis.Edit{e}) {
			return false
		}
	}
	return true
}

func overlap(a, b analysis.Edit) bool {
	if a.Start == a.End && b.Start == b.End {
		return a.Start == b.Start
	}
	return a.Start < b.End && b.Start < a.End
}

func overlapsAny(edits, taken []analysis.Edit) bool {
	for _, e := range edits {
		for _, t := range taken {
			if overlap(e, t) {
				return true
			}
		}
	}
	return false
}

// Apply applies the edits of fixes (which must not overlap) to src and
// returns the new text.
func Apply(src []byte, fixes []analysis.Fix) []byte {
	var edits []analysis.Edit
	for _, fx := range fixes {
		edits = append(edits, fx.Edits...)
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	var b bytes.Buffer
	b.Grow(len(src))
	pos := 0
	for _, e := range edits {
		if e.Start < pos || e.End > len(src) {
			continue // overlapping or out of range: never applied
		}
		b.Write(src[pos:e.Start])
		b.WriteString(e.NewText)
		pos = e.End
	}
	b.Write(src[pos:])
	return b.Bytes()
}

// AnalyzeFunc analyzes a version of the file's text.
type AnalyzeFunc func(ctx context.Context, src []byte) (*analysis.Result, error)

// Outcome is the result of Converge.
type Outcome struct {
	Src     []byte           // the fixed text
	Applied int              // fixes applied, over all rounds
	Final   *analysis.Result // the analysis of Src
	// Settled is false when fixes were still offered after MaxRounds.
	Settled bool
}

// Converge applies allowed fixes to src round after round, re-analyzing
// the text after each, until no fix is left (or MaxRounds).
func Converge(ctx context.Context, analyze AnalyzeFunc, src []byte, allow Allow) (*Outcome, error) {
	out := &Outcome{Src: src}
	for round := 0; ; round++ {
		res, err := analyze(ctx, out.Src)
		if err != nil {
			return nil, err
		}
		out.Final = res
		fixes := Pick(res.Findings, allow, len(out.Src))
		if len(fixes) == 0 {
			out.Settled = true
			return out, nil
		}
		if round == MaxRounds {
			return out, nil
		}
		next := Apply(out.Src, fixes)
		if bytes.Equal(next, out.Src) {
			// Fixes that change nothing would be offered forever.
			out.Settled = true
			return out, nil
		}
		out.Src = next
		out.Applied += len(fixes)
	}
}

// ErrChanged is returned by WriteAtomic when the file on disk is no longer
// the text that was analyzed.
var ErrChanged = errors.New("changed on disk during analysis; not written")

// WriteAtomic replaces the file at path with data, provided its contents
// are still expect. The data goes to a temporary file in the same
// directory, which is synced, given the file's mode and renamed over it:
// readers see the old or the new text, never a mix. A symbolic link is
// kept and its target replaced.
func WriteAtomic(path string, data, expect []byte) error {
	return writeAtomic(path, data, expect, os.Rename)
}

func writeAtomic(path string, data, expect []byte, rename func(string, string) error) (err error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(real)
	if err != nil {
		return err
	}
	cur, err := os.ReadFile(real)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, expect) {
		return ErrChanged
	}
	tmp, err := os.CreateTemp(filepath.Dir(real), "."+filepath.Base(real)+".abi3ls-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	if err = tmp.Chmod(info.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
		return fmt.Errorf("set mode: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync temporary file: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close temporary file: %w", err)
	}
	if err = rename(tmp.Name(), real); err != nil {
		return fmt.Errorf("replace file: %w", err)
	}
	return nil
}

// Diff is the unified diff from a to b, with a/ and b/ prefixed names (as
// git writes them); empty when they are equal.
func Diff(name string, a, b []byte) (string, error) {
	if bytes.Equal(a, b) {
		return "", nil
	}
	name = filepath.ToSlash(name)
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: splitLines(a), B: splitLines(b),
		FromFile: "a/" + name, ToFile: "b/" + name,
		Context: 3,
	})
}

// splitLines splits text into lines that keep their "\n"; a last line
// without one gets diff's "No newline at end of file" marker.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n\\ No newline at end of file\n"
	}
	return lines
}
