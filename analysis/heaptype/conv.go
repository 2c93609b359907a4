package heaptype

import (
	"fmt"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// slotEntry is one {Py_xx_yy, value} of the emitted slot array, or one
// offset member (id is the member name).
type slotEntry struct {
	id, value string
	field     string // the member it comes from, e.g. tp_dealloc or nb_add
	at        int    // where it was written (for problems)
}

// assign is a run-time assignment `Foo_Type.tp_x = value;`.
type assign struct {
	stmt  *sitter.Node
	field string
	value *sitter.Node
	id    int // offset of the type name
}

type conv struct {
	src    []byte
	root   *sitter.Node
	lang   grammars.Lang
	target abi.Version
	name   string
	db     *abi.DB

	toks     []token
	decls    []*sitter.Node
	typedefs []*sitter.Node
	funcs    map[string]*sitter.Node

	// the definition
	def        *sitter.Node
	defStatic  bool
	il         *initList
	specName   string // tp_name value
	basicsize  string
	itemsize   string
	flags      string // tp_flags value, HEAPTYPE removed
	flagsToks  []token
	slots      []slotEntry
	base       string // tp_base expression; "" for object
	offsets    []slotEntry
	membersArr string // the tp_members array, when there is one
	deallocFn  string
	traverseFn string
	hasNew     bool
	gc         bool
	subs       []subRef // method suites read
	slotFuncs  []string // functions named by slots (for tp_alloc rewrites)

	// uses
	fwd       []*sitter.Node // forward declarations
	ready     *sitter.Node   // the PyType_Ready call
	readyFn   *sitter.Node
	assigns   []assign
	addrUses  []*sitter.Node // &Foo_Type (pointer_expression)
	slotCalls []*sitter.Node // Foo_Type.tp_alloc (field_expression called)
	macroUses []int          // offsets of "&" before Foo_Type in #define bodies
	regs      []*sitter.Node // PyModule_AddObject(m, "Foo", (PyObject *)&Foo_Type)
	consumed  map[int]bool   // pointer_expression starts already rewritten

	// module
	mod    *moduleInfo
	modVar string
	state  bool

	edits    []Edit
	problems []Problem
	notes    []Problem
	indent   string // one level of indentation, as the file writes it
	prelude  string // functions written before the slots
}

// subRef is a method suite the type points to.
type subRef struct {
	name   string
	decl   *sitter.Node
	shared bool // also used by another static type: keep its definition
}

func newConv(root *sitter.Node, src []byte, lang grammars.Lang, target abi.Version, name string) *conv {
	c := &conv{src: src, root: root, lang: lang, target: target, name: name, db: abi.Default(),
		funcs: map[string]*sitter.Node{}, consumed: map[int]bool{}, indent: "    "}
	c.toks = tokenize(src, 0, len(src), true)
	c.decls, _, c.typedefs = fileScope(root)
	return c
}

// fn returns the definition of the function name in this file, or nil.
func (c *conv) fn(name string) *sitter.Node {
	if f, ok := c.funcs[name]; ok {
		return f
	}
	var def *sitter.Node
	for _, t := range c.toks {
		if t.inDirective || !isIdent(c.src, t, name) {
			continue
		}
		n := c.root.NamedDescendantForByteRange(uint(t.start), uint(t.end))
		if n == nil || n.Parent() == nil || n.Parent().Kind() != "function_declarator" {
			continue
		}
		for p := n.Parent(); p != nil; p = p.Parent() {
			k := p.Kind()
			if k == "function_definition" {
				if funcName(c.src, p) == name {
					def = p
				}
				break
			}
			if k != "function_declarator" && k != "pointer_declarator" && k != "parenthesized_declarator" && k != "attributed_declarator" {
				break
			}
		}
		if def != nil {
			break
		}
	}
	c.funcs[name] = def
	return def
}

func (c *conv) problem(s, e int, format string, args ...any) {
	c.problems = append(c.problems, Problem{Start: s, End: e, Message: fmt.Sprintf(format, args...)})
}

func (c *conv) note(s, e int, format string, args ...any) {
	c.notes = append(c.notes, Problem{Start: s, End: e, Message: fmt.Sprintf(format, args...)})
}

func (c *conv) edit(s, e int, text string) { c.edits = append(c.edits, Edit{s, e, text}) }

func (c *conv) text(n *sitter.Node) string { return nodeText(c.src, n) }

func (c *conv) run() {
	if !c.findDef() {
		return
	}
	c.readType()
	c.findUses()
	if len(c.problems) > 0 {
		return
	}
	c.findModule()
	if len(c.problems) > 0 {
		return
	}
	c.emit()
}

// findDef locates `static PyTypeObject Foo_Type = {...};` and forward
// declarations of the type.
func (c *conv) findDef() bool {
	for _, d := range c.decls {
		if !isTypeObjectDecl(c.src, d) {
			continue
		}
		dds := declarators(d)
		for _, dd := range dds {
			name, id := declaratorName(c.src, dd)
			if name != c.name || id == nil {
				continue
			}
			if !same(id, dd) && !(dd.Kind() == "init_declarator" && same(id.Parent(), dd)) {
				// a pointer or array: not a static type object
				continue
			}
			v := dd.ChildByFieldName("value")
			if dd.Kind() == "init_declarator" && v != nil && v.Kind() == "initializer_list" {
				if c.def != nil {
					c.problem(start(d), end(d), "%s is defined twice", c.name)
					return false
				}
				c.def = d
				if len(dds) > 1 {
					c.problem(start(d), end(d), "%s is defined in a declaration with other declarators; give it its own declaration", c.name)
				}
				c.il = parseInit(c.src, start(v), end(v)-1, typeFields, typeFieldAliases, "ob_base")
			} else if dd.Kind() == "identifier" {
				c.fwd = append(c.fwd, d)
				if len(dds) > 1 {
					c.problem(start(d), end(d), "%s is declared together with other names; give it its own declaration", c.name)
				}
			}
		}
	}
	if c.def == nil {
		c.problem(0, 0, "no definition of a static PyTypeObject %s with an initializer in this file", c.name)
		return false
	}
	for i := uint(0); i < c.def.ChildCount(); i++ {
		ch := c.def.Child(i)
		if ch.Kind() == "storage_class_specifier" && c.text(ch) == "static" {
			c.defStatic = true
		}
	}
	if !c.defStatic {
		c.problem(start(c.def), end(c.def), "%s is not static: other files may use it as a PyTypeObject, and would break silently once it becomes a pointer; make it static (if only this file uses it) and convert again", c.name)
	}
	// Indentation: that of the first element line.
	if len(c.il.elems) > 0 {
		if ind := indentAt(c.src, c.il.elems[0].estart); ind != "" && lineStart(c.src, c.il.elems[0].estart) > start(c.def) {
			c.indent = ind
		}
	} else if c.il.head != nil {
		if ind := indentAt(c.src, c.il.head.estart); ind != "" {
			c.indent = ind
		}
	}
	return true
}

// readType reads the members of the type's initializer.
func (c *conv) readType() {
	il := c.il
	if len(il.problems) > 0 {
		c.problems = append(c.problems, il.problems...)
		return
	}
	if il.head == nil {
		c.problem(il.open, il.open+1, "%s has no PyVarObject_HEAD_INIT(NULL, 0) header: the conversion cannot tell which member each value initializes", c.name)
		return
	}
	if len(il.headArgs) > 0 {
		meta := il.headArgs[0]
		if len(meta) == 0 {
			c.problem(il.head.start, il.head.end, "%s without a metatype argument", il.headName)
		} else if !isZero(c.src, meta) {
			if n, addr, ok := refName(c.src, meta); !ok || !addr || n != "PyType_Type" {
				c.problem(meta[0].start, meta[len(meta)-1].end, "%s has the metatype %s: a heap type with a custom metaclass needs PyType_FromMetaclass; not converted", c.name, joinToks(c.src, meta))
			}
		}
	}
	for i := range il.elems {
		e := &il.elems[i]
		switch e.field {
		case "":
			c.problem(e.estart, e.end, "more values than PyTypeObject has members")
			continue
		case "ob_size", "ob_base":
			continue
		}
		c.setField(e.field, e.written, e.toks, e.start, e.end, e.designated)
	}
	if c.specName == "" {
		c.problem(start(c.def), end(c.def), "%s has no tp_name", c.name)
	}
	if c.basicsize == "" {
		c.basicsize = "0"
	}
	if c.itemsize == "" {
		c.itemsize = "0"
	}
}

// setField records one member value, from the initializer or from a
// run-time assignment.
func (c *conv) setField(field, written string, toks []token, s, e int, designated bool) {
	zero := isZero(c.src, toks)
	val := joinToks(c.src, toks)
	switch typeFieldRole(field) {
	case roleSpec:
		switch field {
		case "tp_name":
			if zero {
				c.problem(s, e, "tp_name is NULL")
				return
			}
			c.specName = val
		case "tp_basicsize":
			c.basicsize = val
		case "tp_itemsize":
			c.itemsize = val
		case "tp_flags":
			c.readFlags(toks, s, e)
		}
	case roleSlot:
		c.removeSlot(field)
		if zero {
			if field == "tp_new" {
				c.hasNew = false
			}
			return
		}
		if !c.slotAvailable(slotName(field), field, s, e) {
			return
		}
		name, addr, ok := refName(c.src, toks)
		c.slots = append(c.slots, slotEntry{id: slotName(field), value: slotText(val, name, addr, ok), field: field, at: s})
		switch field {
		case "tp_dealloc":
			if !ok {
				c.problem(s, e, "tp_dealloc is not a function name (%s): the conversion must add Py_DECREF of the type to it", val)
			}
			c.deallocFn = name
		case "tp_traverse":
			if ok {
				c.traverseFn = name
			} else {
				c.problem(s, e, "tp_traverse is not a function name (%s): the conversion must make it visit the type", val)
			}
		case "tp_new":
			c.hasNew = true
		case "tp_members":
			if ok {
				c.membersArr = name
			}
		}
		if ok && field != "tp_members" && field != "tp_methods" && field != "tp_getset" && field != "tp_doc" {
			c.slotFuncs = append(c.slotFuncs, name)
		}
	case roleSub:
		if zero {
			return
		}
		c.readSub(field, toks, s, e)
	case roleBase:
		if zero {
			c.base = ""
			return
		}
		if n, addr, ok := refName(c.src, toks); ok && addr && n == "PyBaseObject_Type" {
			c.base = ""
			return
		}
		c.base = val
	case roleOffset:
		c.removeOffset(offsetMember[field])
		if zero {
			return
		}
		c.addOffset(field, val, s, e)
	case roleVersion:
		c.removeOffset(offsetMember[field])
		if zero {
			return
		}
		if written == "tp_print" || !designated && (len(toks) == 0 || !isIdent(c.src, toks[0], "offsetof")) {
			c.problem(s, e, "the fifth member of PyTypeObject (tp_print before 3.8, tp_vectorcall_offset since) is set to %s: a heap type has no tp_print; remove it, or write tp_vectorcall_offset as offsetof(...)", val)
			return
		}
		c.addOffset(field, val, s, e)
	case roleNever:
		if zero {
			return
		}
		c.problem(s, e, "%s is set (%s): it is computed by the interpreter and cannot be given to a heap type", written, val)
	}
}

func (c *conv) removeSlot(field string) {
	out := c.slots[:0]
	for _, s := range c.slots {
		if s.field != field {
			out = append(out, s)
		}
	}
	c.slots = out
}

func (c *conv) removeOffset(member string) {
	out := c.offsets[:0]
	for _, s := range c.offsets {
		if s.id != member {
			out = append(out, s)
		}
	}
	c.offsets = out
}

func (c *conv) addOffset(field, val string, s, e int) {
	member := offsetMember[field]
	need := abi.V(3, 9)
	if field == "tp_vectorcall_offset" {
		need = abi.V(3, 12) // Py_TPFLAGS_HAVE_VECTORCALL joined the Limited API in 3.12
	}
	if c.target.Less(need) {
		c.problem(s, e, "%s becomes the member %s, which PyType_FromSpec reads from %s on (target %s); raise the target or drop %s", field, member, need, c.target, field)
		return
	}
	c.offsets = append(c.offsets, slotEntry{id: member, value: val, field: field, at: s})
}

// slotAvailable checks that the slot id exists in the target's Limited API.
func (c *conv) slotAvailable(id, field string, s, e int) bool {
	ent, ok := c.db.Lookup(id)
	if !ok || ent.Kind != abi.KindConst {
		c.problem(s, e, "%s has no slot (%s does not exist): a heap type cannot set it", field, id)
		return false
	}
	since := ent.Since()
	if !ent.Limited() || since.IsZero() {
		c.problem(s, e, "%s is not in the Limited API: %s cannot be converted", id, field)
		return false
	}
	if c.target.Less(since) {
		c.problem(s, e, "%s needs Limited API %s (target %s): %s cannot be converted for this target", id, since, c.target, field)
		return false
	}
	return true
}

// readFlags reads tp_flags: drops Py_TPFLAGS_HEAPTYPE and checks the flags
// exist under the target.
func (c *conv) readFlags(toks []token, s, e int) {
	var keep []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if isIdent(c.src, t, "Py_TPFLAGS_HEAPTYPE") {
			// drop it with an adjacent "|"
			if i+1 < len(toks) && isPunct(c.src, toks[i+1], "|") {
				i++
			} else if n := len(keep); n > 0 && isPunct(c.src, keep[n-1], "|") {
				keep = keep[:n-1]
			}
			continue
		}
		keep = append(keep, t)
		if t.kind == tIdent && strings.HasPrefix(t.text(c.src), "Py_TPFLAGS_") {
			name := t.text(c.src)
			if name == "Py_TPFLAGS_HAVE_GC" {
				c.gc = true
			}
			ent, ok := c.db.Lookup(name)
			switch {
			case !ok:
				c.problem(t.start, t.end, "unknown type flag %s", name)
			case !ent.Limited() || ent.Since().IsZero():
				c.problem(t.start, t.end, "the flag %s is not in the Limited API", name)
			case c.target.Less(ent.Since()):
				c.problem(t.start, t.end, "the flag %s needs Limited API %s (target %s)", name, ent.Since(), c.target)
			}
		}
	}
	c.flagsToks = keep
	c.flags = joinToks(c.src, keep)
	if c.flags == "" {
		c.flags = "0"
	}
}

