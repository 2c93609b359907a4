package heaptype

import (
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// walk calls fn on n and its descendants in document order; fn returns
// false to skip a node's children.
func walk(n *sitter.Node, fn func(*sitter.Node) bool) {
	c := n.Walk()
	defer c.Close()
	descend := fn(c.Node())
	for {
		if descend && c.GotoFirstChild() {
			descend = fn(c.Node())
			continue
		}
		for {
			if c.GotoNextSibling() {
				descend = fn(c.Node())
				break
			}
			if !c.GotoParent() {
				return
			}
		}
	}
}

// fileScope lists the declarations and function definitions at file scope,
// looking through extern "C" blocks and preprocessor conditionals.
func fileScope(root *sitter.Node) (decls, funcs, typedefs []*sitter.Node) {
	walk(root, func(n *sitter.Node) bool {
		switch n.Kind() {
		case "translation_unit", "linkage_specification", "declaration_list",
			"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef":
			return true
		case "declaration":
			decls = append(decls, n)
		case "function_definition":
			funcs = append(funcs, n)
		case "type_definition", "struct_specifier":
			typedefs = append(typedefs, n)
		}
		return false
	})
	return decls, funcs, typedefs
}

// same reports whether a and b are the same node (Node values are copied
// out of the tree, so pointers cannot be compared).
func same(a, b *sitter.Node) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Id() == b.Id()
}

func nodeText(src []byte, n *sitter.Node) string { return string(src[n.StartByte():n.EndByte()]) }

func start(n *sitter.Node) int { return int(n.StartByte()) }
func end(n *sitter.Node) int   { return int(n.EndByte()) }

// declaratorName returns the identifier a declarator declares, looking
// through pointers, arrays, functions, parentheses and initializers.
func declaratorName(src []byte, n *sitter.Node) (string, *sitter.Node) {
	for n != nil {
		switch n.Kind() {
		case "identifier", "field_identifier", "type_identifier":
			return nodeText(src, n), n
		case "pointer_declarator", "array_declarator", "function_declarator", "init_declarator",
			"parenthesized_declarator", "reference_declarator", "attributed_declarator":
			d := n.ChildByFieldName("declarator")
			if d == nil {
				// parenthesized_declarator and reference_declarator have
				// no field: take the first named child.
				d = n.NamedChild(0)
			}
			n = d
		default:
			return "", nil
		}
	}
	return "", nil
}

// funcName returns the name of a function_definition.
func funcName(src []byte, fn *sitter.Node) string {
	name, _ := declaratorName(src, fn.ChildByFieldName("declarator"))
	return name
}

// funcParams returns the parameter names of a function_definition (empty
// strings for unnamed ones) and their declared type text.
func funcParams(src []byte, fn *sitter.Node) (names, types []string) {
	d := fn.ChildByFieldName("declarator")
	for d != nil && d.Kind() != "function_declarator" {
		d = d.ChildByFieldName("declarator")
	}
	if d == nil {
		return nil, nil
	}
	ps := d.ChildByFieldName("parameters")
	if ps == nil {
		return nil, nil
	}
	for i := uint(0); i < ps.NamedChildCount(); i++ {
		p := ps.NamedChild(i)
		if p.Kind() != "parameter_declaration" {
			continue
		}
		name, _ := declaratorName(src, p.ChildByFieldName("declarator"))
		typ := ""
		if t := p.ChildByFieldName("type"); t != nil {
			typ = nodeText(src, t)
		}
		if dd := p.ChildByFieldName("declarator"); dd != nil && dd.Kind() == "pointer_declarator" {
			typ += " *"
		}
		names = append(names, name)
		types = append(types, typ)
	}
	return names, types
}

// enclosingFunc returns the function_definition containing n, or nil.
func enclosingFunc(n *sitter.Node) *sitter.Node {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == "function_definition" {
			return p
		}
	}
	return nil
}

// unwrapExpr removes casts (C casts and C++ static_cast<T>(x) and the
// like) and parentheses around an expression.
func unwrapExpr(src []byte, n *sitter.Node) *sitter.Node {
	for n != nil {
		switch n.Kind() {
		case "cast_expression":
			n = n.ChildByFieldName("value")
		case "parenthesized_expression":
			n = n.NamedChild(0)
		case "call_expression":
			if !isCxxCast(src, n) {
				return n
			}
			n = callArgs(n)[0]
		default:
			return n
		}
	}
	return n
}

// isCxxCast reports whether call is static_cast<T>(x), reinterpret_cast
// or const_cast.
func isCxxCast(src []byte, call *sitter.Node) bool {
	f := call.ChildByFieldName("function")
	if f == nil || f.Kind() != "template_function" {
		return false
	}
	name := f.ChildByFieldName("name")
	if name == nil {
		return false
	}
	switch nodeText(src, name) {
	case "static_cast", "reinterpret_cast", "const_cast":
		return len(callArgs(call)) == 1
	}
	return false
}

