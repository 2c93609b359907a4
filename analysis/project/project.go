// Package project reads what a workspace declares about its build: the
// Py_LIMITED_API / Py_TARGET_ABI3T targets in build files and compile
// databases, and the abi3ls configuration file. Build files are read as text
// and never executed. It reads only through the fs.FS it is given.
//
// CONTRACT: the exported names in this file are used by analysis/, server/
// and cmd/. Extend them; do not rename or remove them.
//
// # Declarations
//
// Every reader (ParseSetupPy, ParseSetupCfg, ParsePyproject,
// ParseMesonBuild, ParseCMakeLists, ParseCompileCommands,
// ParseCompileFlags) is a pure function of a path and the file's bytes,
// so the server can re-read one changed file. Each returns Declarations
// with where they are written (Path, Line, Column) and the text as
// written, and never fails: what it cannot use becomes a Problem.
//
// A Declaration is one of three kinds:
//
//   - versioned: Target is set (Err empty). From a macro value
//     (Py_LIMITED_API=0x03080000: Macro set), or a version or wheel tag
//     (limited_api: '3.8', py_limited_api = cp38: Macro empty).
//   - versionless: ABI3 is set and Target is zero. The file says "stable
//     ABI" without saying which version (py_limited_api=True,
//     meson-python limited-api = true, USE_SABI ${VAR}, a define whose
//     value is computed). The version comes from another declaration or
//     stays unknown.
//   - malformed: Err says why the value (in Value) is not valid, as
//     abi.ParseLimitedAPI / abi.ParseVersion report it. analysis raises
//     ABI008 on it; it never sets a target.
//
// # Precedence
//
// TargetFor picks, for one file: its compile_commands.json entry, then
// compile_flags.txt, then the best build-file declaration that applies to
// it (Files empty, or listing the file). Facts.Build is sorted best first:
// versioned before versionless before malformed; among versioned ones,
// those limited to some files (an Extension's define_macros, a CMake
// target's definitions) before project-wide ones, and macro definitions
// (what the compiler sees) before wheel tags; Py_TARGET_ABI3T before
// Py_LIMITED_API; then by Source in the order setup.py, setup.cfg,
// pyproject.toml, meson.build, CMakeLists.txt, then path and line.
//
// # Safety
//
// Load reads only regular files, each at most Options.MaxFileSize bytes
// (compile databases Options.MaxCompileDBSize); a bigger file is skipped
// with a Problem saying so. With an fs.FS that reports symbolic links
// (fs.ReadLinkFS: os.DirFS, fstest.MapFS), a link leading outside the root
// or looping is not followed (a Problem). It follows meson subdir() and
// CMake add_subdirectory() at most 8 levels deep and 256 build files in
// all, each directory once. Nothing is executed or evaluated.
package project

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

// Declaration is one target declared by a workspace file.
type Declaration struct {
	Target abi.Target
	// Source names the kind of file: "setup.py", "setup.cfg",
	// "pyproject.toml", "meson.build", "CMakeLists.txt",
	// "compile_commands.json", "compile_flags.txt".
	Source string
	Path   string // slash-separated path relative to the workspace root
	Line   int    // 1-based line of the declaration; 0 when unknown
	Text   string // the declaration as written, e.g. `py_limited_api = "cp38"`

	// Column is the 1-based byte column where Text starts on Line; 0 when
	// unknown.
	Column int
	// Macro is MacroLimitedAPI or MacroABI3T when the declaration defines
	// that macro (a define, a compiler flag, nanobind STABLE_ABI); empty
	// for wheel tags and version settings.
	Macro string
	// Value is the value as written, without quotes ("0x03080000", "cp38",
	// "3.8"); empty for flags without a value (py_limited_api=True).
	Value string
	// ABI3 is set on a versionless declaration: the stable ABI is
	// declared but its version is not known from this declaration (Target
	// is zero).
	ABI3 bool
	// Files lists the root-relative slash paths of the sources the
	// declaration is limited to (an Extension's sources, a CMake target's,
	// the file of a compile_commands.json entry); empty means the whole
	// project.
	Files []string
	// Err is non-empty when Value is malformed: why, and what to write.
	Err string
}

// Versioned reports whether d sets a target version.
func (d Declaration) Versioned() bool { return d.Err == "" && d.Target.IsLimited() }

