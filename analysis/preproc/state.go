package preproc

// Macro state across conditional groups.
//
// Inside a branch, #define and #undef take effect for the directives that
// follow in the same branch, whether or not the branch is certainly taken
// (an include guard's #ifndef is undecidable, yet everything inside it
// follows the defines above it). At each branch boundary the names the
// branch changed are restored to their state before the group, and the
// state a live branch ended with is kept as one possible outcome. At #endif
// the outcomes are merged: a name every possible path leaves the same keeps
// that state; defined on every path with different values is defined with
// an unknown value; anything else is unknown.
//
// A group whose first test is a plain `#ifdef X`, `#ifndef X`,
// `#if defined(X)` or `#if !defined(X)` on an unknown X assumes the answer
// inside the branch and its opposite in the later branches and when no
// branch is taken: after `#ifndef X / #define X 1 / #endif`, X is defined.

// maxOutcomes bounds the slots a group keeps (names changed x live
// branches); past it the group gives up and its changed names end unknown.
const maxOutcomes = 1 << 16

// slot is a name's entry in the file's table; ok false means no entry (the
// name's state comes from Env).
type slot struct {
	fm fileMacro
	ok bool
}

// change records a name's state before the group changed it.
type change struct {
	name string
	pre  slot
}

var (
	slotOpaque    = slot{fm: fileMacro{state: StateDefined, def: -1}, ok: true}
	slotUndefined = slot{fm: fileMacro{state: StateUndefined}, ok: true}
	slotUnknown   = slot{fm: fileMacro{state: StateUnknown}, ok: true}
)

func (s *scanner) cur(name string) slot {
	fm, ok := s.table[name]
	return slot{fm: fm, ok: ok}
}

// put sets a name's slot without recording the change.
func (s *scanner) put(name string, sl slot) {
	if sl.ok {
		if s.table == nil {
			s.table = make(map[string]fileMacro)
		}
		s.table[name] = sl.fm
	} else {
		delete(s.table, name)
	}
	s.gen++
}

// assign sets a name's slot and records its earlier state in the innermost
// open group, so that the group can restore and merge it.
func (s *scanner) assign(name string, sl slot) {
	if n := len(s.stack); n > 0 {
		f := &s.stack[n-1]
		if _, seen := f.savedIdx[name]; !seen {
			if f.savedIdx == nil {
				f.savedIdx = make(map[string]int)
			}
			f.savedIdx[name] = len(f.saved)
			f.saved = append(f.saved, change{name: name, pre: s.cur(name)})
		}
	}
	s.put(name, sl)
}

// endBranch keeps the outcome of the branch that ends (if it was live) and
// restores the names the group changed.
func (s *scanner) endBranch(f *frame) {
	if len(f.saved) == 0 {
		return
	}
	if f.live && len(f.ends)+len(f.saved) > maxOutcomes {
		f.overflow = true
	}
	if f.live && !f.overflow {
		start := len(f.ends)
		for _, c := range f.saved {
			f.ends = append(f.ends, s.cur(c.name))
		}
		f.paths = append(f.paths, start, len(f.saved))
	}
	for _, c := range f.saved {
		s.put(c.name, c.pre)
	}
}

// startBranch applies what a branch after the first knows of the first
// test: it was false.
func (s *scanner) startBranch(f *frame) {
	if f.hasAssume && f.parentLive {
		s.assign(f.assume, f.assumeOut)
	}
}

// closeGroup merges the outcomes of the group f, which has just been
// popped, into the enclosing state.
func (s *scanner) closeGroup(f *frame) {
	if len(f.saved) == 0 || !f.parentLive {
		return
	}
	fallthrough_ := !f.anyTrue && !f.sawElse
	for j, c := range f.saved {
		if f.overflow {
			s.assign(c.name, slotUnknown)
			continue
		}
		var merged slot
		first := true
		add := func(sl slot) {
			if first {
				merged, first = sl, false
				return
			}
			merged = s.mergeSlots(c.name, merged, sl)
		}
		for p := 0; p+1 < len(f.paths); p += 2 {
			start, n := f.paths[p], f.paths[p+1]
			if j < n {
				add(f.ends[start+j])
			} else {
				add(c.pre)
			}
		}
		if fallthrough_ {
			if f.hasAssume && c.name == f.assume {
				add(f.assumeOut)
			} else {
				add(c.pre)
			}
		}
		if first || merged == c.pre {
			continue
		}
		s.assign(c.name, merged)
	}
}

// effective is what a slot means for the evaluator.
func (s *scanner) effective(name string, sl slot) macroState {
	if sl.ok {
		return s.fromTable(sl.fm)
	}
	return s.fromEnv(name)
}

func sameParams(a, b []string) bool {
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

// mergeSlots is the state of a name that is a on one path and b on another.
func (s *scanner) mergeSlots(name string, a, b slot) slot {
	if a == b {
		return a
	}
	ea, eb := s.effective(name, a), s.effective(name, b)
	switch {
	case ea.state == StateDefined && eb.state == StateDefined:
		if !ea.opaque && !eb.opaque && ea.value == eb.value && ea.function == eb.function && sameParams(ea.params, eb.params) {
			if a.ok {
				return a
			}
			return b
		}
		return slotOpaque
	case ea.state == StateUndefined && eb.state == StateUndefined:
		return slotUndefined
	}
	return slotUnknown
}

// simpleDefined recognizes a test of whether one macro is defined:
// `#ifdef X`, `#ifndef X`, `#if defined(X)`, `#if !defined X`, ...
func simpleDefined(dir, cond string, scratch []token) (name string, negated, ok bool) {
	switch dir {
	case "#ifdef":
		return firstIdent(cond), false, true
	case "#ifndef":
		return firstIdent(cond), true, true
	case "#if":
	default:
		return "", false, false
	}
	toks, _ := tokenize(cond, scratch[:0])
	if len(toks) > 0 && toks[0].kind == tPunct && toks[0].op == opNot {
		negated = true
		toks = toks[1:]
	}
	switch {
	case len(toks) == 2 && toks[0].kind == tIdent && toks[0].text == "defined" && toks[1].kind == tIdent:
		return toks[1].text, negated, true
	case len(toks) == 4 && toks[0].kind == tIdent && toks[0].text == "defined" && isLParen(toks, 1) &&
		toks[2].kind == tIdent && toks[3].kind == tPunct && toks[3].op == opRParen:
		return toks[2].text, negated, true
	}
	return "", false, false
}

func firstIdent(s string) string {
	k := 0
	for k < len(s) && isIdentChar(s[k]) {
		k++
	}
	return s[:k]
}
