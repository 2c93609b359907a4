package preproc

import (
	"bytes"
	"strings"
)

// codeSpecial marks the bytes the scanner must look at in the middle of a
// line of code; every other byte is skipped in a tight loop.
var codeSpecial = [256]bool{'\n': true, '\\': true, '/': true, '"': true, '\'': true}

// fileMacro is the file's knowledge of one name, overriding Env.
type fileMacro struct {
	state int   // StateDefined, StateUndefined, StateUnknown
	def   int32 // index in Result.Defines when defined; -1: value unknown
}

// frame is one open #if group.
type frame struct {
	parentLive  bool // the code around the group is live
	live        bool // the current branch is live
	anyTrue     bool // an earlier branch is certainly taken
	sawElse     bool
	deadStart   int // start of the current dead range, -1 if none open
	start, line int // the opening directive

	// macro state (state.go)
	saved     []change       // names the group changed, with their state before it
	savedIdx  map[string]int // index in saved
	ends      []slot         // the state of saved names at the end of each live branch
	paths     []int          // (start in ends, count) per live branch
	overflow  bool           // too many outcomes to keep: changed names end unknown
	hasAssume bool           // the first test is whether assume is defined
	assume    string
	assumeOut slot // assume's state in later branches and when no branch is taken
}

type scanner struct {
	src   []byte
	env   Env
	line  int
	res   Result
	table map[string]fileMacro
	stack []frame
	buf   []byte  // the current directive's logical text (after '#')
	offs  []int32 // source offset of each byte of buf
	ev    evaluator
	pyInc int
	// gen counts the live #defines and #undefs; a condition's verdict is
	// reused while gen has not changed since it was computed.
	gen   int
	cache map[string]cachedCond
	uses  []string // shared backing array of Conditional.Uses
}

const maxCache = 4096

type cachedCond struct {
	text    string
	gen     int
	verdict int
	uses    []string
}

func (s *scanner) live() bool {
	if len(s.stack) == 0 {
		return true
	}
	return s.stack[len(s.stack)-1].live
}

// macro implements macroSource: the file's own definitions first, then Env.
func (s *scanner) macro(name string) macroState {
	if fm, ok := s.table[name]; ok {
		return s.fromTable(fm)
	}
	return s.fromEnv(name)
}

func (s *scanner) fromTable(fm fileMacro) macroState {
	switch {
	case fm.state != StateDefined:
		return macroState{state: fm.state}
	case fm.def < 0:
		return macroState{state: StateDefined, opaque: true}
	}
	d := &s.res.Defines[fm.def]
	return macroState{state: StateDefined, value: d.Value, function: d.Function, params: d.Params}
}

func (s *scanner) fromEnv(name string) macroState {
	if v, ok := s.env.Defined[name]; ok {
		return macroState{state: StateDefined, value: v}
	}
	for _, u := range s.env.Undefined {
		if u == name {
			return macroState{state: StateUndefined}
		}
	}
	return macroState{}
}

// continuation reports whether src[i] ('\\') starts a line continuation
// (backslash, optional blanks, newline or CRLF) and returns the offset after it.
func continuation(src []byte, i int) int {
	j := i + 1
	for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	if j < len(src) && src[j] == '\r' {
		j++
	}
	if j < len(src) && src[j] == '\n' {
		return j + 1
	}
	return 0
}

