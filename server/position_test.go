package server

import (
	"math"
	"testing"

	"go.lsp.dev/protocol"
)

func TestLineIndex(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []int
	}{
		{"", []int{0}},
		{"a", []int{0}},
		{"a\n", []int{0, 2}},
		{"a\r\nb", []int{0, 3}},
		{"a\rb\r\n\nc", []int{0, 2, 5, 6}},
		{"\r\r\n\n", []int{0, 1, 3, 4}},
	} {
		got := newLineIndex([]byte(tc.text))
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.text, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: got %v, want %v", tc.text, got, tc.want)
				break
			}
		}
	}
}

func pos(l, c uint32) protocol.Position { return protocol.Position{Line: l, Character: c} }

func TestOffsetUTF16(t *testing.T) {
	// "é" is 2 bytes / 1 unit, "😀" 4 bytes / 2 units (a surrogate pair),
	// "€" 3 bytes / 1 unit.
	text := []byte("aé😀b\r\n€x\rlast")
	li := newLineIndex(text)
	for _, tc := range []struct {
		p    protocol.Position
		want int
	}{
		{pos(0, 0), 0},
		{pos(0, 1), 1},  // before é
		{pos(0, 2), 3},  // before 😀
		{pos(0, 3), 3},  // inside the surrogate pair: start of 😀
		{pos(0, 4), 7},  // after 😀
		{pos(0, 5), 8},  // end of line 0 (before \r\n)
		{pos(0, 99), 8}, // clamped to the end of the line
		{pos(1, 0), 10}, // after \r\n
		{pos(1, 1), 13}, // after €
		{pos(1, 2), 14}, // before lone \r
		{pos(2, 0), 15}, // after lone \r
		{pos(2, 4), 19}, // end of text
		{pos(3, 0), 19}, // line past the end
		{pos(math.MaxUint32, 0), 19},
	} {
		if got := li.offset(text, tc.p, encUTF16); got != tc.want {
			t.Errorf("offset(%d:%d) = %d, want %d", tc.p.Line, tc.p.Character, got, tc.want)
		}
	}
}

func TestOffsetUTF8(t *testing.T) {
	text := []byte("aé😀b\r\n€x")
	li := newLineIndex(text)
	for _, tc := range []struct {
		p    protocol.Position
		want int
	}{
		{pos(0, 3), 3},
		{pos(0, 7), 7},
		{pos(0, 8), 8},
		{pos(0, 9), 8}, // clamped before \r\n
		{pos(1, 3), 13},
		{pos(1, 4), 14},
	} {
		if got := li.offset(text, tc.p, encUTF8); got != tc.want {
			t.Errorf("offset(%d:%d) = %d, want %d", tc.p.Line, tc.p.Character, got, tc.want)
		}
	}
}

func TestPositionRoundTrip(t *testing.T) {
	text := []byte("aé😀b\r\n€x\rl\n\n😀😀")
	li := newLineIndex(text)
	for _, enc := range []encoding{encUTF16, encUTF8} {
		for off := 0; off <= len(text); off++ {
			p := li.position(text, off, enc)
			back := li.offset(text, p, enc)
			if back > off {
				t.Errorf("%v: offset %d -> %d:%d -> %d (past the original)", enc, off, p.Line, p.Character, back)
			}
			// Offsets at character boundaries outside line terminators
			// round-trip exactly.
			if isBoundary(text, off) && !inTerminator(text, off) && back != off {
				t.Errorf("%v: offset %d -> %d:%d -> %d", enc, off, p.Line, p.Character, back)
			}
		}
	}
	if p := li.position(text, 7, encUTF16); p != pos(0, 4) {
		t.Errorf("position after 😀 = %v, want 0:4", p)
	}
	if p := li.position(text, 9, encUTF16); p != pos(0, 5) {
		t.Errorf("position inside \\r\\n = %v, want 0:5 (end of line)", p)
	}
}

func isBoundary(text []byte, off int) bool {
	return off == len(text) || text[off]&0xC0 != 0x80
}

func inTerminator(text []byte, off int) bool {
	return off > 0 && off < len(text) && text[off-1] == '\r' && text[off] == '\n'
}

func TestTSPoint(t *testing.T) {
	text := []byte("ab\r\ncd\ré\nx")
	for _, tc := range []struct {
		off      int
		row, col uint
	}{
		{0, 0, 0}, {2, 0, 2}, {4, 1, 0}, {7, 1, 3}, {9, 1, 5}, {10, 2, 0}, {11, 2, 1},
	} {
		p := tsPoint(text, tc.off)
		if p.Row != tc.row || p.Column != tc.col {
			t.Errorf("tsPoint(%d) = %d:%d, want %d:%d", tc.off, p.Row, p.Column, tc.row, tc.col)
		}
	}
	start := tsPoint(text, 2)
	if p := advance(start, "x\ny"); p.Row != 1 || p.Column != 1 {
		t.Errorf("advance = %v", p)
	}
	if p := advance(start, "xyz"); p.Row != 0 || p.Column != 5 {
		t.Errorf("advance = %v", p)
	}
}
