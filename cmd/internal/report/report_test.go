package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLineIndex(t *testing.T) {
	src := []byte("ab\r\n\tcé\nlast")
	x := NewLineIndex(src)
	tests := []struct {
		off, line, col, cp int
	}{
		{0, 1, 1, 1}, {2, 1, 3, 3}, {4, 2, 1, 1}, {6, 2, 3, 3}, {8, 2, 5, 4}, {9, 3, 1, 1}, {13, 3, 5, 5}, {99, 3, 5, 5}, {-3, 1, 1, 1},
	}
	for _, tt := range tests {
		l, c := x.Position(tt.off)
		if l != tt.line || c != tt.col || x.CodePointColumn(tt.off) != tt.cp {
			t.Errorf("offset %d: got %d:%d cp %d, want %d:%d cp %d", tt.off, l, c, x.CodePointColumn(tt.off), tt.line, tt.col, tt.cp)
		}
		if l == tt.line && tt.off >= 0 && tt.off <= len(src) && x.Offset(l, c) != tt.off {
			t.Errorf("Offset(%d,%d) = %d, want %d", l, c, x.Offset(l, c), tt.off)
		}
	}
	for n, want := range map[int]string{1: "ab", 2: "\tcé", 3: "last", 4: ""} {
		if got := string(x.Line(n)); got != want {
			t.Errorf("Line(%d) = %q, want %q", n, got, want)
		}
	}
}

// sample is a file with three findings; the analysis result is built by
// hand to test the conversion alone.
func sample(t *testing.T) (Paths, File) {
	t.Helper()
	dir := t.TempDir()
	src := "#define Py_LIMITED_API 0x03080000\n#include <Python.h>\n\tx = PyTuple_GET_ITEM(t, 0); /* é */ o->ob_type;\n"
	off := strings.Index(src, "PyTuple_GET_ITEM")
	obt := strings.Index(src, "o->ob_type")
	res := &analysis.Result{
		Target: analysis.FileTarget{
			Target: abi.Target{Limited: abi.V(3, 8)}, Kind: analysis.FromDefine,
			Location: analysis.Location{Line: 1, Start: 8, End: 33}, Text: "Py_LIMITED_API 0x03080000",
		},
		Findings: []analysis.Finding{
			{Code: "ABI001", Severity: analysis.SeverityError, Start: off, End: off + len("PyTuple_GET_ITEM"),
				Message: "PyTuple_GET_ITEM is not part of the Limited API", Symbol: "PyTuple_GET_ITEM",
				Fixes: []analysis.Fix{{Title: "Use PyTuple_GetItem", Applicability: analysis.Safe,
					Edits: []analysis.Edit{{Start: off, End: off + len("PyTuple_GET_ITEM"), NewText: "PyTuple_GetItem"}}}}},
			{Code: "ABI006", Severity: analysis.SeverityWarning, Start: obt, End: obt + len("o->ob_type"),
				Message: "ob_type: use Py_TYPE(o)", Symbol: "ob_type",
				Fixes: []analysis.Fix{{Title: "Use Py_TYPE", Applicability: analysis.Unsafe,
					Edits: []analysis.Edit{{Start: obt, End: obt + len("o->ob_type"), NewText: "Py_TYPE(o)"}}}}},
			{Code: "ABI009", Severity: analysis.SeverityOff, Start: 0, End: 1, Message: "switched off"},
		},
	}
	p := Paths{Cwd: dir, Repo: dir}
	return p, File{Abs: filepath.Join(dir, "src", "m.c"), RootDir: dir, Src: []byte(src), Result: res}
}

var sampleRules = map[string]analysis.Rule{
	"ABI001": {Code: "ABI001", Name: "not-limited-api", Severity: analysis.SeverityError, Summary: "Not in the Limited API", What: "Flags names.", Fix: analysis.FixSometimes},
	"ABI006": {Code: "ABI006", Name: "direct-object-member", Severity: analysis.SeverityWarning, ABI3TSeverity: analysis.SeverityError, Summary: "ob_* access", Fix: analysis.FixSometimes},
}

func ruleList() []analysis.Rule { return []analysis.Rule{sampleRules["ABI001"], sampleRules["ABI006"]} }

