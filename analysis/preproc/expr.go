package preproc

import (
	"math"
	"unicode/utf8"
)

// Macro states, as returned by the lookup function given to EvalExpr.
const (
	StateUndefined = -1 // known not to be defined: an identifier evaluates to 0
	StateUnknown   = 0  // may or may not be defined (another header, the build): undecidable
	StateDefined   = 1  // defined, with the returned replacement text
	// StateDefinedOpaque: defined, value unknown (defined(X) is 1, X is
	// undecidable).
	StateDefinedOpaque = 2
)

// Limits on macro expansion inside one condition.
const (
	maxExpandDepth  = 64
	maxExpandTokens = 1 << 14
	maxExpandSteps  = 1 << 14
)

// EvalExpr evaluates a preprocessor #if expression. lookup reports, for an
// identifier, whether it is a macro and its replacement text (object-like
// macros only); a nil lookup treats every identifier as unknown. known is
// false when the result depends on something that cannot be known (an
// unknown macro, a function-like macro, division by zero, a syntax error).
// The result of a comparison or logical operator is 0 or 1; unsigned
// results are returned with their bits unchanged.
func EvalExpr(expr string, lookup func(name string) (value string, state int)) (val int64, known bool) {
	e := evaluator{src: funcSource(lookup)}
	v := e.eval(expr)
	return int64(v.v), v.known
}

// ExprUses returns the identifiers a condition tests, in order of first
// appearance, without macro expansion ("defined" itself is not listed, its
// operand is).
func ExprUses(expr string) []string {
	var uses []string
	toks, _ := tokenize(expr, nil)
	for _, t := range toks {
		if t.kind == tIdent && t.text != "defined" {
			uses = addUse(uses, t.text)
		}
	}
	return uses
}

func addUse(uses []string, name string) []string {
	for _, u := range uses {
		if u == name {
			return uses
		}
	}
	return append(uses, name)
}

// macroState is what the evaluator knows about one name.
type macroState struct {
	state    int // StateDefined, StateUndefined, StateUnknown
	opaque   bool
	value    string
	function bool
	params   []string
}

type macroSource interface {
	macro(name string) macroState
}

type funcSource func(name string) (string, int)

func (f funcSource) macro(name string) macroState {
	if f == nil {
		return macroState{}
	}
	v, st := f(name)
	if st == StateDefinedOpaque {
		return macroState{state: StateDefined, opaque: true}
	}
	if st > 0 {
		return macroState{state: StateDefined, value: v}
	}
	if st < 0 {
		return macroState{state: StateUndefined}
	}
	return macroState{}
}

type tokKind uint8

const (
	tEnd     tokKind = iota
	tNum             // integer or character constant: val, uns
	tUnknown         // a value that cannot be known
	tIdent           // identifier: text
	tPunct           // operator or punctuator: op
	tOther           // anything else (strings, floats, stray characters)
)

const (
	opNone uint8 = iota
	opLParen
	opRParen
	opNot
	opTilde
	opPlus
	opMinus
	opMul
	opDiv
	opMod
	opShl
	opShr
	opLt
	opGt
	opLe
	opGe
	opEq
	opNe
	opAnd
	opXor
	opOr
	opLAnd
	opLOr
	opQuest
	opColon
	opComma
	opHash
	opHashHash
)

type token struct {
	kind tokKind
	op   uint8
	uns  bool
	val  uint64
	text string
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokenize appends the tokens of s to out. It never fails: what it cannot
// read becomes tOther, which makes the expression undecidable if evaluated.
func tokenize(s string, out []token) ([]token, bool) {
	ok := true
	i, n := 0, len(s)
	for i < n {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v':
			i++
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(s[i+1])):
			j := scanPPNumber(s, i)
			v, uns, good := parseInteger(s[i:j])
			if good {
				out = append(out, token{kind: tNum, val: v, uns: uns})
			} else {
				out = append(out, token{kind: tOther})
			}
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < n && isIdentChar(s[j]) {
				j++
			}
			if j < n && (s[j] == '\'' || s[j] == '"') && isLiteralPrefix(s[i:j]) {
				t, k := scanLiteral(s, i, j)
				out = append(out, t)
				i = k
				continue
			}
			out = append(out, token{kind: tIdent, text: s[i:j]})
			i = j
		case c == '\'' || c == '"':
			t, k := scanLiteral(s, i, i)
			out = append(out, t)
			i = k
		default:
			op, w := punct(s, i)
			if op == opNone {
				out = append(out, token{kind: tOther})
				ok = false
			} else {
				out = append(out, token{kind: tPunct, op: op})
			}
			i += w
		}
	}
	return out, ok
}

