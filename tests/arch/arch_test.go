// Package arch checks that dependencies point one way:
// cmd -> server -> analysis -> abi, grammars.
package arch

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/abi3ls/abi3ls/"

// forbidden maps a package prefix (relative to the module) to import
// prefixes it must not depend on, directly or not.
var forbidden = map[string][]string{
	"abi":       {mod, "go.lsp.dev/", "github.com/tree-sitter/"},
	"grammars":  {mod + "abi", mod + "analysis", mod + "server", mod + "cmd", "go.lsp.dev/"},
	"analysis":  {mod + "server", mod + "cmd", "go.lsp.dev/"},
	"server":    {mod + "cmd"},
	"tests":     {},
	"editors":   {},
	"cmd":       {},
	"benchmark": {},
}

type pkg struct {
	ImportPath string
	Deps       []string
	Standard   bool
}

func TestDependenciesPointOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-json", mod[:len(mod)-1]+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p.ImportPath, mod)
		top, _, _ := strings.Cut(rel, "/")
		bans, ok := forbidden[top]
		if !ok {
			continue
		}
		seen++
		for _, d := range p.Deps {
			// A package may use its own subpackages (abi/internal/gen is
			// tooling, checked below).
			if strings.HasPrefix(d, mod+top) {
				continue
			}
			for _, b := range bans {
				if strings.HasPrefix(d, b) {
					t.Errorf("%s depends on %s (forbidden: %s)", p.ImportPath, d, b)
				}
			}
		}
	}
	if seen < 4 {
		t.Fatalf("only %d packages checked; go list output unexpected", seen)
	}
}

// TestABIIsPureGo checks the database builds without cgo, as the layout
// promises (tools under abi/internal may use anything).
func TestABIIsPureGo(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", mod+"abi")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		if std != "true" && path != mod+"abi" {
			t.Errorf("abi depends on non-standard package %s", path)
		}
	}
}