func TestConvert(t *testing.T) {
	p, f := sample(t)
	ds := Convert(p, f, sampleRules)
	if len(ds) != 2 {
		t.Fatalf("got %d diagnostics, want 2 (the switched-off one dropped)", len(ds))
	}
	want := Diagnostic{
		File: filepath.Join("src", "m.c"), Line: 3, Column: 6, EndLine: 3, EndColumn: 22,
		Severity: "error", Code: "ABI001", Rule: "not-limited-api",
		Message: "PyTuple_GET_ITEM is not part of the Limited API", Symbol: "PyTuple_GET_ITEM",
		Target: Target{Mode: "abi3", Version: "3.8", Source: "define", File: filepath.Join("src", "m.c"), Line: 1, Text: "Py_LIMITED_API 0x03080000"},
		Fix:    &Fix{Title: "Use PyTuple_GetItem", Applicability: "safe", Edits: []Edit{{Line: 3, Column: 6, EndLine: 3, EndColumn: 22, NewText: "PyTuple_GetItem"}}},
	}
	got := ds[0]
	jsonOnly := cmp.Options{
		cmpopts.IgnoreFields(Diagnostic{}, "Sev", "RepoPath", "Abs", "ColumnCP", "EndColumnCP", "Source", "Fixable", "UnsafeFixable"),
		cmpopts.IgnoreUnexported(Diagnostic{}),
	}
	if diff := cmp.Diff(want, got, jsonOnly); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Exported JSON fields compared; now the ones for other formats.
	if got.RepoPath != "src/m.c" || got.ColumnCP != 6 || got.Sev != analysis.SeverityError || !got.Fixable {
		t.Errorf("extra fields: %+v", got)
	}
	obt := ds[1]
	// "/* é */" precedes it: byte and code-point columns differ by one.
	if obt.EndColumn-obt.Column != 10 || obt.Column-obt.ColumnCP != 1 || obt.Fix != nil || !obt.UnsafeFixable {
		t.Errorf("ob_type: %+v", obt)
	}
}

