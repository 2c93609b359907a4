package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

const lookupUsage = `Usage: abi3ls lookup NAME [--target 3.X] [--abi3t] [--json]

Print what the Limited API database knows about a CPython C API name (or a
struct member written Struct.member, e.g. PyTypeObject.tp_name): its tier,
the version it joined the Limited API, its signature and reference
semantics, and the limited alternative. With --target, also its status for
that target. Exits 1 when the name is unknown.

Flags (before or after NAME):
`

// lookupJSON is the --json output: one object per lookup.
type lookupJSON struct {
	Name         string         `json:"name"`
	Kind         string         `json:"kind"`
	Tier         string         `json:"tier"`
	Limited      bool           `json:"limited"`
	Added        *string        `json:"added"`         // stable_abi.toml version, or null
	Since        *string        `json:"since"`         // first Limited API version usable, or null
	LimitedFrom  *string        `json:"limited_from"`  // lowest target the headers expose it at
	LimitedUntil *string        `json:"limited_until"` // last target before the headers hide it again
	RemovedAfter *string        `json:"removed_after"` // last CPython whose headers declare it
	HeadersFrom  *string        `json:"headers_from"`  // oldest CPython headers (checked) declaring it
	StableABI    bool           `json:"stable_abi"`
	ABIOnly      bool           `json:"abi_only"`
	Ifdef        *string        `json:"ifdef"`
	Header       *string        `json:"header"`
	InPythonH    bool           `json:"in_python_h"`
	Forms        []string       `json:"forms"`
	Signature    *string        `json:"signature"`
	Returns      *string        `json:"returns"`
	Steals       []string       `json:"steals"`
	Alternative  *altJSON       `json:"alternative"`
	ABI3T        *abi3tJSON     `json:"abi3t"`
	Struct       *structJSON    `json:"struct,omitempty"`
	Field        *fieldJSON     `json:"field,omitempty"`
	DocURL       *string        `json:"doc_url"`
	Note         *string        `json:"note"`
	Target       *string        `json:"target,omitempty"`
	Status       *string        `json:"status,omitempty"`
	Need         *nullableField `json:"need,omitempty"`
}

// nullableField marshals a version string or null; it is a pointer field
// so that "need" appears (possibly null) exactly when --target is given.
type nullableField struct{ v string }

func (n *nullableField) MarshalJSON() ([]byte, error) {
	if n.v == "" {
		return []byte("null"), nil
	}
	return json.Marshal(n.v)
}

type altJSON struct {
	Use        string  `json:"use"`
	Since      *string `json:"since"`
	Mechanical bool    `json:"mechanical"`
	Template   *string `json:"template"`
	When       string  `json:"when"`
	Note       string  `json:"note"`
}

type abi3tJSON struct {
	Excluded bool   `json:"excluded"`
	Reason   string `json:"reason"`
}

type structJSON struct {
	ABIKind     *string  `json:"abi_kind"`
	Opaque      bool     `json:"opaque"`
	OpaqueABI3T bool     `json:"opaque_abi3t"`
	Fields      []string `json:"fields"`
}

