package oracle

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// form is how a probe uses a name.
type form int

const (
	fCallO    form = iota // (void)(NAME(o, ...));   function-like macro, PyObject* arguments
	fCall0                // (void)(NAME(0, ...));
	fCallI                // (void)(NAME(i, ...));   Py_ssize_t arguments
	fCallT                // (void)(NAME(Py_TYPE(o), ...));   PyTypeObject* arguments
	fStmtO                // NAME(o, ...);           statement macros (Py_CLEAR, Py_SETREF)
	fStmt0                // NAME(0, ...);
	fInit                 // static PyVarObject v[] = { NAME(0, ...) };   initializer macros
	fExpr                 // (void)(NAME);           object-like macro, enum constant
	fStmt                 // NAME;                   Py_RETURN_NONE
	fMember               // struct s { NAME };      PyObject_HEAD
	fDeclSpec             // NAME f(void);           PyMODINIT_FUNC
	fAddr                 // (void)&NAME;            function, data
	fTypedef              // NAME *p = 0;            typedef
	fSizeof               // (void)sizeof(struct NAME);   struct tag
	fPairO                // OPEN(o, ...); CLOSE(o, ...);   Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS
	fPairO0               // OPEN(o, 0, ...); CLOSE(o, 0, ...);
	fPair0                // OPEN(0, ...); CLOSE(0, ...);
	fDefined              // #ifndef NAME / #error   last resort for macros
)

var formNames = [...]string{"call(o)", "call(0)", "call(i)", "call(type)", "stmt(o)", "stmt(0)", "initializer",
	"expr", "stmt", "member", "decl-specifier", "address", "typedef", "sizeof(struct)",
	"pair(o)", "pair(o,0)", "pair(0)", "defined"}

func (f form) String() string { return formNames[f] }

// candidates lists the forms to try for a name, most faithful first: the
// uses of every way the name is declared, then (for macros) definedness.
// A macro that opens or closes a block is used together with its partner.
func candidates(d *declared, unbalanced, paired bool) []form {
	var fs []form
	macro := d.Kinds[kFuncMacro] || d.Kinds[kObjMacro]
	if paired {
		fs = append(fs, fPairO, fPairO0, fPair0)
	}
	if d.Kinds[kFuncMacro] && !unbalanced {
		fs = append(fs, fCallO, fCall0, fCallI, fCallT, fStmtO, fStmt0, fInit)
	}
	if d.Kinds[kObjMacro] && !unbalanced {
		fs = append(fs, fExpr, fStmt, fMember, fDeclSpec)
	}
	if d.Kinds[kFunction] || d.Kinds[kData] {
		fs = append(fs, fAddr)
	}
	if d.Kinds[kTypedef] {
		fs = append(fs, fTypedef)
	}
	if d.Kinds[kEnumConst] && !d.Kinds[kObjMacro] {
		fs = append(fs, fExpr)
	}
	if d.Kind == kStructTag {
		fs = append(fs, fSizeof)
	}
	if macro {
		fs = append(fs, fDefined)
	}
	return fs
}

// blockMacro is one half of a pair of macros that open and close a block.
type blockMacro struct {
	Name  string
	Arity int
	Func  bool // function-like
}

// probe is one use of one name.
type probe struct {
	Name  string
	Form  form
	Arity int
	Tag   string // keyword for fSizeof
	// Open and Close are the pair a fPair* probe expands (Name is one of them).
	Open, Close blockMacro
}

// callArgs renders arity arguments: "o" (all o), "0", "i", "Py_TYPE(o)",
// or "o0" (o then zeros).
func callArgs(arity int, pattern string) string {
	args := make([]string, arity)
	for k := range args {
		switch {
		case pattern == "o0" && k == 0:
			args[k] = "o"
		case pattern == "o0":
			args[k] = "0"
		default:
			args[k] = pattern
		}
	}
	return strings.Join(args, ", ")
}

func (m blockMacro) use(pattern string) string {
	if !m.Func {
		return m.Name + ";"
	}
	return m.Name + "(" + callArgs(m.Arity, pattern) + ");"
}

// partner finds the macro that closes (or opens) the block a macro opens
// (or closes): BEGIN/END, START/END, Py_ALLOW_RECURSION/Py_END_ALLOW_RECURSION.
func partner(name string, names map[string]*declared) (open, close string, ok bool) {
	try := func(o, c string) (string, string, bool) {
		if o != c && names[o] != nil && names[c] != nil {
			return o, c, true
		}
		return "", "", false
	}
	switch {
	case strings.Contains(name, "BEGIN"):
		return try(name, strings.Replace(name, "BEGIN", "END", 1))
	case strings.Contains(name, "START"):
		return try(name, strings.Replace(name, "START", "END", 1))
	case strings.HasPrefix(name, "Py_END_"):
		if o, c, ok := try(strings.Replace(name, "END", "BEGIN", 1), name); ok {
			return o, c, ok
		}
		return try("Py_"+strings.TrimPrefix(name, "Py_END_"), name)
	case strings.Contains(name, "END"):
		if o, c, ok := try(strings.Replace(name, "END", "BEGIN", 1), name); ok {
			return o, c, ok
		}
		return try(strings.Replace(name, "END", "START", 1), name)
	case strings.HasPrefix(name, "Py_"):
		return try(name, "Py_END_"+strings.TrimPrefix(name, "Py_"))
	}
	return "", "", false
}

