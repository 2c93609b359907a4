package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/cmd/internal/report"
	"github.com/abi3ls/abi3ls/cmd/internal/walk"
	"github.com/abi3ls/abi3ls/cmd/internal/workspace"
	"github.com/abi3ls/abi3ls/grammars"
)

const checkUsage = "abi3ls check [flags] [PATH...]  (default: .)"

// progressMinFiles is the tree size from which check shows progress on a
// terminal.
const progressMinFiles = 200

// runCheck implements `abi3ls check`. Exit status: 0 when nothing at
// error severity was found, 1 when something was, 2 on a usage error or an
// input that could not be read or configured (the other inputs are still
// checked and reported).
func runCheck(e env) int {
	fs := newFlagSet("check", checkUsage, e.stderr)
	var cf configFlags
	cf.register(fs)
	format := fs.String("format", "text", "output format: text, json, sarif or github")
	color := fs.String("color", "auto", "color the text format: auto (stdout is a terminal and NO_COLOR is unset), always or never")
	minVersion := fs.Bool("min-version", false, "print the lowest Py_LIMITED_API target the code supports, what pins it and the blockers (text or json)")
	jobs := fs.Int("jobs", 0, "files analyzed at once (default: all cores)")
	paths, err := parseInterleaved(fs, e.args)
	if err != nil {
		return exitForParse(err)
	}
	switch *format {
	case "text", "json", "sarif", "github":
	default:
		fmt.Fprintf(e.stderr, "abi3ls check: unknown --format %q (want text, json, sarif or github)\n", *format)
		return 2
	}
	if *minVersion && *format != "text" && *format != "json" {
		fmt.Fprintf(e.stderr, "abi3ls check: --min-version prints text or json, not %s\n", *format)
		return 2
	}
	colored, err := useColor(*color, e.stdout)
	if err != nil {
		fmt.Fprintf(e.stderr, "abi3ls check: %v\n", err)
		return 2
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	run, code := newChecker(e, cf, *jobs)
	if run == nil {
		return code
	}
	defer run.close()
	res, err := run.check(ctx, paths)
	if err != nil {
		fmt.Fprintf(e.stderr, "abi3ls check: %v\n", err)
		return 2
	}

	if *minVersion {
		mr := report.NewMinReport(Version, res.files, res.mins)
		mr.Errors = res.errors
		if *format == "json" {
			err = report.WriteMinJSON(e.stdout, mr)
		} else {
			err = report.WriteMinText(e.stdout, mr)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "abi3ls check: %v\n", err)
			return 2
		}
		switch {
		case len(res.errors) > 0:
			return 2
		case len(mr.Blockers) > 0 && !cf.exitZero:
			return 1
		}
		return 0
	}

	rep := &report.Report{Version: Version, Files: res.files, Diagnostics: res.diags, Errors: res.errors}
	switch *format {
	case "json":
		err = report.WriteJSON(e.stdout, rep)
	case "sarif":
		err = report.WriteSarif(e.stdout, run.paths, rep, analysis.Rules())
	case "github":
		err = report.WriteGitHub(e.stdout, rep)
	default:
		err = report.WriteText(e.stdout, rep, colored)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "abi3ls check: %v\n", err)
		return 2
	}
	if len(res.errors) > 0 {
		return 2
	}
	if !cf.exitZero && rep.Count().Errors > 0 {
		return 1
	}
	return 0
}

// checker is the shared machinery of check and fix: the workspace, the
// analyzer and the file list.
type checker struct {
	e     env
	ws    *workspace.Workspace
	an    *analysis.Analyzer
	paths report.Paths
	jobs  int

	mu     sync.Mutex
	errors []report.FileError
}

func newChecker(e env, cf configFlags, jobs int) (*checker, int) {
	ws, err := workspace.New(cf.options())
	if err != nil {
		fmt.Fprintf(e.stderr, "abi3ls: %v\n", err)
		return nil, 2
	}
	paths, err := report.NewPaths()
	if err != nil {
		fmt.Fprintf(e.stderr, "abi3ls: %v\n", err)
		return nil, 2
	}
	an := &analysis.Analyzer{DB: abi.Default(), Parse: grammars.NewPool()}
	return &checker{e: e, ws: ws, an: an, paths: paths, jobs: jobs}, 0
}

func (c *checker) close() { c.an.Parse.Close() }

// fail records an input that could not be checked and says so on stderr.
func (c *checker) fail(path string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.e.stderr, "abi3ls: %s: %v\n", path, err)
	c.errors = append(c.errors, report.FileError{File: path, Message: err.Error()})
}

