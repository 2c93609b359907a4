// Command lspbench measures the abi3ls binary against the targets of issue
// 10 and prints a table of figures next to their targets: keystroke and
// open latency of `abi3ls serve`, analysis cost over a bare tree-sitter
// parse, `abi3ls check` throughput against gcc, memory of the server, and
// start-up. bench/run builds the binary and calls it; see
// docs/performance.md.
//
//	lspbench -bin ./abi3ls [-short] [-json out.json] [-only keystroke,check]
//
// Inputs are generated deterministically by bench/corpus. Progress goes to
// stderr, the table to stdout.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// sizes are the workload sizes of a run.
type sizes struct {
	editorLines   int // lines of the keystroke/open file
	edits         int // keystrokes measured
	openReps      int // opens (and bare parses) of the editor file
	analysisReps  int // in-process analyses (and bare parses)
	checkFiles    int // files of the check corpus
	checkLines    int // lines per check file
	checkReps     int // alternated runs of check and gcc
	memDocs       int // documents open for the RSS figure
	memDocLines   int // lines per document
	memEdits      int // edits on one document for the growth figure
	memEditsFirst int // the edit count the growth is measured from
	startupReps   int // runs of `abi3ls version` and of initialize
}

var full = sizes{
	editorLines: 20000, edits: 1000, openReps: 7, analysisReps: 10,
	checkFiles: 200, checkLines: 1000, checkReps: 3,
	memDocs: 500, memDocLines: 2000, memEdits: 10000, memEditsFirst: 1000,
	startupReps: 20,
}

// short keeps every measurement but shrinks it, for CI (figures printed,
// not judged).
var short = sizes{
	editorLines: 20000, edits: 100, openReps: 2, analysisReps: 2,
	checkFiles: 20, checkLines: 1000, checkReps: 1,
	memDocs: 50, memDocLines: 2000, memEdits: 1000, memEditsFirst: 100,
	startupReps: 3,
}

// config is what every section gets.
type config struct {
	bin    string // the abi3ls binary
	work   string // scratch directory
	gcc    string
	pyinc  string // directory holding Python.h
	jobs   int    // parallel gcc processes (and cores the check may use)
	sz     sizes
	report *report
}

var sections = []struct {
	name string
	run  func(ctx context.Context, c *config) error
}{
	{"startup", startup},
	{"keystroke", keystroke}, // figures 1 and 2
	{"analysis", analysisCost},
	{"check", checkVsGCC},
	{"memory", memoryOpen},
	{"edits", memoryEdits},
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lspbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "", "the abi3ls binary to measure (required)")
	isShort := fs.Bool("short", false, "smaller workloads (CI): every figure, less time")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	only := fs.String("only", "", "comma-separated sections to run: "+sectionNames())
	work := fs.String("work", "", "scratch directory (default: a new temporary one, removed after)")
	gcc := fs.String("gcc", "gcc", "the C compiler the check is compared with")
	pyinc := fs.String("pyinc", "", "directory with Python.h (default: the first /usr/include/python3.*)")
	jobs := fs.Int("jobs", runtime.NumCPU(), "parallel gcc processes")
	commit := fs.String("commit", "", "the commit measured, for the record")
	edits := fs.Int("edits", 0, "edits of the RSS growth figure (default 10000, 1000 with -short)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *bin == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: lspbench -bin ABI3LS [-short] [-json FILE] [-only SECTIONS]")
		return 2
	}
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintf(stderr, "lspbench: %v\n", err)
		return 2
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	for s := range want {
		if !strings.Contains(","+sectionNames()+",", ","+s+",") {
			fmt.Fprintf(stderr, "lspbench: unknown section %q (have %s)\n", s, sectionNames())
			return 2
		}
	}
	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "lspbench-")
		if err != nil {
			fmt.Fprintf(stderr, "lspbench: %v\n", err)
			return 1
		}
		defer os.RemoveAll(d)
		dir = d
	}
	c := &config{bin: abs, work: dir, gcc: *gcc, pyinc: *pyinc, jobs: max(1, *jobs), sz: full, report: newReport(stderr)}
	if *isShort {
		c.sz = short
	}
	if *edits > 0 {
		c.sz.memEdits = max(*edits, c.sz.memEditsFirst)
	}
	if c.pyinc == "" {
		c.pyinc = findPythonInclude()
	}
	c.report.Machine = machine(*commit, *isShort)

	ctx := context.Background()
	failed := false
	for _, s := range sections {
		if len(want) > 0 && !want[s.name] {
			continue
		}
		c.report.progress("== %s", s.name)
		start := time.Now()
		if err := s.run(ctx, c); err != nil {
			c.report.progress("%s failed: %v", s.name, err)
			c.report.Errors = append(c.report.Errors, fmt.Sprintf("%s: %v", s.name, err))
			failed = true
		}
		c.report.progress("   %s took %.1fs", s.name, time.Since(start).Seconds())
	}
	c.report.Machine.LoadAfter = loadavg()
	c.report.print(stdout)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(c.report, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "lspbench: write %s: %v\n", *jsonOut, err)
			return 1
		}
	}
	if failed {
		return 1
	}
	return 0
}

func sectionNames() string {
	var n []string
	for _, s := range sections {
		n = append(n, s.name)
	}
	return strings.Join(n, ",")
}

func findPythonInclude() string {
	m, _ := filepath.Glob("/usr/include/python3.*/Python.h")
	if len(m) == 0 {
		return "/usr/include/python3.11"
	}
	return filepath.Dir(m[0])
}
