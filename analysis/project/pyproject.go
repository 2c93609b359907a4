package project

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// decodeTOML parses TOML text into generic tables. A syntax error becomes
// a Problem with its line.
func decodeTOML(file, what string, src []byte) (map[string]any, []Problem) {
	var doc map[string]any
	if _, err := toml.Decode(string(src), &doc); err != nil {
		p := Problem{Path: file, Message: fmt.Sprintf("%s: %v", what, err)}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			p.Line = pe.Position.Line
			p.Message = fmt.Sprintf("%s: %s", what, pe.Message)
		}
		return nil, []Problem{p}
	}
	return doc, nil
}

// table returns doc[k1][k2]... as a table, or nil.
func table(doc map[string]any, keys ...string) map[string]any {
	cur := doc
	for _, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

// lookupAny returns the first of keys present in t, with the key used.
func lookupAny(t map[string]any, keys ...string) (any, string, bool) {
	for _, k := range keys {
		if v, ok := t[k]; ok {
			return v, k, true
		}
	}
	return nil, "", false
}

// ParsePyproject reads a pyproject.toml and returns the targets it
// declares:
//
//   - [tool.distutils.bdist_wheel] py-limited-api = "cp38" (or
//     py_limited_api): the wheel tag's version;
//   - [tool.scikit-build] wheel.py-api = "cp38": that version ("py3" and
//     other pure-Python tags declare nothing);
//   - [tool.meson-python] limited-api = true: the stable ABI, version from
//     meson.build (ABI3 set, no version here);
//   - [[tool.setuptools.ext-modules]] define-macros = [["Py_LIMITED_API",
//     "0x03080000"]] and py-limited-api = true, for the module's sources.
//
// [tool.abi3ls] is configuration, read by ParsePyprojectSettings.
func ParsePyproject(file string, src []byte) ([]Declaration, []Problem) {
	doc, problems := decodeTOML(file, "pyproject.toml", src)
	if doc == nil {
		return nil, problems
	}
	const source = "pyproject.toml"
	keys := locateTOMLKeys(src)
	mk := func(keyPath string) Declaration {
		pos := keys.find(keyPath)
		return Declaration{Source: source, Path: file, Line: pos.line, Column: pos.col, Text: pos.text}
	}
	var decls []Declaration

	if bw := table(doc, "tool", "distutils", "bdist_wheel"); bw != nil {
		if v, k, ok := lookupAny(bw, "py-limited-api", "py_limited_api"); ok {
			d := mk("tool.distutils.bdist_wheel." + k)
			switch v := v.(type) {
			case string:
				if v != "" && !strings.EqualFold(v, "false") {
					setWheelVersion(&d, v)
					decls = append(decls, d)
				}
			case bool:
				if v {
					d.ABI3 = true
					decls = append(decls, d)
				}
			default:
				d.Value = clip(fmt.Sprint(v))
				d.Err = fmt.Sprintf("py-limited-api must be a wheel tag such as \"cp38\", not %T", v)
				decls = append(decls, d)
			}
		}
	}

	if sk := table(doc, "tool", "scikit-build"); sk != nil {
		var v any
		var key string
		var ok bool
		if w := table(sk, "wheel"); w != nil {
			v, key, ok = lookupAny(w, "py-api")
			key = "tool.scikit-build.wheel." + key
		}
		if !ok {
			// A quoted dotted key: "wheel.py-api" = "cp38".
			v, key, ok = lookupAny(sk, "wheel.py-api")
			key = "tool.scikit-build." + key
		}
		if ok {
			d := mk(key)
			switch v := v.(type) {
			case string:
				s := strings.TrimSpace(v)
				if strings.HasPrefix(strings.ToLower(s), "cp") {
					setWheelVersion(&d, v)
					decls = append(decls, d)
				}
			default:
				d.Value = clip(fmt.Sprint(v))
				d.Err = fmt.Sprintf("wheel.py-api must be a tag such as \"cp38\", not %T", v)
				decls = append(decls, d)
			}
		}
	}

	if mp := table(doc, "tool", "meson-python"); mp != nil {
		if v, k, ok := lookupAny(mp, "limited-api", "limited_api"); ok {
			if b, isBool := v.(bool); isBool && b {
				d := mk("tool.meson-python." + k)
				d.ABI3 = true
				decls = append(decls, d)
			}
		}
	}

	if st := table(doc, "tool", "setuptools"); st != nil {
		mods, _ := st["ext-modules"].([]map[string]any)
		if mods == nil {
			if list, ok := st["ext-modules"].([]any); ok {
				for _, m := range list {
					if t, ok := m.(map[string]any); ok {
						mods = append(mods, t)
					}
				}
			}
		}
		for k, mod := range mods {
			base := "tool.setuptools.ext-modules[" + strconv.Itoa(k) + "]"
			var files []string
			if srcs, ok := mod["sources"].([]any); ok {
				for _, s := range srcs {
					if s, ok := s.(string); ok {
						if p, ok := joinRel(dirOf(file), s); ok && isSourceName(p) {
							files = append(files, p)
						}
					}
				}
			}
			if v, key, ok := lookupAny(mod, "define-macros", "define_macros"); ok {
				list, _ := v.([]any)
				for _, item := range list {
					pair, _ := item.([]any)
					if len(pair) < 1 {
						continue
					}
					name, _ := pair[0].(string)
					if !isTargetMacro(strings.TrimSpace(name)) {
						continue
					}
					d := mk(base + "." + key)
					d.Files = files
					if len(pair) < 2 {
						setDefine(&d, strings.TrimSpace(name), "", false)
					} else {
						switch val := pair[1].(type) {
						case string:
							setDefine(&d, strings.TrimSpace(name), val, true)
						case int64:
							setDefine(&d, strings.TrimSpace(name), strconv.FormatInt(val, 10), true)
						default:
							setDefine(&d, strings.TrimSpace(name), "", false)
						}
					}
					decls = append(decls, d)
				}
			}
			if v, key, ok := lookupAny(mod, "py-limited-api", "py_limited_api"); ok {
				if b, isBool := v.(bool); isBool && b {
					d := mk(base + "." + key)
					d.ABI3 = true
					d.Files = files
					decls = append(decls, d)
				}
			}
		}
	}
	return decls, problems
}
