package main

// Script tests of the command line (testscript, the Go toolchain's own
// style): testdata/script/*.txtar run `abi3ls` as a real process on
// fixture trees and compare its output with goldens. `go test
// ./cmd/abi3ls -update` rewrites the goldens inside the scripts from the
// real output (review the diff).
//
// Extra script commands:
//
//	normalize FILE    replace $WORK and $REPO (absolute paths) with those
//	                  names, so goldens do not depend on where they run
//	sarifcheck [-slim] FILE
//	                  validate a SARIF log structurally (report.CheckSarif);
//	                  -slim then rewrites FILE without the rules' prose, so
//	                  goldens do not change with the wording of rule docs
//	jsoncheck FILE    check every diagnostic of a `check --format json`
//	                  report has the documented fields

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/cmd/internal/report"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the goldens of testdata/script from the real output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"abi3ls": main})
}

func repoRoot(t testing.TB) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

func TestScripts(t *testing.T) {
	repo := repoRoot(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			env.Setenv("NO_COLOR", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"normalize":  cmdNormalize,
			"sarifcheck": cmdSarifCheck,
			"jsoncheck":  cmdJSONCheck,
		},
	})
}

func cmdNormalize(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: normalize FILE")
	}
	text := ts.ReadFile(args[0])
	for _, v := range []string{"WORK", "REPO"} {
		if dir := ts.Getenv(v); dir != "" {
			text = strings.ReplaceAll(text, dir, "$"+v)
		}
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(text), 0o644))
}

func cmdSarifCheck(ts *testscript.TestScript, neg bool, args []string) {
	slim := len(args) == 2 && args[0] == "-slim"
	if slim {
		args = args[1:]
	}
	if len(args) != 1 || (neg && slim) {
		ts.Fatalf("usage: sarifcheck [-slim] FILE")
	}
	data := []byte(ts.ReadFile(args[0]))
	err := report.CheckSarif(data)
	switch {
	case neg && err == nil:
		ts.Fatalf("%s is valid SARIF", args[0])
	case !neg && err != nil:
		ts.Fatalf("%s: invalid SARIF: %v", args[0], err)
	}
	if !slim {
		return
	}
	var log report.SarifLog
	ts.Check(json.Unmarshal(data, &log))
	for i := range log.Runs {
		rules := log.Runs[i].Tool.Driver.Rules
		for j := range rules {
			rules[j].ShortDescription = report.SarifText{Text: "(omitted)"}
			rules[j].FullDescription = report.SarifText{Text: "(omitted)"}
			rules[j].Help = nil
		}
	}
	var b bytes.Buffer
	ts.Check(report.EncodeJSON(&b, &log))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}

// jsonFields are the fields every diagnostic of the JSON format has.
var jsonFields = []string{"file", "line", "column", "endLine", "endColumn", "severity", "code", "rule", "message", "symbol", "target"}

func cmdJSONCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsoncheck FILE")
	}
	var doc struct {
		Version     *string          `json:"version"`
		Files       *int             `json:"files"`
		Diagnostics []map[string]any `json:"diagnostics"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc))
	if doc.Version == nil || doc.Files == nil || doc.Diagnostics == nil {
		ts.Fatalf("%s: want version, files and diagnostics", args[0])
	}
	for i, d := range doc.Diagnostics {
		for _, k := range jsonFields {
			if _, ok := d[k]; !ok {
				ts.Fatalf("diagnostic %d lacks %q", i, k)
			}
		}
		for _, k := range []string{"line", "column", "endLine", "endColumn"} {
			if n, _ := d[k].(float64); n < 1 {
				ts.Fatalf("diagnostic %d: %s = %v, want >= 1", i, k, d[k])
			}
		}
		tg, _ := d["target"].(map[string]any)
		if tg == nil || tg["mode"] == nil || tg["source"] == nil {
			ts.Fatalf("diagnostic %d: target %v lacks mode or source", i, d["target"])
		}
		if fx, ok := d["fix"].(map[string]any); ok {
			if fx["applicability"] != "safe" || fx["title"] == "" {
				ts.Fatalf("diagnostic %d: fix %v", i, fx)
			}
		}
	}
	fmt.Fprintf(ts.Stdout(), "%d diagnostics checked\n", len(doc.Diagnostics))
}