// AppliesTo reports whether d applies to the root-relative file rel.
func (d Declaration) AppliesTo(rel string) bool {
	return len(d.Files) == 0 || slices.Contains(d.Files, rel)
}

// Problem is a workspace file that could not be used (too big, malformed).
type Problem struct {
	Path    string
	Message string
	Line    int // 1-based; 0 when the problem is with the whole file
}

// Settings is the abi3ls configuration shared by the server and the CLI
// (abi3ls.toml or [tool.abi3ls] in pyproject.toml; LSP initializationOptions
// and didChangeConfiguration use the same keys).
type Settings struct {
	Target      string            `toml:"target" json:"target,omitempty"` // "3.10"
	ABI3T       *bool             `toml:"abi3t" json:"abi3t,omitempty"`
	Audit       string            `toml:"audit" json:"audit,omitempty"` // "off" | "hint" | "information" | "warning"
	Severity    map[string]string `toml:"severity" json:"severity,omitempty"`
	Select      []string          `toml:"select" json:"select,omitempty"`
	Ignore      []string          `toml:"ignore" json:"ignore,omitempty"`
	Include     []string          `toml:"include-dirs" json:"includeDirs,omitempty"`
	Exclude     []string          `toml:"exclude" json:"exclude,omitempty"` // doublestar globs
	MaxFileSize int64             `toml:"max-file-size" json:"maxFileSize,omitempty"`
}

// Facts is what Load learned about a workspace. Immutable once returned.
type Facts struct {
	Root string // as given to Load
	// Build lists the declarations of build files (setup.py, ...), best
	// first (see the package documentation).
	Build []Declaration
	// PerFile maps a slash-separated path relative to Root to the
	// declaration from compile_commands.json for that file.
	PerFile map[string]Declaration
	// Flags is the declaration from compile_flags.txt (applies to every file),
	// if any.
	Flags *Declaration
	// Settings from abi3ls.toml or [tool.abi3ls]; zero when absent.
	Settings     Settings
	SettingsPath string
	Problems     []Problem
	// Files lists the workspace files Load read (slash paths relative to
	// the root), for watching.
	Files []string
}

// Options tune Load.
type Options struct {
	// MaxFileSize caps every file read (bytes); 0 means max-file-size from
	// the settings file, else the default (4 MiB).
	MaxFileSize int64
	// MaxCompileDBSize caps compile_commands.json reads; 0 means the
	// default (64 MiB), or MaxFileSize when that is larger.
	MaxCompileDBSize int64
}

// SettingsFiles are the configuration files Load reads, at the root.
var SettingsFiles = []string{"abi3ls.toml", "pyproject.toml"}

// BuildFiles are the file names Load reads (at the root, or below through
// meson subdir() / CMake add_subdirectory(), or in build directories for
// compile databases). A change to one of them should trigger a new Load.
var BuildFiles = []string{
	"setup.py", "setup.cfg", "pyproject.toml", "meson.build", "CMakeLists.txt",
	"compile_commands.json", "compile_flags.txt", "abi3ls.toml",
}

const (
	maxSubdirDepth = 8
	maxBuildFiles  = 256
)

