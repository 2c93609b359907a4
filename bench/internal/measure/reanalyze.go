package measure

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Reanalyses is the analysis share of the keystroke figure, in process:
// src is analyzed once (AnalyzeKeep), then each of edits edits types an
// 'x' at a point (and the next one deletes it again, as Keystrokes does),
// edits the tree, reparses incrementally and re-analyzes
// (analysis.Reanalyze). each gets the time of reparse + analysis and
// whether the analysis was incremental.
func Reanalyses(ctx context.Context, a *analysis.Analyzer, pool *grammars.Pool, path string, src []byte, points []int, edits int,
	each func(i int, d time.Duration, incremental bool)) error {
	if len(points) == 0 {
		return fmt.Errorf("measure: no edit points")
	}
	tree, err := pool.Parse(grammars.C, src, nil)
	if err != nil {
		return fmt.Errorf("measure: parse: %w", err)
	}
	defer func() { tree.Close() }()
	_, st, err := a.AnalyzeKeep(ctx, analysis.Input{Path: path, Lang: grammars.C, Src: src, Tree: tree})
	if err != nil {
		return fmt.Errorf("measure: analyze: %w", err)
	}
	for i := 0; i < edits; i++ {
		at := points[(i/2)%len(points)]
		var ns []byte
		ed := sitter.InputEdit{StartByte: uint(at)}
		if i%2 == 0 {
			ns = append(append(append(make([]byte, 0, len(src)+1), src[:at]...), 'x'), src[at:]...)
			ed.OldEndByte, ed.NewEndByte = uint(at), uint(at+1)
		} else {
			ns = append(append(make([]byte, 0, len(src)), src[:at]...), src[at+1:]...)
			ed.OldEndByte, ed.NewEndByte = uint(at+1), uint(at)
		}
		start := time.Now()
		ed.StartPosition = point(src, at)
		ed.OldEndPosition = point(src, int(ed.OldEndByte))
		ed.NewEndPosition = point(ns, int(ed.NewEndByte))
		tree.Edit(&ed)
		nt, err := pool.Parse(grammars.C, ns, tree)
		if err != nil {
			return fmt.Errorf("measure: reparse: %w", err)
		}
		tree.Close()
		tree, src = nt, ns
		_, next, inc, err := a.Reanalyze(ctx, st, analysis.Input{Path: path, Lang: grammars.C, Src: src, Tree: tree})
		if err != nil {
			return fmt.Errorf("measure: reanalyze: %w", err)
		}
		each(i, time.Since(start), inc)
		st = next
	}
	return nil
}

// point is the tree-sitter point of byte offset off.
func point(src []byte, off int) sitter.Point {
	row := bytes.Count(src[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(src[:off], '\n') + 1)
	return sitter.Point{Row: uint(row), Column: uint(col)}
}
