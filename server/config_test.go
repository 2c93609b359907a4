package server

import (
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/analysis/project"

	"github.com/google/go-cmp/cmp"
)

func TestConfigFromSettings(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name string
		in   project.Settings
		want analysis.Config
	}{
		{"empty", project.Settings{}, analysis.Config{AuditSeverity: analysis.SeverityHint}},
		{"target", project.Settings{Target: "3.10"}, analysis.Config{Target: abi.Target{Limited: abi.V(3, 10)}, AuditSeverity: analysis.SeverityHint}},
		{"target as a define value", project.Settings{Target: "0x03090000"}, analysis.Config{Target: abi.Target{Limited: abi.V(3, 9)}, AuditSeverity: analysis.SeverityHint}},
		{"abi3t", project.Settings{Target: "3.15", ABI3T: &yes}, analysis.Config{Target: abi.Target{ABI3T: abi.V(3, 15)}, AuditSeverity: analysis.SeverityHint}},
		{"abi3t without a version", project.Settings{ABI3T: &yes}, analysis.Config{Target: abi.Target{ABI3T: abi.V(3, 15)}, AuditSeverity: analysis.SeverityHint}},
		{"bad target ignored", project.Settings{Target: "banana"}, analysis.Config{AuditSeverity: analysis.SeverityHint}},
		{"audit off", project.Settings{Audit: "off"}, analysis.Config{AuditOff: true}},
		{"audit warning", project.Settings{Audit: "Warning"}, analysis.Config{AuditSeverity: analysis.SeverityWarning}},
		{"severity", project.Settings{Severity: map[string]string{"abi004": "warn", "XYZ9": "hint", "ABI001": "bogus"}},
			analysis.Config{AuditSeverity: analysis.SeverityHint, Severity: map[string]analysis.Severity{"ABI004": analysis.SeverityWarning, "XYZ9": analysis.SeverityHint}}},
		{"select and ignore", project.Settings{Select: []string{"abi001", "ABI002"}, Ignore: []string{}},
			analysis.Config{AuditSeverity: analysis.SeverityHint, Select: []string{"ABI001", "ABI002"}, Ignore: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, configFromSettings(tc.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// Prefixes and ALL expand against the rule registry.
	c := configFromSettings(project.Settings{Select: []string{"ALL"}, Severity: map[string]string{"ABI00": "warning", "ABI004": "off"}})
	if len(c.Select) != len(analysis.Rules()) || len(c.Select) == 0 {
		t.Errorf("ALL selected %v", c.Select)
	}
	if c.Severity["ABI001"] != analysis.SeverityWarning || c.Severity["ABI004"] != analysis.SeverityOff {
		t.Errorf("prefix severities: %v", c.Severity)
	}
}
