//go:build oracle

// The oracle suite proper: slow (minutes), so it only builds with
// `-tags oracle`; tests/oracle.sh runs it. The helpers it uses are tested
// by the untagged unit tests of this package.

package oracle

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"
)

// TestOracle measures abi3ls against gcc on the real CPython headers: every
// public name at every target (names), then a corpus of extension modules
// (corpus).
func TestOracle(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()

	sets, err := discoverHeaders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := os.Stdout
	fmt.Fprintf(out, "header sets used (%d):\n", len(sets))
	for _, h := range sets {
		fmt.Fprintf(out, "  %-14s %s  targets 3.2-%s\n", h.Label, h.Dir, h.Version)
	}

	cacheDir := os.Getenv("ABI3LS_ORACLE_CACHE")
	cc := newCompiler(runtime.NumCPU(), t.TempDir(), cacheDir)
	pool := grammars.NewPool()
	defer pool.Close()
	db, err := abi.DefaultErr()
	if err != nil {
		t.Fatalf("load the database: %v", err)
	}
	ex, err := loadExceptions("exceptions.txt")
	if err != nil {
		t.Fatal(err)
	}

	runs := make([]*nameRun, len(sets))
	err = parallel(ctx, len(sets), func(ctx context.Context, i int) error {
		r, err := runNames(ctx, cc, pool, sets[i])
		runs[i] = r
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(out, "name probes done in %s (%d compiler runs, %d cached)\n",
		time.Since(start).Round(time.Second), cc.calls.Load(), cc.hits.Load())

	var verdicts []verdict
	t.Run("names", func(t *testing.T) {
		verdicts = reportNames(ctx, t, runs, sets, db, ex)
	})
	t.Run("corpus", func(t *testing.T) {
		corpusOracle(ctx, t, cc, pool, db, sets, runs, verdicts)
	})
	fmt.Fprintf(out, "oracle suite took %s (%d compiler runs, %d cached)\n",
		time.Since(start).Round(time.Second), cc.calls.Load(), cc.hits.Load())
}

// reportNames compares the name probes with the database, prints the
// figures and fails on every unexplained disagreement.
func reportNames(ctx context.Context, t *testing.T, runs []*nameRun, sets []headerSet, db *abi.DB, ex exceptions) []verdict {
	out := os.Stdout
	fmt.Fprintf(out, "\n== names: every public name of each header set, probed with gcc -fsyntax-only\n")
	fmt.Fprintf(out, "   -Werror=implicit-function-declaration -DPy_LIMITED_API=<target> -fdiagnostics-format=json\n")
	var all []verdict
	var sum tally
	for _, run := range runs {
		forms := map[form]int{}
		for _, p := range run.Chosen {
			forms[p.Form]++
		}
		var fs []string
		for f := fCallO; f <= fDefined; f++ {
			if forms[f] > 0 {
				fs = append(fs, fmt.Sprintf("%s %d", f, forms[f]))
			}
		}
		fmt.Fprintf(out, "%s: %d public names declared, %d probed, %d untestable (no use compiles even without the Limited API)\n",
			run.H.Label, len(run.Names), len(run.Chosen), len(run.Untestable))
		fmt.Fprintf(out, "   probe forms: %s\n", strings.Join(fs, ", "))
		for _, n := range sortedNames(run.Untestable) {
			fmt.Fprintf(out, "   untestable %s (%s): %s\n", n, run.Names[n].Kind, run.Untestable[n])
		}
		vs := compareNames(db, run, runs[len(runs)-1], ex)
		all = append(all, vs...)
		per := map[abi.Version]*tally{}
		for _, v := range vs {
			if per[v.T] == nil {
				per[v.T] = &tally{}
			}
			per[v.T][v.Class]++
			sum[v.Class]++
		}
		fmt.Fprintf(out, "   %-6s %6s %8s %6s %6s %6s %7s %6s\n", "target", "names", "gcc-ok", "agree", "shim", "ungated", "except", "FAIL")
		for _, tv := range run.Targets {
			c := per[tv]
			if c == nil {
				c = &tally{}
			}
			okCount := len(run.Chosen) - len(run.Rejected[tv])
			plain, _ := c.agreement()
			fmt.Fprintf(out, "   %-6s %6d %8d %5.1f%% %6d %7d %6d %6d\n", tv, c.total(), okCount, plain,
				c[cShim], c[cUngated], c[cException], c[cDisagree])
			for _, d := range run.Stray[tv] {
				t.Errorf("%s at %s: compiler error outside every probe: %s:%d: %s", run.H.Label, tv, d.File, d.Line, d.Message)
			}
		}
	}
	// Known classes, one line per name.
	shims := groupByName(all, cShim)
	fmt.Fprintf(out, "\nknown class: newer headers provide a static inline or macro below the Limited API version (%d names)\n", len(shims))
	for _, n := range sortedNames(shims) {
		vs := shims[n]
		fmt.Fprintf(out, "   %-36s abi3ls needs %s; gcc accepts at %s with %s\n", n, vs[0].Need, targetRange(vs), headerLabels(vs))
	}
	ungated := groupByName(all, cUngated)
	ev, err := ungatedEvidence(ctx, all, sets)
	if err != nil {
		t.Fatal(err)
	}
	confirmed, present, none, types := 0, 0, 0, 0
	fmt.Fprintf(out, "\nknown class: exported items the headers do not version-gate (%d names); symbol tables (nm -D) of the pyenv libpython between target and need:\n", len(ungated))
	for _, n := range sortedNames(ungated) {
		vs := ungated[n]
		var missing, there []string
		for _, v := range vs {
			e := ev[v.Name+"@"+v.T.String()]
			missing = appendNew(missing, e.Missing...)
			there = appendNew(there, e.Present...)
		}
		var notes []string
		switch {
		case vs[0].Kind != kFunction && vs[0].Kind != kData:
			types++
			notes = append(notes, vs[0].Kind.String()+", no symbol")
		case len(missing) > 0:
			confirmed++
		case len(there) > 0:
			present++
		default:
			none++
			notes = append(notes, "no pyenv Python in range")
		}
		if len(missing) > 0 {
			notes = append(notes, "missing from libpython "+strings.Join(missing, ", "))
		}
		if len(there) > 0 {
			notes = append(notes, "exported (outside the stable ABI) by "+strings.Join(there, ", "))
		}
		note := strings.Join(notes, "; ")
		fmt.Fprintf(out, "   %-36s needs %s; gcc accepts at %s: %s\n", n, vs[0].Need, targetRange(vs), note)
	}
	fmt.Fprintf(out, "   symbol evidence: %d missing from an older libpython, %d exported early but outside the stable ABI, %d without a pyenv Python in range; %d types (no symbol)\n",
		confirmed, present, none, types)

	// Exceptions: print, and fail on stale ones.
	used := groupByRule(all)
	fmt.Fprintf(out, "\nexceptions.txt: %d entries\n", len(ex))
	for _, n := range sortedNames(ex) {
		vs := used[n]
		if len(vs) == 0 {
			t.Errorf("exceptions.txt lists %s, which covers no disagreement: remove it", n)
			continue
		}
		fmt.Fprintf(out, "   %-28s %s\n", n, ex[n])
		if strings.HasPrefix(n, "@") {
			names := distinctNames(vs)
			fmt.Fprintf(out, "      %d names, %d comparisons: %s\n", len(names), len(vs), strings.Join(names, " "))
		} else {
			fmt.Fprintf(out, "      %d comparisons: %s at %s\n", len(vs), headerLabels(vs), targetRange(vs))
		}
	}

	// The other direction of the primary oracle: names abi3ls accepts at
	// a target that the headers of that very version do not declare at
	// all (any use fails to compile).
	missing := missingFromPrimary(db, runs)
	fmt.Fprintf(out, "\navailable per abi3ls at a target, but not declared by the headers of that version (%d names):\n", len(missing))
	for _, n := range sortedNames(missing) {
		vs := missing[n]
		if ex[n] != "" {
			fmt.Fprintf(out, "   %-36s at %s (%s): listed exception\n", n, targetRange(vs), headerLabels(vs))
			continue
		}
		fmt.Fprintf(out, "   %-36s at %s (%s)\n", n, targetRange(vs), headerLabels(vs))
		for i := range vs {
			vs[i].Class = cDisagree
			all = append(all, vs[i])
		}
		sum[cDisagree] += len(vs)
	}

	plain, explained := sum.agreement()
	fmt.Fprintf(out, "\nnames total: %d comparisons over %d header sets; agreement %.2f%%; %.2f%% outside the known classes and exceptions\n",
		sum.total(), len(runs), plain, explained)
	fmt.Fprintf(out, "   known class (inline/macro shims): %d; known class (not version-gated): %d; listed exceptions: %d; disagreements: %d\n",
		sum[cShim], sum[cUngated], sum[cException], sum[cDisagree])

	fails := groupByName(all, cDisagree)
	if len(fails) > 0 {
		names := sortedNames(fails)
		sort.SliceStable(names, func(i, j int) bool { return len(fails[names[i]]) > len(fails[names[j]]) })
		var b strings.Builder
		for i, n := range names {
			if i == 150 {
				fmt.Fprintf(&b, "... and %d more names\n", len(names)-i)
				break
			}
			vs := fails[n]
			fmt.Fprintf(&b, "%s: %d comparisons (targets %s; %s), e.g. %s\n", n, len(vs), targetRange(vs), headerLabels(vs), vs[0])
		}
		t.Errorf("%d names disagree with the compiler (%d comparisons); fix abi3ls or list them in exceptions.txt with a reason:\n%s",
			len(fails), sum[cDisagree], b.String())
	}
	return all
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, l := range list {
			if l == it {
				found = true
			}
		}
		if !found {
			list = append(list, it)
		}
	}
	return list
}
