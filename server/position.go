package server

import (
	"bytes"
	"sort"
	"unicode/utf8"

	sitter "github.com/tree-sitter/go-tree-sitter"
	"go.lsp.dev/protocol"
)

// encoding is the negotiated position encoding: what Position.Character
// counts.
type encoding int

const (
	encUTF16 encoding = iota // LSP default: UTF-16 code units
	encUTF8                  // bytes
)

func (e encoding) String() string {
	if e == encUTF8 {
		return "utf-8"
	}
	return "utf-16"
}

// lineIndex holds the byte offset at which each line starts. Lines end at
// "\n", "\r\n" or a lone "\r", as LSP defines them.
type lineIndex []int

func newLineIndex(text []byte) lineIndex {
	return appendStarts(make(lineIndex, 1, 1+len(text)/32), text, 0, len(text))
}

// appendStarts appends the line starts p with from < p <= to: the offsets
// after each byte in [from, to) that ends a line terminator ("\n", or "\r"
// not followed by "\n"; text beyond to is looked at for that).
func appendStarts(li lineIndex, text []byte, from, to int) lineIndex {
	// Next "\r" and "\n" at or after i (-1: none before to), found with
	// IndexByte and reused until passed.
	nextCR, nextLF := -2, -2
	next := func(i int, c byte, cur int) int {
		if cur == -1 || cur >= i {
			return cur
		}
		if j := bytes.IndexByte(text[i:to], c); j >= 0 {
			return i + j
		}
		return -1
	}
	for i := from; i < to; {
		nextCR, nextLF = next(i, '\r', nextCR), next(i, '\n', nextLF)
		j := nextLF
		if nextCR >= 0 && (j < 0 || nextCR < j) {
			j = nextCR
		}
		if j < 0 {
			break
		}
		if text[j] == '\r' && j+1 < len(text) && text[j+1] == '\n' {
			if j+1 < to {
				li = append(li, j+2)
			}
			i = j + 2
			continue
		}
		li = append(li, j+1)
		i = j + 1
	}
	return li
}

// edited returns the line index of newText, which is the indexed text with
// [start, end) replaced by insLen bytes. Only the lines around the change
// are scanned.
func (li lineIndex) edited(newText []byte, start, end, insLen int) lineIndex {
	k := li.lineOf(start)
	if k > 0 {
		k-- // a "\r" ending the line before may join a "\n" inserted at start
	}
	a := li[k]
	newEnd := start + insLen
	scanEnd := min(newEnd+1, len(newText))
	delta := insLen - (end - start)
	j := sort.SearchInts(li, end+1) // first old line start after the change
	out := make(lineIndex, 0, k+1+len(li)-j+8)
	out = append(out, li[:k+1]...)
	out = appendStarts(out, newText, a, scanEnd)
	for j < len(li) && li[j]+delta <= scanEnd {
		j++ // found by the scan
	}
	for ; j < len(li); j++ {
		out = append(out, li[j]+delta)
	}
	return out
}

// contentEnd is the offset where line's content ends (before its line
// terminator).
func (li lineIndex) contentEnd(text []byte, line int) int {
	if line+1 >= len(li) {
		return len(text)
	}
	end := li[line+1] - 1 // the terminator's last byte
	if text[end] == '\n' && end > li[line] && text[end-1] == '\r' {
		end--
	}
	return end
}

// lineOf returns the line containing byte offset off.
func (li lineIndex) lineOf(off int) int {
	lo, hi := 0, len(li)
	for lo+1 < hi {
		m := (lo + hi) / 2
		if li[m] <= off {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// offset converts an LSP position to a byte offset. Out-of-range positions
// are clamped: a line past the end maps to the end of the text, a character
// past the end of its line to the end of the line (the LSP rule); a UTF-16
// position inside a surrogate pair maps to the start of the character.
func (li lineIndex) offset(text []byte, p protocol.Position, enc encoding) int {
	line := int(p.Line)
	if line >= len(li) || line < 0 {
		return len(text)
	}
	start, end := li[line], li.contentEnd(text, line)
	want := int(p.Character)
	if enc == encUTF8 {
		if want > end-start || want < 0 {
			return end
		}
		off := start + want
		for off > start && off < len(text) && !utf8.RuneStart(text[off]) {
			off-- // inside a character: its start
		}
		return off
	}
	units := 0
	i := start
	for i < end {
		if units >= want {
			return i
		}
		r, size := utf8.DecodeRune(text[i:end])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > want {
			return i // inside a surrogate pair
		}
		units += n
		i += size
	}
	return end
}

// position converts a byte offset to an LSP position. An offset inside a
// line terminator or a multi-byte character maps to its start.
func (li lineIndex) position(text []byte, off int, enc encoding) protocol.Position {
	if off < 0 {
		off = 0
	}
	if off > len(text) {
		off = len(text)
	}
	line := li.lineOf(off)
	start := li[line]
	if end := li.contentEnd(text, line); off > end {
		off = end
	}
	if enc == encUTF8 {
		return protocol.Position{Line: uint32(line), Character: uint32(off - start)}
	}
	units := 0
	for i := start; i < off; {
		if text[i] < utf8.RuneSelf {
			units++
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if i+size > off {
			break // off is inside this character
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		i += size
	}
	return protocol.Position{Line: uint32(line), Character: uint32(units)}
}

// tsPoint is tree-sitter's point for byte offset off: row counts "\n" only,
// column is in bytes.
func tsPoint(text []byte, off int) sitter.Point {
	head := text[:off]
	row := bytes.Count(head, []byte{'\n'})
	col := off - (bytes.LastIndexByte(head, '\n') + 1)
	return sitter.Point{Row: uint(row), Column: uint(col)}
}

// advance returns the point reached after inserting s at p.
func advance(p sitter.Point, s string) sitter.Point {
	n := 0
	last := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			n++
			last = i
		}
	}
	if n == 0 {
		return sitter.Point{Row: p.Row, Column: p.Column + uint(len(s))}
	}
	return sitter.Point{Row: p.Row + uint(n), Column: uint(len(s) - last - 1)}
}
