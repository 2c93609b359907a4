package analysis

import (
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

var lowest = abi.Target{Limited: abi.V(3, 2)}

// verdict checks a name once per file, under the target and under the
// lowest Limited API (for the minimum target).
func (p *pass) verdict(ni *nameInfo) { p.w.verdict(ni) }

func (w *walker) verdict(ni *nameInfo) {
	if ni.checked {
		return
	}
	ni.checked = true
	if ni.entry == nil {
		return
	}
	ni.res = w.db.Check(ni.name, w.check)
	ni.min = w.db.Check(ni.name, lowest)
}

// alwaysCandidates are names rules look at even when they are available
// everywhere.
var alwaysCandidates = map[string]bool{
	"PY_VERSION_HEX": true, "PyVarObject_HEAD_INIT": true, "PyObject_HEAD_INIT": true,
	"PyModule_Create": true, "PyModule_Create2": true, macroLimited: true, macroABI3T: true,
}

// worthALook says whether uses of a CPython name can matter: a finding, the
// minimum target, or a rule that looks at available names. In full mode
// (hover) every name does.
func (w *walker) worthALook(ni *nameInfo) bool {
	if ni.worth == 0 {
		ni.worth = 2
		if w.isWorthALook(ni) {
			ni.worth = 1
		}
	}
	return ni.worth == 1
}

func (w *walker) isWorthALook(ni *nameInfo) bool {
	if w.full || alwaysCandidates[ni.name] || w.sizeTClean && sizeTNames[ni.name] {
		return true
	}
	w.verdict(ni)
	if ni.res.Status != abi.Available || ni.min.Status != abi.Available {
		return true
	}
	if _, ok := abi3tReasons[ni.name]; ok && !w.check.ABI3T.IsZero() {
		return true
	}
	if st, ok := w.db.Struct(ni.name); ok && (st.Opaque || !w.check.ABI3T.IsZero() && st.OpaqueABI3T) {
		return true // sizeof, by value
	}
	return false
}

// isPrivateName reports a `_Py*` / `_PY*` spelling.
func isPrivateName(s string) bool {
	return strings.HasPrefix(s, "_Py") || strings.HasPrefix(s, "_PY")
}

// checkNames runs the name rules over every recorded use.
func (p *pass) checkNames() {
	abi3t := !p.audit && !p.check.ABI3T.IsZero()
	for i := range p.w.f.uses {
		u := &p.w.f.uses[i]
		ni := u.info
		if ni.user || ni.shim && p.w.shimPP.IsDead(u.start) {
			continue
		}
		if ni.name == "PY_VERSION_HEX" {
			p.abi009(u)
		}
		if u.ctx == ctxCondition {
			continue
		}
		p.verdict(ni)
		e := ni.entry
		if e == nil {
			if isPrivateName(ni.name) {
				p.abi003(u, nil, false)
			}
			continue
		}
		switch ni.res.Status {
		case abi.NotLimited:
			if isPrivateName(ni.name) || e.Tier == abi.TierPrivate {
				p.abi003(u, e, false)
			} else {
				p.abi001(u, e)
			}
		case abi.TooNew:
			p.abi002(u, e, ni.res.Need)
		case abi.Private:
			p.abi003(u, e, false)
		case abi.ABIOnly:
			p.abi003(u, e, true)
		case abi.ExcludedABI3T:
			p.abi011Name(u, e.ABI3TReason)
		case abi.Available:
			if p.w.sizeTClean && sizeTNames[ni.name] && !p.audit && p.check.Effective().Less(sizeTSince) {
				p.abi002SizeT(u, e)
				continue
			}
			if abi3t {
				if r, ok := abi3tReasons[ni.name]; ok {
					p.abi011Name(u, r)
					continue
				}
			}
			if ni.name == "PyVarObject_HEAD_INIT" && u.ctx == ctxCode && !p.inStaticType(u.start) {
				p.abi005HeadInit(u)
			}
		}
	}
}

// inStaticType reports whether off lies in a declaration already reported
// by ABI005.
func (p *pass) inStaticType(off int) bool {
	for _, r := range p.staticTypes {
		if r.start <= off && off < r.end {
			return true
		}
	}
	return false
}

// uniqueFieldPrefixes are member-name prefixes only CPython's structs use;
// a field so named is checked even when its base type is unknown.
var uniqueFieldPrefixes = []string{"tp_", "nb_", "sq_", "mp_", "am_", "bf_", "ht_", "co_", "ma_", "ob_", "im_", "wr_"}

func hasUniquePrefix(name string) bool {
	for _, pre := range uniqueFieldPrefixes {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	return false
}

// checkFields runs ABI004 and ABI006 over the field accesses.
func (p *pass) checkFields() {
	for i := range p.w.f.fields {
		fu := &p.w.f.fields[i]
		code, fl := p.judgeField(fu)
		switch code {
		case "ABI004":
			p.abi004(fu, fl)
		case "ABI006":
			p.abi006(fu, fl)
		case "ABI011":
			p.abi011Field(fu, fl)
		}
	}
}

// fieldTarget is the target field access is judged under: the file's, or
// in audit mode the newest Limited API (a field reachable at some version
// is not flagged).
func (p *pass) fieldTarget() abi.Target {
	if p.audit {
		return abi.Target{Limited: abi.V(3, 15)}
	}
	return p.check
}

// judgeField decides what a field access is: "ABI004", "ABI006", "ABI011"
// or "".
func (p *pass) judgeField(fu *fieldUse) (string, abi.Field) {
	base := fu.base
	if base.known() && base.Ptr == 0 {
		if _, user := p.w.structs[base.Base]; user || p.w.infoString(base.Base).user {
			return "", abi.Field{}
		}
		st, isStruct := p.db.Struct(base.Base)
		if isStruct || len(p.db.Fields(base.Base)) > 0 {
			fl, found := p.db.Field(base.Base, fu.name)
			if isObjectMember(base.Base, fu.name) {
				if !found {
					fl = abi.Field{Struct: base.Base, Name: fu.name}
				}
				return "ABI006", fl
			}
			if !found {
				if isStruct && st.Opaque {
					return "ABI004", abi.Field{Struct: base.Base, Name: fu.name}
				}
				return "", abi.Field{}
			}
			switch p.db.CheckField(fl, p.fieldTarget()) {
			case abi.NotLimited:
				return "ABI004", fl
			case abi.ExcludedABI3T:
				return "ABI011", fl
			}
			return "", abi.Field{}
		}
		if _, td := p.w.typedefs[base.Base]; td || isPrimitive(base.Base) {
			return "", abi.Field{}
		}
	}
	// Unknown base: only names unique to CPython structs.
	if !hasUniquePrefix(fu.name) || p.w.userFields[fu.name] {
		return "", abi.Field{}
	}
	fields := p.w.fieldName([]byte(fu.name)).fields
	if len(fields) == 0 {
		return "", abi.Field{}
	}
	allObj, allHidden := true, true
	for _, f := range fields {
		if !isObjectMember(f.Struct, f.Name) {
			allObj = false
		}
		if p.db.CheckField(f, p.fieldTarget()) != abi.NotLimited {
			allHidden = false
		}
	}
	switch {
	case allObj:
		return "ABI006", fields[0]
	case allHidden:
		return "ABI004", fields[0]
	}
	return "", abi.Field{}
}

func isUnknownType(s string) bool { return s == "" }

func isPrimitive(s string) bool {
	switch s {
	case "int", "char", "long", "short", "float", "double", "void", "size_t", "ssize_t", "bool", "_Bool",
		"unsigned", "signed", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
		"uint64_t", "intptr_t", "uintptr_t", "Py_ssize_t", "Py_hash_t", "Py_UCS4", "Py_UCS2", "Py_UCS1", "auto":
		return true
	}
	return false
}

// checkByValue runs ABI005 (and ABI011 for PyObject under abi3t).
func (p *pass) checkByValue() {
	abi3t := !p.audit && !p.check.ABI3T.IsZero()
	// A static object declared ahead (`static PyTypeObject T;`) and defined
	// later is reported once, at its definition.
	defined := map[string]bool{}
	for _, bv := range p.w.f.byValue {
		if bv.what == "static" && bv.hasInit {
			defined[bv.declName] = true
		}
	}
	reported := map[string]bool{}
	for i := range p.w.f.byValue {
		bv := &p.w.f.byValue[i]
		if bv.what == "static" {
			if defined[bv.declName] && !bv.hasInit || reported[bv.declName] {
				continue
			}
			reported[bv.declName] = true
		}
		t := p.w.resolve(cType{Base: bv.typeName})
		if t.Ptr != 0 || !t.known() {
			continue
		}
		ni := p.w.infoString(t.Base)
		if ni.user {
			continue
		}
		if _, ok := p.db.Struct(t.Base); !ok {
			continue
		}
		if bv.what == "sizeof" {
			// `sizeof(x)` of a variable named like a type is not a type.
			if _, isVar := p.w.scopes[0].vars[bv.typeName]; isVar {
				continue
			}
		}
		if p.db.StructOpaque(t.Base) {
			if ni.entry != nil && ni.entry.Tier != abi.TierLimited && bv.what != "sizeof" {
				// PyListObject by value: the name itself is ABI001 already.
				continue
			}
			p.abi005(bv, t.Base)
			if bv.what == "static" || bv.what == "variable" {
				p.staticTypes = append(p.staticTypes, span{bv.declStart, bv.declEnd})
			}
			continue
		}
		if abi3t && p.db.StructOpaqueFor(t.Base, p.check) {
			p.abi011ByValue(bv, t.Base)
		}
	}
}

// checkDefines runs ABI007, ABI008 and ABI010 on the file's target defines.
func (p *pass) checkDefines() {
	seen := map[string]bool{}
	for i := range p.ti.defines {
		d := &p.ti.defines[i]
		if d.err != nil {
			p.abi008(d)
			if d.version.IsZero() {
				continue
			}
		}
		if d.late {
			p.abi007(d)
		}
		if seen[d.def.Name] {
			continue
		}
		seen[d.def.Name] = true
		for _, decl := range p.ti.projectDecls {
			p.abi010(d, decl)
		}
	}
}

// computeMin finds the lowest Limited API version the file's live uses
// need, the symbol that pins it and the uses no version allows.
func (p *pass) computeMin() {
	var m MinTarget
	blocked := map[string]bool{}
	block := func(sym, code string, start, end int) {
		if blocked[sym+"\x00"+code] {
			return
		}
		blocked[sym+"\x00"+code] = true
		m.Blockers = append(m.Blockers, Blocker{Symbol: sym, Code: code,
			At: Location{Line: lineOf(p.lines, start), Start: start, End: end}})
	}
	for i := range p.w.f.uses {
		u := &p.w.f.uses[i]
		ni := u.info
		if ni.user || u.ctx == ctxCondition {
			continue
		}
		p.verdict(ni)
		if ni.entry == nil {
			if isPrivateName(ni.name) {
				block(ni.name, "ABI003", u.start, u.end)
			}
			continue
		}
		if ni.min.Status == abi.Available && p.w.sizeTClean && sizeTNames[ni.name] && m.Version.Less(sizeTSince) {
			m.Version = sizeTSince
			m.Symbol = ni.name
			m.At = Location{Line: lineOf(p.lines, u.start), Start: u.start, End: u.end}
		}
		switch ni.min.Status {
		case abi.TooNew:
			if m.Version.Less(ni.min.Need) {
				m.Version = ni.min.Need
				m.Symbol = ni.name
				m.At = Location{Line: lineOf(p.lines, u.start), Start: u.start, End: u.end}
			}
		case abi.NotLimited:
			if isPrivateName(ni.name) || ni.entry.Tier == abi.TierPrivate {
				block(ni.name, "ABI003", u.start, u.end)
			} else {
				block(ni.name, "ABI001", u.start, u.end)
			}
		case abi.Private, abi.ABIOnly:
			block(ni.name, "ABI003", u.start, u.end)
		}
	}
	for i := range p.w.f.fields {
		fu := &p.w.f.fields[i]
		if code, _ := p.judgeField(fu); code == "ABI004" {
			block(fu.name, "ABI004", fu.start, fu.end)
		}
	}
	for _, f := range p.findings {
		if f.Code == "ABI005" {
			block(f.Symbol, "ABI005", f.Start, f.End)
		}
	}
	if m.Version == abi.V(3, 2) {
		m.Version = abi.Version{}
	}
	p.min = m
}

// AuditDefineFix is the fix that puts a file in audit mode under the
// Limited API: `#define Py_LIMITED_API 0x03XX0000` (the computed minimum)
// above its Python.h include. Nil when the file already has a target or
// includes no Python.h. The fix is unsafe: the uses outside the Limited API
// (res.Min.Blockers) stop compiling.
func AuditDefineFix(res *Result, src []byte) *Fix {
	if res == nil || res.Target.Kind != FromNone || !res.hasPyInclude {
		return nil
	}
	v := res.Min.Version
	if v.IsZero() {
		v = abi.V(3, 2)
	}
	at := res.pyInclude
	if at > len(src) {
		return nil
	}
	for at > 0 && src[at-1] != '\n' {
		at--
	}
	nl := "\n"
	if i := strings.IndexByte(string(src[at:]), '\n'); i > 0 && src[at+i-1] == '\r' {
		nl = "\r\n"
	}
	title := "Target the Limited API " + v.String() + ": add #define Py_LIMITED_API " + v.Hex()
	if n := len(res.Min.Blockers); n > 0 {
		title += " (" + plural(n, "use", "uses") + " outside the Limited API remain)"
	}
	return &Fix{
		Title:         title,
		Applicability: Unsafe,
		Kind:          "quickfix",
		Edits:         []Edit{{Start: at, End: at, NewText: "#define Py_LIMITED_API " + v.Hex() + nl}},
	}
}
