package heaptype

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

var v310 = abi.V(3, 10)

// emit produces the edits, once every use is understood.
func (c *conv) emit() {
	for _, n := range []string{c.name + "_slots", c.name + "_spec"} {
		if c.hasToken(n) {
			c.problem(start(c.def), end(c.def), "the name %s is already used in this file; rename it first", n)
		}
	}
	c.adjustFlags()
	c.rewriteDealloc()
	c.rewriteTraverse()
	c.rewriteAllocs()
	members := c.emitOffsets()
	if len(c.problems) > 0 {
		return
	}
	c.edit(start(c.def), end(c.def), c.defText(members))
	c.emitForward()
	for _, s := range c.subs {
		if !s.shared {
			c.deleteDecl(s.decl)
		}
	}
	c.emitCreate()
	c.emitRegs()
	for _, u := range c.addrUses {
		if !c.consumed[start(u)] {
			c.edit(start(u), end(u), c.ptrAt(u))
		}
	}
	for _, u := range c.slotCalls {
		if c.consumed[start(u)] {
			continue
		}
		field := c.text(u.ChildByFieldName("field"))
		c.edit(start(u), end(u), "(("+slotFuncType[field]+")PyType_GetSlot("+c.ptrAt(u)+", "+slotName(field)+"))")
	}
	for _, a := range c.assigns {
		c.deleteStmt(a.stmt)
	}
	for _, off := range c.macroUses {
		c.edit(off, off+1+len(c.name)+c.spaceAfter(off+1), c.name)
	}
	if c.state {
		c.emitState()
	}
}

// spaceAfter counts blanks between "&" and the name in a macro body.
func (c *conv) spaceAfter(off int) int {
	n := 0
	for off+n < len(c.src) && (c.src[off+n] == ' ' || c.src[off+n] == '\t') {
		n++
	}
	return n
}

func (c *conv) hasToken(name string) bool {
	for _, t := range c.toks {
		if isIdent(c.src, t, name) {
			return true
		}
	}
	return false
}

func (c *conv) available(name string) bool {
	ent, ok := c.db.Lookup(name)
	return ok && ent.Limited() && !ent.Since().IsZero() && !c.target.Less(ent.Since())
}

// adjustFlags keeps the static type's behaviour: static types are
// immutable, and one without tp_new whose base is object cannot be
// instantiated, where a heap type would inherit object.__new__.
func (c *conv) adjustFlags() {
	var add []string
	if !c.target.Less(v310) && c.available("Py_TPFLAGS_IMMUTABLETYPE") && !c.flagHas("Py_TPFLAGS_IMMUTABLETYPE") {
		add = append(add, "Py_TPFLAGS_IMMUTABLETYPE")
	}
	if !c.hasNew && c.base == "" {
		if !c.target.Less(v310) && c.available("Py_TPFLAGS_DISALLOW_INSTANTIATION") {
			if !c.flagHas("Py_TPFLAGS_DISALLOW_INSTANTIATION") {
				add = append(add, "Py_TPFLAGS_DISALLOW_INSTANTIATION")
			}
		} else {
			// below 3.10: a tp_new that refuses, as the static type did
			c.slots = append(c.slots, slotEntry{id: "Py_tp_new", value: c.name + "_new_disallowed", field: "tp_new"})
		}
	} else if !c.target.Less(v310) {
		c.note(start(c.def), end(c.def), "%s becomes immutable (Py_TPFLAGS_IMMUTABLETYPE) like the static type was", c.name)
	}
	if len(add) > 0 {
		if c.flags == "0" || c.flags == "" {
			c.flags = strings.Join(add, " | ")
		} else {
			c.flags += " | " + strings.Join(add, " | ")
		}
	}
}

func (c *conv) flagHas(name string) bool {
	for _, t := range c.flagsToks {
		if isIdent(c.src, t, name) {
			return true
		}
	}
	return false
}

func (c *conv) isCPP() bool { return c.lang == grammars.CPP }

// slotValue is the pfunc of a slot entry.
func (c *conv) slotValue(s slotEntry) string {
	if c.isCPP() || s.field == "tp_doc" {
		return "(void *)" + s.value
	}
	return s.value
}

