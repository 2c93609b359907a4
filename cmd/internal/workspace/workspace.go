// Package workspace gives the command line what the server gets from the
// editor: for each file, its workspace root (found by walking up from the
// file), the facts and settings of that workspace (project.Load), the
// analysis configuration (settings, then --config, then flags), local
// headers, and a bounded pool of workers that analyze files in parallel.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/analysis/project"
	"github.com/abi3ls/abi3ls/grammars"
)

// DefaultMaxFileSize caps the size of a source file read for analysis when
// the settings do not say (max-file-size).
const DefaultMaxFileSize = 16 << 20

// Options are the command line's part of the configuration.
type Options struct {
	// ConfigFile, when set, replaces every workspace's settings file
	// (abi3ls.toml, or pyproject.toml with [tool.abi3ls]).
	ConfigFile string
	// Override is merged over the settings (project.Settings.Merge): the
	// flags --target, --abi3t, --select.
	Override project.Settings
	// ExtendIgnore is added to the settings' ignore list (--ignore).
	ExtendIgnore []string
	// Audit forces audit-mode reporting (--audit).
	Audit bool
}

// Workspace finds and caches the roots of the files it is asked about.
// Safe for concurrent use.
type Workspace struct {
	opts         Options
	settings     *project.Settings // from ConfigFile
	settingsPath string
	loadFS       func(root string) fs.FS

	mu    sync.Mutex
	dirs  map[string]string // directory -> root directory
	roots map[string]*Root
}

// New checks the options (a bad flag value or --config file is a usage
// error) and returns a Workspace.
func New(opts Options) (*Workspace, error) {
	w := &Workspace{
		opts:   opts,
		dirs:   map[string]string{},
		roots:  map[string]*Root{},
		loadFS: os.DirFS,
	}
	if opts.ConfigFile != "" {
		s, err := readConfigFile(opts.ConfigFile)
		if err != nil {
			return nil, err
		}
		w.settings = &s
		w.settingsPath = opts.ConfigFile
	}
	// Flags alone must make sense, whatever the project says.
	base := project.Settings{}
	if w.settings != nil {
		base = *w.settings
	}
	if _, err := w.config(base); err != nil {
		if w.settings != nil {
			return nil, fmt.Errorf("%s: %w", opts.ConfigFile, err)
		}
		return nil, err
	}
	return w, nil
}

// readConfigFile reads a file given with --config: a pyproject.toml (its
// [tool.abi3ls] table) or an abi3ls.toml-style file.
func readConfigFile(path string) (project.Settings, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return project.Settings{}, fmt.Errorf("config: %w", err)
	}
	var s project.Settings
	var problems []project.Problem
	if filepath.Base(path) == "pyproject.toml" {
		var ok bool
		s, ok, problems = project.ParsePyprojectSettings(path, src)
		if !ok && len(problems) == 0 {
			return project.Settings{}, fmt.Errorf("%s: no [tool.abi3ls] table", path)
		}
	} else {
		s, problems = project.ParseSettingsTOML(path, src)
	}
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = problemString(p)
		}
		return project.Settings{}, errors.New(strings.Join(msgs, "\n"))
	}
	return s, nil
}

func problemString(p project.Problem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Message)
}

// effective merges the command line over a workspace's settings.
func (w *Workspace) effective(s project.Settings) project.Settings {
	if w.settings != nil {
		s = *w.settings
	}
	s = s.Merge(w.opts.Override)
	if len(w.opts.ExtendIgnore) > 0 {
		s.Ignore = append(append([]string(nil), s.Ignore...), w.opts.ExtendIgnore...)
	}
	return s
}

func (w *Workspace) config(s project.Settings) (analysis.Config, error) {
	cfg, err := analysis.ConfigFromSettings(w.effective(s))
	if err != nil {
		return cfg, err
	}
	cfg.Audit = cfg.Audit || w.opts.Audit
	return cfg, nil
}

// Root is one workspace: a directory and what it declares.
type Root struct {
	Dir      string // absolute
	Facts    *project.Facts
	Settings project.Settings // effective (file, --config, flags)
	Config   analysis.Config
	// Err is set when the configuration is invalid; the root's files are
	// then not analyzed.
	Err error
	// Problems are warnings about the workspace's files (malformed build
	// files, unknown settings keys).
	Problems []string
	// AuditOff is audit = "off": files without a target get no findings.
	AuditOff bool

	includes *includer
}

// RootFor returns the root of the file at abs (an absolute path). Roots are
// loaded once.
func (w *Workspace) RootFor(abs string) *Root {
	dir := filepath.Dir(abs)
	w.mu.Lock()
	defer w.mu.Unlock()
	rootDir, ok := w.dirs[dir]
	if !ok {
		rootDir = project.FindRoot(dir, exists)
		if rootDir == "" {
			rootDir = fallbackRoot(dir)
		}
		w.dirs[dir] = rootDir
	}
	if r, ok := w.roots[rootDir]; ok {
		return r
	}
	r := w.load(rootDir)
	w.roots[rootDir] = r
	return r
}

// Roots returns the roots loaded so far, in no particular order.
func (w *Workspace) Roots() []*Root {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*Root, 0, len(w.roots))
	for _, r := range w.roots {
		out = append(out, r)
	}
	return out
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// fallbackRoot is the root of a file in no project: the working directory
// when the file is below it, else the file's directory.
func fallbackRoot(dir string) string {
	if wd, err := os.Getwd(); err == nil && project.Within(wd, dir) {
		return wd
	}
	return dir
}