func isLiteralPrefix(p string) bool {
	switch p {
	case "L", "u", "U", "u8":
		return true
	}
	return false
}

// scanPPNumber returns the end of the preprocessing number starting at i.
func scanPPNumber(s string, i int) int {
	n := len(s)
	j := i + 1
	for j < n {
		c := s[j]
		switch {
		case (c == '+' || c == '-') && (s[j-1]|0x20 == 'e' || s[j-1]|0x20 == 'p'):
			j++
		case isIdentChar(c) || c == '.':
			j++
		case c == '\'' && j+1 < n && isIdentChar(s[j+1]):
			j += 2
		default:
			return j
		}
	}
	return j
}

// parseInteger reads an integer constant with its suffix (u, l, ll in any
// combination). Floating constants and overflow are not integers.
func parseInteger(s string) (v uint64, uns, ok bool) {
	base := uint64(10)
	i := 0
	if len(s) > 1 && s[0] == '0' {
		switch s[1] | 0x20 {
		case 'x':
			base, i = 16, 2
		case 'b':
			base, i = 2, 2
		default:
			base, i = 8, 1
		}
	}
	start := i
	digits := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			continue
		}
		var d uint64
		switch {
		case isDigit(c):
			d = uint64(c - '0')
		case base == 16 && c|0x20 >= 'a' && c|0x20 <= 'f':
			d = uint64(c|0x20-'a') + 10
		default:
			goto suffix
		}
		if d >= base {
			return 0, false, false
		}
		if v > (math.MaxUint64-d)/base {
			return 0, false, false
		}
		v = v*base + d
		digits++
	}
suffix:
	if digits == 0 && !(base == 8 && start == 1) {
		return 0, false, false
	}
	nu := false
	switch suf := s[i:]; suf {
	case "":
	case "u", "U":
		nu = true
	case "l", "L", "ll", "LL":
	case "ul", "uL", "Ul", "UL", "lu", "lU", "Lu", "LU",
		"ull", "uLL", "Ull", "ULL", "llu", "llU", "LLu", "LLU":
		nu = true
	default:
		return 0, false, false
	}
	uns = nu || v > math.MaxInt64
	return v, uns, true
}

// scanLiteral reads a character or string literal; prefix starts at p and
// the quote is at q. Strings and literals it cannot read are tOther.
func scanLiteral(s string, p, q int) (token, int) {
	quote := s[q]
	n := len(s)
	j := q + 1
	for j < n && s[j] != quote {
		if s[j] == '\\' && j+1 < n {
			j++
		}
		j++
	}
	end := j
	if j < n {
		j++
	}
	if quote == '"' || end >= n {
		return token{kind: tOther}, j
	}
	prefix := s[p:q]
	v, ok := charValue(s[q+1:end], prefix)
	if !ok {
		return token{kind: tOther}, j
	}
	return v, j
}