// outerExpr climbs from n through casts and parentheses.
func outerExpr(src []byte, n *sitter.Node) *sitter.Node {
	for {
		p := n.Parent()
		if p == nil {
			return n
		}
		switch p.Kind() {
		case "cast_expression":
			n = p
		case "parenthesized_expression":
			if g := p.Parent(); g != nil && isCondStmt(g.Kind()) && (g.ChildByFieldName("condition") == nil || same(g.ChildByFieldName("condition"), p)) {
				return n // the parentheses of if (...) belong to the if
			}
			n = p
		case "argument_list":
			if c := p.Parent(); c != nil && c.Kind() == "call_expression" && isCxxCast(src, c) {
				n = c
				continue
			}
			return n
		default:
			return n
		}
	}
}

// callName returns the function name of a call_expression ("" when the
// callee is not a plain identifier).
func callName(src []byte, call *sitter.Node) string {
	if call == nil || call.Kind() != "call_expression" {
		return ""
	}
	f := call.ChildByFieldName("function")
	if f == nil || f.Kind() != "identifier" {
		return ""
	}
	return nodeText(src, f)
}

// callArgs returns the argument expressions of a call_expression.
func callArgs(call *sitter.Node) []*sitter.Node {
	al := call.ChildByFieldName("arguments")
	if al == nil {
		return nil
	}
	var out []*sitter.Node
	for i := uint(0); i < al.NamedChildCount(); i++ {
		a := al.NamedChild(i)
		if a.Kind() == "comment" {
			continue
		}
		out = append(out, a)
	}
	return out
}

func isCondStmt(kind string) bool {
	switch kind {
	case "if_statement", "while_statement", "do_statement", "switch_statement":
		return true
	}
	return false
}

// argCall returns the call_expression whose argument (possibly cast or
// parenthesized) is n, and the argument index.
func argCall(src []byte, n *sitter.Node) (*sitter.Node, int) {
	o := outerExpr(src, n)
	al := o.Parent()
	if al == nil || al.Kind() != "argument_list" {
		return nil, -1
	}
	call := al.Parent()
	if call == nil || call.Kind() != "call_expression" {
		return nil, -1
	}
	for i, a := range callArgs(call) {
		if a.StartByte() == o.StartByte() && a.EndByte() == o.EndByte() {
			return call, i
		}
	}
	return nil, -1
}

// statementOf returns the statement that contains n directly (the nearest
// ancestor that is a statement), or nil.
func statementOf(n *sitter.Node) *sitter.Node {
	for p := n; p != nil; p = p.Parent() {
		if strings.HasSuffix(p.Kind(), "_statement") || p.Kind() == "declaration" {
			return p
		}
		if p.Kind() == "function_definition" {
			return nil
		}
	}
	return nil
}

// lineStart returns the offset of the start of the line containing off.
func lineStart(src []byte, off int) int {
	for off > 0 && src[off-1] != '\n' {
		off--
	}
	return off
}

// indentAt returns the whitespace that starts the line containing off.
func indentAt(src []byte, off int) string {
	ls := lineStart(src, off)
	i := ls
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return string(src[ls:i])
}

// aloneOnLines reports whether src[s:e] is preceded on its first line and
// followed on its last line by whitespace only (a comment after it counts
// as part of it), and returns the range that deleting the lines removes.
func aloneOnLines(src []byte, s, e int) (int, int, bool) {
	ls := lineStart(src, s)
	for i := ls; i < s; i++ {
		if src[i] != ' ' && src[i] != '\t' {
			return s, e, false
		}
	}
	j := e
	for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r') {
		j++
	}
	if j+1 < len(src) && src[j] == '/' && src[j+1] == '*' {
		k := strings.Index(string(src[j:]), "*/")
		if k >= 0 && !strings.Contains(string(src[j:j+k]), "\n") {
			j += k + 2
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r') {
				j++
			}
		}
	} else if j+1 < len(src) && src[j] == '/' && src[j+1] == '/' {
		for j < len(src) && src[j] != '\n' {
			j++
		}
	}
	if j < len(src) && src[j] != '\n' {
		return s, e, false
	}
	if j < len(src) {
		j++
	}
	return ls, j, true
}

// hasWord reports whether the identifier name occurs as a token in
// src[s:e].
func hasWord(src []byte, s, e int, name string) bool {
	for _, t := range tokenize(src, s, e, true) {
		if isIdent(src, t, name) {
			return true
		}
	}
	return false
}
