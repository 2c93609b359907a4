package heaptype

import (
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// moduleInfo is what the conversion knows of a PyModuleDef.
type moduleInfo struct {
	name        string
	decl        *sitter.Node
	stateType   string       // the type in m_size = sizeof(T); "" without state
	stateFields *sitter.Node // the field_declaration_list of that struct
	exec        map[string]bool
	methods     map[string]bool // module-level functions (m_methods)
	traverse    string
	clear       string
}

// moduleDefs reads the file's PyModuleDef definitions.
func (c *conv) moduleDefs() []*moduleInfo {
	var out []*moduleInfo
	for _, d := range c.decls {
		t := d.ChildByFieldName("type")
		if t == nil {
			continue
		}
		if tt := c.text(t); tt != "PyModuleDef" && tt != "struct PyModuleDef" {
			continue
		}
		for _, dd := range declarators(d) {
			v := dd.ChildByFieldName("value")
			if dd.Kind() != "init_declarator" || v == nil || v.Kind() != "initializer_list" {
				continue
			}
			name, _ := declaratorName(c.src, dd)
			il := parseInit(c.src, start(v), end(v)-1, moduleDefFields, moduleDefAliases, "m_base")
			m := &moduleInfo{name: name, decl: d, exec: map[string]bool{}, methods: map[string]bool{}}
			if e := il.get("m_size"); e != nil {
				toks := e.toks
				if len(toks) >= 4 && isIdent(c.src, toks[0], "sizeof") && isPunct(c.src, toks[1], "(") &&
					matchClose(c.src, toks, 1) == len(toks)-1 {
					m.stateType = joinToks(c.src, toks[2:len(toks)-1])
					m.stateFields = c.findStruct(m.stateType)
				}
			}
			if e := il.get("m_methods"); e != nil {
				if n, _, ok := refName(c.src, e.toks); ok {
					for _, f := range c.arrayEntries(n, 1) {
						m.methods[f] = true
					}
				}
			}
			if e := il.get("m_slots"); e != nil {
				if n, _, ok := refName(c.src, e.toks); ok {
					for _, pair := range c.arrayPairs(n) {
						if pair[0] == "Py_mod_exec" {
							m.exec[pair[1]] = true
						}
					}
				}
			}
			if e := il.get("m_traverse"); e != nil {
				m.traverse, _, _ = refName(c.src, e.toks)
			}
			if e := il.get("m_clear"); e != nil {
				m.clear, _, _ = refName(c.src, e.toks)
			}
			out = append(out, m)
		}
	}
	return out
}

// findStruct returns the member list of the struct named typ ("foo_state"
// for a typedef, "struct foo_state" for a tag) defined in the file.
func (c *conv) findStruct(typ string) *sitter.Node {
	tag := ""
	if len(typ) > 7 && typ[:7] == "struct " {
		tag = typ[7:]
	}
	for _, td := range c.typedefs {
		switch td.Kind() {
		case "type_definition":
			st := td.ChildByFieldName("type")
			if st == nil || st.Kind() != "struct_specifier" || st.ChildByFieldName("body") == nil {
				continue
			}
			if tag != "" {
				if n := st.ChildByFieldName("name"); n != nil && c.text(n) == tag {
					return st.ChildByFieldName("body")
				}
				continue
			}
			for _, dd := range declarators(td) {
				if n, _ := declaratorName(c.src, dd); n == typ && dd.Kind() == "type_identifier" {
					return st.ChildByFieldName("body")
				}
			}
		case "struct_specifier":
			want := tag
			if want == "" {
				want = typ // C++: a struct's tag is a type name
			}
			if n := td.ChildByFieldName("name"); n != nil && c.text(n) == want && td.ChildByFieldName("body") != nil {
				return td.ChildByFieldName("body")
			}
		}
	}
	return nil
}

// arrayInit returns the braced entries of the file-scope array name, each
// split at its top-level commas.
func (c *conv) arrayInit(name string) [][][]token {
	for _, d := range c.decls {
		for _, dd := range declarators(d) {
			n, _ := declaratorName(c.src, dd)
			v := dd.ChildByFieldName("value")
			if n != name || dd.Kind() != "init_declarator" || v == nil || v.Kind() != "initializer_list" {
				continue
			}
			toks := tokenize(c.src, start(v)+1, end(v)-1, false)
			var out [][][]token
			for _, part := range splitTop(c.src, toks) {
				if len(part) >= 2 && isPunct(c.src, part[0], "{") && matchClose(c.src, part, 0) == len(part)-1 {
					out = append(out, splitTop(c.src, part[1:len(part)-1]))
				}
			}
			return out
		}
	}
	return nil
}

// arrayEntries returns the function named by member i of each entry.
func (c *conv) arrayEntries(name string, i int) []string {
	var out []string
	for _, parts := range c.arrayInit(name) {
		if i < len(parts) {
			if f, _, ok := refName(c.src, parts[i]); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// arrayPairs returns {slot, function} of a PyModuleDef_Slot array.
func (c *conv) arrayPairs(name string) [][2]string {
	var out [][2]string
	for _, parts := range c.arrayInit(name) {
		if len(parts) >= 2 && len(parts[0]) == 1 && parts[0][0].kind == tIdent {
			if f, _, ok := refName(c.src, parts[1]); ok {
				out = append(out, [2]string{parts[0][0].text(c.src), f})
			}
		}
	}
	return out
}

// findModule decides where the type pointer lives (module state or a
// global) and which module object is at hand where the type is created.
func (c *conv) findModule() {
	fn := c.readyFn
	if fn == nil {
		return
	}
	fname := funcName(c.src, fn)
	mods := c.moduleDefs()
	for _, m := range mods {
		if m.exec[fname] {
			c.mod = m
			if names, _ := funcParams(c.src, fn); len(names) > 0 && names[0] != "" {
				c.modVar = names[0]
			}
			break
		}
	}
	if c.mod == nil {
		// single-phase: M = PyModule_Create(&def) before PyType_Ready
		walk(fn, func(n *sitter.Node) bool {
			if n.Kind() != "call_expression" || start(n) >= start(c.ready) {
				return true
			}
			name := callName(c.src, n)
			if name != "PyModule_Create" && name != "PyModule_Create2" {
				return true
			}
			args := callArgs(n)
			if len(args) == 0 {
				return true
			}
			a := unwrapExpr(c.src, args[0])
			if a.Kind() != "pointer_expression" || a.ChildByFieldName("argument") == nil {
				return true
			}
			defName := c.text(a.ChildByFieldName("argument"))
			o := outerExpr(c.src, n)
			p := o.Parent()
			v := ""
			switch {
			case p != nil && p.Kind() == "assignment_expression":
				if l := p.ChildByFieldName("left"); l != nil && l.Kind() == "identifier" {
					v = c.text(l)
				}
			case p != nil && p.Kind() == "init_declarator":
				v, _ = declaratorName(c.src, p)
			}
			for _, m := range mods {
				if m.name == defName {
					c.mod = m
					c.modVar = v
				}
			}
			return true
		})
	}
	c.state = c.canUseState()
	if !c.state && c.mod != nil && len(c.mod.exec) > 0 && c.mod.exec[fname] {
		c.note(start(c.ready), end(c.ready), "%s is a global but is created in the module's exec function, which runs once per module object (subinterpreters, re-imports): the global then holds the type of the latest module", c.name)
	}
}

// canUseState reports whether the type pointer can live in the module
// state: the module has a state struct in this file, traverse and clear
// functions to extend, and every use can reach the module.
func (c *conv) canUseState() bool {
	m := c.mod
	if m == nil || m.stateType == "" {
		return false
	}
	why := ""
	switch {
	case m.stateFields == nil:
		why = "the module state struct " + m.stateType + " is not defined in this file"
	case m.traverse == "" || c.fn(m.traverse) == nil || m.clear == "" || c.fn(m.clear) == nil:
		why = "the module has no m_traverse and m_clear functions in this file to visit and clear it"
	case c.modVar == "":
		why = "no module object is at hand where the type is created"
	case len(c.macroUses) > 0:
		why = "a macro uses it"
	}
	if why == "" {
		check := func(n *sitter.Node) bool {
			fn := enclosingFunc(n)
			if same(fn, c.readyFn) {
				return true
			}
			if fn != nil && m.methods[funcName(c.src, fn)] {
				if names, _ := funcParams(c.src, fn); len(names) > 0 && names[0] != "" {
					return true
				}
			}
			why = funcName(c.src, fn) + " uses it and cannot reach the module state"
			return false
		}
		for _, u := range c.addrUses {
			if !check(u) {
				break
			}
		}
		if why == "" {
			for _, u := range c.slotCalls {
				if !check(u) {
					break
				}
			}
		}
		if why == "" {
			for _, u := range c.regs {
				if !check(u) {
					break
				}
			}
		}
	}
	if why != "" {
		c.note(start(c.def), end(c.def), "%s is kept in a global PyTypeObject * rather than in the module state: %s", c.name, why)
		return false
	}
	return true
}

// stateExpr returns the expression for the type pointer in the module
// state, in function fn at offset at, where modParam is the module object.
func (c *conv) stateExpr(fn *sitter.Node, modParam string, at int) string {
	typ := c.mod.stateType
	if body := fn.ChildByFieldName("body"); body != nil {
		for i := uint(0); i < body.NamedChildCount(); i++ {
			d := body.NamedChild(i)
			if start(d) >= at {
				break
			}
			if d.Kind() != "declaration" {
				continue
			}
			t := d.ChildByFieldName("type")
			if t == nil || c.text(t) != typ {
				continue
			}
			for _, dd := range declarators(d) {
				if dd.Kind() != "init_declarator" {
					continue
				}
				if pd := dd.ChildByFieldName("declarator"); pd != nil && pd.Kind() == "pointer_declarator" {
					if name, _ := declaratorName(c.src, pd); name != "" {
						return name + "->" + c.name
					}
				}
			}
		}
	}
	return "((" + typ + " *)PyModule_GetState(" + modParam + "))->" + c.name
}

// ptrAt is the expression of the type pointer at node n.
func (c *conv) ptrAt(n *sitter.Node) string {
	if !c.state {
		return c.name
	}
	fn := enclosingFunc(n)
	if same(fn, c.readyFn) {
		return c.stateExpr(fn, c.modVar, start(n))
	}
	names, _ := funcParams(c.src, fn)
	return c.stateExpr(fn, names[0], start(n))
}