func TestJSONShape(t *testing.T) {
	p, f := sample(t)
	r := &Report{Version: "v", Files: 1, Diagnostics: Convert(p, f, sampleRules)}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version     string           `json:"version"`
		Files       int              `json:"files"`
		Diagnostics []map[string]any `json:"diagnostics"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "v" || doc.Files != 1 || len(doc.Diagnostics) != 2 {
		t.Fatalf("doc %+v", doc)
	}
	for _, k := range []string{"file", "line", "column", "endLine", "endColumn", "severity", "code", "rule", "message", "symbol", "target", "fix"} {
		if _, ok := doc.Diagnostics[0][k]; !ok {
			t.Errorf("diagnostic lacks %q", k)
		}
	}
	if _, ok := doc.Diagnostics[1]["fix"]; ok {
		t.Error("an unsafe-only fix is in the JSON fix field")
	}
	// An empty report still has a diagnostics array.
	b.Reset()
	WriteJSON(&b, &Report{Version: "v"})
	if !strings.Contains(b.String(), `"diagnostics": []`) {
		t.Errorf("empty report: %s", b.String())
	}
}

func TestText(t *testing.T) {
	p, f := sample(t)
	r := &Report{Files: 3, Diagnostics: Convert(p, f, sampleRules)}
	var b bytes.Buffer
	if err := WriteText(&b, r, false); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join("src", "m.c")
	want := m + ":3:6: error: PyTuple_GET_ITEM is not part of the Limited API [ABI001]\n" +
		"    3 | \tx = PyTuple_GET_ITEM(t, 0); /* é */ o->ob_type;\n" +
		"      | \t    ^~~~~~~~~~~~~~~~\n" +
		m + ":3:39: warning: ob_type: use Py_TYPE(o) [ABI006]\n" +
		"    3 | \tx = PyTuple_GET_ITEM(t, 0); /* é */ o->ob_type;\n" +
		"      | \t" + strings.Repeat(" ", 36) + "^~~~~~~~~~\n" +
		"Found 2 problems (1 error, 1 warning) in 1 file of 3 checked; 1 fixable with `abi3ls fix`; 1 more with `abi3ls fix --unsafe`.\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	b.Reset()
	WriteText(&b, r, true)
	if !strings.Contains(b.String(), styleError+"error:"+styleReset) || !strings.Contains(b.String(), styleCaret+"^") {
		t.Errorf("no color: %q", b.String())
	}
	b.Reset()
	WriteText(&b, &Report{Files: 1}, false)
	if b.String() != "No problems found (1 file checked).\n" {
		t.Errorf("empty: %q", b.String())
	}
}

func TestGitHub(t *testing.T) {
	r := &Report{Diagnostics: []Diagnostic{
		{RepoPath: "src/a,b.c", File: "a,b.c", Line: 2, ColumnCP: 3, EndLine: 2, EndColumnCP: 9, Code: "ABI001", Rule: "not-limited-api",
			Message: "100% wrong\nsecond line", Sev: analysis.SeverityError},
		{File: "/abs/x.c", Line: 1, ColumnCP: 1, EndLine: 1, EndColumnCP: 2, Code: "ABI006", Message: "m", Sev: analysis.SeverityWarning},
		{File: "y.c", Line: 1, ColumnCP: 1, EndLine: 1, EndColumnCP: 2, Code: "ABI003", Message: "m", Sev: analysis.SeverityHint},
	}}
	var b bytes.Buffer
	if err := WriteGitHub(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "::error file=src/a%2Cb.c,line=2,col=3,endLine=2,endColumn=9,title=ABI001 not-limited-api::100%25 wrong%0Asecond line\n" +
		"::warning file=/abs/x.c,line=1,col=1,endLine=1,endColumn=2,title=ABI006::m\n" +
		"::notice file=y.c,line=1,col=1,endLine=1,endColumn=2,title=ABI003::m\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSarif(t *testing.T) {
	p, f := sample(t)
	r := &Report{Version: "1.2.3", Files: 1, Diagnostics: Convert(p, f, sampleRules),
		Errors: []FileError{{File: "gone.c", Message: "no such file"}}}
	var b bytes.Buffer
	if err := WriteSarif(&b, p, r, ruleList()); err != nil {
		t.Fatal(err)
	}
	if err := CheckSarif(b.Bytes()); err != nil {
		t.Fatalf("invalid SARIF: %v\n%s", err, b.String())
	}
	log := BuildSarif(p, r, ruleList())
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != 2 || len(run.Results) != 2 {
		t.Fatalf("rules %d results %d", len(run.Tool.Driver.Rules), len(run.Results))
	}
	res := run.Results[0]
	loc := res.Locations[0].PhysicalLocation
	if res.RuleID != "ABI001" || res.RuleIndex != 0 || res.Level != "error" || loc.ArtifactLocation.URI != "src/m.c" ||
		loc.ArtifactLocation.URIBaseID != SrcRoot || *loc.Region != (SarifRegion{StartLine: 3, StartColumn: 6, EndLine: 3, EndColumn: 22}) {
		t.Errorf("result: %+v", res)
	}
	if len(res.Fixes) != 1 || res.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text != "PyTuple_GetItem" {
		t.Errorf("fixes: %+v", res.Fixes)
	}
	if run.Results[1].Level != "warning" || run.Results[1].RuleIndex != 1 || run.Results[1].Fixes != nil {
		t.Errorf("second result: %+v", run.Results[1])
	}
	if run.Tool.Driver.Rules[0].HelpURI != RulesDocURI+"#abi001-not-limited-api" {
		t.Errorf("helpUri %q", run.Tool.Driver.Rules[0].HelpURI)
	}
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Errorf("invocations: %+v", run.Invocations)
	}
	// A code missing from the registry still gets a rule.
	r.Diagnostics[1].Code = "ABI999"
	b.Reset()
	WriteSarif(&b, p, r, ruleList())
	if err := CheckSarif(b.Bytes()); err != nil {
		t.Errorf("unknown code: %v", err)
	}
}

func TestCheckSarifRejects(t *testing.T) {
	p, f := sample(t)
	r := &Report{Version: "1", Files: 1, Diagnostics: Convert(p, f, sampleRules)}
	var b bytes.Buffer
	WriteSarif(&b, p, r, ruleList())
	good := b.Bytes()
	type obj = map[string]any
	run := func(d obj) obj { return d["runs"].([]any)[0].(obj) }
	result := func(d obj, i int) obj { return run(d)["results"].([]any)[i].(obj) }
	region := func(d obj) obj {
		return result(d, 0)["locations"].([]any)[0].(obj)["physicalLocation"].(obj)["region"].(obj)
	}
	artifact := func(d obj) obj {
		return result(d, 0)["locations"].([]any)[0].(obj)["physicalLocation"].(obj)["artifactLocation"].(obj)
	}
	rule := func(d obj, i int) obj { return run(d)["tool"].(obj)["driver"].(obj)["rules"].([]any)[i].(obj) }
	tests := []struct {
		name   string
		mutate func(obj)
		want   string
	}{
		{"version", func(d obj) { d["version"] = "2.0.0" }, "want 2.1.0"},
		{"runs missing", func(d obj) { delete(d, "runs") }, "runs: want an array"},
		{"driver name", func(d obj) { run(d)["tool"].(obj)["driver"].(obj)["name"] = "" }, "driver.name: empty"},
		{"rule id missing", func(d obj) { delete(rule(d, 1), "id") }, "rules[1].id: want a string"},
		{"duplicate rule", func(d obj) { rule(d, 1)["id"] = "ABI001" }, "duplicate rule id"},
		{"ruleId unknown", func(d obj) { result(d, 0)["ruleId"] = "ABI777" }, "is not a rule of the driver"},
		{"ruleIndex wrong", func(d obj) { result(d, 1)["ruleIndex"] = 0.0 }, "but rule"},
		{"level", func(d obj) { result(d, 0)["level"] = "fatal" }, "is not one of"},
		{"message missing", func(d obj) { delete(result(d, 0), "message") }, "message: want an object"},
		{"empty message", func(d obj) { result(d, 0)["message"] = obj{"text": ""} }, "message.text: empty"},
		{"no locations", func(d obj) { result(d, 0)["locations"] = []any{} }, "no location"},
		{"start line 0", func(d obj) { region(d)["startLine"] = 0.0 }, "want an integer >= 1"},
		{"end before start", func(d obj) { region(d)["endColumn"] = 2.0 }, "endColumn 2 before startColumn"},
		{"base id undeclared", func(d obj) { artifact(d)["uriBaseId"] = "%ELSEWHERE%" }, "not in originalUriBaseIds"},
		{"relative without base", func(d obj) { delete(artifact(d), "uriBaseId") }, "without uriBaseId"},
		{"base without slash", func(d obj) { run(d)["originalUriBaseIds"].(obj)[SrcRoot].(obj)["uri"] = "file:///x" }, "must end with /"},
		{"helpUri relative", func(d obj) { rule(d, 0)["helpUri"] = "docs/rules.md" }, "want an absolute URI"},
		{"column kind", func(d obj) { run(d)["columnKind"] = "bytes" }, "columnKind"},
		{"fix without replacements", func(d obj) {
			result(d, 0)["fixes"].([]any)[0].(obj)["artifactChanges"].([]any)[0].(obj)["replacements"] = []any{}
		}, "replacements: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d obj
			if err := json.Unmarshal(good, &d); err != nil {
				t.Fatal(err)
			}
			tt.mutate(d)
			bad, _ := json.Marshal(d)
			err := CheckSarif(bad)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if err := CheckSarif([]byte("{")); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("truncated: %v", err)
	}
}

func TestMin(t *testing.T) {
	p, f := sample(t)
	line3 := strings.Index(string(f.Src), "\tx")
	f.Result.Min = analysis.MinTarget{
		Version: abi.V(3, 10), Symbol: "PyType_FromModuleAndSpec", At: analysis.Location{Line: 3, Start: line3 + 1, End: line3 + 2},
		Blockers: []analysis.Blocker{{Symbol: "PyTuple_GET_ITEM", Code: "ABI001", At: analysis.Location{Line: 3, Start: line3 + 5, End: line3 + 21}}},
	}
	other := File{Abs: filepath.Join(p.Cwd, "a.c"), Src: []byte("x"), Result: &analysis.Result{Min: analysis.MinTarget{Version: abi.V(3, 9), Symbol: "Py_X"}}}
	mr := NewMinReport("v", 2, []MinFile{ConvertMin(p, other), ConvertMin(p, f)})
	var b bytes.Buffer
	WriteMinText(&b, mr)
	m := filepath.Join("src", "m.c")
	want := "Minimum Py_LIMITED_API: 3.10 (0x030A0000), pinned by PyType_FromModuleAndSpec at " + m + ":3:2 (2 files checked).\n" +
		"1 blocker no Limited API version has:\n  " + m + ":3:6: PyTuple_GET_ITEM [ABI001]\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	empty := NewMinReport("v", 0, nil)
	if empty.Minimum.Version != "3.2" || empty.Minimum.Hex != "0x03020000" || empty.Blockers == nil {
		t.Errorf("empty: %+v", empty)
	}
}

func TestRulesMarkdown(t *testing.T) {
	md := string(RulesMarkdown(ruleList()))
	for _, want := range []string{
		"| [ABI001](#abi001-not-limited-api) | not-limited-api | error | sometimes | Not in the Limited API |",
		"| [ABI006](#abi006-direct-object-member) | direct-object-member | warning; error under abi3t |",
		"## ABI001 not-limited-api\n\nDefault severity: **error**. Fix: **sometimes**.\n\nNot in the Limited API\n\n### What it does\n\nFlags names.\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
