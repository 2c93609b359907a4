package analysis

import (
	"path"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/preproc"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// useCtx says where an identifier was seen.
type useCtx uint8

const (
	ctxCode      useCtx = iota // ordinary code
	ctxMacroBody               // inside a #define body (text-scanned)
	ctxCondition               // inside an #if / #elif condition
)

// nameInfo is what the analysis knows of one distinct identifier of the
// file. The walker keeps one per distinct spelling, so a name is looked up
// in the database once per file.
type nameInfo struct {
	name  string
	entry *abi.Entry // nil when not a CPython name
	// user is set when the file (or a local header) defines the name.
	user bool
	// declaredOnly is set when the file only declares (prototypes) it.
	declaredOnly bool

	// shim is set when the file defines the name in a version-compat shim
	// only (see shimResult): uses there are the shim's, not flagged.
	shim bool
	// opaque caches opaqueStruct, worth worthALook: 0 unknown, 1 yes, 2 no.
	opaque int8
	worth  int8

	checked bool
	res     abi.Result // Check under the file's target
	min     abi.Result // Check under the lowest Limited API (3.2)
}

// use is one occurrence of a CPython name.
type use struct {
	info       *nameInfo
	start, end int
	ctx        useCtx
	fn         string // enclosing function, "" at file scope
	// argsStart/argsEnd is the argument list when the name is called and
	// its alternative rewrites the arguments (0, 0 otherwise).
	argsStart, argsEnd int
}

// fieldUse is one `x->f` / `x.f` whose field name may belong to a CPython
// struct.
type fieldUse struct {
	name       string
	start, end int // the field identifier
	exprStart  int // the whole field expression
	exprEnd    int
	argStart   int // its argument (base) expression
	argEnd     int
	arrow      bool
	base       cType // the base's type after -> / . (the struct), unknown when Base == ""
	inMacro    bool
	role       fieldRole
	// For writes: the assignment's range and its right-hand side.
	assignStart, assignEnd int
	rhsStart, rhsEnd       int
	// For calls through the field: the call's argument list range.
	callStart, callEnd int
	inStmt             bool // the write is a whole expression statement
}

type fieldRole uint8

const (
	roleRead fieldRole = iota
	roleWrite
	roleUpdate // ++ / -- / compound assignment
	roleAddr   // &x->f
	roleCall   // x->f(...)
)

// byValue is an opaque CPython struct used by value or by size.
type byValue struct {
	typeName   string
	start, end int    // where to report
	what       string // "static", "member", "sizeof", "variable"
	declName   string
	declStart  int // the whole declaration
	declEnd    int
	static     bool
	hasInit    bool
}

// pyInit is a PyInit_* function definition.
type pyInit struct {
	name        string
	start, end  int
	singlePhase bool
	multiPhase  bool
}

// span is a byte range.
type span struct{ start, end int }

type frame struct {
	cls    class
	node   node // the node, for the classes whose children its own need (noNode otherwise)
	scope  bool // a scope was pushed for this node
	inCond bool // inside an #if condition
	// fid is the node's field id in its parent (only for field expressions).
	fid  uint16
	fn   string // function name when cls == cFunctionDef
	skip bool   // identifiers directly under it are not uses
	rec  bool   // the node opened w.rec (a top-level function)
}

// facts is everything one walk collects.
type facts struct {
	uses     []use
	fields   []fieldUse
	byValue  []byValue
	comments []span
	pyInits  []pyInit
	// firstCode is the start of the first top-level node that is not a
	// comment (the end of the file's first comment block).
	firstCode int
	// stringRanges / commentRanges are not stored: rules never look inside.
}

// walker collects facts from one tree in a single pass over its flattened
// nodes.
type walker struct {
	db     database
	k      *kinds
	src    []byte
	pp     *preproc.Result
	dead   []preproc.Range
	deadIx int

	names map[string]*nameInfo
	// recent caches spellings by nameSlot (see known); nil until used.
	recent *[recentNames]recentName
	// fieldNames caches, per field spelling, whether it can be a CPython
	// struct member worth a type inference.
	fieldNames map[string]*fieldNameInfo

	// Types.
	scopes   []*scope // scopes[0] is the file scope
	typedefs map[string]cType
	structs  map[string]map[string]cType // struct key -> member -> type
	funcs    map[string]cType            // user function -> return type
	// userFields lists member names of the user's own structs.
	userFields map[string]bool

	f      facts
	frames []frame
	fn     string
	// params of the #define being walked (function-like macros).
	defineParams map[string]bool

	declOnly bool // header mode: collect declarations only
	// cands are the candidate offsets of the lexical pre-pass; subtrees
	// without one are not walked into. ci is the walk's position in it.
	cands []int32
	ci    int
	// abi3t: PyObject by value matters (local declarations of it are
	// processed eagerly).
	abi3t bool
	// included holds the base names of the headers the file and its local
	// headers include (nil: unknown, everything is reachable).
	included map[string]bool
	// check is the target names are checked against (zero in audit mode);
	// full makes every CPython name a candidate (hover).
	check abi.Target
	full  bool
	// nodes is the tree being walked, flattened (see nodes.go); flatAll
	// flattens all of it, not only what the walk reads (for tests).
	nodes   []grammars.FlatNode
	flatAll bool
	// seenStruct marks struct specifiers already read (by start offset).
	seenStruct map[int]bool
	// opaqueVars are the names declared `T *v` with T an opaque CPython
	// struct; opaqueMembers the (sorted) offsets of the member names of
	// `v->name` the lexical pre-pass made candidates through them.
	opaqueVars    map[string]bool
	opaqueMembers []int32
	// shimPP is the file evaluated with PY_VERSION_HEX at the target's
	// release (nil when nothing tests it); see shimResult.
	shimPP *preproc.Result
	// sizeTClean: the file defines PY_SSIZE_T_CLEAN before Python.h.
	sizeTClean bool

	// rec records what the walk of the current top-level function changes
	// in the file-wide state (nil outside one); fnRecs are the finished
	// records, in walk order. keepAll makes rec list every name marked, not
	// only the first marks (incremental walks). See incremental.go.
	rec     *fnRecord
	fnRecs  []fnRecord
	keepAll bool
	// logOpaque makes the lexical pre-pass list the variables it declares
	// pointers to opaque structs in opaqueLog.
	logOpaque bool
	opaqueLog []string
}

type fieldNameInfo struct {
	interesting bool
	fields      []abi.Field
}

func newWalker(db database, k *kinds, src []byte) *walker {
	return &walker{
		db:         db,
		k:          k,
		src:        src,
		names:      map[string]*nameInfo{},
		fieldNames: map[string]*fieldNameInfo{},
		scopes:     []*scope{{vars: map[string]cType{}}},
		typedefs:   map[string]cType{},
		structs:    map[string]map[string]cType{},
		funcs:      map[string]cType{},
		userFields: map[string]bool{},
		seenStruct: map[int]bool{},
		f:          facts{firstCode: -1},
	}
}

// info returns the nameInfo for the identifier spelled b.
func (w *walker) info(b []byte) *nameInfo {
	if ni, ok := w.names[string(b)]; ok {
		return ni
	}
	return w.newInfo(string(b))
}

// known returns the nameInfo of the identifier spelled b when it is a
// CPython name the file can see, and nil otherwise, without recording
// other names. The lexical pre-pass asks it of every identifier of the
// file: a direct-mapped cache of spellings answers most of them without
// hashing the name.
func (w *walker) known(b []byte) *nameInfo {
	if w.recent == nil {
		w.recent = new([recentNames]recentName)
	}
	slot := &w.recent[nameSlot(b)]
	if len(b) > 0 && slot.name == string(b) {
		return slot.ni
	}
	var ni *nameInfo
	var name string
	if n, ok := w.names[string(b)]; ok {
		name = n.name
		if n.entry != nil {
			ni = n
		}
	} else if e, ok := w.db.Lookup(string(b)); ok && w.reachable(e) {
		ni = w.newInfo(string(b))
		name = ni.name
	} else {
		name = string(b)
	}
	*slot = recentName{name: name, ni: ni}
	return ni
}

// recentName is a slot of the walker's cache of spellings (see known).
type recentName struct {
	name string
	ni   *nameInfo
}

// recentNames is the size of the cache of spellings (a power of two).
const recentNames = 4096

// nameSlot is b's slot in the cache of spellings: a cheap mix of its
// length and a few of its bytes.
func nameSlot(b []byte) int {
	n := len(b)
	if n == 0 {
		return 0
	}
	h := uint32(n)*0x9E3779B1 ^ uint32(b[0])<<24 ^ uint32(b[n-1])<<16 ^ uint32(b[n/2])<<8 ^ uint32(b[(n-1)/3])
	h ^= h >> 15
	h *= 0x2C1B3C6D
	h ^= h >> 13
	return int(h & (recentNames - 1))
}

func (w *walker) infoString(s string) *nameInfo {
	if ni, ok := w.names[s]; ok {
		return ni
	}
	return w.newInfo(s)
}

func (w *walker) newInfo(s string) *nameInfo {
	ni := &nameInfo{name: s}
	if e, ok := w.db.Lookup(s); ok && w.reachable(e) {
		ni.entry = e
	}
	w.names[s] = ni
	return ni
}

// reachable reports whether the file can see a CPython name: names that
// Python.h does not bring in (structmember.h, datetime.h, Python-ast.h,
// token.h ...) are CPython's only where their header is included;
// elsewhere `arg` or `state` is just a name.
func (w *walker) reachable(e *abi.Entry) bool {
	if e.InPythonH || e.Header == "" || w.included == nil || e.Tier == abi.TierPrivate || e.Tier == abi.TierABIOnly {
		return true
	}
	return w.included[path.Base(e.Header)]
}

// hasAPIPrefix reports the spellings of CPython's API names (Py*, PY*,
// _Py*, _PY*); other names it declares (digit, arg, METH_O ...) may also
// be the user's locals.
func hasAPIPrefix(s string) bool {
	return strings.HasPrefix(s, "Py") || strings.HasPrefix(s, "PY") || strings.HasPrefix(s, "_Py") || strings.HasPrefix(s, "_PY")
}

// markUser records that the file defines name.
func (w *walker) markUser(name string) {
	if name == "" {
		return
	}
	ni := w.infoString(name)
	if w.rec != nil {
		w.rec.marked(ni, w.keepAll)
	}
	ni.user = true
}

// markUserAt is markUser for a definition at offset off, unless it is a
// version-compat shim dead under the target's own headers (see shimResult).
func (w *walker) markUserAt(name string, off int) {
	if w.shimPP != nil && !w.declOnly && w.shimPP.IsDead(off) {
		if name != "" {
			ni := w.infoString(name)
			if !ni.shim {
				w.hard()
			}
			ni.shim = true
		}
		return
	}
	w.markUser(name)
}

func (w *walker) markDeclared(name string) {
	if name == "" {
		return
	}
	ni := w.infoString(name)
	if !ni.declaredOnly {
		w.hard()
	}
	ni.declaredOnly = true
}

// isDead reports whether off is in a dead preprocessor branch. Offsets must
// be asked in increasing order between resets for the fast path.
func (w *walker) isDead(off int) bool {
	d := w.dead
	if len(d) == 0 {
		return false
	}
	if w.deadIx > 0 && w.deadIx <= len(d) && off < d[w.deadIx-1].End {
		// Went backwards (out of order query): binary search.
		return w.pp.IsDead(off)
	}
	for w.deadIx < len(d) && d[w.deadIx].End <= off {
		w.deadIx++
	}
	return w.deadIx < len(d) && d[w.deadIx].Start <= off
}

// walk runs the single pass over the tree. Containers (the file,
// preprocessor blocks, blocks of statements) are walked child by child, for
// the declarations they hold; inside anything else the walk goes straight
// to the children that hold a candidate of the lexical pre-pass. The tree
// is flattened first, in one cgo call, with only the parts the walk reads.
func (w *walker) walk(root *sitter.Node) {
	w.nodes = grammars.FlattenParallel(root, w.selection(), w.nodes[:0])
	w.frames = w.frames[:0]
	if len(w.nodes) == 0 {
		return
	}
	w.visit(0, w.cls(0))
}

// visit handles node n and its subtree.
func (w *walker) visit(n node, cls class) {
	descend, fr := w.enter(n, cls)
	if !descend {
		return
	}
	all := true
	if !alwaysWalk(cls) && len(w.frames) > 0 {
		if !w.hasCandidate(w.start(n), w.end(n)) {
			w.leave(&fr)
			return
		}
		all = cls == cCompound || cls == cError
	}
	w.frames = append(w.frames, fr)
	if all {
		for ch := w.firstChild(n); ch != noNode; ch = w.nextSibling(n, ch) {
			w.visit(ch, w.cls(ch))
		}
	} else {
		end := w.end(n)
		ch := w.firstChild(n)
		for ch != noNode && w.ci < len(w.cands) && int(w.cands[w.ci]) < end {
			q := int(w.cands[w.ci])
			// The first child that ends after q.
			for ch != noNode && w.end(ch) <= q {
				ch = w.nextSibling(n, ch)
			}
			if ch == noNode {
				break
			}
			if w.start(ch) > q {
				// No child covers q (the lexer saw a name the tree does not
				// have there): drop it.
				w.ci++
				continue
			}
			w.visit(ch, w.cls(ch))
			chEnd := w.end(ch)
			for w.ci < len(w.cands) && int(w.cands[w.ci]) < chEnd {
				w.ci++
			}
			if w.ci < len(w.cands) && int(w.cands[w.ci]) == q {
				w.ci++
			}
		}
	}
	w.frames = w.frames[:len(w.frames)-1]
	w.leave(&fr)
}

// alwaysWalk lists the nodes walked into even without candidates: they
// hold declarations whose names and types the analysis needs.
func alwaysWalk(c class) bool {
	switch c {
	case cPreprocCond, cPreprocIfdef, cPreprocElse, cContainer:
		return true
	}
	return false
}

func (w *walker) parent() *frame {
	if len(w.frames) == 0 {
		return nil
	}
	return &w.frames[len(w.frames)-1]
}

// enter handles a node in pre-order and says whether to descend into it.
func (w *walker) enter(n node, cls class) (bool, frame) {
	fr := frame{cls: cls, node: noNode}
	if cls == cAnon {
		return false, fr
	}
	p := w.parent()
	if p == nil {
		return true, fr // translation_unit
	}
	fr.inCond = p.inCond
	switch p.cls {
	case cPreprocCond:
		if !fr.inCond && w.fieldID(n) == w.k.fCondition {
			fr.inCond = true
		} else if len(w.dead) > 0 && cls != cComment && w.isDeadNode(n) {
			return false, fr
		}
	case cPreprocIfdef, cPreprocElse:
		if len(w.dead) > 0 && cls != cComment && w.isDeadNode(n) {
			return false, fr
		}
	}
	switch cls {
	case cIdent, cTypeIdent:
		w.identifier(n, p, fr.inCond)
		return false, fr
	case cFieldIdent:
		if p.cls == cFieldExpr && !fr.inCond && !w.declOnly {
			w.fieldAccess(n, p)
		}
		return false, fr
	case cComment, cString, cPreprocInclude, cPreprocDefined, cStatementIdent, cPrimitiveType, cPreprocParams:
		return false, fr
	case cPreprocArg:
		if (p.cls == cPreprocDef || p.cls == cPreprocFuncDef) && !w.declOnly {
			w.macroBody(w.start(n), w.end(n))
		}
		return false, fr
	case cPreprocCall:
		return false, fr
	case cPreprocDef, cPreprocFuncDef:
		w.define(n, cls)
		fr.skip = true
		return true, fr
	case cPreprocIfdef:
		fr.skip = true // the tested name
		return true, fr
	case cFieldExpr:
		if !fr.inCond {
			fr.node = n
			fr.fid = w.fieldID(n)
		}
		return true, fr
	case cDeclaration:
		if len(w.scopes) > 1 && !w.declOnly && !w.eagerLocal(n) {
			top := w.scopes[len(w.scopes)-1]
			top.pending = append(top.pending, pendingDecl{node: n})
			return true, fr
		}
		w.declaration(n, cls, len(w.scopes)-1)
		return true, fr
	case cTypeDef:
		w.declaration(n, cls, len(w.scopes)-1)
		return true, fr
	case cFieldDecl:
		return true, fr // read by structSpec
	case cFunctionDef:
		fr.fn = w.fn
		fr.scope = true
		w.functionDef(n)
		if w.rec == nil && !w.declOnly {
			w.rec = &fnRecord{start: w.start(n), end: w.end(n)}
			fr.rec = true
		}
		return true, fr
	case cCompound, cFor, cLambda:
		if p.cls != cFunctionDef {
			w.scopes = append(w.scopes, &scope{})
			fr.scope = true
		}
		return true, fr
	case cStruct:
		w.structSpec(n)
		return true, fr
	case cEnumerator:
		if nm := w.child(n, w.k.fName); nm != noNode {
			w.markUser(w.text(nm))
		}
		return true, fr
	case cSizeof:
		if !w.declOnly {
			w.sizeofExpr(n)
		}
		return true, fr
	case cAssign, cUpdate, cPointerExpr, cCall:
		fr.node = n
		return true, fr
	}
	return true, fr
}

func (w *walker) isDeadNode(n node) bool {
	s := w.start(n)
	if !w.isDead(s) {
		return false
	}
	// Only skip when the whole node is dead; otherwise look inside.
	e := w.end(n)
	return e <= 0 || w.pp.IsDead(e-1)
}

// scope is one block's variables. Local declarations are kept pending and
// only read when a lookup needs them: most never are.
type scope struct {
	vars    map[string]cType
	pending []pendingDecl
}

type pendingDecl struct {
	node   node
	params bool // a function's parameter list
}

// eagerLocal says whether a local declaration must be read now: its type
// may be an opaque struct held by value (ABI005/ABI011), or it declares a
// struct. The type is read from the text (the declaration's first name
// that is not a qualifier), which spares the tree a query per declaration.
func (w *walker) eagerLocal(n node) bool {
	src := w.src
	i := w.start(n)
	for i < len(src) {
		for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
			i++
		}
		if i >= len(src) || !isIdentStart(src[i]) {
			return false
		}
		j := i
		for j < len(src) && isIdentChar(src[j]) {
			j++
		}
		word := string(src[i:j])
		switch word {
		case "const", "static", "volatile", "register", "extern", "unsigned", "signed", "inline", "auto", "thread_local", "_Thread_local":
			i = j
			continue
		case "struct", "union", "enum", "class":
			return true
		}
		rt := w.resolve(cType{Base: word})
		st, ok := w.db.Struct(rt.Base)
		if !ok || rt.Ptr != 0 {
			return false
		}
		return st.Opaque || w.abi3t && st.OpaqueABI3T
	}
	return false
}