func (s *scanner) run() {
	src := s.src
	n := len(src)
	i := 0
	lineStart := 0
	atStart := true // only blanks and comments so far on this logical line
	for i < n {
		if !atStart {
			for i < n && !codeSpecial[src[i]] {
				i++
			}
			if i >= n {
				break
			}
		}
		c := src[i]
		switch c {
		case '\n':
			s.line++
			i++
			lineStart = i
			atStart = true
		case ' ', '\t', '\r', '\f', '\v':
			i++
		case '\\':
			if k := continuation(src, i); k > 0 {
				s.line++
				i = k
				lineStart = i
			} else {
				i++
				atStart = false
			}
		case '/':
			switch {
			case i+1 < n && src[i+1] == '*':
				i = s.skipBlockComment(i, &lineStart)
			case i+1 < n && src[i+1] == '/':
				i = s.skipLineComment(i)
			default:
				i++
				atStart = false
			}
		case '"':
			i = s.skipString(i)
			atStart = false
		case '\'':
			i = s.skipChar(i)
			atStart = false
		case '#':
			if atStart {
				i = s.directive(i, i+1, lineStart)
			} else {
				i++
			}
		case '%':
			if atStart && i+1 < n && src[i+1] == ':' {
				i = s.directive(i, i+2, lineStart)
			} else {
				i++
				atStart = false
			}
		default:
			i++
			atStart = false
		}
	}
}

// skipBlockComment returns the offset after the comment starting at i.
func (s *scanner) skipBlockComment(i int, lineStart *int) int {
	src := s.src
	end := len(src)
	if k := bytes.Index(src[i+2:], []byte("*/")); k >= 0 {
		end = i + 2 + k + 2
	}
	if nl := bytes.Count(src[i:end], []byte{'\n'}); nl > 0 {
		s.line += nl
		*lineStart = i + bytes.LastIndexByte(src[i:end], '\n') + 1
	}
	return end
}

// skipLineComment returns the offset of the newline ending the comment
// starting at i (a backslash before the newline continues it), or len(src).
func (s *scanner) skipLineComment(i int) int {
	src := s.src
	for {
		k := bytes.IndexByte(src[i:], '\n')
		if k < 0 {
			return len(src)
		}
		nl := i + k
		j := nl - 1
		if j >= i && src[j] == '\r' {
			j--
		}
		for j >= i && (src[j] == ' ' || src[j] == '\t') {
			j--
		}
		if j < i || src[j] != '\\' {
			return nl
		}
		s.line++
		i = nl + 1
	}
}

// rawPrefixAt reports whether the '"' at q follows a raw string prefix
// (R, LR, uR, UR, u8R) that is not the end of a longer identifier.
func rawPrefixAt(src []byte, q int) bool {
	if q == 0 || src[q-1] != 'R' {
		return false
	}
	p := q - 1
	switch {
	case p >= 2 && src[p-2] == 'u' && src[p-1] == '8':
		p -= 2
	case p >= 1 && (src[p-1] == 'L' || src[p-1] == 'u' || src[p-1] == 'U'):
		p--
	}
	return p == 0 || !isIdentChar(src[p-1])
}

// skipString returns the offset after the string literal whose opening
// quote is at i; an unterminated literal ends before the newline.
func (s *scanner) skipString(i int) int {
	src := s.src
	if rawPrefixAt(src, i) {
		if k, ok := s.skipRawString(i); ok {
			return k
		}
	}
	return s.skipQuoted(i, '"')
}

func (s *scanner) skipQuoted(i int, quote byte) int {
	src := s.src
	n := len(src)
	j := i + 1
	for j < n {
		switch src[j] {
		case quote:
			return j + 1
		case '\n':
			return j
		case '\\':
			if k := continuation(src, j); k > 0 {
				s.line++
				j = k
				continue
			}
			j += 2
			if j > n {
				return n
			}
			if src[j-1] == '\n' {
				return j - 1
			}
			continue
		}
		j++
	}
	return n
}

// skipRawString skips R"delim( ... )delim" starting at the quote i.
func (s *scanner) skipRawString(i int) (int, bool) {
	src := s.src
	j := i + 1
	for j < len(src) && j-i-1 <= 16 {
		c := src[j]
		if c == '(' {
			break
		}
		if c == ' ' || c == ')' || c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '"' {
			return 0, false
		}
		j++
	}
	if j >= len(src) || src[j] != '(' {
		return 0, false
	}
	delim := src[i+1 : j]
	k := j + 1
	for {
		p := bytes.IndexByte(src[k:], ')')
		if p < 0 {
			s.line += bytes.Count(src[i:], []byte{'\n'})
			return len(src), true
		}
		k += p + 1
		if len(src)-k > len(delim) && bytes.Equal(src[k:k+len(delim)], delim) && src[k+len(delim)] == '"' {
			end := k + len(delim) + 1
			s.line += bytes.Count(src[i:end], []byte{'\n'})
			return end, true
		}
	}
}

