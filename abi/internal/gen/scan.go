package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The header scan (-scan) runs the C preprocessor over every set of real
// CPython headers on this machine, once without Py_LIMITED_API and once per
// Py_LIMITED_API target from 3.2 to the headers' own version, and writes
// headers.tsv: per name and header set, which forms the headers expose at
// which target. The main generator reads that committed file, so neither it
// nor the runtime needs headers.

// headerSet is one directory of installed CPython headers.
type headerSet struct {
	Label   string // "3.11" or "3.11-debian"
	Dir     string
	Version [2]int // from patchlevel.h
	Full    string // PY_VERSION, e.g. "3.11.7"
}

var (
	reMajor = regexp.MustCompile(`(?m)^#define\s+PY_MAJOR_VERSION\s+(\d+)`)
	reMinor = regexp.MustCompile(`(?m)^#define\s+PY_MINOR_VERSION\s+(\d+)`)
	reFull  = regexp.MustCompile(`(?m)^#define\s+PY_VERSION\s+"([^"]+)"`)
)

// readHeaderSet reads the version of the headers in dir.
func readHeaderSet(dir, label string) (headerSet, error) {
	b, err := os.ReadFile(filepath.Join(dir, "patchlevel.h"))
	if err != nil {
		return headerSet{}, fmt.Errorf("header set %s: %w", dir, err)
	}
	ma, mi, fu := reMajor.FindSubmatch(b), reMinor.FindSubmatch(b), reFull.FindSubmatch(b)
	if ma == nil || mi == nil || fu == nil {
		return headerSet{}, fmt.Errorf("header set %s: patchlevel.h has no version", dir)
	}
	hs := headerSet{Dir: dir, Full: string(fu[1])}
	hs.Version[0], _ = strconv.Atoi(string(ma[1]))
	hs.Version[1], _ = strconv.Atoi(string(mi[1]))
	hs.Label = fmt.Sprintf("%d.%d", hs.Version[0], hs.Version[1])
	if label != "" {
		hs.Label += "-" + label
	}
	return hs, nil
}

// findHeaderSets lists the header sets given with -headers, or else every
// pyenv Python 3 plus the system's /usr/include/python3.*.
func findHeaderSets(ctx context.Context, explicit string) ([]headerSet, error) {
	var sets []headerSet
	if explicit != "" {
		for _, spec := range strings.Split(explicit, ",") {
			dir, label, _ := strings.Cut(spec, "=")
			hs, err := readHeaderSet(dir, label)
			if err != nil {
				return nil, err
			}
			sets = append(sets, hs)
		}
		return sets, nil
	}
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		if out, err := exec.CommandContext(ctx, "pyenv", "root").Output(); err == nil {
			root = strings.TrimSpace(string(out))
		}
	}
	if root != "" {
		dirs, _ := filepath.Glob(filepath.Join(root, "versions", "3.*", "include", "python3.*"))
		for _, d := range dirs {
			hs, err := readHeaderSet(d, "")
			if err != nil {
				return nil, err
			}
			sets = append(sets, hs)
		}
	}
	sys, _ := filepath.Glob("/usr/include/python3.*")
	for _, d := range sys {
		if strings.HasSuffix(d, "d") { // debug variants (python3.11d)
			continue
		}
		hs, err := readHeaderSet(d, "debian")
		if err != nil {
			return nil, err
		}
		sets = append(sets, hs)
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("no CPython headers found (pyenv, /usr/include/python3.*); pass -headers DIR[=label],...")
	}
	sort.Slice(sets, func(i, j int) bool {
		a, b := sets[i], sets[j]
		if a.Version != b.Version {
			return a.Version[1] < b.Version[1]
		}
		return a.Label < b.Label
	})
	return sets, nil
}

// config is one preprocessor configuration: a Py_LIMITED_API minor version,
// or 0 for the full (non-limited) API.
type config int

func (c config) String() string {
	if c == 0 {
		return "*"
	}
	return fmt.Sprintf("3.%d", int(c))
}

func (c config) defines() []string {
	if c == 0 {
		return nil
	}
	return []string{fmt.Sprintf("-DPy_LIMITED_API=0x03%02X0000", int(c))}
}

// scanResult is what one header set exposes, per configuration.
type scanResult struct {
	Set     headerSet
	Configs []config             // limited targets in order, then 0
	ByConf  map[config]*declared // what each configuration exposes
	PyHOnly map[string]bool      // names reachable from Python.h alone (full API)
}

