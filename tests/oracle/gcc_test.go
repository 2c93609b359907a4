package oracle

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// diagnostic is one compiler message with its notes.
type diagnostic struct {
	Kind    string // "error", "fatal error", "warning", "note"
	Message string
	File    string
	Line    int
	Notes   []diagnostic
}

func (d diagnostic) isError() bool { return d.Kind == "error" || d.Kind == "fatal error" }

// compiler runs gcc/g++ with at most cap(sem) processes at once. With a
// cache directory it keeps each invocation's output under a key made of
// the compiler version, the arguments, the source and the include
// directories' file listing, so a rerun on an unchanged machine is quick.
type compiler struct {
	sem      chan struct{}
	tmp      string
	cacheDir string // "" disables the cache
	seq      atomic.Int64
	calls    atomic.Int64 // compiler processes started
	hits     atomic.Int64 // answers from the cache
	mu       sync.Mutex
	dirHash  map[string]string
	version  string
}

func newCompiler(workers int, tmp, cacheDir string) *compiler {
	if workers < 1 {
		workers = 1
	}
	return &compiler{sem: make(chan struct{}, workers), tmp: tmp, cacheDir: cacheDir, dirHash: map[string]string{}}
}

// key identifies an invocation for the cache.
func (c *compiler) key(ctx context.Context, bin string, args []string, src []byte, includes []string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == "" {
		out, err := exec.CommandContext(ctx, "gcc", "--version").Output()
		if err != nil {
			return "", fmt.Errorf("gcc --version: %w", err)
		}
		c.version = firstLines(out, 1)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", c.version, bin, strings.Join(args, "\x00"))
	h.Write(src)
	for _, dir := range includes {
		dh, ok := c.dirHash[dir]
		if !ok {
			var err error
			if dh, err = hashDir(dir); err != nil {
				return "", err
			}
			c.dirHash[dir] = dh
		}
		fmt.Fprintf(h, "\x00%s=%s", dir, dh)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashDir hashes the names, sizes and modification times of the files
// under dir.
func hashDir(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", dir, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// job is one compiler invocation.
type job struct {
	CPP        bool     // g++ instead of gcc
	Path       string   // file to compile; when empty, Src is written to a temp file
	Src        []byte   // source when Path is empty
	Includes   []string // -I directories
	Defines    []string // -D values, e.g. "Py_LIMITED_API=0x03080000"
	JSON       bool     // -fdiagnostics-format=json (else plain text)
	Preprocess bool     // -E -dD: return the preprocessed text instead of diagnostics
}

// run compiles j and returns the preprocessed output (Preprocess) and the
// diagnostics. A compilation with errors is not an error; failing to run
// the compiler is.
func (c *compiler) run(ctx context.Context, j job) ([]byte, []diagnostic, error) {
	path := j.Path
	if path == "" {
		ext := ".c"
		if j.CPP {
			ext = ".cpp"
		}
		path = filepath.Join(c.tmp, fmt.Sprintf("tu%06d%s", c.seq.Add(1), ext))
		if err := os.WriteFile(path, j.Src, 0o644); err != nil {
			return nil, nil, fmt.Errorf("write translation unit: %w", err)
		}
		defer os.Remove(path)
	}
	bin := "gcc"
	args := []string{"-fdiagnostics-color=never", "-fno-diagnostics-show-caret"}
	if j.CPP {
		bin = "g++"
	} else {
		args = append(args, "-Werror=implicit-function-declaration")
	}
	if j.Preprocess {
		args = append(args, "-E", "-dD")
	} else {
		args = append(args, "-fsyntax-only")
	}
	if j.JSON {
		args = append(args, "-fdiagnostics-format=json")
	}
	for _, inc := range j.Includes {
		args = append(args, "-I"+inc)
	}
	for _, d := range j.Defines {
		args = append(args, "-D"+d)
	}
	args = append(args, path)

	var cacheFile string
	if c.cacheDir != "" {
		src := j.Src
		if j.Path != "" {
			var err error
			if src, err = os.ReadFile(j.Path); err != nil {
				return nil, nil, fmt.Errorf("read %s: %w", j.Path, err)
			}
		}
		// The temp file name varies between runs: key on the arguments
		// without it, and map it back below.
		k, err := c.key(ctx, bin, append(args[:len(args)-1:len(args)-1], j.Path), src, j.Includes)
		if err != nil {
			return nil, nil, err
		}
		cacheFile = filepath.Join(c.cacheDir, k)
		if b, err := os.ReadFile(cacheFile); err == nil {
			if out, errText, ok := splitCached(b); ok {
				c.hits.Add(1)
				back := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(cachedPath), []byte(path)) }
				return c.finish(j, path, bin, back(out), back(errText))
			}
		}
	}

	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	c.calls.Add(1)

	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, nil, fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), err, firstLines(stderr.Bytes(), 5))
	}
	if cacheFile != "" {
		there := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(path), []byte(cachedPath)) }
		blob := joinCached(there(stdout.Bytes()), there(stderr.Bytes()))
		if err := os.MkdirAll(c.cacheDir, 0o755); err == nil {
			tmp := cacheFile + ".tmp" + strconv.FormatInt(c.seq.Add(1), 10)
			if os.WriteFile(tmp, blob, 0o644) == nil {
				_ = os.Rename(tmp, cacheFile)
			}
		}
	}
	return c.finish(j, path, bin, stdout.Bytes(), stderr.Bytes())
}

