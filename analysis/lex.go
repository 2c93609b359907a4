package analysis

// The lexical pre-pass: one loop over the bytes (no cgo) finds the comments
// and the candidate tokens, the only places where the tree walk has
// something to look at: CPython names, private `_Py*` names, the target
// macros, and member names after `->`/`.` that may be CPython struct
// fields. The walk then skips every subtree without a candidate, which
// spares most of the cgo calls a full walk costs.

// lexResult is what the pre-pass found.
type lexResult struct {
	cands     []int32 // sorted start offsets of candidate tokens
	comments  []span
	firstCode int // first byte that is neither space nor comment; -1 if none
}

func (w *walker) lex(src []byte) lexResult { return w.lexRange(src, 0, len(src)) }

// lexRange is the pre-pass over src[from:to], which must start and end
// between tokens; offsets stay those of src.
func (w *walker) lexRange(src []byte, from, to int) lexResult {
	r := lexResult{firstCode: -1}
	n := to
	i := from
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '\\' && i+1 < n && (src[i+1] == '\n' || src[i+1] == '\r'):
			i += 2
			continue
		case c == '/' && i+1 < n && src[i+1] == '*':
			s := i
			i += 2
			for i+1 < n && !(src[i] == '*' && src[i+1] == '/') {
				i++
			}
			i += 2
			if i > n {
				i = n
			}
			r.comments = append(r.comments, span{s, i})
			continue
		case c == '/' && i+1 < n && src[i+1] == '/':
			s := i
			for i < n && src[i] != '\n' {
				if src[i] == '\\' && i+1 < n && src[i+1] == '\n' {
					i++
				} else if src[i] == '\\' && i+2 < n && src[i+1] == '\r' && src[i+2] == '\n' {
					i += 2
				}
				i++
			}
			e := i
			if e > s && src[e-1] == '\r' {
				e--
			}
			r.comments = append(r.comments, span{s, e})
			continue
		}
		if r.firstCode < 0 {
			r.firstCode = i
		}
		switch {
		case c == '"':
			i = skipQuoted(src, i, '"')
		case c == '\'':
			i = skipQuoted(src, i, '\'')
		case c >= '0' && c <= '9' || (c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9'):
			i++
			for i < n && (isIdentChar(src[i]) || src[i] == '.' || src[i] == '\'' ||
				((src[i] == '+' || src[i] == '-') && (src[i-1] == 'e' || src[i-1] == 'E' || src[i-1] == 'p' || src[i-1] == 'P'))) {
				i++
			}
		case isIdentStart(c):
			s := i
			for i < n && isIdentChar(src[i]) {
				i++
			}
			// C++ raw strings: R"delim( ... )delim"
			if i < n && src[i] == '"' && src[i-1] == 'R' && i-s <= 3 {
				i = skipRaw(src, i)
				continue
			}
			if w.candidate(src, s, i) {
				r.cands = append(r.cands, int32(s))
			}
			w.noteOpaqueDecl(src, s, i)
		default:
			i++
		}
	}
	return r
}

// candidate decides whether the identifier src[s:e] is worth a look.
func (w *walker) candidate(src []byte, s, e int) bool {
	b := src[s:e]
	// A member name after -> or . ?
	k := s - 1
	for k >= 0 && (src[k] == ' ' || src[k] == '\t') {
		k--
	}
	if k >= 0 && (src[k] == '.' || (src[k] == '>' && k > 0 && src[k-1] == '-')) {
		if w.fieldName(b).interesting {
			return true
		}
		// `v->name` where v was declared a pointer to an opaque CPython
		// struct: any field name is worth a look (fields CPython removed
		// are unknown to the database but still do not compile).
		if src[k] == '>' && len(w.opaqueVars) > 0 && w.opaqueVars[string(identBefore(src, k-2))] {
			w.opaqueMembers = append(w.opaqueMembers, int32(s))
			return true
		}
		return false
	}
	if len(b) < 2 {
		return false
	}
	if ni := w.known(b); ni != nil {
		return w.worthALook(ni)
	}
	return isInterestingUnknown(b) || isTargetMacro(b)
}

