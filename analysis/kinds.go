package analysis

import (
	"sync"

	"github.com/abi3ls/abi3ls/grammars"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// class is what the walker needs to know about a node kind. Kinds are
// classified once per language by their symbol id, so the walk never
// compares kind strings (Node.Kind allocates on every call).
type class uint8

const (
	cOther      class = iota
	cAnon             // anonymous tokens (punctuation, keywords): leaves
	cIdent            // identifier
	cTypeIdent        // type_identifier
	cFieldIdent       // field_identifier
	cComment
	cString // string and char literals: skipped
	cFieldExpr
	cCall
	cCast
	cSizeof
	cParen
	cPointerExpr
	cSubscript
	cAssign
	cUpdate
	cComma
	cConditional
	cDeclaration
	cParamDecl
	cFieldDecl
	cTypeDef
	cFunctionDef
	cStruct // struct, union, class specifiers
	cEnumerator
	cCompound // compound_statement and other scopes
	cFor
	cPreprocDef
	cPreprocFuncDef
	cPreprocArg
	cPreprocInclude
	cPreprocCond  // preproc_if, preproc_elif
	cPreprocIfdef // preproc_ifdef, preproc_elifdef
	cPreprocElse  // preproc_else
	cPreprocDefined
	cPreprocCall // #pragma, #error, #undef ...
	cError
	cInitList
	cTemplateFunction
	cTypeDescriptor
	cPrimitiveType
	cPointerDecl
	cInitDecl
	cFuncDecl
	cArrayDecl
	cParenDecl
	cAbstractPtr
	cAbstractFunc
	cAbstractArray
	cParamList
	cFieldDeclList
	cQualifiedIdent
	cTemplateType
	cLambda
	cTypeQualifier
	cStorageClass
	cSizedType
	cEnumSpec
	cNamespaceIdent
	cArgList
	cReferenceDecl
	cStatementIdent
	cExprStmt
	cAttributedDecl
	cPreprocParams
	cContainer // linkage specifications, namespaces, templates: always walked into
)

var classByKind = map[string]class{
	"identifier":                     cIdent,
	"type_identifier":                cTypeIdent,
	"field_identifier":               cFieldIdent,
	"comment":                        cComment,
	"string_literal":                 cString,
	"char_literal":                   cString,
	"raw_string_literal":             cString,
	"concatenated_string":            cString,
	"system_lib_string":              cString,
	"number_literal":                 cString,
	"field_expression":               cFieldExpr,
	"call_expression":                cCall,
	"cast_expression":                cCast,
	"sizeof_expression":              cSizeof,
	"alignof_expression":             cSizeof,
	"parenthesized_expression":       cParen,
	"pointer_expression":             cPointerExpr,
	"subscript_expression":           cSubscript,
	"assignment_expression":          cAssign,
	"update_expression":              cUpdate,
	"comma_expression":               cComma,
	"conditional_expression":         cConditional,
	"declaration":                    cDeclaration,
	"parameter_declaration":          cParamDecl,
	"optional_parameter_declaration": cParamDecl,
	"field_declaration":              cFieldDecl,
	"type_definition":                cTypeDef,
	"function_definition":            cFunctionDef,
	"struct_specifier":               cStruct,
	"union_specifier":                cStruct,
	"class_specifier":                cStruct,
	"enumerator":                     cEnumerator,
	"compound_statement":             cCompound,
	"for_statement":                  cFor,
	"for_range_loop":                 cFor,
	"preproc_def":                    cPreprocDef,
	"preproc_function_def":           cPreprocFuncDef,
	"preproc_arg":                    cPreprocArg,
	"preproc_include":                cPreprocInclude,
	"preproc_if":                     cPreprocCond,
	"preproc_elif":                   cPreprocCond,
	"preproc_ifdef":                  cPreprocIfdef,
	"preproc_elifdef":                cPreprocIfdef,
	"preproc_else":                   cPreprocElse,
	"preproc_defined":                cPreprocDefined,
	"preproc_call":                   cPreprocCall,
	"ERROR":                          cError,
	"initializer_list":               cInitList,
	"template_function":              cTemplateFunction,
	"type_descriptor":                cTypeDescriptor,
	"primitive_type":                 cPrimitiveType,
	"pointer_declarator":             cPointerDecl,
	"init_declarator":                cInitDecl,
	"function_declarator":            cFuncDecl,
	"array_declarator":               cArrayDecl,
	"parenthesized_declarator":       cParenDecl,
	"abstract_pointer_declarator":    cAbstractPtr,
	"abstract_function_declarator":   cAbstractFunc,
	"abstract_array_declarator":      cAbstractArray,
	"parameter_list":                 cParamList,
	"field_declaration_list":         cFieldDeclList,
	"qualified_identifier":           cQualifiedIdent,
	"template_type":                  cTemplateType,
	"lambda_expression":              cLambda,
	"type_qualifier":                 cTypeQualifier,
	"storage_class_specifier":        cStorageClass,
	"sized_type_specifier":           cSizedType,
	"enum_specifier":                 cEnumSpec,
	"namespace_identifier":           cNamespaceIdent,
	"argument_list":                  cArgList,
	"reference_declarator":           cReferenceDecl,
	"statement_identifier":           cStatementIdent,
	"expression_statement":           cExprStmt,
	"attributed_declarator":          cAttributedDecl,
	"preproc_params":                 cPreprocParams,
	"linkage_specification":          cContainer,
	"declaration_list":               cContainer,
	"namespace_definition":           cContainer,
	"template_declaration":           cContainer,
}

// kinds is the per-language classification table and the field ids the
// walker asks for.
type kinds struct {
	class []class // by symbol id
	// modes is the walk's grammars.Selection by symbol id (see
	// walker.selection).
	modes []uint8

	fArgument, fField, fFunction, fArguments, fType, fDeclarator,
	fValue, fName, fParameters, fLeft, fRight, fOperator, fCondition,
	fBody, fConsequence, fIndex, fPath uint16
}

var (
	kindsOnce sync.Map // grammars.Lang -> *kinds
)

// kindsFor returns the (immutable, shared) tables for a language.
func kindsFor(l grammars.Lang) *kinds {
	if k, ok := kindsOnce.Load(l); ok {
		return k.(*kinds)
	}
	lang := l.Language()
	k := buildKinds(lang)
	actual, _ := kindsOnce.LoadOrStore(l, k)
	return actual.(*kinds)
}

func buildKinds(lang *sitter.Language) *kinds {
	n := lang.NodeKindCount()
	k := &kinds{class: make([]class, n+1)}
	for id := uint32(0); id < n; id++ {
		name := lang.NodeKindForId(uint16(id))
		if !lang.NodeKindIsNamed(uint16(id)) {
			k.class[id] = cAnon
			continue
		}
		if c, ok := classByKind[name]; ok {
			k.class[id] = c
		}
	}
	// Symbol 0 is the end of input; ERROR has the reserved id 65535.
	k.class[0] = cAnon
	k.modes = make([]uint8, len(k.class))
	for id, c := range k.class {
		k.modes[id] = selectMode(c)
	}
	for id := uint32(0); id < n; id++ {
		if lang.NodeKindIsNamed(uint16(id)) && lang.NodeKindForId(uint16(id)) == "translation_unit" {
			k.modes[id] = grammars.SelectAlways
		}
	}
	f := func(s string) uint16 { return lang.FieldIdForName(s) }
	k.fArgument, k.fField, k.fFunction, k.fArguments = f("argument"), f("field"), f("function"), f("arguments")
	k.fType, k.fDeclarator, k.fValue, k.fName = f("type"), f("declarator"), f("value"), f("name")
	k.fParameters, k.fLeft, k.fRight, k.fOperator = f("parameters"), f("left"), f("right"), f("operator")
	k.fCondition, k.fBody, k.fConsequence, k.fIndex = f("condition"), f("body"), f("consequence"), f("index")
	k.fPath = f("path")
	return k
}

const errorSymbol = 65535

func (k *kinds) of(n *sitter.Node) class { return k.ofSymbol(n.KindId()) }

func (k *kinds) ofSymbol(id uint16) class {
	if id == errorSymbol {
		return cError
	}
	if int(id) < len(k.class) {
		return k.class[id]
	}
	return cOther
}

// selectMode is how the walk's flattening treats a class of node: it
// mirrors visit (containers are walked child by child, blocks and ERROR
// nodes too when they hold a candidate, anything else only towards its
// candidates) and what enter reads below a node (declarations and
// definitions whole; a field expression's base for its type).
func selectMode(c class) uint8 {
	switch c {
	case cPreprocCond, cPreprocIfdef, cPreprocElse, cContainer:
		return grammars.SelectAlways
	case cCompound, cError:
		return grammars.SelectScope
	case cDeclaration, cTypeDef, cFieldDecl, cFunctionDef, cStruct, cEnumerator, cSizeof,
		cPreprocDef, cPreprocFuncDef:
		return grammars.SelectDecl
	case cInitDecl:
		return grammars.SelectInit
	case cFieldExpr:
		return grammars.SelectMarked
	}
	return grammars.SelectNone
}