// render writes the probe as C text on one line (three for fDefined).
func (p probe) render(k int) string {
	fn := func(body string) string {
		return fmt.Sprintf("static PyObject *abi3ls_probe_%d(PyObject *o, Py_ssize_t i) { (void)o; (void)i; %s return NULL; }", k, body)
	}
	n := p.Name
	switch p.Form {
	case fCallO:
		return fn(fmt.Sprintf("(void)(%s(%s));", n, callArgs(p.Arity, "o")))
	case fCall0:
		return fn(fmt.Sprintf("(void)(%s(%s));", n, callArgs(p.Arity, "0")))
	case fCallI:
		return fn(fmt.Sprintf("(void)(%s(%s));", n, callArgs(p.Arity, "i")))
	case fCallT:
		return fn(fmt.Sprintf("(void)(%s(%s));", n, callArgs(p.Arity, "Py_TYPE(o)")))
	case fStmtO:
		return fn(fmt.Sprintf("%s(%s);", n, callArgs(p.Arity, "o")))
	case fStmt0:
		return fn(fmt.Sprintf("%s(%s);", n, callArgs(p.Arity, "0")))
	case fInit:
		return fmt.Sprintf("static PyVarObject abi3ls_init_%d[] = { %s(%s) };", k, n, callArgs(p.Arity, "0"))
	case fExpr:
		return fn(fmt.Sprintf("(void)(%s);", n))
	case fStmt:
		return fn(n + ";")
	case fMember:
		return fmt.Sprintf("struct abi3ls_member_%d { %s int abi3ls_tail; };", k, n)
	case fDeclSpec:
		return fmt.Sprintf("%s abi3ls_declspec_%d(void);", n, k)
	case fAddr:
		return fn(fmt.Sprintf("(void)&%s;", n))
	case fTypedef:
		return fn(fmt.Sprintf("%s *abi3ls_p = 0; (void)abi3ls_p;", n))
	case fSizeof:
		return fn(fmt.Sprintf("(void)sizeof(%s %s);", p.Tag, n))
	case fPairO:
		return fn(p.Open.use("o") + " " + p.Close.use("o"))
	case fPairO0:
		return fn(p.Open.use("o0") + " " + p.Close.use("o0"))
	case fPair0:
		return fn(p.Open.use("0") + " " + p.Close.use("0"))
	case fDefined:
		return fmt.Sprintf("#ifndef %s\n#error abi3ls probe %d: %s is not defined\n#endif", n, k, n)
	}
	return ""
}

// renderProbes builds a translation unit; owner maps each 1-based line to
// the index of the probe on it (-1 for the prelude).
func renderProbes(prelude string, probes []probe) (string, []int) {
	var b strings.Builder
	b.WriteString(prelude)
	owner := make([]int, strings.Count(prelude, "\n")+1)
	for i := range owner {
		owner[i] = -1
	}
	for i, p := range probes {
		text := p.render(i)
		b.WriteString(text)
		b.WriteByte('\n')
		for range strings.Count(text, "\n") + 1 {
			owner = append(owner, i)
		}
	}
	return b.String(), owner
}

// probeResult is what one batch compilation says.
type probeResult struct {
	Failed map[int][]string // probe index -> error messages
	Stray  []diagnostic     // errors on no probe's line
}

// compileProbes compiles probes in one translation unit under defines and
// attributes each error to the probe on its line.
func compileProbes(ctx context.Context, cc *compiler, h headerSet, defines []string, probes []probe) (probeResult, error) {
	src, owner := renderProbes(headerPrelude(h), probes)
	_, diags, err := cc.run(ctx, job{Src: []byte(src), Includes: []string{h.Dir}, Defines: defines, JSON: true})
	if err != nil {
		return probeResult{}, err
	}
	res := probeResult{Failed: map[int][]string{}}
	byName := map[string]int{}
	for i, p := range probes {
		byName[p.Name] = i
	}
	for _, d := range diags {
		if !d.isError() {
			continue
		}
		idx := -1
		if strings.HasPrefix(d.File, cc.tmp) && d.Line > 0 && d.Line < len(owner) {
			idx = owner[d.Line]
		}
		if idx < 0 {
			res.Stray = append(res.Stray, d)
			continue
		}
		res.Failed[idx] = append(res.Failed[idx], d.Message)
	}
	// gcc reports an implicit function declaration only at the first use
	// in the translation unit, which may be another probe (a macro that
	// expands to the name): the name's own probe would fail alone.
	for _, d := range diags {
		if m := reImplicit.FindStringSubmatch(d.Message); m != nil && d.isError() {
			if idx, ok := byName[m[1]]; ok {
				if _, failed := res.Failed[idx]; !failed {
					res.Failed[idx] = []string{d.Message + " (first used by an earlier probe)"}
				}
			}
		}
	}
	return res, nil
}

