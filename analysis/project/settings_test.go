package project

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func TestParseSettingsTOML(t *testing.T) {
	src := `# abi3ls configuration
target = "3.10"
abi3t = false
audit = "information"
include-dirs = ["include", "third_party/inc"]
exclude = ["build/**", "*.gen.c"]
select = ["ABI001", "ABI002"]
ignore = ["ABI009"]
max-file-size = 1048576

[severity]
ABI006 = "error"
abi009 = "off"
`
	s, problems := ParseSettingsTOML("abi3ls.toml", []byte(src))
	if len(problems) != 0 {
		t.Fatalf("problems: %+v", problems)
	}
	want := Settings{
		Target: "3.10", ABI3T: ptr(false), Audit: "information",
		Severity: map[string]string{"ABI006": "error", "abi009": "off"},
		Select:   []string{"ABI001", "ABI002"}, Ignore: []string{"ABI009"},
		Include: []string{"include", "third_party/inc"}, Exclude: []string{"build/**", "*.gen.c"},
		MaxFileSize: 1 << 20,
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"ABI006": "error", "ABI009": "off"}, s.RuleSeverity()); diff != "" {
		t.Errorf("RuleSeverity (-want +got):\n%s", diff)
	}
}

func TestSettingsProblems(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []Problem // Message compared by substring
	}{
		{"unknown key", "target = \"3.9\"\ntargte = \"3.10\"\n", []Problem{{Line: 2, Message: `"targte"`}}},
		{"wrong type", "abi3t = \"yes\"\naudit = \"hint\"\n", []Problem{{Line: 1, Message: "abi3t: expected true or false"}}},
		{"bad target", "target = \"three\"\n", []Problem{{Line: 1, Message: "target"}}},
		{"bad audit", "audit = \"loud\"\n", []Problem{{Line: 1, Message: "audit"}}},
		{"bad severity", "[severity]\nABI001 = \"fatal\"\n", []Problem{{Line: 1, Message: "ABI001"}}},
		{"bad glob", "exclude = [\"a[\"]\n", []Problem{{Line: 1, Message: "exclude"}}},
		{"number target", "target = 3.10\n", []Problem{{Line: 1, Message: "target: expected a string"}}},
		{"negative size", "max-file-size = -1\n", []Problem{{Line: 1, Message: "max-file-size"}}},
		{"syntax error", "target = \n", []Problem{{Line: 1, Message: "abi3ls.toml"}}},
		{"unknown table", "[rules]\nx = 1\n", []Problem{{Line: 1, Message: `"rules"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := ParseSettingsTOML("abi3ls.toml", []byte(tc.src))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if got[i].Line != tc.want[i].Line || !strings.Contains(got[i].Message, tc.want[i].Message) || got[i].Path != "abi3ls.toml" {
					t.Errorf("problem %d = %+v, want line %d containing %q", i, got[i], tc.want[i].Line, tc.want[i].Message)
				}
			}
		})
	}
}

func TestParsePyprojectSettings(t *testing.T) {
	src := "[project]\nname = \"x\"\n[tool.abi3ls]\ntarget = \"cp39\"\nbogus = 1\n[tool.abi3ls.severity]\nABI010 = \"hint\"\n"
	s, ok, problems := ParsePyprojectSettings("pyproject.toml", []byte(src))
	if !ok {
		t.Fatal("[tool.abi3ls] not found")
	}
	if s.Target != "cp39" || s.Severity["ABI010"] != "hint" {
		t.Errorf("settings = %+v", s)
	}
	if len(problems) != 1 || problems[0].Line != 5 || !strings.Contains(problems[0].Message, `"bogus"`) {
		t.Errorf("problems = %+v, want the unknown key on line 5", problems)
	}
	if _, ok, _ := ParsePyprojectSettings("pyproject.toml", []byte("[project]\n")); ok {
		t.Error("found settings in a pyproject without [tool.abi3ls]")
	}
	if _, ok, problems := ParsePyprojectSettings("pyproject.toml", []byte("[tool]\nabi3ls = 3\n")); ok || len(problems) != 1 {
		t.Errorf("abi3ls = 3: ok=%v problems=%+v, want one problem", ok, problems)
	}
}

func TestParseSettingsJSON(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		want    Settings
		wantErr string
	}{
		{"wrapped", `{"abi3ls": {"target": "3.11", "abi3t": true, "includeDirs": ["inc"], "maxFileSize": 100}}`,
			Settings{Target: "3.11", ABI3T: ptr(true), Include: []string{"inc"}, MaxFileSize: 100}, ""},
		{"bare", `{"audit": "warning", "severity": {"ABI001": "warning"}, "exclude": "vendor"}`,
			Settings{Audit: "warning", Severity: map[string]string{"ABI001": "warning"}, Exclude: []string{"vendor"}}, ""},
		{"toml spellings", `{"include-dirs": ["a"], "max_file_size": 5}`, Settings{Include: []string{"a"}, MaxFileSize: 5}, ""},
		{"editor keys ignored", `{"abi3ls": {"trace": {"server": "verbose"}, "path": "/bin/abi3ls", "target": "3.9"}}`, Settings{Target: "3.9"}, ""},
		{"null", `null`, Settings{}, ""},
		{"empty", ``, Settings{}, ""},
		{"null section", `{"abi3ls": null}`, Settings{}, ""},
		{"null key", `{"target": null, "audit": "off"}`, Settings{Audit: "off"}, ""},
		{"bad types keep the rest", `{"target": 3.1, "audit": "hint", "maxFileSize": 1.5}`, Settings{Audit: "hint"}, "target"},
		{"not an object", `[1]`, Settings{}, "expected an object"},
		{"bad section", `{"abi3ls": "x"}`, Settings{}, "must be an object"},
		{"bad json", `{"target":`, Settings{}, "abi3ls settings"},
		{"trailing", `{} {}`, Settings{}, "trailing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSettingsJSON(json.RawMessage(tc.in))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestDecodeSettingsJSONUnknown(t *testing.T) {
	_, unknown, err := DecodeSettingsJSON(json.RawMessage(`{"abi3ls": {"trace": 1, "target": "3.9", "zzz": 2}}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"trace", "zzz"}, unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
}

func TestMerge(t *testing.T) {
	project := Settings{Target: "3.8", ABI3T: ptr(true), Audit: "hint", Severity: map[string]string{"ABI001": "warning", "ABI002": "error"}, Exclude: []string{"a"}, MaxFileSize: 10}
	init := Settings{Target: "3.10", Severity: map[string]string{"ABI002": "off"}}
	change := Settings{ABI3T: ptr(false), Exclude: []string{}}
	got := project.Merge(init).Merge(change)
	want := Settings{Target: "3.10", ABI3T: ptr(false), Audit: "hint", Severity: map[string]string{"ABI001": "warning", "ABI002": "off"}, Exclude: []string{}, MaxFileSize: 10}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if project.Severity["ABI002"] != "error" || !*project.ABI3T {
		t.Error("Merge modified its receiver")
	}
}

func TestTargetVersion(t *testing.T) {
	for _, tc := range []struct {
		s       Settings
		want    string
		wantErr bool
	}{
		{Settings{}, "audit", false},
		{Settings{Target: "auto"}, "audit", false},
		{Settings{Target: "3.10"}, "abi3 3.10+", false},
		{Settings{Target: " cp39 "}, "abi3 3.9+", false},
		{Settings{Target: "0x030B0000"}, "abi3 3.11+", false},
		{Settings{Target: "3.15", ABI3T: ptr(true)}, "abi3t 3.15+", false},
		{Settings{Target: "3.x"}, "audit", true},
		{Settings{Target: "0x3080000"}, "audit", true},
	} {
		got, err := tc.s.TargetVersion()
		if got.String() != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("%+v: got %v, %v; want %s (error %v)", tc.s, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestAuditSeverity(t *testing.T) {
	for in, want := range map[string]string{"": "hint", "off": "off", "Information": "information", "info": "information", "warn": "warning", "bogus": "hint"} {
		if got := (Settings{Audit: in}).AuditSeverity(); got != want {
			t.Errorf("AuditSeverity(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExcluded(t *testing.T) {
	s := Settings{Exclude: []string{"build", "third_party/**", "*.gen.c", "./vendor/"}}
	for rel, want := range map[string]bool{
		"build/a.c":           true,
		"sub/build/a.c":       true,
		"third_party/x/y.c":   true,
		"src/a.gen.c":         true,
		"vendor/v.c":          true,
		"src/a.c":             false,
		"builder.c":           false,
		"src/third_party/x.c": false,
	} {
		if got := s.Excluded(rel); got != want {
			t.Errorf("Excluded(%q) = %v, want %v", rel, got, want)
		}
	}
}
