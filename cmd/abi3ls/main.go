// Command abi3ls checks the C/C++ source of CPython extension modules
// against the Limited API, as a language server (`abi3ls serve`) and as a
// command-line checker (`abi3ls check`).
package main

import (
	"fmt"
	"io"
	"os"
)

// Version is the abi3ls version, set at build time with
// -ldflags "-X main.Version=..." when releasing.
var Version = "0.1.0-dev"

const usage = `abi3ls: Limited API checker and language server for CPython extensions

Usage:
  abi3ls check [flags] PATH...    report uses of API outside the Limited API
  abi3ls fix [flags] PATH...      apply safe fixes (--unsafe, --diff)
  abi3ls serve                    run the language server on stdio
  abi3ls lookup NAME [--target 3.X] [--json]
                                  what the database knows about a name
  abi3ls explain CODE             print a rule's documentation
  abi3ls rules                    list the rules
  abi3ls version                  print the version

Run 'abi3ls COMMAND -h' for a command's flags.
`

// env is what a subcommand gets: its arguments and streams. Commands never
// touch os.Stdout directly so tests can capture them.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func main() {
	os.Exit(run(env{args: os.Args[1:], stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// run dispatches to a subcommand and returns the exit status.
func run(e env) int {
	if len(e.args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	cmd, rest := e.args[0], env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}
	switch cmd {
	case "version", "--version", "-version":
		fmt.Fprintf(e.stdout, "abi3ls %s\n", Version)
		return 0
	case "lookup":
		return runLookup(rest)
	case "serve":
		return runServe(rest)
	case "check":
		return runCheck(rest)
	case "fix":
		return runFix(rest)
	case "explain":
		return runExplain(rest)
	case "rules":
		return runRules(rest)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return 0
	}
	fmt.Fprintf(e.stderr, "abi3ls: unknown command %q\n\n%s", cmd, usage)
	return 2
}