// defText is the replacement of the static definition.
func (c *conv) defText(members string) string {
	ind := c.indent
	var b strings.Builder
	if !c.hasNew && c.base == "" && c.target.Less(v310) {
		msg := "cannot create instances of this type"
		if strings.HasPrefix(c.specName, "\"") && strings.HasSuffix(c.specName, "\"") && !strings.Contains(c.specName, "\" ") {
			msg = "cannot create '" + strings.Trim(c.specName, "\"") + "' instances"
		}
		b.WriteString("/* The static type had no tp_new: refuse instantiation as it did. */\n")
		b.WriteString("static PyObject *\n" + c.name + "_new_disallowed(PyTypeObject *type, PyObject *args, PyObject *kwds)\n{\n")
		b.WriteString(ind + "(void)type;\n" + ind + "(void)args;\n" + ind + "(void)kwds;\n")
		b.WriteString(ind + "PyErr_SetString(PyExc_TypeError, \"" + msg + "\");\n" + ind + "return NULL;\n}\n\n")
	}
	b.WriteString(c.prelude)
	b.WriteString(members)
	b.WriteString("static PyType_Slot " + c.name + "_slots[] = {\n")
	for _, s := range c.slots {
		b.WriteString(ind + "{" + s.id + ", " + c.slotValue(s) + "},\n")
	}
	b.WriteString(ind + "{0, NULL},\n};\n\n")
	b.WriteString("static PyType_Spec " + c.name + "_spec = {\n")
	if c.isCPP() {
		b.WriteString(ind + c.specName + ", /* name */\n")
		b.WriteString(ind + c.basicsize + ", /* basicsize */\n")
		b.WriteString(ind + c.itemsize + ", /* itemsize */\n")
		b.WriteString(ind + c.flags + ", /* flags */\n")
		b.WriteString(ind + c.name + "_slots, /* slots */\n")
	} else {
		b.WriteString(ind + ".name = " + c.specName + ",\n")
		b.WriteString(ind + ".basicsize = " + c.basicsize + ",\n")
		b.WriteString(ind + ".itemsize = " + c.itemsize + ",\n")
		b.WriteString(ind + ".flags = " + c.flags + ",\n")
		b.WriteString(ind + ".slots = " + c.name + "_slots,\n")
	}
	b.WriteString("};")
	if !c.state && len(c.fwd) == 0 {
		b.WriteString("\n\nstatic PyTypeObject *" + c.name + ";")
	}
	return b.String()
}

// emitForward turns the first forward declaration into the pointer (or
// drops them all when the pointer lives in the module state).
func (c *conv) emitForward() {
	for i, d := range c.fwd {
		if i == 0 && !c.state {
			c.edit(start(d), end(d), "static PyTypeObject *"+c.name+";")
			continue
		}
		c.deleteDecl(d)
	}
}

func within(t token, n *sitter.Node) bool { return n != nil && t.start >= start(n) && t.end <= end(n) }

func (c *conv) inAssign(t token) bool {
	for _, a := range c.assigns {
		if within(t, a.stmt) {
			return true
		}
	}
	return false
}

// deleteDecl removes a file-scope declaration with its line(s) when it is
// alone on them.
func (c *conv) deleteDecl(d *sitter.Node) {
	s, e, alone := aloneOnLines(c.src, start(d), end(d))
	if alone && s > 0 && e < len(c.src) {
		// between two blank lines: take one of them along
		prevBlank := s >= 2 && c.src[s-1] == '\n' && c.src[s-2] == '\n'
		j := e
		for j < len(c.src) && (c.src[j] == ' ' || c.src[j] == '\t' || c.src[j] == '\r') {
			j++
		}
		if prevBlank && j < len(c.src) && c.src[j] == '\n' {
			e = j + 1
		}
	}
	c.edit(s, e, "")
}

func (c *conv) deleteStmt(n *sitter.Node) {
	s, e, _ := aloneOnLines(c.src, start(n), end(n))
	c.edit(s, e, "")
}

