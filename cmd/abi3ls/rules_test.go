package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/cmd/internal/report"
	"github.com/google/go-cmp/cmp"
)

// TestRulesDocCurrent checks docs/rules.md is what the rule registry
// renders. Regenerate with `go generate ./cmd/abi3ls`.
func TestRulesDocCurrent(t *testing.T) {
	rules := analysis.Rules()
	if len(rules) == 0 {
		t.Fatal("the rule registry is empty")
	}
	path := filepath.Join(repoRoot(t), "docs", "rules.md")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go generate ./cmd/abi3ls)", err)
	}
	want := report.RulesMarkdown(rules)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("docs/rules.md is stale; run go generate ./cmd/abi3ls (-want +got):\n%s", diff)
	}
	// Every rule is documented in full.
	for _, r := range rules {
		for name, s := range map[string]string{"Name": r.Name, "Summary": r.Summary, "What": r.What, "Why": r.Why, "Example": r.Example} {
			if s == "" {
				t.Errorf("%s: %s is empty", r.Code, name)
			}
		}
	}
}