func (w *Workspace) load(dir string) *Root {
	facts := project.Load(w.loadFS(dir), dir, project.Options{})
	r := &Root{Dir: dir, Facts: facts}
	for _, p := range facts.Problems {
		p.Path = filepath.Join(dir, filepath.FromSlash(p.Path))
		r.Problems = append(r.Problems, problemString(p))
	}
	r.Settings = w.effective(facts.Settings)
	cfg, err := w.config(facts.Settings)
	if err != nil {
		where := dir
		if w.settingsPath != "" {
			where = w.settingsPath
		} else if facts.SettingsPath != "" {
			where = filepath.Join(dir, filepath.FromSlash(facts.SettingsPath))
		}
		r.Err = fmt.Errorf("%s: invalid configuration: %w", where, err)
	}
	r.Config = cfg
	r.AuditOff = r.Settings.AuditSeverity() == "off"
	var incDirs []string
	for _, d := range r.Settings.Include {
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, filepath.FromSlash(d))
		}
		incDirs = append(incDirs, filepath.Clean(d))
	}
	r.includes = &includer{root: dir, dirs: incDirs, max: r.maxFileSize()}
	return r
}

func (r *Root) maxFileSize() int64 {
	if r.Settings.MaxFileSize > 0 {
		return r.Settings.MaxFileSize
	}
	return DefaultMaxFileSize
}

// Rel returns the slash path of abs relative to the root, and false when
// abs is not below it.
func (r *Root) Rel(abs string) (string, bool) {
	if !project.Within(r.Dir, abs) {
		return "", false
	}
	rel, err := filepath.Rel(r.Dir, abs)
	if err != nil {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// Excluded reports whether abs matches the root's exclude globs.
func (r *Root) Excluded(abs string) bool {
	rel, ok := r.Rel(abs)
	if !ok || rel == "." {
		return false
	}
	return r.Settings.Excluded(rel)
}

// Exclude is a walk.Options.Exclude for the files of w.
func (w *Workspace) Exclude(abs string, isDir bool) bool {
	probe := abs
	if isDir {
		// The root of a directory is that of a file inside it.
		probe = filepath.Join(abs, "x")
	}
	return w.RootFor(probe).Excluded(abs)
}

// ErrTooBig is returned by Read for a file over the size limit.
var ErrTooBig = errors.New("file too big")

// Read reads a source file, refusing one over the root's size limit.
func (r *Root) Read(abs string) ([]byte, error) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if info.Size() > r.maxFileSize() {
		return nil, fmt.Errorf("%w: %d bytes, over max-file-size %d", ErrTooBig, info.Size(), r.maxFileSize())
	}
	limit := r.maxFileSize()
	buf, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(buf)) > limit {
		return nil, fmt.Errorf("%w: over max-file-size %d", ErrTooBig, limit)
	}
	return buf, nil
}

// Input builds the analysis input of the file at abs with contents src.
func (r *Root) Input(abs string, src []byte) analysis.Input {
	return analysis.Input{
		Path:     abs,
		Lang:     grammars.ForPath(abs),
		Src:      src,
		Project:  r.Facts,
		Includes: r.includes,
		Config:   r.Config,
	}
}

// Analyze reads and analyzes one file.
func (r *Root) Analyze(ctx context.Context, an *analysis.Analyzer, abs string) ([]byte, *analysis.Result, error) {
	if r.Err != nil {
		return nil, nil, r.Err
	}
	src, err := r.Read(abs)
	if err != nil {
		return nil, nil, err
	}
	res, err := r.AnalyzeSrc(ctx, an, abs, src)
	if err != nil {
		return src, nil, fmt.Errorf("analysis: %w", err)
	}
	return src, res, nil
}

// AnalyzeSrc analyzes src as the contents of the file at abs. With audit
// = "off", a file without a target gets no findings (as in the server).
func (r *Root) AnalyzeSrc(ctx context.Context, an *analysis.Analyzer, abs string, src []byte) (*analysis.Result, error) {
	res, err := an.Analyze(ctx, r.Input(abs, src))
	if err != nil {
		return nil, err
	}
	if r.AuditOff && !res.Target.IsLimited() {
		res.Findings = nil
	}
	return res, nil
}

// includer resolves `#include "name"` to local headers on disk: next to
// the including file, then in the include directories of the settings.
// Only headers inside the workspace root (or an include directory) are
// read, each at most max bytes; contents are cached.
type includer struct {
	root  string
	dirs  []string
	max   int64
	cache sync.Map // abs path -> []byte (nil: unreadable)
}

func (in *includer) Include(fromPath, name string) (string, []byte, bool) {
	if name == "" || filepath.IsAbs(name) || strings.ContainsRune(name, 0) {
		return "", nil, false
	}
	name = filepath.FromSlash(name)
	cands := make([]string, 0, 1+len(in.dirs))
	if fromPath != "" {
		from := fromPath
		if !filepath.IsAbs(from) {
			from = filepath.Join(in.root, from)
		}
		cands = append(cands, filepath.Join(filepath.Dir(from), name))
	}
	for _, d := range in.dirs {
		cands = append(cands, filepath.Join(d, name))
	}
	for _, c := range cands {
		if !in.allowed(c) {
			continue
		}
		if b, ok := in.read(c); ok {
			return c, b, true
		}
	}
	return "", nil, false
}

func (in *includer) allowed(p string) bool {
	if project.Within(in.root, p) {
		return true
	}
	for _, d := range in.dirs {
		if project.Within(d, p) {
			return true
		}
	}
	return false
}

func (in *includer) read(p string) ([]byte, bool) {
	if v, ok := in.cache.Load(p); ok {
		b := v.([]byte)
		return b, b != nil
	}
	var b []byte
	if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() && info.Size() <= in.max {
		if data, err := os.ReadFile(p); err == nil && int64(len(data)) <= in.max {
			b = data
		}
	}
	v, _ := in.cache.LoadOrStore(p, b)
	got := v.([]byte)
	return got, got != nil
}
