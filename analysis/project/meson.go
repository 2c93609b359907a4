package project

import (
	"strings"
)

// ParseMesonBuild reads a meson.build as text and returns:
//
//   - limited_api: '3.8' (an argument of py.extension_module): that
//     version, for the module's literal sources (Files);
//   - compiler flags in string literals: '-DPy_LIMITED_API=0x03080000'
//     (c_args, add_project_arguments ...).
//
// Comments and string contents never count.
func ParseMesonBuild(path string, src []byte) ([]Declaration, []Problem) {
	decls, problems, _ := parseMeson(path, src)
	return decls, problems
}

// parseMeson also returns the subdirectories named by subdir('x') calls,
// relative to the root, for Load to follow.
func parseMeson(path string, src []byte) ([]Declaration, []Problem, []string) {
	const source = "meson.build"
	li := newLineIndex(src)
	toks := lexPython(src)
	match := matchBrackets(toks)
	dir := dirOf(path)
	type located struct {
		d   Declaration
		tok int
	}
	var found []located
	var subdirs []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tString:
			if m, val, has, ok, _ := flagDefine(strings.TrimSpace(t.text)); ok {
				d := li.decl(source, path, t.start, t.end)
				setDefine(&d, m, val, has)
				found = append(found, located{d, i})
			}
		case tName:
			if i+2 >= len(toks) {
				continue
			}
			if t.text == "limited_api" && toks[i+1].is(tOp, ":") {
				v := toks[i+2]
				d := li.decl(source, path, t.start, v.end)
				if v.kind == tString {
					setWheelVersion(&d, v.text)
				} else {
					end := i + 3
					for end < len(toks) && !toks[end].is(tOp, ",") && !toks[end].is(tOp, ")") {
						if m := match[end]; m > end {
							end = m
						}
						end++
					}
					d.Text = textBetween(src, toks, i, end)
					setComputed(&d, "", textBetween(src, toks, i+2, end))
				}
				found = append(found, located{d, i})
			}
			if t.text == "subdir" && toks[i+1].is(tOp, "(") && toks[i+2].kind == tString {
				if p, ok := joinRel(dir, strings.TrimSpace(toks[i+2].text)); ok {
					subdirs = append(subdirs, p)
				}
			}
		}
	}
	if len(found) == 0 {
		return nil, nil, subdirs
	}
	eval := newSrcEval(toks, match, dir)
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].is(tName, "extension_module") || !toks[i+1].is(tOp, "(") {
			continue
		}
		open, close := i+1, match[i+1]
		files := mesonSources(eval, open, close)
		if len(files) == 0 {
			continue
		}
		for k := range found {
			if found[k].tok > open && found[k].tok < close {
				found[k].d.Files = files
			}
		}
	}
	out := make([]Declaration, len(found))
	for k, f := range found {
		out[k] = f.d
	}
	return out, nil, subdirs
}

// mesonSources collects the source files of an extension_module call:
// positional arguments after the name (strings, arrays, files(...),
// variables) and the sources: keyword; nil when they are not all known.
func mesonSources(e *srcEval, open, close int) []string {
	var files []string
	pos := 0
	for _, a := range splitArgs(e.toks, e.match, open, close, ":") {
		if a.kw == "" {
			pos++
			if pos == 1 {
				continue // the module name
			}
		} else if a.kw != "sources" {
			continue
		}
		f, ok := e.eval(a.start, a.end, open, maxSrcDepth)
		if !ok {
			return nil
		}
		files = append(files, f...)
	}
	return files
}