type fieldJSON struct {
	Struct         string  `json:"struct"`
	Type           string  `json:"type"`
	LimitedVisible bool    `json:"limited_visible"`
	InStableABI    bool    `json:"in_stable_abi"`
	Read           *string `json:"read_alternative"`
	ReadSince      *string `json:"read_since"`
	Write          *string `json:"write_alternative"`
	WriteSince     *string `json:"write_since"`
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func verStr(v abi.Version) *string { return str(v.String()) }

// cSignature renders a signature as C text: "PyObject* PyTuple_GetItem(PyObject* p, Py_ssize_t pos)".
func cSignature(name string, s *abi.Signature) string {
	var ps []string
	for _, p := range s.Params {
		t := strings.TrimSpace(p.Type)
		if p.Name == "" {
			ps = append(ps, t)
		} else {
			ps = append(ps, t+" "+p.Name)
		}
	}
	if s.Variadic {
		ps = append(ps, "...")
	}
	if len(ps) == 0 {
		ps = []string{"void"}
	}
	ret := strings.TrimSpace(s.Return)
	if ret != "" {
		ret += " "
	}
	return ret + name + "(" + strings.Join(ps, ", ") + ")"
}

func entryJSON(e *abi.Entry, db *abi.DB) lookupJSON {
	j := lookupJSON{
		Name: e.Name, Kind: string(e.Kind), Tier: string(e.Tier), Limited: e.Limited(),
		Added: verStr(e.Added), LimitedFrom: verStr(e.LimitedFrom),
		LimitedUntil: verStr(e.LimitedUntil), RemovedAfter: verStr(e.LastSeen), HeadersFrom: verStr(e.FirstSeen),
		StableABI: e.InStableABI, ABIOnly: e.ABIOnly, Ifdef: str(e.Ifdef), Header: str(e.Header),
		InPythonH: e.InPythonH, Forms: e.Forms, DocURL: str(e.DocURL()), Note: str(e.Note),
	}
	if j.Forms == nil {
		j.Forms = []string{}
	}
	if e.Limited() {
		j.Since = verStr(e.Since())
	}
	j.Steals = []string{}
	if s := e.Signature; s != nil {
		j.Signature = str(cSignature(e.Name, s))
		j.Returns = str(string(s.ReturnRef))
		for _, p := range s.Params {
			if p.Ref == abi.RefSteals {
				j.Steals = append(j.Steals, p.Name)
			}
		}
	}
	if a := e.Alt; a != nil {
		j.Alternative = &altJSON{Use: a.Use, Since: verStr(a.Since), Mechanical: a.Mechanical,
			Template: str(a.Template), When: a.When, Note: a.Note}
	}
	if e.ABI3TReason != "" {
		j.ABI3T = &abi3tJSON{Excluded: e.ExcludedABI3T, Reason: e.ABI3TReason}
	}
	if st, ok := db.Struct(e.Name); ok {
		sj := &structJSON{ABIKind: str(st.ABIKind), Opaque: st.Opaque, OpaqueABI3T: st.OpaqueABI3T, Fields: []string{}}
		for _, f := range db.Fields(e.Name) {
			sj.Fields = append(sj.Fields, f.Name)
		}
		j.Struct = sj
		if j.ABI3T == nil && st.ABI3TReason != "" {
			j.ABI3T = &abi3tJSON{Excluded: true, Reason: st.ABI3TReason}
		}
	}
	return j
}

func fieldEntryJSON(f abi.Field) lookupJSON {
	j := lookupJSON{
		Name: f.Struct + "." + f.Name, Kind: "field", Tier: string(abi.TierCPython), Limited: f.LimitedVisible,
		StableABI: f.InStableABI, Header: str(f.Header), Forms: []string{}, Steals: []string{}, Note: str(f.Note),
		Field: &fieldJSON{Struct: f.Struct, Type: f.Type, LimitedVisible: f.LimitedVisible, InStableABI: f.InStableABI,
			Read: str(f.Alternative), ReadSince: verStr(f.AltSince), Write: str(f.WriteAlt), WriteSince: verStr(f.WriteAltSince)},
	}
	if f.LimitedVisible {
		j.Tier = string(abi.TierLimited)
	}
	if f.ABI3TReason != "" {
		j.ABI3T = &abi3tJSON{Excluded: f.ExcludedABI3T, Reason: f.ABI3TReason}
	}
	if f.Alternative != "" {
		j.Alternative = &altJSON{Use: f.Alternative, Since: verStr(f.AltSince), Note: f.Note}
	}
	return j
}

func runLookup(e env) int {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var (
		target = fs.String("target", "", "Limited API version to check against: 3.X, cp3X or a Py_LIMITED_API value")
		abi3t  = fs.Bool("abi3t", false, "check against the free-threaded stable ABI (Py_TARGET_ABI3T, PEP 803; default version 3.15)")
		asJSON = fs.Bool("json", false, "print one JSON object")
	)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, lookupUsage)
		fs.PrintDefaults()
	}
	// Flags may come before or after NAME.
	var names []string
	args := e.args
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(names) != 1 {
		fmt.Fprintln(e.stderr, "abi3ls lookup: give exactly one NAME")
		fs.Usage()
		return 2
	}
	name := names[0]

	var tgt abi.Target
	hasTarget := *target != "" || *abi3t
	if *target != "" {
		v, err := abi.ParseVersion(*target)
		if err != nil {
			var ve *abi.ValueError
			if !errors.As(err, &ve) || !ve.Usable {
				fmt.Fprintf(e.stderr, "abi3ls lookup: --target: %v\n", err)
				return 2
			}
			v = ve.Version
		}
		tgt.Limited = v
	}
	if *abi3t {
		tgt.ABI3T = tgt.Limited
		if tgt.ABI3T.IsZero() {
			tgt.ABI3T = abi.MinABI3T
		}
		tgt.Limited = abi.Version{}
	}
	if err := tgt.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "abi3ls lookup: %v\n", err)
		return 2
	}

	db, err := abi.DefaultErr()
	if err != nil {
		fmt.Fprintf(e.stderr, "abi3ls lookup: %v\n", err)
		return 2
	}

	var j lookupJSON
	var status abi.Status
	var need abi.Version
	if ent, ok := db.Lookup(name); ok {
		j = entryJSON(ent, db)
		r := db.Check(name, tgt)
		status, need = r.Status, r.Need
	} else if f, ok := lookupField(db, name); ok {
		j = fieldEntryJSON(f)
		status = db.CheckField(f, tgt)
	} else {
		msg := fmt.Sprintf("abi3ls lookup: unknown name %q: not a CPython C API name abi3ls knows", name)
		if fields := db.FieldsNamed(name); len(fields) > 0 {
			var qs []string
			for _, f := range fields {
				qs = append(qs, f.Struct+"."+f.Name)
			}
			msg += "; it is a member of " + strings.Join(qs, ", ")
		} else if sim := db.Similar(name, 3); len(sim) > 0 {
			msg += "; did you mean " + strings.Join(sim, ", ") + "?"
		}
		fmt.Fprintln(e.stderr, msg)
		return 1
	}
	if hasTarget {
		j.Target = str(tgt.String())
		j.Status = str(status.String())
		j.Need = &nullableField{need.String()}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(j); err != nil {
			fmt.Fprintf(e.stderr, "abi3ls lookup: %v\n", err)
			return 2
		}
		return 0
	}
	printLookup(e.stdout, j)
	return 0
}

