package analysis

import (
	"fmt"

	"github.com/abi3ls/abi3ls/abi"
)

// kindWord names an entry's kind for messages: "macro", "function" ...
func kindWord(e *abi.Entry) string {
	if e == nil {
		return "name"
	}
	switch e.Kind {
	case abi.KindFunction:
		for _, f := range e.Forms {
			if f == "exported" || f == "static_inline" {
				return "function"
			}
		}
		if hasForm(e, "macro") {
			return "macro"
		}
		return "function"
	case abi.KindMacro:
		return "macro"
	case abi.KindConst:
		return "constant"
	case abi.KindType:
		return "type"
	case abi.KindStruct:
		return "struct"
	case abi.KindData:
		return "variable"
	case abi.KindFeatureMacro:
		return "feature macro"
	}
	return "name"
}

func hasForm(e *abi.Entry, f string) bool {
	for _, x := range e.Forms {
		if x == f {
			return true
		}
	}
	return false
}

// where is " in cpython/tupleobject.h", or "" when the header is unknown.
func where(e *abi.Entry) string {
	if e == nil || e.Header == "" {
		return ""
	}
	return " in " + e.Header
}

// tierPhrase is the parenthetical of ABI001: "CPython-specific macro in
// cpython/tupleobject.h".
func tierPhrase(e *abi.Entry) string {
	switch e.Tier {
	case abi.TierUnstable:
		return "unstable " + kindWord(e) + where(e)
	case abi.TierCPython:
		return "CPython-specific " + kindWord(e) + where(e)
	case abi.TierLimited:
		return kindWord(e) + where(e) + ", hidden under the Limited API at this version"
	}
	return kindWord(e) + where(e)
}

// altPhrase is "; use PyTuple_GetItem (Limited API since 3.2)", or "".
func altPhrase(alt *abi.Alternative) string {
	if alt == nil || alt.Use == "" || alt.When != abi.WhenUnusable {
		return ""
	}
	use := alt.Use
	if alt.Template != "" {
		use = alt.Template
	}
	s := "; use " + use
	if !alt.Since.IsZero() {
		s += " (Limited API since " + alt.Since.String() + ")"
	}
	return s
}

// fieldAltPhrase is the alternative of a struct field.
func fieldAltPhrase(f abi.Field) string {
	if f.Alternative == "" {
		return ""
	}
	s := "; use " + f.Alternative
	if !f.AltSince.IsZero() {
		s += " (Limited API since " + f.AltSince.String() + ")"
	}
	return s
}

func notInLimited(audit bool) string {
	if audit {
		return "is not available under the Limited API"
	}
	return "is not part of the Limited API"
}

// hexOf writes a version as a Py_LIMITED_API value.
func hexOf(v abi.Version) string { return v.Hex() }

// isIdent reports whether s is a plain C identifier.
func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// altPhraseFor is altPhrase with a template alternative written out with
// the call's own arguments.
func (p *pass) altPhraseFor(u *use, alt *abi.Alternative) string {
	if alt == nil || alt.Template == "" || u.argsEnd <= u.argsStart {
		if alt != nil && alt.Template != "" {
			c := *alt
			c.Template = ""
			return altPhrase(&c)
		}
		return altPhrase(alt)
	}
	text, ok := expandTemplate(alt.Template, splitArgs(p.src[u.argsStart:u.argsEnd]))
	if !ok {
		c := *alt
		c.Template = ""
		return altPhrase(&c)
	}
	c := *alt
	c.Template = text
	return altPhrase(&c)
}
