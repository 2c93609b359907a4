package analysis

import (
	"strconv"
	"strings"
)

// declarator is an unwrapped C declarator.
type declarator struct {
	name       string
	start, end int
	ptr        int // pointer levels
	arr        int // array levels
	isFunc     bool
	params     node // noNode when not a function
	hasInit    bool
	initStart  int
	initEnd    int
	// fnPtr is set for pointers to functions (`void (*f)(void)`).
	fnPtr bool
}

// unwrap walks a declarator down to its name.
func (w *walker) unwrap(n node) declarator {
	d := declarator{params: noNode}
	for depth := 0; n != noNode && depth < 32; depth++ {
		switch w.cls(n) {
		case cIdent, cTypeIdent, cFieldIdent:
			d.name = w.text(n)
			d.start, d.end = w.start(n), w.end(n)
			return d
		case cQualifiedIdent:
			// C++ `Class::name`: the last name.
			d.start, d.end = w.start(n), w.end(n)
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
			n = w.child(n, w.k.fDeclarator)
		case cReferenceDecl, cParenDecl, cAttributedDecl:
			p := n
			n = w.namedChild(p, 0)
			if n != noNode && w.cls(n) == cTypeQualifier {
				n = w.nextSibling(p, n)
			}
		case cInitDecl:
			if v := w.child(n, w.k.fValue); v != noNode {
				d.hasInit = true
				d.initStart, d.initEnd = w.start(v), w.end(v)
			}
			n = w.child(n, w.k.fDeclarator)
		case cArrayDecl:
			d.arr++
			n = w.child(n, w.k.fDeclarator)
		case cFuncDecl:
			if !d.isFunc {
				d.isFunc = true
				d.params = w.child(n, w.k.fParameters)
			}
			n = w.child(n, w.k.fDeclarator)
		default:
			return d
		}
	}
	return d
}

// baseType reads a type specifier node.
func (w *walker) baseType(n node) cType {
	if n == noNode {
		return cType{}
	}
	switch w.cls(n) {
	case cTypeIdent, cIdent, cPrimitiveType:
		return cType{Base: w.text(n)}
	case cSizedType:
		return cType{Base: "int"}
	case cStruct:
		return cType{Base: w.structKey(n, w.child(n, w.k.fName))}
	case cEnumSpec:
		return cType{Base: "int"}
	case cQualifiedIdent:
		t := w.text(n)
		if i := strings.LastIndex(t, "::"); i >= 0 {
			t = t[i+2:]
		}
		return cType{Base: t}
	case cTemplateType:
		if nm := w.child(n, w.k.fName); nm != noNode {
			return cType{Base: w.text(nm)}
		}
	}
	return cType{}
}

func (w *walker) structKey(n, name node) string {
	if name != noNode {
		t := w.text(name)
		if td, ok := structTags[t]; ok {
			return td
		}
		return "struct " + t
	}
	return "struct@" + strconv.Itoa(w.start(n))
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
func (w *walker) declaration(n node, cls class, scopeIdx int) {
	w.declarationIn(n, cls, scopeIdx, "")
}

// declarationIn is declaration for a member of struct key (cFieldDecl).
func (w *walker) declarationIn(n node, cls class, scopeIdx int, key string) {
	var (
		decls   []node
		storage []string
		errText string
	)
	typ := noNode
	for ch := w.firstChild(n); ch != noNode; ch = w.nextSibling(n, ch) {
		switch fid := w.fieldID(ch); {
		case fid == w.k.fType:
			typ = ch
		case fid == w.k.fDeclarator:
			decls = append(decls, ch)
		default:
			switch w.cls(ch) {
			case cStorageClass:
				storage = append(storage, w.text(ch))
			case cError:
				errText = strings.TrimSpace(w.text(ch))
			}
		}
	}
	base := w.baseType(typ)
	if typ != noNode && w.cls(typ) == cStruct {
		w.structSpec(typ)
	}
	// `PyObject_HEAD` without a semicolon swallows the next member's type
	// into an ERROR node.
	head := ""
	if typ != noNode && isHeadMacro(base.Base) {
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
			d := w.unwrap(decls[i])
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
			d := w.unwrap(decls[i])
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
					what: "member", declName: d.name, declStart: w.start(n), declEnd: w.end(n)})
			}
		}
	case cDeclaration:
		for i := range decls {
			d := w.unwrap(decls[i])
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
					what: what, declName: d.name, declStart: w.start(n), declEnd: w.end(n),
					static: isStatic, hasInit: d.hasInit})
			}
		}
	}
}

// functionDef handles a function definition: its name is the user's, its
// return type is remembered, and its parameters open the function scope.
func (w *walker) functionDef(n node) {
	typ := w.child(n, w.k.fType)
	dn := w.child(n, w.k.fDeclarator)
	base := w.baseType(typ)
	sc := &scope{}
	w.scopes = append(w.scopes, sc)
	if dn == noNode {
		return
	}
	d := w.unwrap(dn)
	if d.name != "" {
		w.funcs[d.name] = cType{base.Base, d.ptr}
		w.markUserAt(d.name, w.start(n))
		w.fn = d.name
		if strings.HasPrefix(d.name, "PyInit_") && !w.declOnly {
			w.f.pyInits = append(w.f.pyInits, pyInit{name: d.name, start: d.start, end: d.end})
		}
	}
	if d.params != noNode {
		sc.pending = append(sc.pending, pendingDecl{node: d.params, params: true})
	}
}

