package heaptype

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// selfExpr is the first parameter as a PyObject * expression.
func selfExpr(name, typ string) string {
	if strings.ReplaceAll(typ, " ", "") == "PyObject*" {
		return name
	}
	return "(PyObject *)" + name
}

// calls returns the call_expressions inside n, in order.
func calls(n *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	walk(n, func(x *sitter.Node) bool {
		if x.Kind() == "call_expression" {
			out = append(out, x)
		}
		return true
	})
	return out
}

// uniqueName returns the first of names that does not occur in src[s:e].
func uniqueName(src []byte, s, e int, names ...string) string {
	for _, n := range names {
		if !hasWord(src, s, e, n) {
			return n
		}
	}
	return names[len(names)-1] + "_"
}

// rewriteDealloc makes tp_dealloc release the reference every instance of
// a heap type holds to its type: Py_DECREF(tp) after the object is freed.
// Slot reads the Limited API hides (Py_TYPE(self)->tp_free) become
// PyType_GetSlot calls.
func (c *conv) rewriteDealloc() {
	if c.deallocFn == "" {
		return // the default (subtype_dealloc) releases the type
	}
	if freeFuncs[c.deallocFn] {
		c.wrapDealloc()
		return
	}
	fn := c.fn(c.deallocFn)
	if fn == nil {
		c.problem(start(c.def), end(c.def), "tp_dealloc %s is not defined in this file: the conversion must add Py_DECREF of the type to it", c.deallocFn)
		return
	}
	body := fn.ChildByFieldName("body")
	names, types := funcParams(c.src, fn)
	if body == nil || len(names) == 0 || names[0] == "" {
		c.problem(start(fn), end(fn), "%s has no named parameter", c.deallocFn)
		return
	}
	self := selfExpr(names[0], types[0])
	sharedStatic, ok := c.deallocUsers()
	if !ok {
		return
	}
	tpVars := map[string]bool{}
	walk(body, func(n *sitter.Node) bool {
		if n.Kind() == "init_declarator" {
			if v := n.ChildByFieldName("value"); v != nil && strings.HasPrefix(c.text(v), "Py_TYPE(") {
				name, _ := declaratorName(c.src, n)
				tpVars[name] = true
			}
		}
		return true
	})
	tp := ""
	for v := range tpVars {
		if tp == "" || v < tp {
			tp = v
		}
	}
	newVar := tp == ""
	if newVar {
		tp = uniqueName(c.src, start(fn), end(fn), "tp", "type", "self_type")
	}
	hasDecref, failed := false, false
	var frees []*sitter.Node
	var freeEdits []Edit
	for _, call := range calls(body) {
		name := callName(c.src, call)
		switch {
		case name == "Py_DECREF" || name == "Py_XDECREF":
			if args := callArgs(call); len(args) == 1 {
				a := c.text(unwrapExpr(c.src, args[0]))
				if strings.HasPrefix(a, "Py_TYPE(") || tpVars[a] {
					hasDecref = true
				}
			}
		case freeFuncs[name]:
			frees = append(frees, call)
		case name == "":
			f := call.ChildByFieldName("function")
			if f == nil || f.Kind() != "field_expression" {
				continue
			}
			field := c.text(f.ChildByFieldName("field"))
			obj := f.ChildByFieldName("argument")
			arrow := strings.Contains(c.text(f), "->")
			switch field {
			case "tp_free":
				var o string
				switch {
				case arrow && strings.ReplaceAll(c.text(obj), " ", "") == "Py_TYPE("+names[0]+")":
					o = "%TP%"
				case arrow:
					o = c.text(obj)
				case obj.Kind() == "identifier" && c.text(obj) == c.name:
					o = "Py_TYPE(" + self + ")"
					c.consumed[start(f)] = true
				case obj.Kind() == "identifier" && !c.target.Less(v310):
					o = "&" + c.text(obj)
				default:
					c.problem(start(f), end(f), "%s calls %s: PyType_GetSlot reads slots of static types only from 3.10 (target %s)", c.deallocFn, c.text(f), c.target)
					failed = true
					continue
				}
				freeEdits = append(freeEdits, Edit{start(f), end(f), "((freefunc)PyType_GetSlot(" + o + ", Py_tp_free))"})
				frees = append(frees, call)
			case "tp_dealloc":
				// the base type's dealloc frees the object
				if arrow || obj.Kind() != "identifier" || c.text(obj) == c.name {
					c.problem(start(f), end(f), "%s calls %s: the conversion reads a base's tp_dealloc only as BaseType.tp_dealloc", c.deallocFn, c.text(f))
					failed = true
					continue
				}
				if c.target.Less(v310) {
					c.problem(start(f), end(f), "%s calls %s: reading a static type's slot needs PyType_GetSlot on a static type, which works from 3.10 (target %s)", c.deallocFn, c.text(f), c.target)
					failed = true
					continue
				}
				c.edit(start(f), end(f), "((destructor)PyType_GetSlot(&"+c.text(obj)+", Py_tp_dealloc))")
				frees = append(frees, call)
			}
		}
	}
	// Py_TYPE(self)->tp_free: read the slot from the saved type
	for _, e := range freeEdits {
		if hasDecref && newVar {
			e.NewText = strings.ReplaceAll(e.NewText, "%TP%", "Py_TYPE("+names[0]+")")
		} else {
			e.NewText = strings.ReplaceAll(e.NewText, "%TP%", tp)
		}
		c.edit(e.Start, e.End, e.NewText)
	}
	if hasDecref || failed {
		return
	}
	if len(frees) == 0 {
		c.problem(start(fn), end(fn), "could not find where %s frees the object (tp_free, PyObject_Del, PyObject_GC_Del or a base's tp_dealloc): add Py_DECREF(Py_TYPE(self)) after it by hand", c.deallocFn)
		return
	}
	decref := "Py_DECREF(" + tp + ");"
	if sharedStatic && c.target.Less(v310) && len(freeEdits) > 0 {
		c.problem(freeEdits[0].Start, freeEdits[0].End, "%s is shared with another static type, and reading tp_free with PyType_GetSlot works on static types only from 3.10 (target %s): convert with target 3.10, or give each type its own dealloc", c.deallocFn, c.target)
		return
	}
	if sharedStatic {
		decref = "if (PyType_GetFlags(" + tp + ") & Py_TPFLAGS_HEAPTYPE) {\n%IND%" + c.indent + "Py_DECREF(" + tp + ");\n%IND%}"
	}
	for _, call := range frees {
		o := outerExpr(c.src, call)
		stmt := o.Parent()
		if stmt == nil || stmt.Kind() != "expression_statement" {
			c.problem(start(call), end(call), "%s frees the object inside an expression: add Py_DECREF(Py_TYPE(self)) after it by hand", c.deallocFn)
			return
		}
		ind := indentAt(c.src, start(stmt))
		if stmt.Parent() != nil && stmt.Parent().Kind() == "compound_statement" {
			c.edit(end(stmt), end(stmt), "\n"+ind+strings.ReplaceAll(decref, "%IND%", ind))
		} else {
			one := strings.ReplaceAll(strings.ReplaceAll(decref, "\n", " "), "%IND%"+c.indent, "")
			one = strings.ReplaceAll(one, "%IND%", "")
			c.edit(start(stmt), start(stmt), "{ ")
			c.edit(end(stmt), end(stmt), " "+one+" }")
		}
	}
	if newVar {
		ind := c.indent
		if body.NamedChildCount() > 0 {
			ind = indentAt(c.src, start(body.NamedChild(0)))
		}
		c.edit(start(body)+1, start(body)+1, "\n"+ind+"PyTypeObject *"+tp+" = Py_TYPE("+self+");")
	}
	c.note(start(fn), end(fn), "%s now releases the instance's reference to its type (heap types are reference counted by their instances)", c.deallocFn)
}

