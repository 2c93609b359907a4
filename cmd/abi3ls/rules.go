package main

import (
	"bytes"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/cmd/internal/report"
)

//go:generate go run . rules --format markdown -o ../../docs/rules.md

// ruleJSON is one rule in `abi3ls rules --format json`.
type ruleJSON struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Severity      string `json:"severity"`
	ABI3TSeverity string `json:"abi3tSeverity,omitempty"`
	Fix           string `json:"fix"`
	Summary       string `json:"summary"`
	HelpURI       string `json:"helpUri"`
}

// runRules implements `abi3ls rules`: every code with its name, default
// severity and whether a fix exists. --format markdown renders
// docs/rules.md.
func runRules(e env) int {
	fs := newFlagSet("rules", "abi3ls rules [--format text|json|markdown] [-o FILE]", e.stderr)
	format := fs.String("format", "text", "output format: text, json or markdown (the docs/rules.md page)")
	outFile := fs.String("o", "", "write to this file instead of standard output")
	args, err := parseInterleaved(fs, e.args)
	if err != nil {
		return exitForParse(err)
	}
	if len(args) > 0 {
		fs.Usage()
		return 2
	}
	rules := analysis.Rules()
	var out []byte
	switch *format {
	case "text":
		var b bytes.Buffer
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tSEVERITY\tFIX\tSUMMARY")
		for _, r := range rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Code, r.Name, report.SeverityText(r), report.FixText(r), r.Summary)
		}
		tw.Flush()
		out = b.Bytes()
	case "json":
		list := make([]ruleJSON, 0, len(rules))
		for _, r := range rules {
			j := ruleJSON{Code: r.Code, Name: r.Name, Severity: r.Severity.String(), Fix: report.FixText(r),
				Summary: r.Summary, HelpURI: report.RulesDocURI + "#" + report.RuleAnchor(r)}
			if r.ABI3TSeverity != analysis.SeverityOff && r.ABI3TSeverity != r.Severity {
				j.ABI3TSeverity = r.ABI3TSeverity.String()
			}
			list = append(list, j)
		}
		var b bytes.Buffer
		if err := report.EncodeJSON(&b, list); err != nil {
			fmt.Fprintf(e.stderr, "abi3ls rules: %v\n", err)
			return 2
		}
		out = b.Bytes()
	case "markdown":
		out = report.RulesMarkdown(rules)
	default:
		fmt.Fprintf(e.stderr, "abi3ls rules: unknown --format %q (want text, json or markdown)\n", *format)
		return 2
	}
	if *outFile != "" {
		if err := os.WriteFile(*outFile, out, 0o644); err != nil {
			fmt.Fprintf(e.stderr, "abi3ls rules: %v\n", err)
			return 2
		}
		return 0
	}
	e.stdout.Write(out)
	return 0
}