var reImplicit = regexp.MustCompile(`implicit declaration of function '([A-Za-z_][A-Za-z0-9_]*)'`)

var reIdent = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// unbalancedMacros finds macros whose expansion has unbalanced brackets
// (Py_BEGIN_ALLOW_THREADS opens a block that Py_END_ALLOW_THREADS closes),
// directly or through the macros they use. Such macros are only probed
// for being defined: expanding one alone would break the probes after it.
func unbalancedMacros(names map[string]*declared) map[string]bool {
	bad := map[string]bool{}
	for name, d := range names {
		if (d.Kinds[kFuncMacro] || d.Kinds[kObjMacro]) && !balanced(d.Body) {
			bad[name] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for name, d := range names {
			if bad[name] || !(d.Kinds[kFuncMacro] || d.Kinds[kObjMacro]) {
				continue
			}
			for _, id := range reIdent.FindAllString(d.Body, -1) {
				if bad[id] {
					bad[name] = true
					changed = true
					break
				}
			}
		}
	}
	return bad
}

// balanced reports whether (), [] and {} pair up in s, ignoring string and
// character literals.
func balanced(s string) bool {
	var stack []byte
	pair := map[byte]byte{')': '(', ']': '[', '}': '{'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\'':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != pair[c] {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0
}

// selectForms finds, for every name, the most faithful form that compiles
// cleanly without Py_LIMITED_API, in rounds: each round compiles every
// undecided name with its next candidate form. Names for which no form
// compiles are returned as untestable.
func selectForms(ctx context.Context, cc *compiler, h headerSet, names map[string]*declared) (map[string]probe, map[string]string, error) {
	bad := unbalancedMacros(names)
	cands := map[string][]form{}
	next := map[string]int{}
	pairs := map[string][2]blockMacro{}
	pending := sortedNames(names)
	for _, n := range pending {
		paired := false
		if bad[n] {
			if o, c, ok := partner(n, names); ok && bad[o] && bad[c] {
				bm := func(x string) blockMacro {
					return blockMacro{Name: x, Arity: names[x].Arity, Func: names[x].Kinds[kFuncMacro]}
				}
				pairs[n] = [2]blockMacro{bm(o), bm(c)}
				paired = true
			}
		}
		cands[n] = candidates(names[n], bad[n], paired)
	}
	chosen := map[string]probe{}
	untestable := map[string]string{}
	for round := 0; len(pending) > 0; round++ {
		if round > 20 {
			return nil, nil, fmt.Errorf("%s: form selection did not settle", h.Label)
		}
		probes := make([]probe, len(pending))
		for i, n := range pending {
			probes[i] = probe{Name: n, Form: cands[n][next[n]], Arity: names[n].Arity, Tag: names[n].Tag,
				Open: pairs[n][0], Close: pairs[n][1]}
		}
		res, err := compileProbes(ctx, cc, h, nil, probes)
		if err != nil {
			return nil, nil, err
		}
		if len(res.Stray) > 0 {
			d := res.Stray[0]
			return nil, nil, fmt.Errorf("%s: baseline error outside the probes: %s:%d: %s", h.Label, d.File, d.Line, d.Message)
		}
		var again []string
		for i, n := range pending {
			if msgs, failed := res.Failed[i]; failed {
				next[n]++
				if next[n] >= len(cands[n]) {
					untestable[n] = msgs[0]
					continue
				}
				again = append(again, n)
				continue
			}
			chosen[n] = probes[i]
		}
		pending = again
	}
	// All chosen forms together must compile cleanly: the verdicts below
	// compare against this clean baseline.
	all := make([]probe, 0, len(chosen))
	for _, n := range sortedNames(chosen) {
		all = append(all, chosen[n])
	}
	res, err := compileProbes(ctx, cc, h, nil, all)
	if err != nil {
		return nil, nil, err
	}
	for i, msgs := range res.Failed {
		delete(chosen, all[i].Name)
		untestable[all[i].Name] = "fails next to other probes: " + msgs[0]
	}
	if len(res.Stray) > 0 {
		d := res.Stray[0]
		return nil, nil, fmt.Errorf("%s: baseline error outside the probes: %s:%d: %s", h.Label, d.File, d.Line, d.Message)
	}
	return chosen, untestable, nil
}
