package heaptype

import (
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// findUses classifies every occurrence of the type's name in the file. Any
// occurrence the conversion does not understand is a problem: a use left
// behind would no longer compile, or worse, compile and misbehave.
func (c *conv) findUses() {
	defS, defE := start(c.def), end(c.def)
	for i, t := range c.toks {
		if !isIdent(c.src, t, c.name) {
			continue
		}
		if t.inDirective {
			if i > 0 && isPunct(c.src, c.toks[i-1], "&") && c.toks[i-1].inDirective {
				c.macroUses = append(c.macroUses, c.toks[i-1].start)
				continue
			}
			c.problem(t.start, t.end, "%s is used in a preprocessor directive other than as &%s", c.name, c.name)
			continue
		}
		n := c.root.NamedDescendantForByteRange(uint(t.start), uint(t.end))
		if n == nil || n.Kind() != "identifier" || start(n) != t.start || end(n) != t.end {
			c.problem(t.start, t.end, "could not parse this use of %s", c.name)
			continue
		}
		if t.start >= defS && t.end <= defE {
			if p := n.Parent(); p != nil && p.Kind() == "init_declarator" {
				continue // the definition's own name
			}
			c.problem(t.start, t.end, "%s refers to itself in its initializer", c.name)
			continue
		}
		if c.isFwd(n) {
			continue
		}
		c.classify(n)
	}
	if c.ready == nil {
		c.problem(start(c.def), end(c.def), "no PyType_Ready(&%s) in this file: the conversion creates the type where it is readied", c.name)
		return
	}
	c.readyFn = enclosingFunc(c.ready)
	rs := start(c.ready)
	before := func(n *sitter.Node) bool {
		return same(enclosingFunc(n), c.readyFn) && start(n) < rs
	}
	for _, u := range c.addrUses {
		if before(u) {
			c.problem(start(u), end(u), "%s is used before PyType_Ready(&%s), where the heap type will be created", c.text(u), c.name)
		}
	}
	for _, u := range c.slotCalls {
		if before(u) {
			c.problem(start(u), end(u), "%s is used before PyType_Ready(&%s), where the heap type will be created", c.text(u), c.name)
		}
	}
	for _, u := range c.regs {
		if before(u) {
			c.problem(start(u), end(u), "%s is added to the module before PyType_Ready(&%s)", c.name, c.name)
		}
	}
	locals := c.localNames(c.readyFn)
	for _, a := range c.assigns {
		if !same(enclosingFunc(a.stmt), c.readyFn) || start(a.stmt) > rs {
			c.problem(start(a.stmt), end(a.stmt), "%s.%s is assigned after the type is readied (or in another function); a heap type's slots are fixed when it is created", c.name, a.field)
			continue
		}
		vtoks := tokenize(c.src, start(a.value), end(a.value), false)
		for _, t := range vtoks {
			if t.kind == tIdent && locals[t.text(c.src)] {
				c.problem(start(a.value), end(a.value), "%s.%s is set from the local %s: the conversion needs a value known when the type is created", c.name, a.field, t.text(c.src))
				break
			}
		}
		role := typeFieldRole(a.field)
		if role == roleSlot || role == roleSub {
			if _, _, ok := refName(c.src, vtoks); !ok && !(len(vtoks) == 1 && (vtoks[0].kind == tString || vtoks[0].kind == tNumber)) {
				c.problem(start(a.value), end(a.value), "%s.%s = %s: the slot value must be a constant (a function or variable name)", c.name, a.field, c.text(a.value))
				continue
			}
		}
		field := a.field
		if f, ok := typeFieldAliases[field]; ok {
			field = f
		}
		c.setField(field, a.field, vtoks, start(a.value), end(a.value), true)
	}
	c.checkSubsShared()
}

// isFwd reports whether n names the type in a file-scope declaration
// without initializer (a forward declaration; recorded in findDef).
func (c *conv) isFwd(n *sitter.Node) bool {
	for _, d := range c.fwd {
		if start(n) >= start(d) && end(n) <= end(d) {
			return true
		}
	}
	return false
}

// classify records one use of the type's name.
func (c *conv) classify(n *sitter.Node) {
	p := n.Parent()
	fn := enclosingFunc(n)
	switch {
	case p != nil && p.Kind() == "pointer_expression" && p.ChildByFieldName("argument") != nil &&
		start(p.ChildByFieldName("argument")) == start(n) && strings.HasPrefix(c.text(p), "&"):
		if fn == nil {
			c.staticInitUse(p)
			return
		}
		call, idx := argCall(c.src, p)
		switch name := callName(c.src, call); {
		case name == "PyType_Ready" && idx == 0:
			if c.ready != nil {
				c.problem(start(call), end(call), "PyType_Ready(&%s) is called more than once; the conversion creates the type at the single call", c.name)
				return
			}
			c.ready = call
		case name == "PyModule_AddObject" && idx == 2:
			c.regs = append(c.regs, call)
		default:
			c.addrUses = append(c.addrUses, p)
		}
	case p != nil && p.Kind() == "field_expression" && p.ChildByFieldName("argument") != nil &&
		start(p.ChildByFieldName("argument")) == start(n):
		op := ""
		if o := p.ChildByFieldName("operator"); o != nil {
			op = c.text(o)
		} else if p.ChildCount() > 1 {
			op = c.text(p.Child(1))
		}
		fld := p.ChildByFieldName("field")
		if op != "." || fld == nil || fn == nil {
			c.problem(start(p), end(p), "unsupported use of %s: %s", c.name, c.text(p))
			return
		}
		field := c.text(fld)
		gp := p.Parent()
		if gp != nil && gp.Kind() == "assignment_expression" && gp.ChildByFieldName("left") != nil &&
			start(gp.ChildByFieldName("left")) == start(p) && gp.Parent() != nil && gp.Parent().Kind() == "expression_statement" {
			if o := gp.ChildByFieldName("operator"); o == nil || c.text(o) == "=" {
				c.assigns = append(c.assigns, assign{stmt: gp.Parent(), field: field, value: gp.ChildByFieldName("right"), id: start(n)})
				return
			}
		}
		if gp != nil && gp.Kind() == "call_expression" && gp.ChildByFieldName("function") != nil &&
			start(gp.ChildByFieldName("function")) == start(p) && slotFuncType[field] != "" {
			c.slotCalls = append(c.slotCalls, p)
			return
		}
		if field == "tp_dict" {
			c.problem(start(p), end(p), "%s.tp_dict is not accessible in the Limited API: set and get the type's attributes with PyObject_SetAttrString / PyObject_GetAttrString on the type before converting", c.name)
			return
		}
		c.problem(start(p), end(p), "%s.%s reads a member of the type object, which is opaque in the Limited API: rewrite it (e.g. PyType_GetSlot, PyType_GetFlags, PyType_GetName) before converting", c.name, field)
	default:
		ctx := outerExpr(c.src, n)
		if q := ctx.Parent(); q != nil && q.Kind() == "sizeof_expression" {
			c.problem(start(q), end(q), "%s: the size of a type object is not part of the Limited API, and a heap type's size is not known at compile time", c.text(q))
			return
		}
		if same(ctx, n) && p != nil {
			ctx = p
		}
		c.problem(start(ctx), end(ctx), "unsupported use of %s (%s): only &%s, %s.tp_x = value before PyType_Ready, and calls of %s.tp_alloc/tp_free are converted", c.name, oneLine(c.text(ctx)), c.name, c.name, c.name)
	}
}

// slotFuncType is the function pointer type of slots the conversion reads
// with PyType_GetSlot.
var slotFuncType = map[string]string{
	"tp_alloc": "allocfunc", "tp_free": "freefunc", "tp_new": "newfunc", "tp_dealloc": "destructor",
	"tp_init": "initproc", "tp_repr": "reprfunc", "tp_str": "reprfunc", "tp_hash": "hashfunc",
	"tp_call": "ternaryfunc", "tp_iter": "getiterfunc", "tp_iternext": "iternextfunc",
	"tp_getattro": "getattrofunc", "tp_setattro": "setattrofunc", "tp_richcompare": "richcmpfunc",
	"tp_traverse": "traverseproc", "tp_clear": "inquiry", "tp_descr_get": "descrgetfunc",
	"tp_descr_set": "descrsetfunc",
}

// staticInitUse reports &Foo_Type in a file-scope initializer.
func (c *conv) staticInitUse(p *sitter.Node) {
	for q := p.Parent(); q != nil; q = q.Parent() {
		if q.Kind() != "declaration" {
			continue
		}
		if isTypeObjectDecl(c.src, q) {
			for _, dd := range declarators(q) {
				other, id := declaratorName(c.src, dd)
				v := dd.ChildByFieldName("value")
				if dd.Kind() != "init_declarator" || v == nil || v.Kind() != "initializer_list" || !same(id.Parent(), dd) {
					continue
				}
				il := parseInit(c.src, start(v), end(v)-1, typeFields, typeFieldAliases, "ob_base")
				role := "in the static initializer of " + other
				if h := il.head; h != nil && start(p) >= h.start && end(p) <= h.end {
					role = "as the metatype of the static type " + other
				} else if e := il.get("tp_base"); e != nil && start(p) >= e.start && end(p) <= e.end {
					role = "as the base of the static type " + other
				}
				c.problem(start(p), end(p), "%s is used %s, which needs its address at compile time: convert %s first", c.name, role, other)
				return
			}
		}
		break
	}
	c.problem(start(p), end(p), "%s is used in a static initializer: a heap type exists only at run time, so this initializer cannot refer to it", c.name)
}

// localNames returns the parameter and local variable names of fn.
func (c *conv) localNames(fn *sitter.Node) map[string]bool {
	out := map[string]bool{}
	if fn == nil {
		return out
	}
	names, _ := funcParams(c.src, fn)
	for _, n := range names {
		out[n] = true
	}
	if body := fn.ChildByFieldName("body"); body != nil {
		walk(body, func(n *sitter.Node) bool {
			if n.Kind() == "declaration" {
				for _, dd := range declarators(n) {
					if name, _ := declaratorName(c.src, dd); name != "" {
						out[name] = true
					}
				}
			}
			return true
		})
	}
	return out
}

// checkSubsShared decides which method suites can be deleted: a suite
// also used by another static type stays (that type still needs it); any
// other use is a problem (it could change the suite after the conversion
// read it).
func (c *conv) checkSubsShared() {
	elemRange := func(name string) (int, int) {
		for _, e := range c.il.elems {
			if n, _, ok := refName(c.src, e.toks); ok && n == name {
				return e.start, e.end
			}
		}
		for _, a := range c.assigns {
			if n, _, ok := refName(c.src, tokenize(c.src, start(a.value), end(a.value), false)); ok && n == name {
				return start(a.value), end(a.value)
			}
		}
		return -1, -1
	}
	for i := range c.subs {
		s := &c.subs[i]
		es, ee := elemRange(s.name)
		for _, t := range c.toks {
			if !isIdent(c.src, t, s.name) || t.start >= es && t.end <= ee {
				continue
			}
			if t.start >= start(s.decl) && t.end <= end(s.decl) {
				if n := c.root.NamedDescendantForByteRange(uint(t.start), uint(t.end)); n != nil && n.Parent() != nil && n.Parent().Kind() == "init_declarator" {
					continue
				}
			}
			if d := c.fileDeclAt(t.start); d != nil && isTypeObjectDecl(c.src, d) {
				s.shared = true
				continue
			}
			c.problem(t.start, t.end, "%s is also used here: the conversion copies its slots and deletes it, so this use must go first", s.name)
		}
	}
}

// fileDeclAt returns the file-scope declaration containing off, if any.
func (c *conv) fileDeclAt(off int) *sitter.Node {
	for _, d := range c.decls {
		if off >= start(d) && off < end(d) {
			return d
		}
	}
	return nil
}

func oneLine(s string) string {
	s = foldSpace(s)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func foldSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