// emitOffsets adds the __dictoffset__-style members: into the existing
// tp_members array, or as a new array (returned, to precede the slots).
func (c *conv) emitOffsets() string {
	if len(c.offsets) == 0 {
		return ""
	}
	typ, flag := "Py_T_PYSSIZET", "Py_READONLY"
	if c.target.Less(abi.V(3, 12)) {
		typ, flag = "T_PYSSIZET", "READONLY"
		c.ensureStructmember()
	}
	var lines []string
	for _, o := range c.offsets {
		lines = append(lines, "{\""+o.id+"\", "+typ+", "+o.value+", "+flag+"},")
	}
	if c.membersArr == "" {
		arr := c.name + "_members"
		if c.hasToken(arr) {
			c.problem(start(c.def), end(c.def), "the name %s is already used in this file; rename it first", arr)
			return ""
		}
		c.slots = append(c.slots, slotEntry{id: "Py_tp_members", value: arr, field: "tp_members"})
		var b strings.Builder
		b.WriteString("static PyMemberDef " + arr + "[] = {\n")
		for _, l := range lines {
			b.WriteString(c.indent + l + "\n")
		}
		b.WriteString(c.indent + "{NULL},\n};\n\n")
		return b.String()
	}
	// the existing array: insert before its sentinel
	var init, arrDecl *sitter.Node
	for _, d := range c.decls {
		for _, dd := range declarators(d) {
			if n, _ := declaratorName(c.src, dd); n == c.membersArr && dd.Kind() == "init_declarator" {
				if v := dd.ChildByFieldName("value"); v != nil && v.Kind() == "initializer_list" {
					init, arrDecl = v, d
				}
			}
		}
	}
	if init == nil {
		c.problem(start(c.def), end(c.def), "tp_members %s is not defined in this file: the conversion must add %s to it", c.membersArr, c.offsets[0].id)
		return ""
	}
	// the array must be this type's alone
	for _, t := range c.toks {
		if !isIdent(c.src, t, c.membersArr) || within(t, c.def) || within(t, arrDecl) || c.inAssign(t) {
			continue
		}
		c.problem(t.start, t.end, "%s is also used here: adding %s to it would change that use too", c.membersArr, c.offsets[0].id)
		return ""
	}
	toks := tokenize(c.src, start(init)+1, end(init)-1, false)
	parts := splitTop(c.src, toks)
	var sentinel []token
	for i := len(parts) - 1; i >= 0; i-- {
		if len(parts[i]) > 0 {
			sentinel = parts[i]
			break
		}
	}
	if sentinel == nil || !isSentinel(c.src, sentinel) {
		c.problem(start(init), end(init), "%s has no {NULL} sentinel at its end", c.membersArr)
		return ""
	}
	at := sentinel[0].start
	if ls := lineStart(c.src, at); strings.TrimSpace(string(c.src[ls:at])) == "" {
		ind := indentAt(c.src, at)
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(ind + l + "\n")
		}
		c.edit(ls, ls, b.String())
	} else {
		c.edit(at, at, strings.Join(lines, " ")+" ")
	}
	return ""
}

// isSentinel reports whether an array element is {NULL}, {0}, {NULL, ...}.
func isSentinel(src []byte, toks []token) bool {
	if len(toks) < 2 || !isPunct(src, toks[0], "{") || matchClose(src, toks, 0) != len(toks)-1 {
		return false
	}
	inner := splitTop(src, toks[1:len(toks)-1])
	return len(inner) == 0 || isZero(src, inner[0])
}

// ensureStructmember includes structmember.h (T_PYSSIZET, READONLY before
// 3.12) unless the file does.
func (c *conv) ensureStructmember() {
	python, lastBefore := -1, -1
	for _, t := range c.toks {
		if t.kind != tDirective {
			continue
		}
		s := string(c.src[t.start:t.end])
		if !strings.Contains(s, "include") {
			continue
		}
		if strings.Contains(s, "structmember.h") {
			return
		}
		if strings.Contains(s, "Python.h") && python < 0 {
			python = t.end
		}
		if t.start < start(c.def) {
			lastBefore = t.end
		}
	}
	at := python
	if at < 0 {
		at = lastBefore
	}
	if at < 0 {
		c.edit(0, 0, "#include \"structmember.h\"\n")
		return
	}
	c.edit(at, at, "\n#include \"structmember.h\"   /* T_PYSSIZET, READONLY */")
}