// flush reads the pending declarations of scope i.
func (w *walker) flush(i int) {
	sc := w.scopes[i]
	for len(sc.pending) > 0 {
		pd := sc.pending[0]
		sc.pending = sc.pending[1:]
		if pd.params {
			w.addParams(pd.node, i)
		} else {
			w.declaration(pd.node, cDeclaration, i)
		}
	}
}

func (w *walker) leave(fr *frame) {
	if fr.rec {
		w.fnRecs = append(w.fnRecs, *w.rec)
		w.rec = nil
	}
	if fr.scope {
		if fr.cls == cFunctionDef {
			w.fn = fr.fn
		}
		if len(w.scopes) > 1 {
			w.scopes = w.scopes[:len(w.scopes)-1]
		}
	}
}

// identifier records a use of a CPython name.
func (w *walker) identifier(n node, p *frame, inCond bool) {
	if p.skip || w.declOnly {
		return
	}
	s, e := w.start(n), w.end(n)
	b := w.src[s:e]
	if len(b) < 2 {
		return
	}
	ni := w.info(b)
	if ni.entry == nil && !isInterestingUnknown(b) && !isTargetMacro(b) {
		return
	}
	if w.isDead(s) {
		return
	}
	if !inCond && !hasAPIPrefix(ni.name) && len(w.scopes) > 1 {
		if _, local := w.lookupVar(ni.name); local {
			return // a local or a parameter of that name
		}
	}
	ctx := ctxCode
	if inCond {
		ctx = ctxCondition
	}
	u := use{info: ni, start: s, end: e, ctx: ctx, fn: w.fn}
	if p.cls == cCall && ni.entry != nil && ni.entry.Alt != nil && ni.entry.Alt.Template != "" && w.start(p.node) == s {
		if args := w.child(p.node, w.k.fArguments); args != noNode {
			u.argsStart, u.argsEnd = w.start(args), w.end(args)
		}
	}
	w.f.uses = append(w.f.uses, u)
}