// readSub reads a method suite (&Foo_as_number) into slots.
func (c *conv) readSub(field string, toks []token, s, e int) {
	ss := subStructFor(field)
	name, addr, ok := refName(c.src, toks)
	if !ok || !addr {
		c.problem(s, e, "%s is not the address of a method suite defined in this file (%s)", field, joinToks(c.src, toks))
		return
	}
	var decl, init *sitter.Node
	for _, d := range c.decls {
		t := d.ChildByFieldName("type")
		if t == nil || c.text(t) != ss.typeName {
			continue
		}
		for _, dd := range declarators(d) {
			n, _ := declaratorName(c.src, dd)
			if n != name {
				continue
			}
			if v := dd.ChildByFieldName("value"); dd.Kind() == "init_declarator" && v != nil && v.Kind() == "initializer_list" {
				decl, init = d, v
				if len(declarators(d)) > 1 {
					c.problem(start(d), end(d), "%s is declared together with other names; give it its own declaration", name)
				}
			}
		}
	}
	if decl == nil {
		c.problem(s, e, "%s points to %s, whose %s definition is not in this file", field, name, ss.typeName)
		return
	}
	for i := range c.slots {
		if strings.HasPrefix(c.slots[i].field, ss.fields[0][:3]) {
			c.problem(s, e, "%s is set twice", field)
			return
		}
	}
	il := parseInit(c.src, start(init), end(init)-1, ss.fields, nil, "")
	c.problems = append(c.problems, il.problems...)
	for i := range il.elems {
		el := &il.elems[i]
		if el.field == "" {
			c.problem(el.estart, el.end, "more values than %s has members", ss.typeName)
			continue
		}
		if isZero(c.src, el.toks) {
			continue
		}
		if strings.HasPrefix(el.field, "was_") || el.field == "nb_reserved" {
			c.problem(el.start, el.end, "%s.%s is reserved and must be NULL", name, el.field)
			continue
		}
		if !c.slotAvailable(slotName(el.field), el.field, el.start, el.end) {
			continue
		}
		fn, addr, ok := refName(c.src, el.toks)
		c.slots = append(c.slots, slotEntry{id: slotName(el.field), value: slotText(el.text(c.src), fn, addr, ok), field: el.field, at: el.start})
		if ok {
			c.slotFuncs = append(c.slotFuncs, fn)
		}
	}
	c.subs = append(c.subs, subRef{name: name, decl: decl})
}

// slotText is a slot's value without its casts: pfunc is a void *, and
// the function pointer types of the casts (getbufferproc, ...) are not all
// in the Limited API.
func slotText(val, name string, addr, ok bool) string {
	switch {
	case !ok:
		return val
	case addr:
		return "&" + name
	}
	return name
}