// ppNumberQuote reports whether the '\” at i is a digit separator inside
// a number (1'000'000) rather than the start of a character constant.
func ppNumberQuote(src []byte, i int) bool {
	if i+1 >= len(src) || !isIdentChar(src[i+1]) {
		return false
	}
	p := i
	for p > 0 && (isIdentChar(src[p-1]) || src[p-1] == '\'' || src[p-1] == '.') {
		p--
	}
	for p < i && src[p] == '\'' {
		p++
	}
	return p < i && isDigit(src[p])
}

func (s *scanner) skipChar(i int) int {
	if ppNumberQuote(s.src, i) {
		return i + 1
	}
	return s.skipQuoted(i, '\'')
}

// readLogical copies the logical line starting at i (after the '#') into
// s.buf with comments as one blank and continuations removed, and returns
// the offset of the newline that ends it (or len(src)).
func (s *scanner) readLogical(i int) int {
	src := s.src
	n := len(src)
	buf := s.buf[:0]
	offs := s.offs[:0]
	put := func(c byte, at int) {
		buf = append(buf, c)
		offs = append(offs, int32(at))
	}
	for i < n {
		c := src[i]
		switch c {
		case '\n':
			s.buf, s.offs = buf, offs
			return i
		case '\\':
			if k := continuation(src, i); k > 0 {
				s.line++
				i = k
				continue
			}
			put(c, i)
			i++
		case '\r':
			if i+1 < n && src[i+1] == '\n' {
				i++
				continue
			}
			put(' ', i)
			i++
		case '/':
			if i+1 < n && src[i+1] == '*' {
				var ls int
				k := s.skipBlockComment(i, &ls)
				put(' ', i)
				i = k
				continue
			}
			if i+1 < n && src[i+1] == '/' {
				s.buf, s.offs = buf, offs
				return s.skipLineComment(i)
			}
			put(c, i)
			i++
		case '"', '\'':
			if c == '\'' && ppNumberQuote(src, i) {
				put(c, i)
				i++
				continue
			}
			put(c, i)
			i++
			for i < n && src[i] != '\n' {
				d := src[i]
				if d == '\\' {
					if k := continuation(src, i); k > 0 {
						s.line++
						i = k
						continue
					}
					put(d, i)
					i++
					if i < n && src[i] != '\n' {
						put(src[i], i)
						i++
					}
					continue
				}
				put(d, i)
				i++
				if d == c {
					break
				}
			}
		case '<':
			if isIncludeName(buf) {
				// a header name: read to '>' as is
				for i < n && src[i] != '\n' {
					put(src[i], i)
					i++
					if src[i-1] == '>' {
						break
					}
				}
				continue
			}
			put(c, i)
			i++
		default:
			// ordinary bytes: copy the run in one go
			j := i + 1
			for j < n && !directiveSpecial[src[j]] {
				j++
			}
			buf = append(buf, src[i:j]...)
			for k := i; k < j; k++ {
				offs = append(offs, int32(k))
			}
			i = j
		}
	}
	s.buf, s.offs = buf, offs
	return n
}

// directiveSpecial marks the bytes readLogical handles one by one.
var directiveSpecial = [256]bool{'\n': true, '\\': true, '\r': true, '/': true, '"': true, '\'': true, '<': true}