// warn says something on stderr that does not change the exit status.
func (c *checker) warn(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.e.stderr, "abi3ls: warning: "+format+"\n", args...)
}

// list walks the paths and reports what could not be walked.
func (c *checker) list(ctx context.Context, paths []string) ([]walk.File, error) {
	files, errs, err := walk.Walk(ctx, paths, walk.Options{
		Exclude:  c.ws.Exclude,
		IsSource: grammars.IsSource,
		Skipped: func(p string) {
			c.warn("%s: not a C or C++ file; skipped", p)
		},
	})
	if err != nil {
		return nil, err
	}
	for _, werr := range errs {
		var we *walk.Error
		if errors.As(werr, &we) {
			c.fail(we.Path, we.Err)
		} else {
			c.fail("?", werr)
		}
	}
	return files, nil
}

// reportRoots prints, once each and in order, the warnings and errors of
// the workspaces loaded. An invalid configuration is an error: the files
// of that workspace were not analyzed.
func (c *checker) reportRoots() {
	roots := c.ws.Roots()
	sort.Slice(roots, func(i, j int) bool { return roots[i].Dir < roots[j].Dir })
	for _, r := range roots {
		for _, p := range r.Problems {
			c.warn("%s", p)
		}
	}
	for _, r := range roots {
		if r.Err != nil {
			c.mu.Lock()
			fmt.Fprintf(c.e.stderr, "abi3ls: %v\n", r.Err)
			c.errors = append(c.errors, report.FileError{File: c.paths.Display(r.Dir), Message: r.Err.Error()})
			c.mu.Unlock()
		}
	}
}

type checkResult struct {
	files  int
	diags  []report.Diagnostic
	mins   []report.MinFile
	errors []report.FileError
}

// check analyzes every file under paths on a bounded pool of workers and
// gathers the diagnostics in a deterministic order.
func (c *checker) check(ctx context.Context, paths []string) (*checkResult, error) {
	files, err := c.list(ctx, paths)
	if err != nil {
		return nil, err
	}
	rules := map[string]analysis.Rule{}
	for _, r := range analysis.Rules() {
		rules[r.Code] = r
	}
	type perFile struct {
		ok    bool
		diags []report.Diagnostic
		min   report.MinFile
	}
	out := make([]perFile, len(files))
	prog := startProgress(c.e.stderr, len(files), isTerminal(c.e.stderr))
	workspace.Parallel(ctx, len(files), c.jobs, func(i int) {
		defer prog.step()
		f := files[i]
		root := c.ws.RootFor(f.Abs)
		if root.Err != nil {
			return // reported once by reportRoots
		}
		src, res, err := root.Analyze(ctx, c.an, f.Abs)
		switch {
		case errors.Is(err, workspace.ErrTooBig):
			c.warn("%s: %v; skipped", f.Path, err)
			return
		case err != nil:
			if ctx.Err() == nil {
				c.fail(f.Path, err)
			}
			return
		}
		rf := report.File{Path: f.Path, Abs: f.Abs, RootDir: root.Dir, Src: src, Result: res}
		out[i] = perFile{ok: true, diags: report.Convert(c.paths, rf, rules), min: report.ConvertMin(c.paths, rf)}
	})
	prog.stop()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.reportRoots()
	res := &checkResult{}
	for _, p := range out {
		if !p.ok {
			continue
		}
		res.files++
		res.diags = append(res.diags, p.diags...)
		res.mins = append(res.mins, p.min)
	}
	report.Sort(res.diags)
	c.mu.Lock()
	res.errors = append([]report.FileError(nil), c.errors...)
	c.mu.Unlock()
	sort.SliceStable(res.errors, func(i, j int) bool { return res.errors[i].File < res.errors[j].File })
	return res, nil
}

// progress shows "checked N/M files" on a terminal's stderr for large
// trees, redrawn a few times a second and erased at the end.
type progress struct {
	w     io.Writer
	total int
	done  atomic.Int64
	quit  chan struct{}
	wg    sync.WaitGroup
}

func startProgress(w io.Writer, total int, terminal bool) *progress {
	p := &progress{w: w, total: total}
	if total < progressMinFiles || !terminal {
		return p
	}
	p.draw()
	p.quit = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

func (p *progress) draw() {
	fmt.Fprintf(p.w, "\rabi3ls: checked %d/%d files", p.done.Load(), p.total)
}

func (p *progress) step() { p.done.Add(1) }

func (p *progress) stop() {
	if p.quit != nil {
		close(p.quit)
		p.wg.Wait()
	}
}
