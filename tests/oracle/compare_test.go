package oracle

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

// exceptions is the reviewed list of accepted disagreements with the
// compiler, one per line: a NAME or an @rule, whitespace, the reason.
// Rules cover a whole class of names that the database rightly treats as
// unusable although old headers still declare them:
//
//	@abi-only      gcc accepts, abi3ls says abi-only (stable ABI, not Limited API)
//	@removed       gcc accepts, abi3ls says not-limited, and the name is gone
//	               from the current headers (Entry.LastSeen)
//	@hidden-later  gcc accepts, abi3ls says not-limited, and the newest
//	               header set hides the name at every target
type exceptions map[string]string

// exceptionRules are the @rules exceptions.txt may use.
var exceptionRules = map[string]bool{"@abi-only": true, "@removed": true, "@hidden-later": true}

func parseExceptions(r io.Reader) (exceptions, error) {
	ex := exceptions{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, " ")
		reason = strings.TrimSpace(reason)
		if reason == "" {
			return nil, fmt.Errorf("line %d: %q has no reason", n, name)
		}
		if strings.HasPrefix(name, "@") && !exceptionRules[name] {
			return nil, fmt.Errorf("line %d: unknown rule %s", n, name)
		}
		if _, dup := ex[name]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice", n, name)
		}
		ex[name] = reason
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read exceptions: %w", err)
	}
	return ex, nil
}

func loadExceptions(path string) (exceptions, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open exceptions: %w", err)
	}
	defer f.Close()
	return parseExceptions(f)
}

// class is how a (name, header set, target) comparison came out.
type class int

const (
	cAgree     class = iota
	cShim            // newer headers provide a static inline / macro below the Limited API version
	cUngated         // headers declare an exported item below its stable_abi.toml version
	cException       // listed in exceptions.txt
	cDisagree        // a failure
)

var classNames = [...]string{"agree", "known: newer headers expose a macro/inline below the Limited API version",
	"known: declaration not version-gated by the headers", "listed exception", "DISAGREE"}

func (c class) String() string { return classNames[c] }

// verdict is one comparison.
type verdict struct {
	H      headerSet
	T      abi.Version
	Name   string
	GCC    bool   // the compiler accepted the probe
	Error  string // the compiler's first error when it did not
	Status abi.Status
	Need   abi.Version
	Class  class
	Rule   string // the exceptions.txt entry (name or @rule) for cException
	Kind   declKind
	Form   form
}

func (v verdict) String() string {
	g := "accepts"
	if !v.GCC {
		g = "rejects (" + v.Error + ")"
	}
	s := fmt.Sprintf("%s at %s with %s headers: gcc %s, abi3ls says %s", v.Name, v.T, v.H.Label, g, v.Status)
	if v.Status == abi.TooNew {
		s += " (needs " + v.Need.String() + ")"
	}
	return s + fmt.Sprintf(" [%s, probe %s]", v.Kind, v.Form)
}

// abiAccepts is abi3ls's verdict: it reports nothing for available names
// and for names it does not know.
func abiAccepts(s abi.Status) bool { return s == abi.Available || s == abi.Unknown }

// compareNames judges every testable name of a run at every target;
// newest is the run of the newest header set.
func compareNames(db *abi.DB, run, newest *nameRun, ex exceptions) []verdict {
	hiddenNow := func(name string) bool {
		if _, ok := newest.Chosen[name]; !ok {
			return true
		}
		for _, t := range newest.Targets {
			if newest.accepted(name, t) {
				return false
			}
		}
		return true
	}
	var out []verdict
	for _, t := range run.Targets {
		for _, name := range sortedNames(run.Chosen) {
			d := run.Names[name]
			res := db.Check(name, abi.Target{Limited: t})
			msg, rejected := run.Rejected[t][name]
			v := verdict{H: run.H, T: t, Name: name, GCC: !rejected, Error: msg,
				Status: res.Status, Need: res.Need, Kind: d.Kind, Form: run.Chosen[name].Form}
			macroOrInline := d.Kind == kFuncMacro || d.Kind == kObjMacro || d.Inline
			switch {
			case v.GCC == abiAccepts(res.Status):
				v.Class = cAgree
			case v.GCC && res.Status == abi.TooNew && macroOrInline && t.Less(run.H.Version):
				// Only newer headers: the same version's headers are the
				// primary oracle for a target.
				v.Class = cShim
			case v.GCC && res.Status == abi.TooNew && !macroOrInline:
				v.Class = cUngated
			case ex[name] != "":
				v.Class, v.Rule = cException, name
			case v.GCC && res.Status == abi.ABIOnly && ex["@abi-only"] != "":
				v.Class, v.Rule = cException, "@abi-only"
			case v.GCC && res.Status == abi.NotLimited && res.Entry != nil && !res.Entry.LastSeen.IsZero() && ex["@removed"] != "":
				v.Class, v.Rule = cException, "@removed"
			case v.GCC && res.Status == abi.NotLimited && run != newest && hiddenNow(name) && ex["@hidden-later"] != "":
				v.Class, v.Rule = cException, "@hidden-later"
			default:
				v.Class = cDisagree
			}
			out = append(out, v)
		}
	}
	return out
}