// deallocUsers checks who else uses the tp_dealloc function. It reports
// whether another static type shares it (the Py_DECREF must then be
// conditional) and false after a problem.
func (c *conv) deallocUsers() (sharedStatic, ok bool) {
	for _, t := range c.toks {
		if !isIdent(c.src, t, c.deallocFn) || within(t, c.def) || c.inAssign(t) || t.inDirective {
			continue
		}
		n := c.root.NamedDescendantForByteRange(uint(t.start), uint(t.end))
		if n != nil && n.Parent() != nil && n.Parent().Kind() == "function_declarator" {
			continue // its definition or a prototype
		}
		if d := c.fileDeclAt(t.start); d != nil {
			if isTypeObjectDecl(c.src, d) {
				sharedStatic = true
				continue
			}
			if tt := d.ChildByFieldName("type"); tt != nil && c.text(tt) == "PyType_Slot" {
				continue // another heap type: it releases its type too
			}
		}
		c.problem(t.start, t.end, "%s is also used here: the conversion adds Py_DECREF of the type to it, which would be wrong for this use", c.deallocFn)
		return false, false
	}
	return sharedStatic, true
}

// rewriteTraverse makes a GC type's tp_traverse visit the type (3.9+).
func (c *conv) rewriteTraverse() {
	if !c.gc || c.traverseFn == "" {
		return
	}
	fn := c.fn(c.traverseFn)
	if fn == nil {
		c.problem(start(c.def), end(c.def), "tp_traverse %s is not defined in this file: the conversion must make it visit the type", c.traverseFn)
		return
	}
	body := fn.ChildByFieldName("body")
	names, types := funcParams(c.src, fn)
	if body == nil || len(names) < 3 || names[0] == "" {
		c.problem(start(fn), end(fn), "%s does not have the (self, visit, arg) parameters of a tp_traverse", c.traverseFn)
		return
	}
	for _, call := range calls(body) {
		if n := callName(c.src, call); n == "Py_VISIT" {
			if args := callArgs(call); len(args) == 1 && strings.HasPrefix(c.text(unwrapExpr(c.src, args[0])), "Py_TYPE(") {
				return
			}
		}
	}
	if c.target.Less(abi.V(3, 9)) {
		c.note(start(fn), end(fn), "%s does not visit the type: a heap type's tp_traverse must visit Py_TYPE(self) from 3.9, but doing so crashes subclasses before 3.9 (bpo-40217); add Py_VISIT(Py_TYPE(self)) when the target is 3.9 or newer", c.traverseFn)
		return
	}
	self := selfExpr(names[0], types[0])
	text := "Py_VISIT(Py_TYPE(" + self + "));"
	if names[1] != "visit" || names[2] != "arg" {
		r := uniqueName(c.src, start(fn), end(fn), "vret", "visit_ret")
		text = "{ int " + r + " = " + names[1] + "((PyObject *)Py_TYPE(" + self + "), " + names[2] + "); if (" + r + ") return " + r + "; }"
	}
	var first *sitter.Node
	for i := uint(0); i < body.NamedChildCount(); i++ {
		s := body.NamedChild(i)
		if s.Kind() == "comment" || s.Kind() == "declaration" {
			continue
		}
		first = s
		break
	}
	if first != nil {
		ls := lineStart(c.src, start(first))
		if strings.TrimSpace(string(c.src[ls:start(first)])) == "" {
			c.edit(ls, ls, indentAt(c.src, start(first))+text+"\n")
			return
		}
		c.edit(start(first), start(first), text+" ")
		return
	}
	c.edit(end(body)-1, end(body)-1, c.indent+text+"\n")
}