// isInterestingUnknown keeps names the database may not list but rules
// need (private names are flagged by prefix).
func isTargetMacro(b []byte) bool {
	return string(b) == macroLimited || string(b) == macroABI3T
}

func isInterestingUnknown(b []byte) bool {
	return len(b) > 3 && b[0] == '_' && (b[1] == 'P' && (b[2] == 'y' || b[2] == 'Y'))
}

// define handles #define NAME ... : NAME is the user's.
func (w *walker) define(n node, cls class) {
	if nm := w.child(n, w.k.fName); nm != noNode {
		w.markUserAt(w.text(nm), w.start(n))
	}
	w.defineParams = nil
	if cls == cPreprocFuncDef {
		if ps := w.child(n, w.k.fParameters); ps != noNode {
			w.defineParams = map[string]bool{}
			for ch := w.firstChild(ps); ch != noNode; ch = w.nextSibling(ps, ch) {
				w.defineParams[w.text(ch)] = true
			}
		}
	}
}

// macroBody scans a #define body as text: names used there, and field
// accesses (base types are unknown in macro bodies).
func (w *walker) macroBody(start, end int) {
	if w.isDead(start) {
		return
	}
	src := w.src
	i := start
	for i < end {
		ch := src[i]
		switch {
		case ch == '"' || ch == '\'':
			q := ch
			i++
			for i < end && src[i] != q {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case ch == '/' && i+1 < end && src[i+1] == '*':
			i += 2
			for i+1 < end && !(src[i] == '*' && src[i+1] == '/') {
				i++
			}
			i += 2
		case ch == '/' && i+1 < end && src[i+1] == '/':
			for i < end && src[i] != '\n' {
				i++
			}
		case isIdentStart(ch):
			j := i + 1
			for j < end && isIdentChar(src[j]) {
				j++
			}
			w.macroToken(i, j, start)
			i = j
		case ch >= '0' && ch <= '9':
			j := i + 1
			for j < end && (isIdentChar(src[j]) || src[j] == '.') {
				j++
			}
			i = j
		default:
			i++
		}
	}
}

func (w *walker) macroToken(s, e, bodyStart int) {
	b := w.src[s:e]
	// Token pasting makes partial names.
	if (s >= bodyStart+2 && w.src[s-1] == '#' && w.src[s-2] == '#') ||
		(e+1 < len(w.src) && w.src[e] == '#' && w.src[e+1] == '#') {
		return
	}
	if w.defineParams != nil && w.defineParams[string(b)] {
		return
	}
	// Member access?
	k := s - 1
	for k >= bodyStart && (w.src[k] == ' ' || w.src[k] == '\t') {
		k--
	}
	if k >= bodyStart && (w.src[k] == '.' || (w.src[k] == '>' && k > bodyStart && w.src[k-1] == '-')) {
		fi := w.fieldName(b)
		if fi.interesting {
			w.f.fields = append(w.f.fields, fieldUse{
				name: string(b), start: s, end: e, exprStart: s, exprEnd: e,
				argStart: -1, argEnd: -1, arrow: w.src[k] == '>', inMacro: true,
			})
		}
		return
	}
	if len(b) < 2 {
		return
	}
	ni := w.info(b)
	if ni.entry == nil && !isInterestingUnknown(b) {
		return
	}
	w.f.uses = append(w.f.uses, use{info: ni, start: s, end: e, ctx: ctxMacroBody, fn: w.fn})
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// fieldName says whether a member name can be a CPython struct field that
// a rule cares about.
func (w *walker) fieldName(b []byte) *fieldNameInfo {
	if fi, ok := w.fieldNames[string(b)]; ok {
		return fi
	}
	s := string(b)
	fi := &fieldNameInfo{}
	fi.fields = w.db.FieldsNamed(s)
	for _, f := range fi.fields {
		if !f.LimitedVisible || isObjectMember(f.Struct, f.Name) {
			fi.interesting = true
		}
	}
	w.fieldNames[s] = fi
	return fi
}

// isObjectMember reports the PyObject/PyVarObject header members that
// ABI006 is about.
func isObjectMember(st, name string) bool {
	switch name {
	case "ob_refcnt", "ob_type":
		return st == "PyObject"
	case "ob_size":
		return st == "PyVarObject"
	}
	return false
}

// fieldAccess handles the field identifier of a field expression.
func (w *walker) fieldAccess(n node, fe *frame) {
	s, e := w.start(n), w.end(n)
	b := w.src[s:e]
	fi := w.fieldName(b)
	if !fi.interesting && !w.isOpaqueMember(s) {
		return
	}
	if w.isDead(s) {
		return
	}
	exprNode := fe.node
	fu := fieldUse{name: string(b), start: s, end: e, exprStart: w.start(exprNode), exprEnd: e}
	arg := w.child(exprNode, w.k.fArgument)
	if arg == noNode {
		return
	}
	fu.argStart, fu.argEnd = w.start(arg), w.end(arg)
	// The operator sits between the argument and the field.
	for i := fu.argEnd; i < s; i++ {
		if w.src[i] == '>' {
			fu.arrow = true
			break
		}
		if w.src[i] == '.' {
			break
		}
	}
	// A designated initializer the grammar took for a member access: after
	// a `,`, `{` or an #if line (`#if X\n .tp_vectorcall_offset = ...`).
	if !fu.arrow && w.designator(s) {
		return
	}
	// A designated initializer misparsed after a *_HEAD_INIT(...) macro
	// without a comma (`PyVarObject_HEAD_INIT(NULL, 0) .tp_name = ...`).
	if !fu.arrow && w.cls(arg) == cCall {
		if fn := w.child(arg, w.k.fFunction); fn != noNode {
			if name := w.text(fn); len(name) > 10 && name[len(name)-10:] == "_HEAD_INIT" {
				return
			}
		}
	}
	t := w.resolve(w.typeOf(arg))
	if fu.arrow {
		t = t.deref()
	} else if t.Ptr != 0 {
		t = cType{}
	}
	fu.base = t
	w.fieldRole(&fu, fe)
	w.f.fields = append(w.f.fields, fu)
}

// designator reports whether the `.` before the field starting at s opens
// a designated initializer rather than a member access.
func (w *walker) designator(s int) bool {
	src := w.src
	i := s - 1
	for i >= 0 && (src[i] == ' ' || src[i] == '\t') {
		i--
	}
	if i < 0 || src[i] != '.' {
		return false
	}
	i--
	for i >= 0 && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i--
	}
	if i < 0 {
		return true
	}
	switch src[i] {
	case ',', '{', '(', '[':
		return true
	}
	// The previous token ends a preprocessor line.
	ls := i
	for ls > 0 && src[ls-1] != '\n' {
		ls--
	}
	for ls < i && (src[ls] == ' ' || src[ls] == '\t') {
		ls++
	}
	return src[ls] == '#'
}

// fieldRole works out whether the field expression is read, written,
// incremented, has its address taken, or is called.
func (w *walker) fieldRole(fu *fieldUse, fe *frame) {
	if len(w.frames) < 2 {
		return
	}
	p := &w.frames[len(w.frames)-2]
	switch p.cls {
	case cAssign:
		if fe.fid != w.k.fLeft {
			return
		}
		right := w.child(p.node, w.k.fRight)
		if right == noNode {
			return
		}
		op := trimSpace(w.src[fu.exprEnd:w.start(right)])
		if string(op) != "=" {
			fu.role = roleUpdate
			return
		}
		fu.role = roleWrite
		fu.assignStart, fu.assignEnd = w.start(p.node), w.end(p.node)
		fu.rhsStart, fu.rhsEnd = w.start(right), w.end(right)
		if len(w.frames) >= 3 {
			fu.inStmt = w.frames[len(w.frames)-3].cls == cExprStmt && w.isExprStatement(fu.assignEnd)
		}
	case cUpdate:
		fu.role = roleUpdate
	case cPointerExpr:
		if w.start(p.node) < fu.exprStart && w.src[w.start(p.node)] == '&' {
			fu.role = roleAddr
		}
	case cCall:
		if fe.fid == w.k.fFunction {
			fu.role = roleCall
			if args := w.child(p.node, w.k.fArguments); args != noNode {
				fu.callStart, fu.callEnd = w.start(args), w.end(args)
			}
		}
	}
}

// isExprStatement reports whether a ';' follows end (the assignment is a
// statement of its own).
func (w *walker) isExprStatement(end int) bool {
	for i := end; i < len(w.src); i++ {
		switch w.src[i] {
		case ' ', '\t':
			continue
		case ';':
			return true
		}
		return false
	}
	return false
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