// symbolEvidence says, for an item the headers do not version-gate, which
// older Pythons lack the symbol: a wheel for target T that uses it fails
// to import there.
type symbolEvidence struct {
	Missing []string // pyenv versions in [T, Need) whose libpython lacks it
	Present []string // pyenv versions in [T, Need) that export it anyway
}

// ungatedEvidence checks each ungated (name, target) against the symbol
// tables of the pyenv Pythons between the target and the version abi3ls
// requires.
func ungatedEvidence(ctx context.Context, vs []verdict, sets []headerSet) (map[string]symbolEvidence, error) {
	syms := map[string]map[string]bool{} // lib -> symbols
	out := map[string]symbolEvidence{}
	for _, v := range vs {
		if v.Class != cUngated || (v.Kind != kFunction && v.Kind != kData) {
			continue
		}
		key := v.Name + "@" + v.T.String()
		if _, done := out[key]; done {
			continue
		}
		var ev symbolEvidence
		for _, h := range sets {
			if h.Lib == "" || h.Version.Less(v.T) || !h.Version.Less(v.Need) {
				continue
			}
			s, ok := syms[h.Lib]
			if !ok {
				var err error
				if s, err = libSymbols(ctx, h.Lib); err != nil {
					return nil, err
				}
				syms[h.Lib] = s
			}
			if s[v.Name] {
				ev.Present = append(ev.Present, h.Full)
			} else {
				ev.Missing = append(ev.Missing, h.Full)
			}
		}
		out[key] = ev
	}
	return out, nil
}

// tally counts verdicts by class.
type tally [cDisagree + 1]int

func (t tally) total() int {
	n := 0
	for _, c := range t {
		n += c
	}
	return n
}

// agreement is the share of plain agreements, and the share outside the
// known classes and listed exceptions, in percent.
func (t tally) agreement() (plain, explained float64) {
	n := t.total()
	if n == 0 {
		return 0, 0
	}
	return 100 * float64(t[cAgree]) / float64(n), 100 * float64(n-t[cDisagree]) / float64(n)
}

// groupByName groups the verdicts of one class per name.
func groupByName(vs []verdict, c class) map[string][]verdict {
	out := map[string][]verdict{}
	for _, v := range vs {
		if v.Class == c {
			out[v.Name] = append(out[v.Name], v)
		}
	}
	return out
}

// groupByRule groups listed exceptions by the exceptions.txt entry used.
func groupByRule(vs []verdict) map[string][]verdict {
	out := map[string][]verdict{}
	for _, v := range vs {
		if v.Class == cException {
			out[v.Rule] = append(out[v.Rule], v)
		}
	}
	return out
}

// distinctNames lists the names of verdicts once each.
func distinctNames(vs []verdict) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if !seen[v.Name] {
			seen[v.Name] = true
			out = append(out, v.Name)
		}
	}
	sort.Strings(out)
	return out
}

// targetRange renders the targets of verdicts compactly ("3.2-3.9").
func targetRange(vs []verdict) string {
	seen := map[abi.Version]bool{}
	var ts []abi.Version
	for _, v := range vs {
		if !seen[v.T] {
			seen[v.T] = true
			ts = append(ts, v.T)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Less(ts[j]) })
	var parts []string
	for i := 0; i < len(ts); {
		j := i
		for j+1 < len(ts) && ts[j+1].Minor == ts[j].Minor+1 {
			j++
		}
		if i == j {
			parts = append(parts, ts[i].String())
		} else {
			parts = append(parts, ts[i].String()+"-"+ts[j].String())
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func headerLabels(vs []verdict) string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if !seen[v.H.Label] {
			seen[v.H.Label] = true
			out = append(out, v.H.Label)
		}
	}
	return strings.Join(out, ", ")
}

// missingFromPrimary finds names the database says are available at a
// target although the header set of that same version does not declare
// them (checked where such a header set exists). Platform-specific items
// (ifdef), configuration macros and names outside Python.h's reach are
// left out.
func missingFromPrimary(db *abi.DB, runs []*nameRun) map[string][]verdict {
	out := map[string][]verdict{}
	for _, run := range runs {
		t := run.H.Version
		for _, name := range db.Names() {
			if strings.HasPrefix(name, "_") || run.Names[name] != nil || run.Config[name] {
				continue
			}
			e, ok := db.Lookup(name)
			if !ok || e.Ifdef != "" || e.Kind == abi.KindFeatureMacro || !e.InPythonH {
				continue
			}
			res := db.Check(name, abi.Target{Limited: t})
			if res.Status != abi.Available {
				continue
			}
			out[name] = append(out[name], verdict{H: run.H, T: t, Name: name, GCC: false,
				Error: "not declared by these headers", Status: res.Status})
		}
	}
	return out
}