// createExpr is the call that creates the type.
func (c *conv) createExpr() string {
	bases := "NULL"
	if c.base != "" {
		bases = "(PyObject *)" + c.base
	}
	spec := "&" + c.name + "_spec"
	switch {
	case c.modVar != "" && !c.target.Less(v310):
		return "PyType_FromModuleAndSpec(" + c.modVar + ", " + spec + ", " + bases + ")"
	case c.base != "":
		return "PyType_FromSpecWithBases(" + spec + ", " + bases + ")"
	}
	return "PyType_FromSpec(" + spec + ")"
}

// emitCreate replaces PyType_Ready(&Foo_Type) with the creation.
func (c *conv) emitCreate() {
	r := c.ready
	ptr := c.ptrAt(r)
	assign := ptr + " = (PyTypeObject *)" + c.createExpr()
	o := outerExpr(c.src, r)
	p := o.Parent()
	e := o
	failTest := true // e is true when readying failed
	if p != nil && p.Kind() == "binary_expression" && p.ChildByFieldName("left") != nil && start(p.ChildByFieldName("left")) == start(o) {
		op := c.text(p.ChildByFieldName("operator"))
		rt := strings.TrimSpace(c.text(p.ChildByFieldName("right")))
		switch {
		case op == "<" && rt == "0", op == "!=" && rt == "0", op == "==" && rt == "-1":
			e = p
		case op == "==" && rt == "0", op == ">=" && rt == "0":
			e, failTest = p, false
		}
	}
	ep := e.Parent()
	// if (PyType_Ready(&X) < 0) ... in a block: a statement, then the test
	if failTest && ep != nil && (ep.Kind() == "parenthesized_expression" || ep.Kind() == "condition_clause") &&
		ep.NamedChildCount() == 1 && ep.Parent() != nil && ep.Parent().Kind() == "if_statement" &&
		ep.Parent().Parent() != nil && ep.Parent().Parent().Kind() == "compound_statement" {
		ifs := ep.Parent()
		ind := indentAt(c.src, start(ifs))
		c.edit(start(ifs), end(ep), assign+";\n"+ind+"if ("+ptr+" == NULL)")
		return
	}
	if e == o && ep != nil && ep.Kind() == "expression_statement" {
		c.edit(start(e), end(e), assign)
		return
	}
	if e != o {
		if failTest {
			c.edit(start(e), end(e), "("+assign+") == NULL")
		} else {
			c.edit(start(e), end(e), "("+assign+") != NULL")
		}
		return
	}
	c.edit(start(e), end(e), "(("+assign+") == NULL ? -1 : 0)")
}

// emitRegs rewrites PyModule_AddObject(m, "Foo", (PyObject *)&Foo_Type).
func (c *conv) emitRegs() {
	short := ""
	if strings.HasPrefix(c.specName, "\"") && strings.HasSuffix(c.specName, "\"") {
		short = strings.Trim(c.specName, "\"")
		if i := strings.LastIndexByte(short, '.'); i >= 0 {
			short = short[i+1:]
		}
	}
	for _, call := range c.regs {
		args := callArgs(call)
		addr := unwrapExpr(c.src, args[2])
		ptr := c.ptrAt(call)
		mod, name := c.text(args[0]), c.text(args[1])
		stmt := statementOf(call)
		incref := c.findIncref(stmt)
		if !c.target.Less(v310) && (incref != nil || !c.increfElsewhere(call)) {
			nc := "PyModule_AddObjectRef(" + mod + ", " + name + ", (PyObject *)" + ptr + ")"
			if short != "" && name == "\""+short+"\"" && c.available("PyModule_AddType") {
				nc = "PyModule_AddType(" + mod + ", " + ptr + ")"
			}
			c.edit(start(call), end(call), nc)
			c.consumed[start(addr)] = true
			if incref != nil {
				c.consumeStmt(incref)
				c.deleteStmt(incref)
				if stmt.Kind() == "if_statement" {
					if cons := stmt.ChildByFieldName("consequence"); cons != nil {
						c.dropDecrefs(cons)
					}
				}
			}
			continue
		}
		if incref != nil {
			// the idiom is right: Py_INCREF, then AddObject steals it
			c.edit(start(addr), end(addr), ptr)
			c.consumed[start(addr)] = true
			continue
		}
		// AddObject without Py_INCREF: it steals the reference the pointer
		// holds. Give the module its own, and take it back on failure.
		ind := indentAt(c.src, start(stmt))
		inBlock := stmt.Parent() != nil && stmt.Parent().Kind() == "compound_statement"
		switch {
		case inBlock && stmt.Kind() == "expression_statement" && start(outerExpr(c.src, call)) == start(stmt):
			c.consumed[start(addr)] = true
			nc := "PyModule_AddObject(" + mod + ", " + name + ", (PyObject *)" + ptr + ")"
			c.edit(start(stmt), end(stmt), "Py_INCREF("+ptr+");\n"+ind+"if ("+nc+" < 0) {\n"+ind+c.indent+"Py_DECREF("+ptr+");\n"+ind+"}")
		case inBlock && stmt.Kind() == "if_statement" && c.isFailTest(stmt, call):
			c.edit(start(addr), end(addr), ptr)
			c.consumed[start(addr)] = true
			c.edit(lineStart(c.src, start(stmt)), lineStart(c.src, start(stmt)), ind+"Py_INCREF("+ptr+");\n")
			cons := stmt.ChildByFieldName("consequence")
			if cons.Kind() == "compound_statement" {
				inner := ind + c.indent
				if cons.NamedChildCount() > 0 {
					inner = indentAt(c.src, start(cons.NamedChild(0)))
				}
				c.edit(start(cons)+1, start(cons)+1, "\n"+inner+"Py_DECREF("+ptr+");")
			} else {
				c.edit(start(cons), start(cons), "{ Py_DECREF("+ptr+"); ")
				c.edit(end(cons), end(cons), " }")
			}
		default:
			c.edit(start(addr), end(addr), ptr)
			c.consumed[start(addr)] = true
			c.note(start(call), end(call), "PyModule_AddObject steals the reference %s holds: the module keeps the type alive, the pointer borrows it", c.name)
		}
	}
}