// extraHeaders lists the public headers beside Python.h (top level and
// cpython/); each is tried and kept when it compiles after Python.h, so
// headers Python.h does not include (structmember.h, datetime.h,
// frameobject.h, marshal.h, ...) count too. pyexpat.h is left out: it is
// expat's API, not CPython's.
func extraHeaders(dir string) []string {
	var out []string
	for _, pat := range []string{"*.h", "cpython/*.h"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, f := range m {
			rel, _ := filepath.Rel(dir, f)
			rel = filepath.ToSlash(rel)
			switch rel {
			case "Python.h", "pyconfig.h", "pyexpat.h":
				continue
			}
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

// gcc runs the preprocessor over src with the headers of hs.
func gcc(ctx context.Context, hs headerSet, src string, c config, syntaxOnly bool) ([]byte, error) {
	args := []string{"-std=gnu11", "-I" + hs.Dir}
	args = append(args, c.defines()...)
	if syntaxOnly {
		args = append(args, "-fsyntax-only", "-w")
	} else {
		args = append(args, "-E", "-dD")
	}
	args = append(args, "-x", "c", "-")
	cmd := exec.CommandContext(ctx, "gcc", args...)
	cmd.Stdin = strings.NewReader(src)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := errb.String()
		if len(msg) > 400 {
			msg = msg[:400]
		}
		return nil, fmt.Errorf("gcc %s (%s, %s): %w: %s", strings.Join(args, " "), hs.Label, c, err, msg)
	}
	return out.Bytes(), nil
}

func includes(hdrs []string) string {
	var b strings.Builder
	b.WriteString("#include <Python.h>\n")
	for _, h := range hdrs {
		fmt.Fprintf(&b, "#include <%s>\n", h)
	}
	return b.String()
}

// scanSet preprocesses every configuration of one header set.
func scanSet(ctx context.Context, hs headerSet) (*scanResult, error) {
	res := &scanResult{Set: hs, ByConf: map[config]*declared{}}
	for m := 2; m <= hs.Version[1]; m++ {
		res.Configs = append(res.Configs, config(m))
	}
	res.Configs = append(res.Configs, 0)

	// Which extra headers exist and compile after Python.h (full API).
	var avail []string
	for _, h := range extraHeaders(hs.Dir) {
		if _, err := gcc(ctx, hs, includes([]string{h}), 0, true); err == nil {
			avail = append(avail, h)
		}
	}
	for _, c := range res.Configs {
		hdrs := avail
		if _, err := gcc(ctx, hs, includes(hdrs), c, true); err != nil {
			hdrs = nil
			for _, h := range avail {
				if _, err := gcc(ctx, hs, includes([]string{h}), c, true); err == nil {
					hdrs = append(hdrs, h)
				}
			}
		}
		out, err := gcc(ctx, hs, includes(hdrs), c, false)
		if err != nil {
			return nil, err
		}
		d, err := scanPreprocessed(bytes.NewReader(out), hs.Dir)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", hs.Label, c, err)
		}
		res.ByConf[c] = d
	}
	out, err := gcc(ctx, hs, includes(nil), 0, false)
	if err != nil {
		return nil, err
	}
	d, err := scanPreprocessed(bytes.NewReader(out), hs.Dir)
	if err != nil {
		return nil, fmt.Errorf("%s Python.h: %w", hs.Label, err)
	}
	res.PyHOnly = map[string]bool{}
	for n := range d.forms {
		res.PyHOnly[n] = true
	}
	return res, nil
}

// cell encodes what one header set exposes for name: runs of
// "target:forms" where the forms change along 3.2, 3.3, ... then "*" for
// the full API; "-" marks a target where the name disappears. Empty when
// the set never declares it.
func (r *scanResult) cell(name string) string {
	var parts []string
	prev := ""
	for _, c := range r.Configs {
		f := r.ByConf[c].forms[name]
		if f == prev {
			continue
		}
		if f == "" {
			parts = append(parts, c.String()+":-")
		} else {
			parts = append(parts, c.String()+":"+f)
		}
		prev = f
	}
	return strings.Join(parts, ",")
}

// header is where the set declares name (any configuration, full first).
func (r *scanResult) header(name string) string {
	if h := r.ByConf[0].header[name]; h != "" {
		return h
	}
	for _, c := range r.Configs {
		if h := r.ByConf[c].header[name]; h != "" {
			return h
		}
	}
	return ""
}

// runScan scans every header set and returns headers.tsv.
func runScan(ctx context.Context, explicit string, logf func(string, ...any)) ([]byte, error) {
	sets, err := findHeaderSets(ctx, explicit)
	if err != nil {
		return nil, err
	}
	// Two sets at a time: each runs gcc sequentially.
	results := make([]*scanResult, len(sets))
	errs := make([]error, len(sets))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, hs := range sets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			logf("scanning %s (%s, Python %s)", hs.Label, hs.Dir, hs.Full)
			results[i], errs[i] = scanSet(ctx, hs)
		}()
	}
	wg.Wait()
	names := map[string]bool{}
	for i, r := range results {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, d := range r.ByConf {
			for n := range d.forms {
				names[n] = true
			}
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)

	var b bytes.Buffer
	b.WriteString("# What the real CPython headers expose, per Py_LIMITED_API target. Generated by\n")
	b.WriteString("# `go run ./abi/internal/gen -scan` (gcc -E -dD over Python.h and the other public\n")
	b.WriteString("# headers); DO NOT EDIT. Header sets:")
	for _, r := range results {
		fmt.Fprintf(&b, " %s=%s", r.Set.Label, r.Set.Full)
	}
	b.WriteString("\n# Cell: runs of TARGET:FORMS where the forms change along targets 3.2, 3.3, ...,\n")
	b.WriteString("# the set's own version, then * (no Py_LIMITED_API); '-' = no longer exposed.\n")
	b.WriteString("# Forms: m function-like macro (r: whose body calls the same name), c constant\n")
	b.WriteString("# macro, o other object-like macro,\n")
	b.WriteString("# i static inline definition, f function declaration, d variable, t typedef,\n")
	b.WriteString("# s struct/union/enum tag, e enum constant. python_h: declared by Python.h alone\n")
	b.WriteString("# in the newest set that has the name.\n")
	b.WriteString("name\theader\tpython_h")
	for _, r := range results {
		b.WriteString("\t" + r.Set.Label)
	}
	b.WriteString("\n")
	for _, n := range sorted {
		hdr, pyh := "", ""
		for i := len(results) - 1; i >= 0; i-- {
			if h := results[i].header(n); h != "" {
				hdr = h
				pyh = "no"
				if results[i].PyHOnly[n] {
					pyh = "yes"
				}
				break
			}
		}
		b.WriteString(n + "\t" + hdr + "\t" + pyh)
		for _, r := range results {
			b.WriteString("\t" + r.cell(n))
		}
		b.WriteString("\n")
	}
	return b.Bytes(), nil
}
