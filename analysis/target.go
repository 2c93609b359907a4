package analysis

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/preproc"
	"github.com/abi3ls/abi3ls/analysis/project"
)

const (
	macroLimited = "Py_LIMITED_API"
	macroABI3T   = "Py_TARGET_ABI3T"
)

// targetDefine is a #define of Py_LIMITED_API or Py_TARGET_ABI3T in the
// analyzed file.
type targetDefine struct {
	def     preproc.Define
	version abi.Version
	err     error // malformed value (ABI008)
	late    bool  // after Python.h was included (ABI007)
}

// localHeader is a header of the workspace reached through #include.
type localHeader struct {
	path string
	src  []byte
}

// targetInfo is the outcome of target resolution.
type targetInfo struct {
	target   FileTarget
	declared []FileTarget
	defines  []targetDefine // in the analyzed file, in order
	// pyInclude is the #include of the analyzed file through which Python.h
	// is first included (directly or by a local header); nil when none.
	pyInclude *preproc.Include
	headers   []localHeader
	// project declarations that apply to the file (compile flags, build
	// files), for ABI010.
	projectDecls []project.Declaration
	// included holds the base names of every header the file and its local
	// headers include.
	included map[string]bool
}

// limits on following local headers.
const (
	maxHeaderDepth = 16
	maxHeaders     = 64
)

// isPythonInclude reports whether an include path brings in Python.h.
func isPythonInclude(p string) bool {
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	if base == "Python.h" {
		return true
	}
	switch p {
	case "pybind11/pybind11.h", "nanobind/nanobind.h":
		return true
	}
	return false
}

// parseDefineValue parses a Py_LIMITED_API / Py_TARGET_ABI3T value as
// written in C.
func parseDefineValue(v string) (abi.Version, error) {
	v = strings.TrimSpace(v)
	for strings.HasPrefix(v, "(") && strings.HasSuffix(v, ")") {
		v = strings.TrimSpace(v[1 : len(v)-1])
	}
	if v == "" {
		// `#define Py_LIMITED_API` means 3.2 (pyabi.h redefines it so).
		return abi.V(3, 2), nil
	}
	return abi.ParseLimitedAPI(v)
}

// scanState follows the includes of the analyzed file and its local headers
// in order, to find target defines and where Python.h comes in.
type scanState struct {
	a        *Analyzer
	in       *Input
	env      preproc.Env
	python   bool // Python.h already included
	visited  map[string]bool
	headers  []localHeader
	declared []FileTarget
	// first define of each macro seen (file or header) before resolution.
	firstLimited, firstABI3T *FileTarget
	included                 map[string]bool
}

// resolveTarget finds the file's target in the order of precedence:
// configuration override, #define in the file or a local header before
// Python.h, compile flags, build files; else audit mode.
func (a *Analyzer) resolveTarget(in *Input, pp *preproc.Result, env preproc.Env) *targetInfo {
	ti := &targetInfo{included: map[string]bool{}}
	st := &scanState{a: a, in: in, env: env, visited: map[string]bool{in.Path: true}, included: ti.included}

	// Merge the file's target defines and includes in source order.
	di, ii := 0, 0
	for di < len(pp.Defines) || ii < len(pp.Includes) {
		if ii >= len(pp.Includes) || (di < len(pp.Defines) && pp.Defines[di].Start < pp.Includes[ii].Start) {
			d := pp.Defines[di]
			di++
			if !d.Live || (d.Name != macroLimited && d.Name != macroABI3T) {
				continue
			}
			td := targetDefine{def: d, late: st.python || d.AfterPython}
			td.version, td.err = parseDefineValue(d.Value)
			var ve *abi.ValueError
			if errors.As(td.err, &ve) && ve.Usable {
				// Misleading but understood by the compiler (0x3080000):
				// ABI008 reports it, the version still counts.
				td.version = ve.Version
			}
			ti.defines = append(ti.defines, td)
			if td.version.IsZero() {
				continue
			}
			ft := FileTarget{Kind: FromDefine, Location: Location{Line: d.Line, Start: d.Start, End: d.End},
				Text: strings.TrimSpace(d.Name + " " + d.Value)}
			setVersion(&ft, d.Name, td.version)
			st.add(ft, d.Name)
			continue
		}
		inc := pp.Includes[ii]
		incPtr := &pp.Includes[ii]
		ii++
		st.included[path.Base(inc.Path)] = true
		if !inc.Live || inc.Computed {
			continue
		}
		wasPython := st.python
		if isPythonInclude(inc.Path) {
			st.python = true
		} else {
			st.header(in.Path, inc.Path, 1)
		}
		if !wasPython && st.python && ti.pyInclude == nil {
			ti.pyInclude = incPtr
		}
	}
	if ti.pyInclude == nil && pp.PythonInclude != nil {
		ti.pyInclude = pp.PythonInclude
	}
	ti.headers = st.headers

	// Workspace declarations.
	var chosenProject *project.Declaration
	if f := in.Project; f != nil {
		rel := relPath(f.Root, in.Path)
		if d, ok := f.PerFile[rel]; ok {
			ti.projectDecls = append(ti.projectDecls, d)
			st.declared = append(st.declared, fromDeclaration(d))
		}
		if f.Flags != nil {
			ti.projectDecls = append(ti.projectDecls, *f.Flags)
			st.declared = append(st.declared, fromDeclaration(*f.Flags))
		}
		for _, d := range f.Build {
			ti.projectDecls = append(ti.projectDecls, d)
			st.declared = append(st.declared, fromDeclaration(d))
		}
		if d, ok := f.TargetFor(rel); ok && d.Target.IsLimited() {
			dd := d
			chosenProject = &dd
		}
	}
	ti.declared = st.declared

	switch {
	case in.Config.Target.IsLimited():
		ti.target = FileTarget{Target: in.Config.Target, Kind: FromOverride,
			Location: Location{Start: -1, End: -1}, Text: "configured target " + in.Config.Target.String()}
	case st.firstLimited != nil || st.firstABI3T != nil:
		var t FileTarget
		if st.firstLimited != nil {
			t = *st.firstLimited
			if st.firstABI3T != nil {
				t.ABI3T = st.firstABI3T.ABI3T
			}
		} else {
			t = *st.firstABI3T
		}
		ti.target = t
	case chosenProject != nil:
		ti.target = fromDeclaration(*chosenProject)
	default:
		ti.target = FileTarget{Kind: FromNone, Location: Location{Start: -1, End: -1}}
	}
	return ti
}