// isFailTest reports whether the condition of ifs tests call for failure.
func (c *conv) isFailTest(ifs, call *sitter.Node) bool {
	cond := ifs.ChildByFieldName("condition")
	if cond == nil {
		return false
	}
	inner := cond.NamedChild(0)
	if inner == nil {
		return false
	}
	o := outerExpr(c.src, call)
	if start(inner) == start(o) && end(inner) == end(o) {
		return true
	}
	if inner.Kind() == "binary_expression" {
		l := inner.ChildByFieldName("left")
		op := c.text(inner.ChildByFieldName("operator"))
		rt := strings.TrimSpace(c.text(inner.ChildByFieldName("right")))
		return l != nil && start(l) == start(o) && end(l) == end(o) &&
			(op == "<" && rt == "0" || op == "!=" && rt == "0" || op == "==" && rt == "-1")
	}
	return false
}

// isTypeAddr reports whether n is (a cast of) &Foo_Type.
func (c *conv) isTypeAddr(n *sitter.Node) bool {
	u := unwrapExpr(c.src, n)
	if u == nil || u.Kind() != "pointer_expression" {
		return false
	}
	a := u.ChildByFieldName("argument")
	return a != nil && a.Kind() == "identifier" && c.text(a) == c.name && strings.HasPrefix(c.text(u), "&")
}

// findIncref returns the Py_INCREF(&Foo_Type); statement that precedes
// stmt in its block, when no other statement mentioning the type comes
// between them.
func (c *conv) findIncref(stmt *sitter.Node) *sitter.Node {
	if stmt == nil || stmt.Parent() == nil || stmt.Parent().Kind() != "compound_statement" {
		return nil
	}
	for s := stmt.PrevNamedSibling(); s != nil; s = s.PrevNamedSibling() {
		if s.Kind() == "comment" || !hasWord(c.src, start(s), end(s), c.name) {
			continue
		}
		if c.isRefStmt(s, "Py_INCREF", "Py_XINCREF") {
			return s
		}
		return nil
	}
	return nil
}

// isRefStmt reports whether s is `NAME(&Foo_Type);` for one of names.
func (c *conv) isRefStmt(s *sitter.Node, names ...string) bool {
	if s.Kind() != "expression_statement" || s.NamedChildCount() < 1 {
		return false
	}
	call := s.NamedChild(0)
	name := callName(c.src, call)
	ok := false
	for _, n := range names {
		ok = ok || n == name
	}
	if !ok {
		return false
	}
	args := callArgs(call)
	return len(args) == 1 && c.isTypeAddr(args[0])
}

