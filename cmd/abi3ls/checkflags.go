package main

// Flags and helpers shared by `check` and `fix`.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/abi3ls/abi3ls/cmd/internal/workspace"
	"github.com/mattn/go-isatty"
)

// listFlag is a repeatable, comma-separated flag value.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// configFlags are the flags that shape the analysis configuration.
type configFlags struct {
	target   string
	abi3t    bool
	selected listFlag
	ignored  listFlag
	config   string
	audit    bool
	exitZero bool
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.target, "target", "", "check against this Limited API version (3.X), overriding the declared target")
	fs.BoolVar(&c.abi3t, "abi3t", false, "check against the free-threaded stable ABI (Py_TARGET_ABI3T, PEP 803)")
	fs.Var(&c.selected, "select", "enable only these rule codes or prefixes (comma-separated, repeatable; ALL)")
	fs.Var(&c.ignored, "ignore", "disable these rule codes or prefixes (comma-separated, repeatable)")
	fs.StringVar(&c.config, "config", "", "read settings from this file (abi3ls.toml, or pyproject.toml's [tool.abi3ls]) instead of the project's")
	fs.BoolVar(&c.audit, "audit", false, "report as in audit mode (no target) even when a target is set")
	fs.BoolVar(&c.exitZero, "exit-zero", false, "exit 0 even when problems are found (2 still signals bad input)")
}

// options turns the flags into workspace options.
func (c *configFlags) options() workspace.Options {
	o := workspace.Options{ConfigFile: c.config, Audit: c.audit}
	o.Override.Target = c.target
	if c.abi3t {
		t := true
		o.Override.ABI3T = &t
	}
	if len(c.selected) > 0 {
		o.Override.Select = append([]string(nil), c.selected...)
	}
	o.ExtendIgnore = append([]string(nil), c.ignored...)
	return o
}

// parseInterleaved parses flags that may come before, between or after
// positional arguments (`check src/ --format json`); "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a flag set that reports errors to stderr and does not
// exit.
func newFlagSet(name, usageLine string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nflags:\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// useColor decides on color for the text format: --color always/never, or
// auto: stdout is a terminal and NO_COLOR is unset or empty.
func useColor(mode string, stdout io.Writer) (bool, error) {
	return colorDecision(mode, isTerminal(stdout), os.Getenv("NO_COLOR"))
}

func colorDecision(mode string, terminal bool, noColor string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		return terminal && noColor == "", nil
	}
	return false, fmt.Errorf("--color %q: want auto, always or never", mode)
}

// exitForParse is the exit status after a flag parse error: 0 for -h.
func exitForParse(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