func setVersion(ft *FileTarget, macro string, v abi.Version) {
	if macro == macroABI3T {
		ft.ABI3T = v
	} else {
		ft.Limited = v
	}
}

func (st *scanState) add(ft FileTarget, macro string) {
	// A define after Python.h does not set the target the headers see, but
	// it states the author's intent: it still counts (ABI007 reports it).
	st.declared = append(st.declared, ft)
	if macro == macroABI3T {
		if st.firstABI3T == nil {
			c := ft
			st.firstABI3T = &c
		}
	} else if st.firstLimited == nil {
		c := ft
		st.firstLimited = &c
	}
}

// header follows a local #include.
func (st *scanState) header(from, name string, depth int) {
	if st.in.Includes == nil || depth > maxHeaderDepth || len(st.headers) >= maxHeaders {
		return
	}
	p, src, ok := st.in.Includes.Include(from, name)
	if !ok || st.visited[p] {
		return
	}
	st.visited[p] = true
	st.headers = append(st.headers, localHeader{path: p, src: src})
	hp := preproc.Evaluate(src, st.env)
	di, ii := 0, 0
	for di < len(hp.Defines) || ii < len(hp.Includes) {
		if ii >= len(hp.Includes) || (di < len(hp.Defines) && hp.Defines[di].Start < hp.Includes[ii].Start) {
			d := hp.Defines[di]
			di++
			if !d.Live || (d.Name != macroLimited && d.Name != macroABI3T) {
				continue
			}
			v, err := parseDefineValue(d.Value)
			var ve *abi.ValueError
			if errors.As(err, &ve) && ve.Usable {
				v, err = ve.Version, nil
			}
			if err != nil {
				continue
			}
			ft := FileTarget{Kind: FromHeader, Location: Location{Path: p, Line: d.Line, Start: d.Start, End: d.End},
				Text: strings.TrimSpace(d.Name + " " + d.Value)}
			setVersion(&ft, d.Name, v)
			st.add(ft, d.Name)
			continue
		}
		inc := hp.Includes[ii]
		ii++
		st.included[path.Base(inc.Path)] = true
		if !inc.Live || inc.Computed {
			continue
		}
		if isPythonInclude(inc.Path) {
			st.python = true
		} else {
			st.header(p, inc.Path, depth+1)
		}
	}
}

func fromDeclaration(d project.Declaration) FileTarget {
	kind := FromBuildFile
	switch d.Source {
	case "compile_commands.json", "compile_flags.txt":
		kind = FromCompileFlags
	}
	return FileTarget{Target: d.Target, Kind: kind,
		Location: Location{Path: d.Path, Line: d.Line, Start: -1, End: -1}, Text: d.Text}
}

// relPath makes p relative to root with forward slashes when it lies
// under it; otherwise p as given (slashed).
func relPath(root, p string) string {
	if root != "" && filepath.IsAbs(p) {
		if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(strings.TrimPrefix(p, "./"))
}

// describe is the parenthetical messages use for where the target comes
// from: "Py_LIMITED_API 0x03090000, line 1".
func (ft FileTarget) describe() string {
	switch ft.Kind {
	case FromDefine:
		return fmt.Sprintf("%s, line %d", ft.Text, ft.Location.Line)
	case FromHeader:
		return fmt.Sprintf("%s in %s, line %d", ft.Text, path.Base(filepath.ToSlash(ft.Location.Path)), ft.Location.Line)
	case FromCompileFlags, FromBuildFile:
		s := ft.Text + " in " + ft.Location.Path
		if ft.Location.Line > 0 {
			s += fmt.Sprintf(", line %d", ft.Location.Line)
		}
		return s
	case FromOverride:
		return "set by configuration"
	}
	return "no target"
}

// versionText is how messages name a target: "3.9", or "abi3t 3.15".
func versionText(t abi.Target) string {
	if !t.ABI3T.IsZero() {
		return "abi3t " + t.Effective().String()
	}
	return t.Limited.String()
}

// envFor is the preprocessor environment of a target. In audit mode the
// file is evaluated as if Py_LIMITED_API were defined at the lowest
// version: code the author already keeps out of the Limited API
// (`#ifndef Py_LIMITED_API`) is not a migration problem, and version
// branches fall back to their oldest form, which gives the minimum target.
func envFor(t abi.Target, audit bool) preproc.Env {
	env := preproc.Env{Defined: map[string]string{}}
	switch {
	case t.IsLimited() && !audit:
		if !t.Limited.IsZero() {
			env.Defined[macroLimited] = t.Limited.Hex()
		} else {
			env.Defined[macroLimited] = t.ABI3T.Hex()
		}
		if !t.ABI3T.IsZero() {
			env.Defined[macroABI3T] = t.ABI3T.Hex()
		} else {
			env.Undefined = append(env.Undefined, macroABI3T)
		}
	default:
		env.Defined[macroLimited] = abi.V(3, 2).Hex()
		env.Undefined = append(env.Undefined, macroABI3T)
	}
	return env
}
