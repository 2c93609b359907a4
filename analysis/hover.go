package analysis

import (
	"context"
	"fmt"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

// Hover describes the CPython name, struct field or target define at byte
// offset off of the analyzed file; nil when there is nothing to say. res is
// the Result of Analyze on the same Input (nil: recomputed).
func (a *Analyzer) Hover(ctx context.Context, in Input, res *Result, off int) (*Hover, error) {
	if off < 0 || off > len(in.Src) {
		return nil, nil
	}
	p, err := a.run(ctx, &in, true)
	if err != nil {
		return nil, err
	}
	if res == nil {
		res = p.result()
	}
	// Target defines.
	for i := range p.ti.defines {
		d := &p.ti.defines[i]
		if off >= d.def.NameStart && off < d.def.NameEnd || off >= d.def.ValueStart && off < d.def.ValueEnd {
			return &Hover{Start: d.def.NameStart, End: d.def.NameEnd, Markdown: p.hoverTarget(res, d)}, nil
		}
	}
	for i := range p.w.f.fields {
		fu := &p.w.f.fields[i]
		if off >= fu.start && off < fu.end {
			md := p.hoverField(fu)
			if md == "" {
				return nil, nil
			}
			return &Hover{Start: fu.start, End: fu.end, Markdown: md}, nil
		}
	}
	for i := range p.w.f.uses {
		u := &p.w.f.uses[i]
		if off < u.start || off >= u.end {
			continue
		}
		if u.info.name == macroLimited || u.info.name == macroABI3T {
			return &Hover{Start: u.start, End: u.end, Markdown: p.hoverTarget(res, nil)}, nil
		}
		if u.info.user {
			return nil, nil
		}
		md := p.hoverName(u.info)
		if md == "" {
			return nil, nil
		}
		return &Hover{Start: u.start, End: u.end, Markdown: md}, nil
	}
	return nil, nil
}

// targetName is "abi3 3.9+" or "audit mode (no Limited API target)".
func targetName(t FileTarget) string {
	if !t.IsLimited() {
		return "audit mode (no Limited API target)"
	}
	return t.Target.String()
}

func (p *pass) hoverTarget(res *Result, d *targetDefine) string {
	var b strings.Builder
	t := res.Target
	switch {
	case d != nil && d.err != nil:
		fmt.Fprintf(&b, "**%s %s is malformed**: %s\n\n", d.def.Name, d.def.Value, d.err)
	case d != nil && d.late:
		fmt.Fprintf(&b, "**%s has no effect here**: it is defined after Python.h is included\n\n", d.def.Name)
	}
	fmt.Fprintf(&b, "**Target: %s**", targetName(t))
	if t.IsLimited() {
		fmt.Fprintf(&b, " (%s)", t.describe())
	}
	b.WriteString("\n\n")
	if res.Min.Version.IsZero() {
		b.WriteString("Minimum needed: 3.2 (no versioned API used)")
	} else {
		fmt.Fprintf(&b, "Minimum needed: %s, pinned by `%s` (line %d)", res.Min.Version, res.Min.Symbol, res.Min.At.Line)
	}
	if n := len(res.Min.Blockers); n > 0 {
		var names []string
		for i, bl := range res.Min.Blockers {
			if i == 3 {
				names = append(names, "...")
				break
			}
			names = append(names, "`"+bl.Symbol+"`")
		}
		fmt.Fprintf(&b, "; %s outside the Limited API at any version (%s)", plural(n, "name", "names"), strings.Join(names, ", "))
	}
	b.WriteString("\n\n")
	var other []string
	for _, dt := range res.Declared {
		if dt.Kind == t.Kind && dt.Location == t.Location {
			continue
		}
		where := dt.Location.Path
		if where == "" {
			where = "this file"
		}
		if dt.Location.Line > 0 {
			where += fmt.Sprintf(" line %d", dt.Location.Line)
		}
		other = append(other, fmt.Sprintf("%s (`%s`, %s)", dt.Target.String(), dt.Text, where))
	}
	if len(other) > 0 {
		b.WriteString("Also declared: " + strings.Join(other, "; ") + "\n\n")
	}
	counts := map[Severity]int{}
	for _, f := range res.Findings {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []Severity{SeverityError, SeverityWarning, SeverityInformation, SeverityHint} {
		if counts[s] > 0 {
			parts = append(parts, plural(counts[s], s.String(), s.String()+"s"))
		}
	}
	fmt.Fprintf(&b, "Findings in this file: %d", len(res.Findings))
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	return b.String()
}

// statusLine is the first line of a name's hover.
func (p *pass) statusLine(ni *nameInfo) string {
	e := ni.entry
	name := "`" + ni.name + "`"
	kind := kindWord(e)
	if e == nil {
		return "**" + name + "** — private CPython name: no compatibility promise, not in the Limited API"
	}
	tname := targetName(p.target)
	switch ni.res.Status {
	case abi.Available:
		since := ni.min.Need
		if since.IsZero() {
			since = abi.V(3, 2)
		}
		if p.audit {
			return fmt.Sprintf("**%s** — %s in the Limited API since %s", name, kind, since)
		}
		return fmt.Sprintf("**%s** — available under %s (%s in the Limited API since %s)", name, tname, kind, since)
	case abi.TooNew:
		return fmt.Sprintf("**%s** — needs %s: %s in the Limited API only since %s, this file targets %s",
			name, ni.res.Need, kind, ni.res.Need, versionText(p.target.Target))
	case abi.NotLimited:
		if e.Tier == abi.TierUnstable {
			return fmt.Sprintf("**%s** — not in the Limited API (unstable %s)", name, kind)
		}
		return fmt.Sprintf("**%s** — not in the Limited API (CPython-specific %s)", name, kind)
	case abi.Private:
		return fmt.Sprintf("**%s** — private CPython %s: no compatibility promise, not in the Limited API", name, kind)
	case abi.ABIOnly:
		return fmt.Sprintf("**%s** — stable ABI only (kept for old binaries), not in the Limited API", name)
	case abi.ExcludedABI3T:
		s := fmt.Sprintf("**%s** — not available under the free-threaded stable ABI (abi3t)", name)
		if e.ABI3TReason != "" {
			s += ": " + e.ABI3TReason
		}
		return s
	}
	return fmt.Sprintf("**%s** — CPython %s", name, kind)
}

func (p *pass) hoverName(ni *nameInfo) string {
	p.verdict(ni)
	e := ni.entry
	if e == nil && !isPrivateName(ni.name) {
		return ""
	}
	var b strings.Builder
	b.WriteString(p.statusLine(ni))
	if e == nil {
		return b.String()
	}
	if sig := e.Signature; sig != nil {
		var ps []string
		for _, prm := range sig.Params {
			ps = append(ps, strings.TrimSpace(prm.Type+" "+prm.Name))
		}
		if sig.Variadic {
			ps = append(ps, "...")
		}
		fmt.Fprintf(&b, "\n\n```c\n%s %s(%s)\n```", strings.TrimSpace(sig.Return), ni.name, strings.Join(ps, ", "))
		var refs []string
		switch sig.ReturnRef {
		case abi.RefNew:
			refs = append(refs, "Returns a new reference.")
		case abi.RefBorrowed:
			refs = append(refs, "Returns a borrowed reference.")
		}
		for _, prm := range sig.Params {
			if prm.Ref == abi.RefSteals {
				refs = append(refs, "Steals a reference to `"+prm.Name+"`.")
			}
		}
		if len(refs) > 0 {
			b.WriteString("\n\n" + strings.Join(refs, " "))
		}
	}
	var facts []string
	if e.Header != "" {
		facts = append(facts, "Header: `"+e.Header+"`")
	}
	if e.Ifdef != "" {
		facts = append(facts, "only with `"+e.Ifdef+"`")
	}
	if len(facts) > 0 {
		b.WriteString("\n\n" + strings.Join(facts, " · "))
	}
	if alt := e.Alt; alt != nil && alt.Use != "" && ni.res.Status != abi.Available {
		s := "Instead: `" + alt.Use + "`"
		if !alt.Since.IsZero() {
			s += " (Limited API since " + alt.Since.String() + ")"
		}
		if alt.Note != "" {
			s += " — " + alt.Note
		}
		b.WriteString("\n\n" + s)
	}
	if u := p.docURL(ni.name); u != "" {
		b.WriteString("\n\n[Documentation](" + u + ")")
	}
	return b.String()
}

func (p *pass) hoverField(fu *fieldUse) string {
	code, fl := p.judgeField(fu)
	if fl.Struct == "" {
		if fu.base.known() {
			fl.Struct = fu.base.Base
		}
		if f, ok := p.db.Field(fl.Struct, fu.name); ok {
			fl = f
		}
	}
	if fl.Struct == "" {
		return ""
	}
	if f, ok := p.db.Field(fl.Struct, fu.name); ok {
		fl = f
	}
	var b strings.Builder
	name := "`" + fu.name + "`"
	tname := targetName(p.target)
	switch code {
	case "ABI004":
		why := "not part of the Limited API"
		if p.structStatus(fl.Struct) == "opaque" {
			why = fl.Struct + " is opaque in the Limited API"
		} else if p.structStatus(fl.Struct) == "absent" {
			why = fl.Struct + " is not part of the Limited API"
		}
		fmt.Fprintf(&b, "**%s** — field of `%s`, not reachable under %s (%s)", name, fl.Struct, tname, why)
	case "ABI006":
		fmt.Fprintf(&b, "**%s** — field of `%s`, reachable under abi3 but not under abi3t (the object header is opaque there)", name, fl.Struct)
	default:
		fmt.Fprintf(&b, "**%s** — field of `%s`, reachable under %s", name, fl.Struct, tname)
	}
	var facts []string
	if fl.Type != "" {
		facts = append(facts, "Type: `"+strings.TrimSpace(fl.Type)+"`")
	}
	if fl.Header != "" {
		facts = append(facts, "Header: `"+fl.Header+"`")
	}
	if len(facts) > 0 {
		b.WriteString("\n\n" + strings.Join(facts, " · "))
	}
	if code == "ABI006" {
		api := objectMemberAPI[fu.name]
		b.WriteString("\n\nInstead: `" + api.get + "(o)`, `" + api.set + "(o, v)` (3.9+)")
	} else if code != "" && fl.Alternative != "" {
		s := "Instead: `" + fl.Alternative + "`"
		if !fl.AltSince.IsZero() {
			s += " (Limited API since " + fl.AltSince.String() + ")"
		}
		b.WriteString("\n\n" + s)
	}
	return b.String()
}