// lookupField finds "Struct.member".
func lookupField(db *abi.DB, name string) (abi.Field, bool) {
	st, member, ok := strings.Cut(name, ".")
	if !ok {
		return abi.Field{}, false
	}
	return db.Field(st, member)
}

// printLookup writes the human-readable form.
func printLookup(w io.Writer, j lookupJSON) {
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	line := func(label, value string) {
		switch {
		case value == "":
		case label == "":
			fmt.Fprintf(w, "  %-12s %s\n", "", value)
		default:
			fmt.Fprintf(w, "  %-12s %s\n", label+":", value)
		}
	}
	kind := j.Kind
	if len(j.Forms) > 0 && !(len(j.Forms) == 1 && j.Forms[0] == j.Kind) {
		kind += " (" + strings.ReplaceAll(strings.Join(j.Forms, ", "), "_", " ") + ")"
	}
	fmt.Fprintf(w, "%s  %s\n", j.Name, kind)

	var tier string
	switch {
	case j.Kind == "field" && j.Limited:
		tier = "visible under the Limited API"
	case j.Kind == "field":
		tier = "not accessible under the Limited API (the struct is opaque there)"
	case j.Limited:
		tier = "limited: in the Limited API"
		if j.Since != nil {
			tier += " since " + *j.Since
		}
	case j.Tier == "abi_only":
		tier = "abi_only: in the stable ABI, but not in the Limited API"
	case j.Tier == "private":
		tier = "private: internal CPython name, not part of any public API"
	case j.Tier == "unstable":
		tier = "unstable: public but may change in every minor release; not in the Limited API"
	case j.RemovedAfter != nil:
		tier = "removed: no longer in CPython's headers"
	default:
		tier = "cpython: public API outside the Limited API"
	}
	line("tier", tier)
	if j.Added != nil {
		added := "stable_abi.toml: added in " + *j.Added
		if j.Since != nil && *j.Since != *j.Added {
			if sv, av := mustVer(*j.Since), mustVer(*j.Added); sv.Less(av) {
				added += " (as an exported symbol; the headers provide it as a macro/inline from " + *j.Since + ")"
			} else {
				added += " (but the headers declare it only from " + *j.Since + ")"
			}
		}
		line("stable ABI", added)
	}
	if j.RemovedAfter != nil {
		line("removed", "the headers of Python "+*j.RemovedAfter+" are the last to declare it")
	}
	if j.LimitedUntil != nil {
		line("hidden", "the headers hide it for targets after "+*j.LimitedUntil)
	}
	if j.HeadersFrom != nil && j.Since != nil && *j.HeadersFrom != "3.6" && *j.HeadersFrom != *j.Since {
		line("headers", "first declared by the headers of Python "+*j.HeadersFrom)
	}
	line("header", deref(j.Header))
	line("ifdef", deref(j.Ifdef))
	if f := j.Field; f != nil {
		line("type", f.Type)
		if f.Read != nil {
			line("read with", *f.Read+sinceText(f.ReadSince))
		}
		if f.Write != nil {
			line("write with", *f.Write+sinceText(f.WriteSince))
		}
	}
	if j.Signature != nil {
		sig := *j.Signature
		switch deref(j.Returns) {
		case "new":
			sig += "  -> new reference"
		case "borrowed":
			sig += "  -> borrowed reference"
		}
		line("signature", sig)
	}
	if len(j.Steals) > 0 {
		line("steals", strings.Join(j.Steals, ", "))
	}
	if s := j.Struct; s != nil {
		desc := "members visible"
		if s.Opaque {
			desc = "opaque under the Limited API: use pointers only, no member access or sizeof"
		}
		if s.ABIKind != nil {
			desc += " (stable_abi.toml: " + *s.ABIKind + ")"
		}
		line("struct", desc)
	}
	if a := j.Alternative; a != nil && j.Kind != "field" {
		use := a.Use
		if a.Template != nil {
			use = *a.Template
		}
		if use != "" {
			use += sinceText(a.Since)
			if a.Mechanical {
				use += ", safe rewrite"
			}
		}
		switch a.When {
		case abi.WhenPreferred:
			line("prefer", use)
		case abi.WhenStaticType:
			line("static types", "use "+use)
		case abi.WhenHashFormat:
			line("'#' formats", a.Note)
		default:
			if use == "" {
				use = "(no direct replacement)"
			}
			line("use instead", use)
		}
		if a.When != abi.WhenHashFormat {
			line("", a.Note)
		}
	}
	if j.ABI3T != nil {
		prefix := "caveat: "
		if j.ABI3T.Excluded {
			prefix = "excluded: "
		}
		line("abi3t", prefix+j.ABI3T.Reason)
	}
	line("note", deref(j.Note))
	line("docs", deref(j.DocURL))
	if j.Status != nil {
		st := *j.Status
		if j.Need != nil && j.Need.v != "" {
			st += " (needs " + j.Need.v + ")"
		}
		line("status", st+" for "+deref(j.Target))
	}
}

func mustVer(s string) abi.Version {
	v, _ := abi.ParseVersion(s)
	return v
}

func sinceText(v *string) string {
	if v == nil {
		return ""
	}
	return " (limited since " + *v + ")"
}