// charValue computes a character constant the way GCC does on x86-64
// (plain char is signed; multi-character constants are int).
func charValue(body, prefix string) (token, bool) {
	var chars []uint64
	var buf [8]uint64
	chars = buf[:0]
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			if prefix != "" && c >= 0x80 {
				r, w := decodeRune(body[i:])
				chars = append(chars, uint64(r))
				i += w
				continue
			}
			chars = append(chars, uint64(c))
			i++
			continue
		}
		i++
		if i >= len(body) {
			return token{}, false
		}
		c = body[i]
		i++
		switch c {
		case 'n':
			chars = append(chars, '\n')
		case 't':
			chars = append(chars, '\t')
		case 'r':
			chars = append(chars, '\r')
		case 'v':
			chars = append(chars, '\v')
		case 'b':
			chars = append(chars, '\b')
		case 'f':
			chars = append(chars, '\f')
		case 'a':
			chars = append(chars, 7)
		case 'e', 'E':
			chars = append(chars, 27)
		case '\\', '\'', '"', '?':
			chars = append(chars, uint64(c))
		case 'x':
			var v uint64
			k := 0
			for i < len(body) {
				d := hexDigit(body[i])
				if d < 0 {
					break
				}
				if v > math.MaxUint32 {
					return token{}, false
				}
				v = v<<4 | uint64(d)
				i++
				k++
			}
			if k == 0 {
				return token{}, false
			}
			chars = append(chars, v)
		case 'u', 'U':
			want := 4
			if c == 'U' {
				want = 8
			}
			var v uint64
			for k := 0; k < want; k++ {
				if i >= len(body) || hexDigit(body[i]) < 0 {
					return token{}, false
				}
				v = v<<4 | uint64(hexDigit(body[i]))
				i++
			}
			chars = append(chars, v)
		default:
			if c >= '0' && c <= '7' {
				v := uint64(c - '0')
				for k := 0; k < 2 && i < len(body) && body[i] >= '0' && body[i] <= '7'; k++ {
					v = v<<3 | uint64(body[i]-'0')
					i++
				}
				chars = append(chars, v)
				continue
			}
			return token{}, false
		}
	}
	if len(chars) == 0 {
		return token{}, false
	}
	switch prefix {
	case "":
		if len(chars) == 1 {
			if chars[0] > 0xff {
				return token{}, false
			}
			return token{kind: tNum, val: uint64(int64(int8(chars[0])))}, true
		}
		if len(chars) > 4 {
			return token{}, false
		}
		var v uint32
		for _, ch := range chars {
			if ch > 0xff {
				return token{}, false
			}
			v = v<<8 | uint32(ch)
		}
		return token{kind: tNum, val: uint64(int64(int32(v)))}, true
	case "u8":
		if len(chars) != 1 || chars[0] > 0xff {
			return token{}, false
		}
		return token{kind: tNum, val: chars[0], uns: true}, true
	case "L":
		if len(chars) != 1 || chars[0] > math.MaxUint32 {
			return token{}, false
		}
		return token{kind: tNum, val: uint64(int64(int32(uint32(chars[0]))))}, true
	case "u": // char16_t
		if len(chars) != 1 || chars[0] > 0xffff {
			return token{}, false
		}
		return token{kind: tNum, val: chars[0], uns: true}, true
	case "U": // char32_t
		if len(chars) != 1 || chars[0] > math.MaxUint32 {
			return token{}, false
		}
		return token{kind: tNum, val: chars[0], uns: true}, true
	}
	return token{}, false
}

func hexDigit(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return -1
}

// decodeRune decodes one UTF-8 sequence leniently (an invalid byte stands
// for itself).
func decodeRune(s string) (rune, int) {
	r, w := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && w <= 1 {
		return rune(s[0]), 1
	}
	return r, w
}

// punct reads the operator at s[i]; width is at least 1.
func punct(s string, i int) (op uint8, width int) {
	c := s[i]
	var d byte
	if i+1 < len(s) {
		d = s[i+1]
	}
	switch c {
	case '(':
		return opLParen, 1
	case ')':
		return opRParen, 1
	case '~':
		return opTilde, 1
	case '+':
		return opPlus, 1
	case '-':
		return opMinus, 1
	case '*':
		return opMul, 1
	case '/':
		return opDiv, 1
	case '%':
		if d == ':' {
			if i+3 < len(s) && s[i+2] == '%' && s[i+3] == ':' {
				return opHashHash, 4
			}
			return opHash, 2
		}
		return opMod, 1
	case '^':
		return opXor, 1
	case '?':
		return opQuest, 1
	case ':':
		return opColon, 1
	case ',':
		return opComma, 1
	case '!':
		if d == '=' {
			return opNe, 2
		}
		return opNot, 1
	case '=':
		if d == '=' {
			return opEq, 2
		}
		return opNone, 1
	case '<':
		switch d {
		case '<':
			return opShl, 2
		case '=':
			return opLe, 2
		}
		return opLt, 1
	case '>':
		switch d {
		case '>':
			return opShr, 2
		case '=':
			return opGe, 2
		}
		return opGt, 1
	case '&':
		if d == '&' {
			return opLAnd, 2
		}
		return opAnd, 1
	case '|':
		if d == '|' {
			return opLOr, 2
		}
		return opOr, 1
	case '#':
		if d == '#' {
			return opHashHash, 2
		}
		return opHash, 1
	}
	return opNone, 1
}

