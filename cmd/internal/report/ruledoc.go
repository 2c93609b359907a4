package report

import (
	"fmt"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"
)

// RuleAnchor is the anchor of a rule's section in docs/rules.md, as
// GitHub derives it from the heading "CODE name".
func RuleAnchor(r analysis.Rule) string {
	if r.Name == "" {
		return strings.ToLower(r.Code)
	}
	return strings.ToLower(r.Code + "-" + r.Name)
}

// RuleHeading is the title of a rule's documentation.
func RuleHeading(r analysis.Rule) string {
	if r.Name == "" {
		return r.Code
	}
	return r.Code + " " + r.Name
}

// SeverityText describes a rule's default severity ("warning; error under
// abi3t").
func SeverityText(r analysis.Rule) string {
	s := severityName(r.Severity)
	if r.ABI3TSeverity != analysis.SeverityOff && r.ABI3TSeverity != r.Severity {
		s += "; " + severityName(r.ABI3TSeverity) + " under abi3t"
	}
	return s
}

// FixText says whether a rule offers fixes.
func FixText(r analysis.Rule) string {
	if r.Fix == "" {
		return string(analysis.FixNone)
	}
	return string(r.Fix)
}

// RuleMarkdownBody renders a rule's documentation without its title:
// severity and fix availability, the summary, then the sections What it
// does, Why is this bad?, Example, Use instead and Fix safety, with
// headings at the given level.
func RuleMarkdownBody(r analysis.Rule, level int) string {
	var b strings.Builder
	h := strings.Repeat("#", level)
	fmt.Fprintf(&b, "Default severity: **%s**. Fix: **%s**.\n", SeverityText(r), FixText(r))
	if s := strings.TrimSpace(r.Summary); s != "" {
		fmt.Fprintf(&b, "\n%s\n", s)
	}
	section := func(title, body string, code bool) {
		body = strings.TrimSpace(body)
		if body == "" {
			return
		}
		fmt.Fprintf(&b, "\n%s %s\n\n", h, title)
		if code {
			fmt.Fprintf(&b, "```c\n%s\n```\n", body)
		} else {
			fmt.Fprintf(&b, "%s\n", body)
		}
	}
	section("What it does", r.What, false)
	section("Why is this bad?", r.Why, false)
	section("Example", r.Example, true)
	section("Use instead", r.Instead, true)
	section("Fix safety", r.FixSafety, false)
	return b.String()
}

// RuleMarkdown renders a rule's documentation with a title at the given
// heading level (sections one level below).
func RuleMarkdown(r analysis.Rule, level int) string {
	return fmt.Sprintf("%s %s\n\n%s", strings.Repeat("#", level), RuleHeading(r), RuleMarkdownBody(r, level+1))
}

// RulesMarkdown renders docs/rules.md: an index table and every rule's
// documentation.
func RulesMarkdown(rules []analysis.Rule) []byte {
	var b strings.Builder
	b.WriteString("# Rules\n\n")
	b.WriteString("<!-- Generated from analysis.Rules() by `go generate ./cmd/abi3ls`; do not edit. -->\n\n")
	b.WriteString("Every finding of abi3ls carries one of these codes. `abi3ls rules` lists them, `abi3ls explain CODE`\n")
	b.WriteString("prints one, and `select`, `ignore` and `severity` in the configuration (or `--select`/`--ignore`)\n")
	b.WriteString("choose which apply.\n\n")
	b.WriteString("| Code | Name | Default severity | Fix | Summary |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s |\n", r.Code, RuleAnchor(r), r.Name,
			SeverityText(r), FixText(r), strings.ReplaceAll(strings.TrimSpace(r.Summary), "|", "\\|"))
	}
	for _, r := range rules {
		b.WriteString("\n")
		b.WriteString(RuleMarkdown(r, 2))
	}
	return []byte(b.String())
}
