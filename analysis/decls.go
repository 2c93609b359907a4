package analysis

import (
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// declarator is an unwrapped C declarator.
type declarator struct {
	name       string
	start, end int
	ptr        int // pointer levels
	arr        int // array levels
	isFunc     bool
	params     *sitter.Node
	hasInit    bool
	initStart  int
	initEnd    int
	// fnPtr is set for pointers to functions (`void (*f)(void)`).
	fnPtr bool
}

// unwrap walks a declarator down to its name.
func (w *walker) unwrap(n *sitter.Node) declarator {
	var d declarator
	for depth := 0; n != nil && depth < 32; depth++ {
		switch w.k.of(n) {
		case cIdent, cTypeIdent, cFieldIdent:
			d.name = w.text(n)
			d.start, d.end = int(n.StartByte()), int(n.EndByte())
			return d
		case cQualifiedIdent:
			// C++ `Class::name`: the last name.
			d.start, d.end = int(n.StartByte()), int(n.EndByte())
			t := w.text(n)
			if i := strings.LastIndex(t, "::"); i >= 0 {
				d.start += i + 2
				t = t[i+2:]
			}
			d.name = t
			return d
		case cPointerDecl:
			if d.isFunc {
				d.fnPtr = true
			} else {
				d.ptr++
			}
			n = n.ChildByFieldId(w.k.fDeclarator)
		case cReferenceDecl, cParenDecl, cAttributedDecl:
			n = n.NamedChild(0)
			if n != nil && w.k.of(n) == cTypeQualifier {
				n = n.NextNamedSibling()
			}
		case cInitDecl:
			if v := n.ChildByFieldId(w.k.fValue); v != nil {
				d.hasInit = true
				d.initStart, d.initEnd = int(v.StartByte()), int(v.EndByte())
			}
			n = n.ChildByFieldId(w.k.fDeclarator)
		case cArrayDecl:
			d.arr++
			n = n.ChildByFieldId(w.k.fDeclarator)
		case cFuncDecl:
			if !d.isFunc {
				d.isFunc = true
				d.params = n.ChildByFieldId(w.k.fParameters)
			}
			n = n.ChildByFieldId(w.k.fDeclarator)
		default:
			return d
		}
	}
	return d
}

// baseType reads a type specifier node.
func (w *walker) baseType(n *sitter.Node) cType {
	if n == nil {
		return cType{}
	}
	switch w.k.of(n) {
	case cTypeIdent, cIdent, cPrimitiveType:
		return cType{Base: w.text(n)}
	case cSizedType:
		return cType{Base: "int"}
	case cStruct:
		return cType{Base: w.structKey(n, n.ChildByFieldId(w.k.fName))}
	case cEnumSpec:
		return cType{Base: "int"}
	case cQualifiedIdent:
		t := w.text(n)
		if i := strings.LastIndex(t, "::"); i >= 0 {
			t = t[i+2:]
		}
		return cType{Base: t}
	case cTemplateType:
		if nm := n.ChildByFieldId(w.k.fName); nm != nil {
			return cType{Base: w.text(nm)}
		}
	}
	return cType{}
}

func (w *walker) structKey(n, name *sitter.Node) string {
	if name != nil {
		t := w.text(name)
		if td, ok := structTags[t]; ok {
			return td
		}
		return "struct " + t
	}
	return "struct@" + strconv.Itoa(int(n.StartByte()))
}

// resolve follows the file's typedefs.
func (w *walker) resolve(t cType) cType {
	for i := 0; i < 16 && t.known(); i++ {
		td, ok := w.typedefs[t.Base]
		if !ok || td.Base == t.Base {
			break
		}
		t = cType{td.Base, td.Ptr + t.Ptr}
	}
	return t
}

func isHeadMacro(s string) bool { return s == "PyObject_HEAD" || s == "PyObject_VAR_HEAD" }

// declaration handles declaration, field_declaration and type_definition.
func (w *walker) declaration(n *sitter.Node, cls class, scopeIdx int) {
	w.declarationIn(n, cls, scopeIdx, "")
}

// declarationIn is declaration for a member of struct key (cFieldDecl).
func (w *walker) declarationIn(n *sitter.Node, cls class, scopeIdx int, key string) {
	var (
		typ     *sitter.Node
		decls   []sitter.Node
		storage []string
		errText string
	)
	c := w.aux
	c.Reset(*n)
	if !c.GotoFirstChild() {
		return
	}
	for {
		fid := c.FieldId()
		node := c.Node()
		switch {
		case fid == w.k.fType:
			typ = node
		case fid == w.k.fDeclarator:
			decls = append(decls, *node)
		default:
			switch w.k.of(node) {
			case cStorageClass:
				storage = append(storage, w.text(node))
			case cError:
				errText = strings.TrimSpace(w.text(node))
			}
		}
		if !c.GotoNextSibling() {
			break
		}
	}
	base := w.baseType(typ)
	if typ != nil && w.k.of(typ) == cStruct {
		w.structSpec(typ)
	}
	// `PyObject_HEAD` without a semicolon swallows the next member's type
	// into an ERROR node.
	head := ""
	if typ != nil && isHeadMacro(base.Base) {
		head = base.Base
		base = cType{}
		if errText != "" && isIdentStart(errText[0]) {
			base = cType{Base: strings.Fields(errText)[0]}
		}
	}
	isStatic, isExtern := false, false
	for _, s := range storage {
		switch s {
		case "static":
			isStatic = true
		case "extern":
			isExtern = true
		}
	}

	switch cls {
	case cTypeDef:
		for i := range decls {
			d := w.unwrap(&decls[i])
			if d.name == "" {
				continue
			}
			t := cType{base.Base, d.ptr + d.arr}
			if d.isFunc || d.fnPtr {
				t = cType{Base: "fn:" + d.name}
			}
			if t.Base != d.name {
				w.hard()
				w.typedefs[d.name] = t
			}
			w.markUser(d.name)
		}
	case cFieldDecl:
		members := w.structs[key]
		if head != "" && members != nil {
			if head == "PyObject_VAR_HEAD" {
				members["ob_base"] = cType{Base: "PyVarObject"}
			} else {
				members["ob_base"] = cType{Base: "PyObject"}
			}
		}
		for i := range decls {
			d := w.unwrap(&decls[i])
			if d.name == "" {
				continue
			}
			w.hard()
			w.userFields[d.name] = true
			t := cType{base.Base, d.ptr + d.arr}
			if d.isFunc || d.fnPtr {
				t = cType{}
			}
			if members != nil {
				members[d.name] = t
			}
			if d.ptr == 0 && !d.isFunc && !d.fnPtr && !w.declOnly && w.maybeStruct(base) {
				w.f.byValue = append(w.f.byValue, byValue{typeName: base.Base, start: d.start, end: d.end,
					what: "member", declName: d.name, declStart: int(n.StartByte()), declEnd: int(n.EndByte())})
			}
		}
	case cDeclaration:
		for i := range decls {
			d := w.unwrap(&decls[i])
			if d.name == "" {
				continue
			}
			if d.isFunc {
				w.hard()
				w.funcs[d.name] = cType{base.Base, d.ptr}
				w.markDeclared(d.name)
				continue
			}
			t := cType{base.Base, d.ptr + d.arr}
			if d.fnPtr {
				t = cType{}
			}
			sc := w.scopes[scopeIdx]
			if scopeIdx == 0 || isStatic {
				w.hard()
			}
			if sc.vars == nil {
				sc.vars = map[string]cType{}
			}
			sc.vars[d.name] = t
			if isExtern && !d.hasInit {
				w.markDeclared(d.name)
			} else {
				w.markUser(d.name)
			}
			if d.ptr == 0 && !d.fnPtr && !isExtern && !w.declOnly && w.maybeStruct(base) {
				what := "variable"
				if isStatic || scopeIdx == 0 {
					what = "static"
				}
				w.f.byValue = append(w.f.byValue, byValue{typeName: base.Base, start: d.start, end: d.end,
					what: what, declName: d.name, declStart: int(n.StartByte()), declEnd: int(n.EndByte()),
					static: isStatic, hasInit: d.hasInit})
			}
		}
	}
}

// functionDef handles a function definition: its name is the user's, its
// return type is remembered, and its parameters open the function scope.
func (w *walker) functionDef(n *sitter.Node) {
	typ := n.ChildByFieldId(w.k.fType)
	dn := n.ChildByFieldId(w.k.fDeclarator)
	base := w.baseType(typ)
	sc := &scope{}
	w.scopes = append(w.scopes, sc)
	if dn == nil {
		return
	}
	d := w.unwrap(dn)
	if d.name != "" {
		w.funcs[d.name] = cType{base.Base, d.ptr}
		w.markUserAt(d.name, int(n.StartByte()))
		w.fn = d.name
		if strings.HasPrefix(d.name, "PyInit_") && !w.declOnly {
			w.f.pyInits = append(w.f.pyInits, pyInit{name: d.name, start: d.start, end: d.end})
		}
	}
	if d.params != nil {
		sc.pending = append(sc.pending, pendingDecl{node: *d.params, params: true})
	}
}

// addParams reads a parameter list into scope i.
func (w *walker) addParams(params *sitter.Node, i int) {
	sc := w.scopes[i]
	if sc.vars == nil {
		sc.vars = map[string]cType{}
	}
	cnt := params.NamedChildCount()
	for j := uint(0); j < cnt; j++ {
		pn := params.NamedChild(j)
		if pn == nil || w.k.of(pn) != cParamDecl {
			continue
		}
		pt := w.baseType(pn.ChildByFieldId(w.k.fType))
		pd := pn.ChildByFieldId(w.k.fDeclarator)
		if pd == nil {
			continue
		}
		d := w.unwrap(pd)
		if d.name != "" {
			sc.vars[d.name] = cType{pt.Base, d.ptr + d.arr}
		}
	}
}

// maybeStruct reports whether a by-value base type may be a CPython struct
// (what ABI005 and ABI011 look at).
func (w *walker) maybeStruct(t cType) bool {
	if !t.known() {
		return false
	}
	rt := w.resolve(t)
	if rt.Ptr != 0 {
		return false
	}
	_, ok := w.db.Struct(rt.Base)
	return ok
}

// structSpec registers a struct, union or class and reads its members
// (once, whether or not the walk goes inside).
func (w *walker) structSpec(n *sitter.Node) {
	start := startOf(n)
	if w.seenStruct[start] {
		return
	}
	w.seenStruct[start] = true
	name := n.ChildByFieldId(w.k.fName)
	if name != nil {
		w.markUser(w.text(name))
	}
	body := n.ChildByFieldId(w.k.fBody)
	if body == nil {
		return
	}
	w.hard()
	key := w.structKey(n, name)
	if w.structs[key] == nil {
		w.structs[key] = map[string]cType{}
	}
	cnt := body.NamedChildCount()
	for i := uint(0); i < cnt; i++ {
		fd := body.NamedChild(i)
		if fd == nil {
			continue
		}
		switch w.k.of(fd) {
		case cFieldDecl:
			w.declarationIn(fd, cFieldDecl, len(w.scopes)-1, key)
		case cPreprocCond, cPreprocIfdef, cPreprocElse:
			// Members inside #if blocks: one level is enough in practice.
			m := fd.NamedChildCount()
			for j := uint(0); j < m; j++ {
				if c := fd.NamedChild(j); c != nil && w.k.of(c) == cFieldDecl {
					w.declarationIn(c, cFieldDecl, len(w.scopes)-1, key)
				}
			}
		}
	}
}

// sizeofExpr records sizeof(T) of a type that may be opaque.
func (w *walker) sizeofExpr(n *sitter.Node) {
	if t := n.ChildByFieldId(w.k.fType); t != nil {
		// type_descriptor: by size only without an abstract declarator.
		if t.ChildByFieldId(w.k.fDeclarator) != nil {
			return
		}
		tn := t.ChildByFieldId(w.k.fType)
		if tn == nil || w.k.of(tn) != cTypeIdent {
			return
		}
		w.f.byValue = append(w.f.byValue, byValue{typeName: w.text(tn), start: int(tn.StartByte()), end: int(tn.EndByte()),
			what: "sizeof", declStart: int(n.StartByte()), declEnd: int(n.EndByte())})
		return
	}
	v := n.ChildByFieldId(w.k.fValue)
	if v == nil || w.k.of(v) != cParen || v.NamedChildCount() != 1 {
		return
	}
	id := v.NamedChild(0)
	if id == nil || w.k.of(id) != cIdent {
		return
	}
	w.f.byValue = append(w.f.byValue, byValue{typeName: w.text(id), start: int(id.StartByte()), end: int(id.EndByte()),
		what: "sizeof", declStart: int(n.StartByte()), declEnd: int(n.EndByte())})
}

// lookupVar finds a variable in the scopes, innermost first.
func (w *walker) lookupVar(name string) (cType, bool) {
	for i := len(w.scopes) - 1; i >= 0; i-- {
		w.flush(i)
		if t, ok := w.scopes[i].vars[name]; ok {
			return t, true
		}
	}
	return cType{}, false
}

// typeOf infers the type of an expression node.
func (w *walker) typeOf(n *sitter.Node) cType {
	for depth := 0; n != nil && depth < 64; depth++ {
		switch w.k.of(n) {
		case cIdent:
			if t, ok := w.lookupVar(w.text(n)); ok {
				return t
			}
			return cType{}
		case cParen:
			n = n.NamedChild(0)
			if n != nil && w.k.of(n) == cComment {
				n = n.NextNamedSibling()
			}
		case cCast:
			return w.descriptorType(n.ChildByFieldId(w.k.fType))
		case cFieldExpr:
			arg := n.ChildByFieldId(w.k.fArgument)
			fld := n.ChildByFieldId(w.k.fField)
			if arg == nil || fld == nil {
				return cType{}
			}
			base := w.resolve(w.typeOf(arg))
			as, fs := int(arg.EndByte()), int(fld.StartByte())
			if strings.Contains(string(w.src[as:fs]), "->") {
				base = base.deref()
			} else if base.Ptr != 0 {
				return cType{}
			}
			return w.memberType(base, w.text(fld))
		case cCall:
			return w.callType(n)
		case cPointerExpr:
			arg := n.ChildByFieldId(w.k.fArgument)
			if arg == nil {
				return cType{}
			}
			op := w.src[n.StartByte()]
			t := w.resolve(w.typeOf(arg))
			if op == '*' {
				return t.deref()
			}
			return t.addr()
		case cSubscript:
			arg := n.ChildByFieldId(w.k.fArgument)
			return w.resolve(w.typeOf(arg)).deref()
		case cAssign:
			n = n.ChildByFieldId(w.k.fLeft)
		case cComma:
			n = n.ChildByFieldId(w.k.fRight)
		case cConditional:
			n = n.ChildByFieldId(w.k.fConsequence)
		default:
			return cType{}
		}
	}
	return cType{}
}

// descriptorType reads a type_descriptor (casts, sizeof, templates).
func (w *walker) descriptorType(td *sitter.Node) cType {
	if td == nil {
		return cType{}
	}
	base := w.baseType(td.ChildByFieldId(w.k.fType))
	if !base.known() {
		return base
	}
	ptr := 0
	for d := td.ChildByFieldId(w.k.fDeclarator); d != nil; {
		switch w.k.of(d) {
		case cAbstractPtr:
			ptr++
			d = d.ChildByFieldId(w.k.fDeclarator)
		case cAbstractArray:
			ptr++
			d = d.ChildByFieldId(w.k.fDeclarator)
		case cAbstractFunc:
			return cType{}
		default:
			d = nil
		}
	}
	return cType{base.Base, ptr}
}

// callType is the result type of a call: C++ casts, the user's functions,
// CPython functions (database signatures) and macros.
func (w *walker) callType(n *sitter.Node) cType {
	fn := n.ChildByFieldId(w.k.fFunction)
	if fn == nil {
		return cType{}
	}
	switch w.k.of(fn) {
	case cTemplateFunction:
		name := fn.ChildByFieldId(w.k.fName)
		if name == nil {
			return cType{}
		}
		switch w.text(name) {
		case "reinterpret_cast", "static_cast", "const_cast", "dynamic_cast":
			args := fn.ChildByFieldId(w.k.fArguments)
			if args == nil {
				return cType{}
			}
			for i := uint(0); i < args.NamedChildCount(); i++ {
				if a := args.NamedChild(i); a != nil && w.k.of(a) == cTypeDescriptor {
					return w.descriptorType(a)
				}
			}
		}
		return cType{}
	case cIdent:
		name := w.text(fn)
		ni := w.infoString(name)
		if ni.entry == nil {
			if t, ok := w.funcs[name]; ok {
				return t
			}
		}
		if t, ok := macroReturns[name]; ok {
			return t
		}
		if ni.entry != nil && ni.entry.Signature != nil {
			return parseTypeString(ni.entry.Signature.Return)
		}
		if t, ok := w.funcs[name]; ok {
			return t
		}
	case cParen:
		// ((freefunc)PyType_GetSlot(...))(o): the result of a cast
		// function pointer is unknown.
	}
	return cType{}
}

// memberType is the type of member f of struct type base.
func (w *walker) memberType(base cType, f string) cType {
	if !base.known() || base.Ptr != 0 {
		return cType{}
	}
	if m, ok := w.structs[base.Base]; ok {
		if t, ok := m[f]; ok {
			return t
		}
		return cType{}
	}
	if fl, ok := w.db.Field(base.Base, f); ok {
		return parseTypeString(fl.Type)
	}
	// Members of the object header reached through a CPython struct that
	// embeds it (`((PyListObject *)o)->ob_base.ob_size`).
	switch f {
	case "ob_type":
		return cType{"PyTypeObject", 1}
	case "ob_base":
		return cType{Base: "PyObject"}
	}
	return cType{}
}
