package main

import (
	"fmt"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/cmd/internal/report"
)

// runExplain implements `abi3ls explain CODE`: a rule's documentation
// (what it flags, why, an example, what to use instead, fix safety), as
// Markdown. CODE may also be the rule's name.
func runExplain(e env) int {
	fs := newFlagSet("explain", "abi3ls explain CODE|NAME", e.stderr)
	args, err := parseInterleaved(fs, e.args)
	if err != nil {
		return exitForParse(err)
	}
	if len(args) != 1 {
		fs.Usage()
		return 2
	}
	r, ok := findRule(args[0])
	if !ok {
		fmt.Fprintf(e.stderr, "abi3ls explain: unknown rule %q (abi3ls rules lists them)\n", args[0])
		return 2
	}
	fmt.Fprint(e.stdout, report.RuleMarkdown(r, 1))
	return 0
}

// findRule finds a rule by code or name, ignoring case.
func findRule(s string) (analysis.Rule, bool) {
	s = strings.TrimSpace(s)
	for _, r := range analysis.Rules() {
		if strings.EqualFold(r.Code, s) || strings.EqualFold(r.Name, s) {
			return r, true
		}
	}
	return analysis.Rule{}, false
}