// increfElsewhere reports whether the function registering the type
// increments its reference count somewhere the idiom search did not find.
func (c *conv) increfElsewhere(call *sitter.Node) bool {
	fn := enclosingFunc(call)
	for _, u := range c.addrUses {
		if !same(enclosingFunc(u), fn) || c.consumed[start(u)] {
			continue
		}
		cl, _ := argCall(c.src, u)
		if n := callName(c.src, cl); n == "Py_INCREF" || n == "Py_XINCREF" || n == "Py_NewRef" || n == "Py_XNewRef" {
			return true
		}
	}
	return false
}

// consumeStmt marks the type uses inside n as handled.
func (c *conv) consumeStmt(n *sitter.Node) {
	for _, u := range c.addrUses {
		if start(u) >= start(n) && end(u) <= end(n) {
			c.consumed[start(u)] = true
		}
	}
}

// dropDecrefs deletes Py_DECREF(&Foo_Type); in an error branch whose
// Py_INCREF was dropped.
func (c *conv) dropDecrefs(cons *sitter.Node) {
	if cons.Kind() != "compound_statement" {
		if c.isRefStmt(cons, "Py_DECREF", "Py_XDECREF") {
			c.consumeStmt(cons)
			c.edit(start(cons), end(cons), ";")
		}
		return
	}
	for i := uint(0); i < cons.NamedChildCount(); i++ {
		s := cons.NamedChild(i)
		if c.isRefStmt(s, "Py_DECREF", "Py_XDECREF") {
			c.consumeStmt(s)
			c.deleteStmt(s)
		}
	}
}

// emitState adds the pointer to the module state struct and to the
// module's traverse and clear functions.
func (c *conv) emitState() {
	body := c.mod.stateFields
	closeAt := end(body) - 1
	ind := c.indent
	if body.NamedChildCount() > 0 {
		last := body.NamedChild(body.NamedChildCount() - 1)
		ind = indentAt(c.src, start(last))
	}
	ls := lineStart(c.src, closeAt)
	if strings.TrimSpace(string(c.src[ls:closeAt])) == "" {
		c.edit(ls, ls, ind+"PyTypeObject *"+c.name+";\n")
	} else {
		c.edit(closeAt, closeAt, " PyTypeObject *"+c.name+"; ")
	}
	c.addToModuleFunc(c.fn(c.mod.traverse), "Py_VISIT")
	c.addToModuleFunc(c.fn(c.mod.clear), "Py_CLEAR")
}

// addToModuleFunc adds MACRO(state->Foo_Type); after the function's last
// MACRO(...) statement (or before its final return).
func (c *conv) addToModuleFunc(fn *sitter.Node, macro string) {
	body := fn.ChildByFieldName("body")
	names, _ := funcParams(c.src, fn)
	var last *sitter.Node
	walk(body, func(n *sitter.Node) bool {
		if n.Kind() == "expression_statement" && n.NamedChildCount() > 0 && callName(c.src, n.NamedChild(0)) == macro {
			last = n
		}
		return true
	})
	if last != nil {
		args := callArgs(last.NamedChild(0))
		prefix := ""
		if len(args) == 1 {
			if a := unwrapExpr(c.src, args[0]); a.Kind() == "field_expression" && strings.Contains(c.text(a), "->") {
				prefix = c.text(a.ChildByFieldName("argument"))
			}
		}
		expr := ""
		if prefix != "" {
			expr = prefix + "->" + c.name
		} else if len(names) > 0 {
			expr = c.stateExpr(fn, names[0], end(last))
		}
		c.edit(end(last), end(last), "\n"+indentAt(c.src, start(last))+macro+"("+expr+");")
		return
	}
	if len(names) == 0 {
		return
	}
	expr := c.stateExpr(fn, names[0], end(body))
	// before the last return, or before the closing brace
	n := body.NamedChildCount()
	if n > 0 {
		l := body.NamedChild(n - 1)
		if l.Kind() == "return_statement" {
			ind := indentAt(c.src, start(l))
			c.edit(lineStart(c.src, start(l)), lineStart(c.src, start(l)), ind+macro+"("+expr+");\n")
			return
		}
	}
	c.edit(end(body)-1, end(body)-1, c.indent+macro+"("+expr+");\n")
}