// evaluator expands and evaluates conditions. Its buffers are reused from
// one condition to the next.
type evaluator struct {
	src     macroSource
	in      []token
	out     []token
	scratch [][]token
	active  []string
	uses    []string
	steps   int
	failed  bool
}

type value struct {
	v     uint64
	uns   bool
	known bool
}

// eval evaluates expr; e.uses holds the names it tested afterwards.
func (e *evaluator) eval(expr string) value {
	e.out = e.out[:0]
	e.uses = e.uses[:0]
	e.active = e.active[:0]
	e.failed = false
	e.steps = 0
	e.in, _ = tokenize(expr, e.in[:0])
	e.expand(e.in, 0)
	if e.failed {
		return value{}
	}
	p := parser{toks: e.out}
	v := p.comma()
	if p.err || p.pos != len(p.toks) {
		return value{}
	}
	return v
}

// buf returns the empty scratch buffer k (0 or 1) of an expansion depth;
// expand at depth d uses the buffers of depth d only, so the tokens of the
// callers stay valid.
func (e *evaluator) buf(depth, k int) []token {
	for len(e.scratch) <= 2*depth+k {
		e.scratch = append(e.scratch, nil)
	}
	return e.scratch[2*depth+k][:0]
}

func (e *evaluator) keep(depth, k int, b []token) {
	e.scratch[2*depth+k] = b
}

func (e *evaluator) emit(t token) {
	if len(e.out) >= maxExpandTokens {
		e.failed = true
		return
	}
	e.out = append(e.out, t)
}

func (e *evaluator) isActive(name string) bool {
	for _, a := range e.active {
		if a == name {
			return true
		}
	}
	return false
}