// addParams reads a parameter list into scope i.
func (w *walker) addParams(params node, i int) {
	sc := w.scopes[i]
	if sc.vars == nil {
		sc.vars = map[string]cType{}
	}
	for pn := w.firstChild(params); pn != noNode; pn = w.nextSibling(params, pn) {
		if w.cls(pn) != cParamDecl {
			continue
		}
		pt := w.baseType(w.child(pn, w.k.fType))
		pd := w.child(pn, w.k.fDeclarator)
		if pd == noNode {
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
func (w *walker) structSpec(n node) {
	start := w.start(n)
	if w.seenStruct[start] {
		return
	}
	w.seenStruct[start] = true
	name := w.child(n, w.k.fName)
	if name != noNode {
		w.markUser(w.text(name))
	}
	body := w.child(n, w.k.fBody)
	if body == noNode {
		return
	}
	w.hard()
	key := w.structKey(n, name)
	if w.structs[key] == nil {
		w.structs[key] = map[string]cType{}
	}
	for fd := w.firstChild(body); fd != noNode; fd = w.nextSibling(body, fd) {
		switch w.cls(fd) {
		case cFieldDecl:
			w.declarationIn(fd, cFieldDecl, len(w.scopes)-1, key)
		case cPreprocCond, cPreprocIfdef, cPreprocElse:
			// Members inside #if blocks: one level is enough in practice.
			for c := w.firstChild(fd); c != noNode; c = w.nextSibling(fd, c) {
				if w.cls(c) == cFieldDecl {
					w.declarationIn(c, cFieldDecl, len(w.scopes)-1, key)
				}
			}
		}
	}
}

// sizeofExpr records sizeof(T) of a type that may be opaque.
func (w *walker) sizeofExpr(n node) {
	if t := w.child(n, w.k.fType); t != noNode {
		// type_descriptor: by size only without an abstract declarator.
		if w.child(t, w.k.fDeclarator) != noNode {
			return
		}
		tn := w.child(t, w.k.fType)
		if tn == noNode || w.cls(tn) != cTypeIdent {
			return
		}
		w.f.byValue = append(w.f.byValue, byValue{typeName: w.text(tn), start: w.start(tn), end: w.end(tn),
			what: "sizeof", declStart: w.start(n), declEnd: w.end(n)})
		return
	}
	v := w.child(n, w.k.fValue)
	if v == noNode || w.cls(v) != cParen || w.namedChildCount(v) != 1 {
		return
	}
	id := w.namedChild(v, 0)
	if id == noNode || w.cls(id) != cIdent {
		return
	}
	w.f.byValue = append(w.f.byValue, byValue{typeName: w.text(id), start: w.start(id), end: w.end(id),
		what: "sizeof", declStart: w.start(n), declEnd: w.end(n)})
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
func (w *walker) typeOf(n node) cType {
	for depth := 0; n != noNode && depth < 64; depth++ {
		switch w.cls(n) {
		case cIdent:
			if t, ok := w.lookupVar(w.text(n)); ok {
				return t
			}
			return cType{}
		case cParen:
			p := n
			n = w.namedChild(p, 0)
			if n != noNode && w.cls(n) == cComment {
				n = w.nextSibling(p, n)
			}
		case cCast:
			return w.descriptorType(w.child(n, w.k.fType))
		case cFieldExpr:
			arg := w.child(n, w.k.fArgument)
			fld := w.child(n, w.k.fField)
			if arg == noNode || fld == noNode {
				return cType{}
			}
			base := w.resolve(w.typeOf(arg))
			as, fs := w.end(arg), w.start(fld)
			if strings.Contains(string(w.src[as:fs]), "->") {
				base = base.deref()
			} else if base.Ptr != 0 {
				return cType{}
			}
			return w.memberType(base, w.text(fld))
		case cCall:
			return w.callType(n)
		case cPointerExpr:
			arg := w.child(n, w.k.fArgument)
			if arg == noNode {
				return cType{}
			}
			op := w.src[w.start(n)]
			t := w.resolve(w.typeOf(arg))
			if op == '*' {
				return t.deref()
			}
			return t.addr()
		case cSubscript:
			arg := w.child(n, w.k.fArgument)
			return w.resolve(w.typeOf(arg)).deref()
		case cAssign:
			n = w.child(n, w.k.fLeft)
		case cComma:
			n = w.child(n, w.k.fRight)
		case cConditional:
			n = w.child(n, w.k.fConsequence)
		default:
			return cType{}
		}
	}
	return cType{}
}

// descriptorType reads a type_descriptor (casts, sizeof, templates).
func (w *walker) descriptorType(td node) cType {
	if td == noNode {
		return cType{}
	}
	base := w.baseType(w.child(td, w.k.fType))
	if !base.known() {
		return base
	}
	ptr := 0
	for d := w.child(td, w.k.fDeclarator); d != noNode; {
		switch w.cls(d) {
		case cAbstractPtr:
			ptr++
			d = w.child(d, w.k.fDeclarator)
		case cAbstractArray:
			ptr++
			d = w.child(d, w.k.fDeclarator)
		case cAbstractFunc:
			return cType{}
		default:
			d = noNode
		}
	}
	return cType{base.Base, ptr}
}

// callType is the result type of a call: C++ casts, the user's functions,
// CPython functions (database signatures) and macros.
func (w *walker) callType(n node) cType {
	fn := w.child(n, w.k.fFunction)
	if fn == noNode {
		return cType{}
	}
	switch w.cls(fn) {
	case cTemplateFunction:
		name := w.child(fn, w.k.fName)
		if name == noNode {
			return cType{}
		}
		switch w.text(name) {
		case "reinterpret_cast", "static_cast", "const_cast", "dynamic_cast":
			args := w.child(fn, w.k.fArguments)
			if args == noNode {
				return cType{}
			}
			for a := w.firstChild(args); a != noNode; a = w.nextSibling(args, a) {
				if w.cls(a) == cTypeDescriptor {
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