// Load reads the workspace rooted at fsys (e.g. os.DirFS(root)): build
// files at the root (and compile_commands.json in the root or build/), the
// compile database, and the settings file. It never fails: unreadable or
// malformed files become Problems.
//
// Settings: abi3ls.toml wins over [tool.abi3ls] (which is then ignored,
// with a Problem if present). compile_commands.json is looked for at the
// root, then in build/, builddir/ and other root directories named
// build* or cmake-build-*; the first entry for a file wins.
// compile_flags.txt is read at the root, else in build/.
func Load(fsys fs.FS, root string, opts Options) *Facts {
	f := &Facts{Root: root, PerFile: map[string]Declaration{}}
	r := &reader{fsys: fsys, root: root}
	maxSize := opts.MaxFileSize
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	seen := map[string]bool{}
	readFile := func(name string, limit int64) ([]byte, bool) {
		b, ok := r.read(name, limit)
		if ok && !seen[name] {
			seen[name] = true
			f.Files = append(f.Files, name)
		}
		return b, ok
	}

	// Settings first: max-file-size may change the cap for the rest.
	pyproject, havePyproject := readFile("pyproject.toml", maxSize)
	if b, ok := readFile("abi3ls.toml", maxSize); ok {
		s, problems := ParseSettingsTOML("abi3ls.toml", b)
		f.Settings, f.SettingsPath = s, "abi3ls.toml"
		f.Problems = append(f.Problems, problems...)
		if havePyproject {
			if _, present, _ := ParsePyprojectSettings("pyproject.toml", pyproject); present {
				f.Problems = append(f.Problems, Problem{Path: "pyproject.toml", Message: "[tool.abi3ls] is ignored: abi3ls.toml takes precedence"})
			}
		}
	} else if havePyproject {
		if s, present, problems := ParsePyprojectSettings("pyproject.toml", pyproject); present {
			f.Settings, f.SettingsPath = s, "pyproject.toml"
			f.Problems = append(f.Problems, problems...)
		}
	}
	if opts.MaxFileSize <= 0 && f.Settings.MaxFileSize > 0 {
		maxSize = f.Settings.MaxFileSize
	}
	maxDB := opts.MaxCompileDBSize
	if maxDB <= 0 {
		maxDB = max(int64(DefaultMaxCompileDBSize), maxSize)
	}

	// Build files.
	if b, ok := readFile("setup.py", maxSize); ok {
		f.add(ParseSetupPy("setup.py", b))
	}
	if b, ok := readFile("setup.cfg", maxSize); ok {
		f.add(ParseSetupCfg("setup.cfg", b))
	}
	if havePyproject {
		if int64(len(pyproject)) <= maxSize {
			f.add(ParsePyproject("pyproject.toml", pyproject))
		} else {
			f.Problems = append(f.Problems, Problem{Path: "pyproject.toml", Message: "pyproject.toml: skipped: over the size limit (max-file-size)"})
		}
	}
	budget := maxBuildFiles
	f.walkSubdirs(r, "meson.build", maxSize, &budget, readFile, parseMeson)
	f.walkSubdirs(r, "CMakeLists.txt", maxSize, &budget, readFile, parseCMake)

	// Compile databases.
	for _, dir := range compileDBDirs(r) {
		name := path.Join(dir, "compile_commands.json")
		b, ok := readFile(name, maxDB)
		if !ok {
			continue
		}
		decls, problems := ParseCompileCommands(name, b, root)
		f.Problems = append(f.Problems, problems...)
		m := &pathMapper{r: r}
		for _, d := range decls {
			rel, ok := m.toRel(d.Files[0])
			if !ok {
				continue
			}
			d.Files = []string{rel}
			if _, dup := f.PerFile[rel]; !dup {
				f.PerFile[rel] = d
			}
		}
	}
	for _, name := range []string{"compile_flags.txt", "build/compile_flags.txt"} {
		b, ok := readFile(name, maxSize)
		if !ok {
			continue
		}
		decls, problems := ParseCompileFlags(name, b)
		f.Problems = append(f.Problems, problems...)
		if len(decls) > 0 {
			d := decls[0]
			f.Flags = &d
		}
		break
	}

	f.Problems = append(f.Problems, r.problems...)
	SortDeclarations(f.Build)
	return f
}

func (f *Facts) add(decls []Declaration, problems []Problem) {
	f.Build = append(f.Build, decls...)
	f.Problems = append(f.Problems, problems...)
}

// walkSubdirs reads name at the root and in the subdirectories its
// parser reports, breadth first, each directory once.
func (f *Facts) walkSubdirs(r *reader, name string, limit int64, budget *int,
	read func(string, int64) ([]byte, bool),
	parse func(string, []byte) ([]Declaration, []Problem, []string)) {
	type item struct {
		dir   string
		depth int
	}
	queue := []item{{"", 0}}
	visited := map[string]bool{}
	for len(queue) > 0 && *budget > 0 {
		it := queue[0]
		queue = queue[1:]
		if visited[it.dir] {
			continue
		}
		visited[it.dir] = true
		file := path.Join(it.dir, name)
		b, ok := read(file, limit)
		if !ok {
			continue
		}
		*budget--
		decls, problems, subdirs := parse(file, b)
		f.add(decls, problems)
		if it.depth >= maxSubdirDepth {
			continue
		}
		for _, s := range subdirs {
			if !visited[s] {
				queue = append(queue, item{s, it.depth + 1})
			}
		}
	}
}