// noteOpaqueDecl records v in `T *v` when T (the identifier src[s:e]) is
// an opaque CPython struct, so that `v->field` is a candidate whatever the
// field's name. Only identifiers followed by `*` are looked up.
func (w *walker) noteOpaqueDecl(src []byte, s, e int) {
	n := len(src)
	j := e
	for j < n && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	if j >= n || src[j] != '*' || e-s < 2 {
		return
	}
	ni := w.known(src[s:e])
	if ni == nil || ni.user || !w.opaqueStruct(ni) {
		return
	}
	for j < n && (src[j] == '*' || src[j] == ' ' || src[j] == '\t') {
		j++
	}
	if j+5 < n && string(src[j:j+5]) == "const" && !isIdentChar(src[j+5]) {
		j += 5
		for j < n && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
	}
	k := j
	for k < n && isIdentChar(src[k]) {
		k++
	}
	if k == j || !isIdentStart(src[j]) {
		return
	}
	if w.opaqueVars == nil {
		w.opaqueVars = map[string]bool{}
	}
	w.opaqueVars[string(src[j:k])] = true
	if w.logOpaque {
		w.opaqueLog = append(w.opaqueLog, string(src[j:k]))
	}
}

// opaqueStruct reports (and caches) whether ni names a CPython struct
// that is opaque under the Limited API.
func (w *walker) opaqueStruct(ni *nameInfo) bool {
	if ni.opaque == 0 {
		ni.opaque = 2
		if st, ok := w.db.Struct(ni.name); ok && st.Opaque {
			ni.opaque = 1
		}
	}
	return ni.opaque == 1
}

// identBefore returns the identifier ending at or before k (after
// skipping blanks), or nil.
func identBefore(src []byte, k int) []byte {
	for k >= 0 && (src[k] == ' ' || src[k] == '\t') {
		k--
	}
	e := k + 1
	for k >= 0 && isIdentChar(src[k]) {
		k--
	}
	return src[k+1 : e]
}

// isOpaqueMember reports whether the member name at s was made a
// candidate by noteOpaqueDecl's variables.
func (w *walker) isOpaqueMember(s int) bool {
	m := w.opaqueMembers
	lo, hi := 0, len(m)
	for lo < hi {
		mid := (lo + hi) / 2
		if int(m[mid]) < s {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(m) && int(m[lo]) == s
}

// skipQuoted skips a string or character literal starting at i (the
// quote); an unterminated one ends at the end of its line.
func skipQuoted(src []byte, i int, q byte) int {
	n := len(src)
	i++
	for i < n {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case q:
			return i + 1
		case '\n':
			return i
		}
		i++
	}
	return n
}

// skipRaw skips a C++ raw string whose opening quote is at i.
func skipRaw(src []byte, i int) int {
	n := len(src)
	j := i + 1
	for j < n && j-i <= 17 && src[j] != '(' && src[j] != '"' && src[j] != '\n' {
		j++
	}
	if j >= n || src[j] != '(' {
		return skipQuoted(src, i, '"')
	}
	delim := src[i+1 : j]
	for k := j + 1; k < n; k++ {
		if src[k] == ')' && k+1+len(delim) < n && string(src[k+1:k+1+len(delim)]) == string(delim) && src[k+1+len(delim)] == '"' {
			return k + 2 + len(delim)
		}
	}
	return n
}

// hasCandidate reports whether a candidate lies in [s, e). Queries come in
// walk order (non-decreasing s), so the cursor ci only moves forward.
func (w *walker) hasCandidate(s, e int) bool {
	c := w.cands
	for w.ci < len(c) && int(c[w.ci]) < s {
		w.ci++
	}
	if w.ci < len(c) && int(c[w.ci]) < e {
		return true
	}
	// Out-of-order query (should not happen): binary search.
	if w.ci > 0 && int(c[w.ci-1]) >= s {
		lo, hi := 0, w.ci
		for lo < hi {
			m := (lo + hi) / 2
			if int(c[m]) < s {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return lo < len(c) && int(c[lo]) < e
	}
	return false
}