// isIncludeName reports whether buf (the directive so far) is just an
// include directive's name, so that a '<' starts a header name.
func isIncludeName(buf []byte) bool {
	b := bytes.TrimSpace(buf)
	switch string(b) {
	case "include", "include_next", "import":
		return true
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n'
}

// skipSpaces returns the first index >= k in buf that is not a blank.
func skipSpaces(b []byte, k int) int {
	for k < len(b) && isSpace(b[k]) {
		k++
	}
	return k
}

// trimEnd returns the end of b[k:] without trailing blanks.
func trimEnd(b []byte, k int) int {
	e := len(b)
	for e > k && isSpace(b[e-1]) {
		e--
	}
	return e
}

// srcRange maps buf[a:b] (b > a) to a source range.
func (s *scanner) srcRange(a, b int) (int, int) {
	if a >= b {
		if a < len(s.offs) {
			return int(s.offs[a]), int(s.offs[a])
		}
		return -1, -1
	}
	return int(s.offs[a]), int(s.offs[b-1]) + 1
}

// directive handles the directive whose '#' is at hash; body is the offset
// after the '#'. It returns the offset of the newline that ends it.
func (s *scanner) directive(hash, body, lineStart int) int {
	line := s.line
	nl := s.readLogical(body)
	end := nl
	if end > hash && end <= len(s.src) && end > 0 && s.src[end-1] == '\r' {
		end--
	}
	next := nl // where the text after the directive line starts
	if nl < len(s.src) {
		next = nl + 1
	}
	b := s.buf
	k := skipSpaces(b, 0)
	ns := k
	for k < len(b) && isIdentChar(b[k]) {
		k++
	}
	name := b[ns:k]
	rest := skipSpaces(b, k)
	switch string(name) {
	case "if":
		s.openIf("#if", hash, line, rest, next)
	case "ifdef":
		s.openIf("#ifdef", hash, line, rest, next)
	case "ifndef":
		s.openIf("#ifndef", hash, line, rest, next)
	case "elif":
		s.elif("#elif", hash, line, lineStart, rest, next)
	case "elifdef":
		s.elif("#elifdef", hash, line, lineStart, rest, next)
	case "elifndef":
		s.elif("#elifndef", hash, line, lineStart, rest, next)
	case "else":
		s.elseBranch(hash, end, line, lineStart, next)
	case "endif":
		s.endif(hash, end, line, lineStart)
	case "define":
		s.define(hash, end, line, rest)
	case "undef":
		s.undef(hash, end, line, rest)
	case "include":
		s.include("include", hash, end, line, rest)
	case "include_next":
		s.include("include_next", hash, end, line, rest)
	case "import":
		s.include("import", hash, end, line, rest)
	}
	return nl
}

// condition evaluates the test of an #if-like directive at buf[rest:].
func (s *scanner) condition(dir string, hash, line, rest int, live bool) Conditional {
	b := s.buf
	e := trimEnd(b, rest)
	st, en := s.srcRange(rest, e)
	if rest >= e {
		// no condition: an empty range after the directive name
		st = hash + 1
		if n := len(s.offs); n > 0 {
			st = int(s.offs[n-1]) + 1
		}
		en = st
	}
	cached, hit := s.cache[string(b[rest:e])]
	text := cached.text
	if !hit {
		text = string(b[rest:e])
	}
	c := Conditional{Directive: dir, Condition: text, Start: st, End: en, Line: line, DirectiveStart: hash, Live: live}
	switch dir {
	case "#ifdef", "#ifndef", "#elifdef", "#elifndef":
		k := rest
		for k < e && isIdentChar(b[k]) {
			k++
		}
		if k == rest || isDigit(b[rest]) {
			s.problem(hash, en, line, dir+" without a macro name")
			return c
		}
		nm := c.Condition[:k-rest]
		c.Uses = s.keepUses(nm)
		if !hit {
			s.remember(cachedCond{text: text, gen: -1})
		}
		if !live {
			return c
		}
		switch s.macro(nm).state {
		case StateDefined:
			c.Verdict = 1
		case StateUndefined:
			c.Verdict = -1
		}
		if dir == "#ifndef" || dir == "#elifndef" {
			c.Verdict = -c.Verdict
		}
		return c
	}
	if rest >= e && live {
		s.problem(hash, en, line, dir+" without a condition")
	}
	if hit && cached.gen == s.gen {
		c.Uses = cached.uses
		if live {
			c.Verdict = cached.verdict
		}
		return c
	}
	if !live {
		if hit && cached.uses != nil {
			c.Uses = cached.uses
		} else {
			c.Uses = s.keepUses(ExprUses(c.Condition)...)
		}
		return c
	}
	v := s.ev.eval(c.Condition)
	c.Uses = s.keepUses(s.ev.uses...)
	switch {
	case !v.known:
		c.Verdict = 0
	case v.v != 0:
		c.Verdict = 1
	default:
		c.Verdict = -1
	}
	s.remember(cachedCond{text: text, gen: s.gen, verdict: c.Verdict, uses: c.Uses})
	return c
}

// keepUses copies names into the shared backing array.
func (s *scanner) keepUses(names ...string) []string {
	if len(names) == 0 {
		return nil
	}
	if cap(s.uses)-len(s.uses) < len(names) {
		s.uses = make([]string, 0, max(64, 2*len(names)))
	}
	start := len(s.uses)
	s.uses = append(s.uses, names...)
	return s.uses[start:len(s.uses):len(s.uses)]
}

func (s *scanner) remember(c cachedCond) {
	if s.cache == nil {
		s.cache = make(map[string]cachedCond)
	}
	if len(s.cache) < maxCache {
		s.cache[c.text] = c
	}
}

func (s *scanner) problem(start, end, line int, msg string) {
	start = min(max(start, 0), len(s.src))
	end = min(max(end, start), len(s.src))
	s.res.Problems = append(s.res.Problems, Problem{Start: start, End: end, Line: line, Message: msg})
}

func (s *scanner) openDead(f *frame, next int) {
	if f.parentLive && !f.live {
		f.deadStart = next
	}
}

func (s *scanner) closeDead(f *frame, at int) {
	if f.deadStart >= 0 {
		if at > f.deadStart {
			s.res.Dead = append(s.res.Dead, Range{Start: f.deadStart, End: at})
		}
		f.deadStart = -1
	}
}

func (s *scanner) openIf(dir string, hash, line, rest, next int) {
	parentLive := s.live()
	c := s.condition(dir, hash, line, rest, parentLive)
	f := s.push()
	*f = frame{parentLive: parentLive, deadStart: -1, start: hash, line: line,
		saved: f.saved[:0], savedIdx: f.savedIdx, ends: f.ends[:0], paths: f.paths[:0]}
	clear(f.savedIdx)
	if parentLive {
		f.live = c.Verdict >= 0
		f.anyTrue = c.Verdict > 0
	}
	c.BranchLive = f.live
	s.res.Conditionals = append(s.res.Conditionals, c)
	s.openDead(f, next)
	if parentLive && c.Verdict == 0 {
		if name, neg, ok := simpleDefined(dir, c.Condition, s.ev.in); ok && name != "" {
			in, out := slotOpaque, slotUndefined
			if neg {
				in, out = out, in
			}
			f.hasAssume, f.assume, f.assumeOut = true, name, out
			s.assign(name, in)
		}
	}
}

// push opens a frame, reusing the buffers of an earlier one.
func (s *scanner) push() *frame {
	if len(s.stack) < cap(s.stack) {
		s.stack = s.stack[:len(s.stack)+1]
	} else {
		s.stack = append(s.stack, frame{})
	}
	return &s.stack[len(s.stack)-1]
}

func (s *scanner) elif(dir string, hash, line, lineStart, rest, next int) {
	if len(s.stack) == 0 {
		s.problem(hash, hash+len(dir), line, dir+" without #if")
		// evaluate it as an #if so that its code is judged
		s.openIf(dir, hash, line, rest, next)
		return
	}
	f := &s.stack[len(s.stack)-1]
	s.closeDead(f, lineStart)
	s.endBranch(f)
	s.startBranch(f)
	c := s.condition(dir, hash, line, rest, f.parentLive)
	switch {
	case f.sawElse:
		s.problem(hash, c.End, line, dir+" after #else")
		f.live = false
	case !f.parentLive:
	case f.anyTrue:
		f.live = false
	default:
		f.live = c.Verdict >= 0
		f.anyTrue = c.Verdict > 0
	}
	c.BranchLive = f.live
	s.res.Conditionals = append(s.res.Conditionals, c)
	s.openDead(f, next)
}

func (s *scanner) elseBranch(hash, end, line, lineStart, next int) {
	if len(s.stack) == 0 {
		s.problem(hash, end, line, "#else without #if")
		return
	}
	f := &s.stack[len(s.stack)-1]
	s.closeDead(f, lineStart)
	s.endBranch(f)
	s.startBranch(f)
	switch {
	case f.sawElse:
		s.problem(hash, end, line, "#else after #else")
		f.live = false
	case !f.parentLive:
	default:
		f.live = !f.anyTrue
	}
	f.sawElse = true
	s.openDead(f, next)
}

func (s *scanner) endif(hash, end, line, lineStart int) {
	if len(s.stack) == 0 {
		s.problem(hash, end, line, "#endif without #if")
		return
	}
	f := &s.stack[len(s.stack)-1]
	s.closeDead(f, lineStart)
	s.endBranch(f)
	s.stack = s.stack[:len(s.stack)-1]
	s.closeGroup(f) // f stays valid: nothing is pushed meanwhile
}

func (s *scanner) define(hash, end, line, rest int) {
	b := s.buf
	k := rest
	for k < len(b) && isIdentChar(b[k]) {
		k++
	}
	if k == rest || isDigit(b[rest]) {
		s.problem(hash, end, line, "#define without a macro name")
		return
	}
	d := Define{Name: string(b[rest:k]), Start: hash, End: end, Line: line, Live: s.live(), AfterPython: s.pyInc >= 0}
	d.NameStart, d.NameEnd = s.srcRange(rest, k)
	vs := k
	paramsEnd := k
	if k < len(b) && b[k] == '(' {
		d.Function = true
		p := k + 1
		closed := false
		for p < len(b) {
			p = skipSpaces(b, p)
			if p >= len(b) {
				break
			}
			if b[p] == ')' {
				p++
				closed = true
				break
			}
			if b[p] == ',' {
				p++
				continue
			}
			q := p
			if strings.HasPrefix(string(b[p:]), "...") {
				q = p + 3
			} else {
				for q < len(b) && isIdentChar(b[q]) {
					q++
				}
				if q < len(b) && q+3 <= len(b) && string(b[q:q+3]) == "..." {
					q += 3 // GCC named variadic parameter
				}
			}
			if q == p {
				break
			}
			d.Params = append(d.Params, string(b[p:q]))
			p = q
		}
		if !closed {
			s.problem(hash, end, line, "#define "+d.Name+": unterminated parameter list")
		}
		if d.Params == nil {
			d.Params = []string{}
		}
		vs = p
		paramsEnd = p
	}
	vs = skipSpaces(b, vs)
	ve := trimEnd(b, vs)
	if vs < ve {
		d.ValueStart, d.ValueEnd = s.srcRange(vs, ve)
		d.Value = collapseSpaces(b[vs:ve])
	} else {
		// empty: just after the name or the parameter list
		d.ValueStart, d.ValueEnd = d.NameEnd, d.NameEnd
		if d.Function && paramsEnd > k {
			_, e := s.srcRange(k, paramsEnd)
			e = min(e, end) // a lone '\r' ends the text but not the line
			d.ValueStart, d.ValueEnd = e, e
		}
	}
	s.res.Defines = append(s.res.Defines, d)
	if d.Live {
		s.assign(d.Name, slot{fm: fileMacro{state: StateDefined, def: int32(len(s.res.Defines) - 1)}, ok: true})
	}
}

// collapseSpaces returns b with each run of blanks outside literals made
// one space.
func collapseSpaces(b []byte) string {
	need := false
	for i := 0; i+1 < len(b); i++ {
		if isSpace(b[i]) && (isSpace(b[i+1]) || b[i] != ' ') {
			need = true
			break
		}
	}
	if !need && (len(b) == 0 || b[len(b)-1] != '\t') {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			out = append(out, c)
			if c == '\\' && i+1 < len(b) {
				i++
				out = append(out, b[i])
			} else if c == quote {
				quote = 0
			}
		case c == '"' || (c == '\'' && !ppNumberQuote(b, i)):
			quote = c
			out = append(out, c)
		case isSpace(c):
			if len(out) > 0 && out[len(out)-1] != ' ' {
				out = append(out, ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return strings.TrimRight(string(out), " ")
}

func (s *scanner) undef(hash, end, line, rest int) {
	b := s.buf
	k := rest
	for k < len(b) && isIdentChar(b[k]) {
		k++
	}
	if k == rest || isDigit(b[rest]) {
		s.problem(hash, end, line, "#undef without a macro name")
		return
	}
	u := Undef{Name: string(b[rest:k]), Start: hash, End: end, Line: line, Live: s.live()}
	u.NameStart, u.NameEnd = s.srcRange(rest, k)
	s.res.Undefs = append(s.res.Undefs, u)
	if u.Live {
		s.assign(u.Name, slotUndefined)
	}
}

func (s *scanner) include(dir string, hash, end, line, rest int) {
	b := s.buf
	e := trimEnd(b, rest)
	inc := Include{Start: hash, End: end, Line: line, Live: s.live(), Directive: dir}
	if rest >= e {
		s.problem(hash, end, line, "#"+dir+" without a file name")
		return
	}
	var ps, pe int
	switch b[rest] {
	case '"', '<':
		closer := byte('"')
		if b[rest] == '<' {
			closer = '>'
			inc.System = true
		}
		ps = rest + 1
		pe = ps
		for pe < e && b[pe] != closer {
			pe++
		}
		if pe >= e {
			s.problem(hash, end, line, "#"+dir+": unterminated file name")
		}
	default:
		inc.Computed = true
		ps, pe = rest, e
	}
	inc.Path = string(b[ps:pe])
	inc.PathStart, inc.PathEnd = s.srcRange(ps, pe)
	if pe <= ps && ps < len(s.offs) {
		inc.PathStart = int(s.offs[ps])
		inc.PathEnd = inc.PathStart
	} else if pe <= ps {
		inc.PathStart, inc.PathEnd = end, end
	}
	s.res.Includes = append(s.res.Includes, inc)
	if inc.Live && s.pyInc < 0 && !inc.Computed && isPythonH(inc.Path) {
		s.pyInc = len(s.res.Includes) - 1
	}
}

func isPythonH(p string) bool {
	if i := strings.LastIndexAny(p, "/\\"); i >= 0 {
		p = p[i+1:]
	}
	return p == "Python.h"
}

func (s *scanner) finish() *Result {
	n := len(s.src)
	for len(s.stack) > 0 {
		f := &s.stack[len(s.stack)-1]
		s.closeDead(f, n)
		e := f.start + 1
		s.problem(f.start, e, f.line, "unterminated conditional: missing #endif")
		s.stack = s.stack[:len(s.stack)-1]
	}
	// ranges are produced in order; merge any that touch
	d := s.res.Dead
	if len(d) > 1 {
		out := d[:1]
		for _, r := range d[1:] {
			last := &out[len(out)-1]
			if r.Start <= last.End {
				if r.End > last.End {
					last.End = r.End
				}
				continue
			}
			out = append(out, r)
		}
		s.res.Dead = out
	}
	if s.pyInc >= 0 {
		s.res.PythonInclude = &s.res.Includes[s.pyInc]
	}
	res := s.res
	return &res
}