// rewriteAllocs rewrites type->tp_alloc(...) and self->ob_type->tp_free
// calls in the type's slot functions (other than tp_dealloc) into
// PyType_GetSlot calls: the type is a heap type now, so this works on
// every target.
func (c *conv) rewriteAllocs() {
	seen := map[string]bool{c.deallocFn: true}
	for _, name := range c.slotFuncs {
		if seen[name] {
			continue
		}
		seen[name] = true
		fn := c.fn(name)
		if fn == nil {
			continue
		}
		for _, call := range calls(fn) {
			f := call.ChildByFieldName("function")
			if f == nil || f.Kind() != "field_expression" || !strings.Contains(c.text(f), "->") {
				continue
			}
			field := c.text(f.ChildByFieldName("field"))
			if field != "tp_alloc" && field != "tp_free" {
				continue
			}
			if c.target.Less(v310) {
				if other := c.staticUser(name); other != "" {
					c.problem(start(f), end(f), "%s is also a slot of the static type %s, and reading %s with PyType_GetSlot works on static types only from 3.10 (target %s): convert both with target 3.10, or give each type its own function", name, other, field, c.target)
					continue
				}
			}
			c.edit(start(f), end(f), "(("+slotFuncType[field]+")PyType_GetSlot("+c.text(f.ChildByFieldName("argument"))+", "+slotName(field)+"))")
		}
	}
}

// staticUser returns the name of another static type whose initializer
// (or method suite) names the function fn, or "".
func (c *conv) staticUser(fn string) string {
	for _, t := range c.toks {
		if !isIdent(c.src, t, fn) || within(t, c.def) || t.inDirective {
			continue
		}
		d := c.fileDeclAt(t.start)
		if d == nil {
			continue
		}
		if isTypeObjectDecl(c.src, d) {
			for _, dd := range declarators(d) {
				if n, _ := declaratorName(c.src, dd); n != "" {
					return n
				}
			}
		}
		if tt := d.ChildByFieldName("type"); tt != nil {
			for _, ss := range subStructs {
				if c.text(tt) == ss.typeName && !c.ownSub(d) {
					n, _ := declaratorName(c.src, declarators(d)[0])
					return "using " + n
				}
			}
		}
	}
	return ""
}

// ownSub reports whether d is one of the method suites this type reads.
func (c *conv) ownSub(d *sitter.Node) bool {
	for _, s := range c.subs {
		if same(s.decl, d) {
			return true
		}
	}
	return false
}

// wrapDealloc handles tp_dealloc = PyObject_Del (or another free function):
// a heap type needs a dealloc that also releases the type, so the
// conversion writes one.
func (c *conv) wrapDealloc() {
	name := c.name + "_dealloc"
	if c.hasToken(name) {
		c.problem(start(c.def), end(c.def), "tp_dealloc is %s, and the name %s for a dealloc that also releases the type is taken", c.deallocFn, name)
		return
	}
	for i := range c.slots {
		if c.slots[i].field == "tp_dealloc" {
			c.slots[i].value = name
		}
	}
	ind := c.indent
	c.prelude += "static void\n" + name + "(PyObject *self)\n{\n" +
		ind + "PyTypeObject *tp = Py_TYPE(self);\n" +
		ind + c.deallocFn + "(self);\n" +
		ind + "Py_DECREF(tp);\n}\n\n"
	c.note(start(c.def), end(c.def), "tp_dealloc was %s: %s calls it and releases the type", c.deallocFn, name)
}
