package analysis

import (
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/project"
	"github.com/google/go-cmp/cmp"
)

func boolp(b bool) *bool { return &b }

func TestConfigFromSettings(t *testing.T) {
	haveRules := len(Rules()) > 0
	tests := []struct {
		name    string
		s       project.Settings
		want    Config
		wantErr string
		rules   bool // needs the rule registry
	}{
		{name: "empty", s: project.Settings{}, want: Config{}},
		{name: "target", s: project.Settings{Target: "3.10"}, want: Config{Target: abi.Target{Limited: abi.V(3, 10)}}},
		{name: "wheel tag target", s: project.Settings{Target: "cp39"}, want: Config{Target: abi.Target{Limited: abi.V(3, 9)}}},
		{name: "auto target", s: project.Settings{Target: "auto"}, want: Config{}},
		{name: "abi3t with version", s: project.Settings{Target: "3.15", ABI3T: boolp(true)}, want: Config{Target: abi.Target{ABI3T: abi.V(3, 15)}}},
		{name: "abi3t alone", s: project.Settings{ABI3T: boolp(true)}, want: Config{Target: abi.Target{ABI3T: abi.V(3, 15)}}},
		{name: "abi3t too old", s: project.Settings{Target: "3.12", ABI3T: boolp(true)}, wantErr: "starts at 3.15"},
		{name: "bad target", s: project.Settings{Target: "3.x"}, wantErr: "target"},
		{name: "audit warning", s: project.Settings{Audit: "warning"}, want: Config{AuditSeverity: SeverityWarning}},
		{name: "audit info", s: project.Settings{Audit: "info"}, want: Config{AuditSeverity: SeverityInformation}},
		{name: "audit error refused", s: project.Settings{Audit: "error"}, wantErr: "audit"},
		{name: "audit off", s: project.Settings{Audit: "off"}, want: Config{AuditOff: true}},
		{name: "audit nonsense", s: project.Settings{Audit: "loud"}, wantErr: "audit"},
		{name: "severity", s: project.Settings{Severity: map[string]string{"abi006": "error", "ABI009": "off"}},
			want: Config{Severity: map[string]Severity{"ABI006": SeverityError, "ABI009": SeverityOff}}},
		{name: "bad severity", s: project.Settings{Severity: map[string]string{"ABI006": "fatal"}}, wantErr: "severity"},
		{name: "select and ignore", s: project.Settings{Select: []string{"abi001", "ABI004"}, Ignore: []string{"ABI006"}},
			want: Config{Select: []string{"ABI001", "ABI004"}, Ignore: []string{"ABI006"}}},
		{name: "prefix", s: project.Settings{Select: []string{"ABI00"}}, rules: true,
			want: Config{Select: []string{"ABI001", "ABI002", "ABI003", "ABI004", "ABI005", "ABI006", "ABI007", "ABI008", "ABI009"}}},
		{name: "unknown code", s: project.Settings{Ignore: []string{"XYZ1"}}, rules: true, wantErr: `unknown rule code "XYZ1"`},
		{name: "several errors at once", s: project.Settings{Target: "nope", Audit: "loud"}, wantErr: "audit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rules && !haveRules {
				t.Fatal("the rule registry (Rules) is empty")
			}
			got, err := ConfigFromSettings(tt.s)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestConfigFromSettingsKeepsValidValues checks that one bad value does not
// throw away the others: the server applies what it can.
func TestConfigFromSettingsKeepsValidValues(t *testing.T) {
	got, err := ConfigFromSettings(project.Settings{Target: "3.10", Audit: "loud", Ignore: []string{"ABI006"}})
	if err == nil || !strings.Contains(err.Error(), "audit") {
		t.Fatalf("err = %v, want the audit value reported", err)
	}
	want := Config{Target: abi.Target{Limited: abi.V(3, 10)}, Ignore: []string{"ABI006"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