// cachedPath stands for the compiled file's path in cached output.
const cachedPath = "@ABI3LS-SOURCE@"

func joinCached(out, errText []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d\n", len(out))
	b.Write(out)
	b.Write(errText)
	return b.Bytes()
}

func splitCached(b []byte) ([]byte, []byte, bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, nil, false
	}
	n, err := strconv.Atoi(string(b[:i]))
	if err != nil || i+1+n > len(b) {
		return nil, nil, false
	}
	return b[i+1 : i+1+n], b[i+1+n:], true
}

func (c *compiler) finish(j job, path, bin string, out, errText []byte) ([]byte, []diagnostic, error) {
	var diags []diagnostic
	var err error
	if j.JSON {
		diags, err = parseJSONDiagnostics(errText)
	} else {
		diags, err = parseTextDiagnostics(errText)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", bin, path, err)
	}
	return out, diags, nil
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// jsonDiag mirrors gcc's -fdiagnostics-format=json output.
type jsonDiag struct {
	Kind      string     `json:"kind"`
	Message   string     `json:"message"`
	Locations []jsonLoc  `json:"locations"`
	Children  []jsonDiag `json:"children"`
}

type jsonLoc struct {
	Caret struct {
		File string `json:"file"`
		Line int    `json:"line"`
	} `json:"caret"`
}

// convert turns d into diagnostics. gcc 12 nests some diagnostics that are
// not notes (e.g. consecutive #error directives) as children of the first:
// those are hoisted next to it.
func (d jsonDiag) convert() []diagnostic {
	out := diagnostic{Kind: d.Kind, Message: d.Message}
	if len(d.Locations) > 0 {
		out.File = d.Locations[0].Caret.File
		out.Line = d.Locations[0].Caret.Line
	}
	var hoisted []diagnostic
	for _, c := range d.Children {
		cs := c.convert()
		if c.Kind == "note" {
			out.Notes = append(out.Notes, cs[0])
			hoisted = append(hoisted, cs[1:]...)
			continue
		}
		hoisted = append(hoisted, cs...)
	}
	return append([]diagnostic{out}, hoisted...)
}

// parseJSONDiagnostics reads gcc's JSON diagnostics: one JSON array (gcc
// may print other text around it, e.g. "cc1: ..." lines).
func parseJSONDiagnostics(b []byte) ([]diagnostic, error) {
	i := bytes.IndexByte(b, '[')
	if i < 0 {
		if len(bytes.TrimSpace(b)) == 0 {
			return nil, nil
		}
		// No JSON at all: text such as a driver error.
		return nil, fmt.Errorf("no JSON diagnostics in compiler output: %s", firstLines(b, 3))
	}
	var raw []jsonDiag
	if err := json.NewDecoder(bytes.NewReader(b[i:])).Decode(&raw); err != nil {
		return nil, fmt.Errorf("decode JSON diagnostics: %w", err)
	}
	out := make([]diagnostic, 0, len(raw))
	for _, d := range raw {
		out = append(out, d.convert()...)
	}
	return out, nil
}

var reTextDiag = regexp.MustCompile(`^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note): (.*)$`)

// parseTextDiagnostics reads gcc's plain diagnostics (no carets, no
// colour). Notes attach to the preceding error or warning.
func parseTextDiagnostics(b []byte) ([]diagnostic, error) {
	var out []diagnostic
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		m := reTextDiag.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		d := diagnostic{Kind: m[4], Message: m[5], File: m[1], Line: line}
		if d.Kind == "note" {
			if len(out) > 0 {
				out[len(out)-1].Notes = append(out[len(out)-1].Notes, d)
			}
			continue
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read diagnostics: %w", err)
	}
	return out, nil
}

var reQuoted = regexp.MustCompile(`'([A-Za-z_][A-Za-z0-9_]*)'`)

// quotedIdentifiers returns the identifiers a message quotes ('name'),
// leaving out gcc's spelling suggestion ("; did you mean 'x'?").
func quotedIdentifiers(msg string) []string {
	if i := strings.Index(msg, "; did you mean"); i >= 0 {
		msg = msg[:i]
	}
	var out []string
	for _, m := range reQuoted.FindAllStringSubmatch(msg, -1) {
		out = append(out, m[1])
	}
	return out
}
