package analysis

import "github.com/abi3ls/abi3ls/abi"

var ruleABI003 = Rule{
	Code:     "ABI003",
	Name:     "private-api",
	Severity: SeverityError,
	Summary:  "A private `_Py*` name, or an item that is in the stable ABI only for old binaries",
	What: "Flags names with a leading `_Py`/`_PY`, whether or not the headers declare them, and the `abi_only` " +
		"items of the stable ABI: symbols CPython still exports so that old binaries keep loading, but that " +
		"new code cannot use under the Limited API.",
	Why: "Private names carry no compatibility promise at all: they change or vanish in any release, even a " +
		"bugfix one, and several that the headers once declared have already been removed. An abi3 wheel that " +
		"calls one breaks on the next CPython that drops it.",
	Example: "PyObject **dictptr = _PyObject_GetDictPtr(obj);\n",
	Instead: "PyObject *dict = PyObject_GenericGetDict(obj, NULL);  /* new reference */\n",
	Fix:     FixSometimes,
	FixSafety: "A safe fix renames the call only when the database lists a mechanical limited replacement " +
		"available at the target; most private names need a hand-written change.",
	CompilerVisible: false,
}

// abi003 reports a private or abi_only name.
func (p *pass) abi003(u *use, e *abi.Entry, abiOnly bool) {
	var msg string
	switch {
	case abiOnly:
		msg = u.info.name + " is in the stable ABI only so that old binaries keep loading; it " + notInLimited(p.audit)
		if e != nil && e.Header != "" {
			msg += " (" + kindWord(e) + where(e) + ")"
		}
	case e == nil:
		msg = u.info.name + " is a private CPython name (leading underscore): it can change or disappear in any release and " +
			notInLimited(p.audit)
	default:
		msg = u.info.name + " is private CPython API (" + kindWord(e) + where(e) + "): it can change or disappear in any release and " +
			notInLimited(p.audit)
	}
	var alt *abi.Alternative
	if e != nil {
		alt = e.Alt
	}
	msg += p.altPhraseFor(u, alt)
	f := Finding{Code: "ABI003", Start: u.start, End: u.end, Message: msg, Symbol: u.info.name}
	if fix := p.altFix(u, alt); fix != nil {
		f.Fixes = append(f.Fixes, *fix)
	}
	p.report(f)
}