// compileDBDirs lists the directories searched for compile_commands.json,
// in order: the root, build, builddir, then other root directories whose
// name starts with "build" or "cmake-build-".
func compileDBDirs(r *reader) []string {
	dirs := []string{".", "build", "builddir"}
	entries, err := fs.ReadDir(r.fsys, ".")
	if err == nil {
		var more []string
		for _, e := range entries {
			n := e.Name()
			if n == "build" || n == "builddir" {
				continue
			}
			if strings.HasPrefix(n, "build") || strings.HasPrefix(n, "cmake-build-") {
				more = append(more, n)
			}
		}
		sort.Strings(more)
		dirs = append(dirs, more...)
	}
	return dirs
}

// pathMapper maps compile database paths to root-relative ones. A path
// that is not under the root (a database generated in a container or
// another checkout) is matched by its longest suffix that names a file in
// the workspace; the prefix found is then reused for later entries.
type pathMapper struct {
	r        *reader
	prefixes []string // absolute prefixes known to stand for the root
	tries    int
}

const maxSuffixTries = 4096

func (m *pathMapper) toRel(p string) (string, bool) {
	if !isAbsSlash(p) {
		return p, fs.ValidPath(p)
	}
	for _, pre := range m.prefixes {
		if strings.HasPrefix(p, pre+"/") {
			rel := p[len(pre)+1:]
			return rel, fs.ValidPath(rel)
		}
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if hasDrive(p) {
		parts = strings.Split(p[3:], "/")
	}
	for i := 0; i < len(parts); i++ {
		if m.tries >= maxSuffixTries {
			return "", false
		}
		m.tries++
		rel := strings.Join(parts[i:], "/")
		if !fs.ValidPath(rel) || !m.r.exists(rel, false) {
			continue
		}
		m.prefixes = append(m.prefixes, strings.TrimSuffix(p[:len(p)-len(rel)], "/"))
		return rel, true
	}
	return "", false
}

// sourceRank orders Sources for SortDeclarations.
var sourceRank = map[string]int{
	"setup.py": 0, "setup.cfg": 1, "pyproject.toml": 2, "meson.build": 3, "CMakeLists.txt": 4,
	"compile_flags.txt": 5, "compile_commands.json": 6,
}

func declRank(d Declaration) int {
	switch {
	case d.Versioned():
		r := 0
		if len(d.Files) == 0 {
			r += 4
		}
		if d.Macro == "" {
			r += 2
		}
		if d.Macro != MacroABI3T {
			r++
		}
		return r
	case d.Err == "":
		if len(d.Files) == 0 {
			return 9
		}
		return 8
	}
	return 10
}

// SortDeclarations sorts build declarations best first (see the package
// documentation for the order). It is stable.
func SortDeclarations(ds []Declaration) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if ra, rb := declRank(a), declRank(b); ra != rb {
			return ra < rb
		}
		if sa, sb := sourceRank[a.Source], sourceRank[b.Source]; sa != sb {
			return sa < sb
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// TargetFor returns the declaration that applies to the file at rel (slash
// path relative to Root): compile_commands.json entry, then
// compile_flags.txt, then the first build-file declaration that applies to
// rel (Build is sorted best first). The result may be versionless (ABI3)
// or malformed (Err) when nothing better is declared.
func (f *Facts) TargetFor(rel string) (Declaration, bool) {
	if f == nil {
		return Declaration{}, false
	}
	if d, ok := f.PerFile[rel]; ok {
		return d, true
	}
	if f.Flags != nil {
		return *f.Flags, true
	}
	for _, d := range f.Build {
		if d.AppliesTo(rel) {
			return d, true
		}
	}
	return Declaration{}, false
}

// Declared returns every declaration that applies to rel: its
// compile_commands.json entry, compile_flags.txt, and the build
// declarations that apply (best first), for hover and ABI010.
func (f *Facts) Declared(rel string) []Declaration {
	if f == nil {
		return nil
	}
	var out []Declaration
	if d, ok := f.PerFile[rel]; ok {
		out = append(out, d)
	}
	if f.Flags != nil {
		out = append(out, *f.Flags)
	}
	for _, d := range f.Build {
		if d.AppliesTo(rel) {
			out = append(out, d)
		}
	}
	return out
}

// BuildTarget returns the best project-wide build declaration (a wheel
// tag, a project-wide define), the workspace target a header opened alone
// gets when no compile flags apply.
func (f *Facts) BuildTarget() (Declaration, bool) {
	if f == nil {
		return Declaration{}, false
	}
	for _, d := range f.Build {
		if len(d.Files) == 0 {
			return d, true
		}
	}
	return Declaration{}, false
}
