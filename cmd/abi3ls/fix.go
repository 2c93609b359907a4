package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/cmd/internal/fixer"
	"github.com/abi3ls/abi3ls/cmd/internal/workspace"
)

const fixUsage = "abi3ls fix [--unsafe] [--diff] [flags] [PATH...]  (default: .)"

// runFix implements `abi3ls fix`: apply the safe fixes (and the unsafe
// ones with --unsafe) in place, or print them as a unified diff (--diff).
//
// Exit status: with --diff, 1 when there is something to fix and 0 when
// not; without, 1 when problems at error severity remain after fixing.
// 2 on a usage error, an unreadable input, or a file that could not be
// written or changed on disk while it was analyzed.
func runFix(e env) int {
	fs := newFlagSet("fix", fixUsage, e.stderr)
	var cf configFlags
	cf.register(fs)
	unsafe := fs.Bool("unsafe", false, "also apply the fixes marked unsafe (they may change behaviour: review them)")
	diff := fs.Bool("diff", false, "print the changes as a unified diff and write nothing")
	jobs := fs.Int("jobs", 0, "files fixed at once (default: all cores)")
	paths, err := parseInterleaved(fs, e.args)
	if err != nil {
		return exitForParse(err)
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	allow := fixer.Allow(fixer.SafeOnly)
	if *unsafe {
		allow = fixer.SafeAndUnsafe
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c, code := newChecker(e, cf, *jobs)
	if c == nil {
		return code
	}
	defer c.close()
	files, err := c.list(ctx, paths)
	if err != nil {
		fmt.Fprintf(e.stderr, "abi3ls fix: %v\n", err)
		return 2
	}

	type perFile struct {
		diff      string
		applied   int
		remaining int // findings at error severity left
		changed   bool
	}
	out := make([]perFile, len(files))
	workspace.Parallel(ctx, len(files), c.jobs, func(i int) {
		f := files[i]
		root := c.ws.RootFor(f.Abs)
		if root.Err != nil {
			return
		}
		src, err := root.Read(f.Abs)
		if err != nil {
			if errors.Is(err, workspace.ErrTooBig) {
				c.warn("%s: %v; skipped", f.Path, err)
			} else {
				c.fail(f.Path, err)
			}
			return
		}
		analyze := func(ctx context.Context, text []byte) (*analysis.Result, error) {
			return root.AnalyzeSrc(ctx, c.an, f.Abs, text)
		}
		res, err := fixer.Converge(ctx, analyze, src, allow)
		if err != nil {
			if ctx.Err() == nil {
				c.fail(f.Path, fmt.Errorf("analysis: %w", err))
			}
			return
		}
		if !res.Settled {
			c.warn("%s: fixes were still offered after %d rounds; run abi3ls fix again and review the result", f.Path, fixer.MaxRounds)
		}
		p := perFile{applied: res.Applied, remaining: countErrors(res.Final.Findings)}
		if res.Applied > 0 {
			p.changed = true
			if *diff {
				d, err := fixer.Diff(f.Path, src, res.Src)
				if err != nil {
					c.fail(f.Path, fmt.Errorf("diff: %w", err))
					return
				}
				p.diff = d
			} else if err := fixer.WriteAtomic(f.Abs, res.Src, src); err != nil {
				// Not written: reported, and the file counts as an error.
				c.fail(f.Path, err)
				return
			}
		}
		out[i] = p
	})
	if ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "abi3ls fix: interrupted")
		return 2
	}
	c.reportRoots()

	applied, changedFiles, remaining := 0, 0, 0
	for _, p := range out {
		if p.diff != "" {
			fmt.Fprint(e.stdout, p.diff)
		}
		applied += p.applied
		remaining += p.remaining
		if p.changed {
			changedFiles++
		}
	}
	verb := "Fixed"
	if *diff {
		verb = "Would fix"
	}
	var b strings.Builder
	switch {
	case applied == 0:
		b.WriteString("Nothing to fix")
	default:
		fmt.Fprintf(&b, "%s %s in %s", verb, plural(applied, "problem", "problems"), plural(changedFiles, "file", "files"))
	}
	if remaining > 0 {
		verb := "remain"
		if remaining == 1 {
			verb = "remains"
		}
		fmt.Fprintf(&b, "; %s at error severity %s (abi3ls check lists them)", plural(remaining, "problem", "problems"), verb)
	}
	fmt.Fprintf(e.stderr, "%s.\n", b.String())

	switch {
	case len(c.errors) > 0:
		return 2
	case cf.exitZero:
		return 0
	case *diff && applied > 0:
		return 1
	case !*diff && remaining > 0:
		return 1
	}
	return 0
}

func countErrors(fs []analysis.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == analysis.SeverityError {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