// skipArgs returns the index after the balanced parenthesized group that
// starts at in[i] (which must be "("), or -1 if it is not closed.
func skipArgs(in []token, i int) int {
	depth := 0
	for ; i < len(in); i++ {
		if in[i].kind != tPunct {
			continue
		}
		switch in[i].op {
		case opLParen:
			depth++
		case opRParen:
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

func isLParen(in []token, i int) bool {
	return i < len(in) && in[i].kind == tPunct && in[i].op == opLParen
}

// expand macro-expands in into e.out, resolving defined and identifiers to
// numbers or unknowns.
func (e *evaluator) expand(in []token, depth int) {
	e.steps++
	if depth > maxExpandDepth || e.steps > maxExpandSteps {
		e.failed = true
		return
	}
	for i := 0; i < len(in) && !e.failed; i++ {
		t := in[i]
		if t.kind != tIdent {
			e.emit(t)
			continue
		}
		switch t.text {
		case "defined":
			j := i + 1
			paren := isLParen(in, j)
			if paren {
				j++
			}
			if j >= len(in) || in[j].kind != tIdent {
				e.failed = true
				return
			}
			name := in[j].text
			if paren {
				j++
				if j >= len(in) || in[j].kind != tPunct || in[j].op != opRParen {
					e.failed = true
					return
				}
			}
			e.uses = addUse(e.uses, name)
			switch e.src.macro(name).state {
			case StateDefined:
				e.emit(token{kind: tNum, val: 1})
			case StateUndefined:
				e.emit(token{kind: tNum, val: 0})
			default:
				e.emit(token{kind: tUnknown})
			}
			i = j
			continue
		case "true":
			e.emit(token{kind: tNum, val: 1})
			continue
		case "false":
			e.emit(token{kind: tNum, val: 0})
			continue
		}
		e.uses = addUse(e.uses, t.text)
		m := e.src.macro(t.text)
		if e.isActive(t.text) {
			m = macroState{}
		}
		switch {
		case m.state == StateDefined && !m.function && !m.opaque:
			body, _ := tokenize(m.value, e.buf(depth, 0))
			e.keep(depth, 0, body)
			e.active = append(e.active, t.text)
			e.expand(body, depth+1)
			e.active = e.active[:len(e.active)-1]
		case m.state == StateDefined && m.function && !m.opaque && isLParen(in, i+1):
			end := skipArgs(in, i+1)
			if end < 0 {
				e.failed = true
				return
			}
			body, ok := e.substitute(m, in[i+2:end-1], depth)
			if !ok {
				e.emit(token{kind: tUnknown})
			} else {
				e.active = append(e.active, t.text)
				e.expand(body, depth+1)
				e.active = e.active[:len(e.active)-1]
			}
			i = end - 1
		case m.state == StateUndefined && !isLParen(in, i+1):
			e.emit(token{kind: tNum, val: 0})
		default:
			// unknown name, unknown state, or a call we cannot follow
			e.emit(token{kind: tUnknown})
			if isLParen(in, i+1) {
				end := skipArgs(in, i+1)
				if end < 0 {
					e.failed = true
					return
				}
				i = end - 1
			}
		}
	}
}

// substitute replaces the parameters of a simple function-like macro by
// the argument tokens. Stringizing, pasting and variadic macros are not
// simple.
func (e *evaluator) substitute(m macroState, args []token, depth int) ([]token, bool) {
	for _, p := range m.params {
		if p == "..." {
			return nil, false
		}
	}
	// split args at top-level commas
	var bounds [16]int
	cuts := bounds[:0]
	level := 0
	for k, a := range args {
		if a.kind != tPunct {
			continue
		}
		switch a.op {
		case opLParen:
			level++
		case opRParen:
			level--
		case opComma:
			if level == 0 {
				cuts = append(cuts, k)
			}
		}
	}
	nargs := len(cuts) + 1
	if len(args) == 0 {
		nargs = 0
	}
	if nargs != len(m.params) && !(len(m.params) == 1 && nargs == 0) {
		return nil, false
	}
	arg := func(idx int) []token {
		lo, hi := 0, len(args)
		if idx > 0 {
			lo = cuts[idx-1] + 1
		}
		if idx < len(cuts) {
			hi = cuts[idx]
		}
		return args[lo:hi]
	}
	body, _ := tokenize(m.value, e.buf(depth, 0))
	e.keep(depth, 0, body)
	out := e.buf(depth, 1)
	for _, t := range body {
		if t.kind == tPunct && (t.op == opHash || t.op == opHashHash) {
			return nil, false
		}
		if t.kind == tIdent {
			idx := -1
			for k, p := range m.params {
				if p == t.text {
					idx = k
					break
				}
			}
			if idx >= 0 {
				if nargs > 0 {
					out = append(out, arg(idx)...)
				}
				continue
			}
		}
		out = append(out, t)
		if len(out) > maxExpandTokens {
			return nil, false
		}
	}
	e.keep(depth, 1, out)
	return out, true
}

// parser evaluates an expanded token list by precedence climbing.
type parser struct {
	toks []token
	pos  int
	err  bool
}

func (p *parser) peekOp() uint8 {
	if p.pos < len(p.toks) && p.toks[p.pos].kind == tPunct {
		return p.toks[p.pos].op
	}
	return opNone
}

func (p *parser) comma() value {
	v := p.cond()
	for !p.err && p.peekOp() == opComma {
		p.pos++
		v = p.cond()
	}
	return v
}

func (p *parser) cond() value {
	c := p.binary(1)
	if p.err || p.peekOp() != opQuest {
		return c
	}
	p.pos++
	a := p.comma()
	if p.err || p.peekOp() != opColon {
		p.err = true
		return value{}
	}
	p.pos++
	b := p.cond()
	if p.err {
		return value{}
	}
	uns := a.uns || b.uns
	switch {
	case c.known && c.v != 0:
		a.uns = uns
		return a
	case c.known:
		b.uns = uns
		return b
	case a.known && b.known && a.v == b.v:
		return value{v: a.v, uns: uns, known: true}
	}
	return value{uns: uns}
}

func precedence(op uint8) int {
	switch op {
	case opLOr:
		return 1
	case opLAnd:
		return 2
	case opOr:
		return 3
	case opXor:
		return 4
	case opAnd:
		return 5
	case opEq, opNe:
		return 6
	case opLt, opGt, opLe, opGe:
		return 7
	case opShl, opShr:
		return 8
	case opPlus, opMinus:
		return 9
	case opMul, opDiv, opMod:
		return 10
	}
	return 0
}

func (p *parser) binary(minPrec int) value {
	l := p.unary()
	for !p.err {
		op := p.peekOp()
		prec := precedence(op)
		if prec == 0 || prec < minPrec {
			return l
		}
		p.pos++
		r := p.binary(prec + 1)
		if p.err {
			return value{}
		}
		l = apply(op, l, r)
	}
	return value{}
}

func boolValue(b bool) value {
	if b {
		return value{v: 1, known: true}
	}
	return value{v: 0, known: true}
}

func apply(op uint8, l, r value) value {
	switch op {
	case opLAnd:
		switch {
		case l.known && l.v == 0, r.known && r.v == 0:
			return boolValue(false)
		case l.known && r.known:
			return boolValue(true)
		}
		return value{}
	case opLOr:
		switch {
		case l.known && l.v != 0, r.known && r.v != 0:
			return boolValue(true)
		case l.known && r.known:
			return boolValue(false)
		}
		return value{}
	}
	uns := l.uns || r.uns // the usual arithmetic conversions
	if !l.known || !r.known {
		// the type is known even when the value is not
		switch op {
		case opShl, opShr:
			return value{uns: l.uns}
		case opEq, opNe, opLt, opGt, opLe, opGe:
			return value{}
		}
		return value{uns: uns}
	}
	a, b := l.v, r.v
	sa, sb := int64(a), int64(b)
	switch op {
	case opEq:
		return boolValue(a == b)
	case opNe:
		return boolValue(a != b)
	case opLt:
		if uns {
			return boolValue(a < b)
		}
		return boolValue(sa < sb)
	case opGt:
		if uns {
			return boolValue(a > b)
		}
		return boolValue(sa > sb)
	case opLe:
		if uns {
			return boolValue(a <= b)
		}
		return boolValue(sa <= sb)
	case opGe:
		if uns {
			return boolValue(a >= b)
		}
		return boolValue(sa >= sb)
	case opPlus:
		return value{v: a + b, uns: uns, known: true}
	case opMinus:
		return value{v: a - b, uns: uns, known: true}
	case opMul:
		return value{v: a * b, uns: uns, known: true}
	case opDiv, opMod:
		if b == 0 {
			return value{uns: uns}
		}
		var q uint64
		switch {
		case uns && op == opDiv:
			q = a / b
		case uns:
			q = a % b
		case op == opDiv:
			q = uint64(sa / sb)
		default:
			q = uint64(sa % sb)
		}
		return value{v: q, uns: uns, known: true}
	case opAnd:
		return value{v: a & b, uns: uns, known: true}
	case opOr:
		return value{v: a | b, uns: uns, known: true}
	case opXor:
		return value{v: a ^ b, uns: uns, known: true}
	case opShl, opShr:
		// the result has the left operand's type; a negative count shifts
		// the other way, a count past the width gives 0 (or -1): GCC's rules
		left := op == opShl
		n := b
		if !r.uns && sb < 0 {
			left = !left
			n = uint64(-sb)
		}
		return value{v: shift(a, l.uns, n, left), uns: l.uns, known: true}
	}
	return value{}
}

func shift(a uint64, uns bool, n uint64, left bool) uint64 {
	if left {
		if n >= 64 {
			return 0
		}
		return a << n
	}
	if uns {
		if n >= 64 {
			return 0
		}
		return a >> n
	}
	if n >= 64 {
		n = 63
	}
	return uint64(int64(a) >> n)
}

func (p *parser) unary() value {
	if p.pos >= len(p.toks) {
		p.err = true
		return value{}
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case tNum:
		return value{v: t.val, uns: t.uns, known: true}
	case tUnknown:
		return value{}
	case tPunct:
		switch t.op {
		case opLParen:
			v := p.comma()
			if p.err || p.peekOp() != opRParen {
				p.err = true
				return value{}
			}
			p.pos++
			return v
		case opNot:
			v := p.unary()
			if !v.known {
				return value{}
			}
			return boolValue(v.v == 0)
		case opTilde:
			v := p.unary()
			if !v.known {
				return value{uns: v.uns}
			}
			return value{v: ^v.v, uns: v.uns, known: true}
		case opMinus:
			v := p.unary()
			if !v.known {
				return value{uns: v.uns}
			}
			return value{v: -v.v, uns: v.uns, known: true}
		case opPlus:
			return p.unary()
		}
	}
	p.err = true
	return value{}
}
