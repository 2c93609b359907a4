package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/bmatcuk/doublestar/v4"
)

// Settings keys are matched case-insensitively with "-" and "_" ignored,
// so "include-dirs" (TOML), "includeDirs" (JSON) and "include_dirs" are
// the same key. Values:
//
//	target        string  "3.10" (also "cp310", "0x030A0000"); "" or "auto":
//	                      no override (the target comes from the file and
//	                      the workspace)
//	abi3t         bool    check against the free-threaded stable ABI
//	audit         string  "off" | "hint" | "information" | "warning":
//	                      severity of findings in audit mode (default hint)
//	severity      table   rule code -> "error" | "warning" | "information" |
//	                      "hint" | "off"
//	select        list    enable only these rule codes
//	ignore        list    disable these rule codes
//	include-dirs  list    extra directories searched for local headers
//	exclude       list    doublestar globs of paths not to analyze
//	max-file-size int     bytes; cap on every workspace file read

// settingsKeys maps normalized keys to the canonical TOML name.
var settingsKeys = map[string]string{
	"target":      "target",
	"abi3t":       "abi3t",
	"audit":       "audit",
	"severity":    "severity",
	"select":      "select",
	"ignore":      "ignore",
	"includedirs": "include-dirs",
	"include":     "include-dirs", // the Go field's name
	"exclude":     "exclude",
	"maxfilesize": "max-file-size",
}

// Severity names accepted in settings, with their canonical spelling.
var severityNames = map[string]string{
	"error": "error", "warning": "warning", "warn": "warning",
	"information": "information", "info": "information",
	"hint": "hint", "off": "off", "none": "off",
}

// settingsFromMap decodes settings from a generic table (TOML or JSON).
// Keys it does not know are returned in unknown; values of the wrong type
// are returned as errors (the other keys are still decoded).
func settingsFromMap(m map[string]any) (s Settings, unknown []string, errs []error) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := m[k]
		canon, ok := settingsKeys[normKey(k)]
		if !ok {
			unknown = append(unknown, k)
			continue
		}
		if v == nil {
			continue // JSON null: unset
		}
		bad := func(want string) {
			errs = append(errs, fmt.Errorf("%s: expected %s, got %s", k, want, describe(v)))
		}
		switch canon {
		case "target":
			str, ok := v.(string)
			if !ok {
				bad(`a string such as "3.10"`)
				continue
			}
			s.Target = str
		case "abi3t":
			b, ok := v.(bool)
			if !ok {
				bad("true or false")
				continue
			}
			s.ABI3T = &b
		case "audit":
			str, ok := v.(string)
			if !ok {
				bad(`"off", "hint", "information" or "warning"`)
				continue
			}
			s.Audit = str
		case "severity":
			t, ok := v.(map[string]any)
			if !ok {
				bad(`a table of rule code = "severity"`)
				continue
			}
			s.Severity = map[string]string{}
			for code, sv := range t {
				str, ok := sv.(string)
				if !ok {
					errs = append(errs, fmt.Errorf("%s.%s: expected a severity string, got %s", k, code, describe(sv)))
					continue
				}
				s.Severity[code] = str
			}
		case "select", "ignore", "include-dirs", "exclude":
			list, err := stringList(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", k, err))
				continue
			}
			switch canon {
			case "select":
				s.Select = list
			case "ignore":
				s.Ignore = list
			case "include-dirs":
				s.Include = list
			case "exclude":
				s.Exclude = list
			}
		case "max-file-size":
			n, ok := toInt64(v)
			if !ok || n < 0 {
				bad("a non-negative number of bytes")
				continue
			}
			s.MaxFileSize = n
		}
	}
	return s, unknown, errs
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64, json.Number:
		return "a number"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

// stringList accepts a list of strings, or a single string (one item).
func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("expected a list of strings, found %s", describe(item))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a list of strings, got %s", describe(v))
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n != math.Trunc(n) || n > math.MaxInt64 || n < math.MinInt64 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// ParseSettingsJSON decodes settings sent by an LSP client
// (initializationOptions, workspace/didChangeConfiguration settings):
// either {"abi3ls": {...}} or the settings object itself. null or an
// empty message gives zero Settings. Unknown keys are ignored (editors
// send their own keys, such as "trace" or the server path, in the same
// section). The returned Settings hold every key that decoded even when
// err reports others that did not.
func ParseSettingsJSON(raw json.RawMessage) (Settings, error) {
	s, _, err := DecodeSettingsJSON(raw)
	return s, err
}

// DecodeSettingsJSON is ParseSettingsJSON that also returns the keys it
// did not know.
func DecodeSettingsJSON(raw json.RawMessage) (s Settings, unknown []string, err error) {
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return Settings{}, nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Settings{}, nil, fmt.Errorf("abi3ls settings: %w", err)
	}
	if dec.More() {
		return Settings{}, nil, errors.New("abi3ls settings: trailing data after the JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Settings{}, nil, fmt.Errorf("abi3ls settings: expected an object, got %s", describe(v))
	}
	if inner, ok := m["abi3ls"]; ok {
		switch inner := inner.(type) {
		case map[string]any:
			m = inner
		case nil:
			return Settings{}, nil, nil
		default:
			return Settings{}, nil, fmt.Errorf("abi3ls settings: \"abi3ls\" must be an object, got %s", describe(inner))
		}
	}
	s, unknown, errs := settingsFromMap(m)
	if len(errs) > 0 {
		return s, unknown, fmt.Errorf("abi3ls settings: %w", errors.Join(errs...))
	}
	return s, unknown, nil
}

// ParseSettingsTOML reads an abi3ls.toml. Unknown keys and values of the
// wrong type become Problems; the keys that decoded are kept.
func ParseSettingsTOML(file string, src []byte) (Settings, []Problem) {
	doc, problems := decodeTOML(file, "abi3ls.toml", src)
	if doc == nil {
		return Settings{}, problems
	}
	return settingsProblems(file, doc, locateTOMLKeys(src), "")
}

// ParsePyprojectSettings reads [tool.abi3ls] of a pyproject.toml; ok is
// false when the table is absent (or the file is not valid TOML).
func ParsePyprojectSettings(file string, src []byte) (s Settings, ok bool, problems []Problem) {
	doc, problems := decodeTOML(file, "pyproject.toml", src)
	if doc == nil {
		return Settings{}, false, problems
	}
	t := table(doc, "tool", "abi3ls")
	if t == nil {
		if _, present := table(doc, "tool")["abi3ls"]; present {
			return Settings{}, false, []Problem{{Path: file, Message: "pyproject.toml: [tool.abi3ls] must be a table"}}
		}
		return Settings{}, false, nil
	}
	s, problems = settingsProblems(file, t, locateTOMLKeys(src), "tool.abi3ls.")
	return s, true, problems
}

// settingsProblems decodes m and reports unknown keys, wrong types and
// invalid values as Problems located in file.
func settingsProblems(file string, m map[string]any, keys tomlKeys, prefix string) (Settings, []Problem) {
	s, unknown, errs := settingsFromMap(m)
	var out []Problem
	for _, k := range unknown {
		pos := keys.find(prefix + k)
		out = append(out, Problem{Path: file, Line: pos.line, Message: fmt.Sprintf("unknown abi3ls setting %q (known: %s)", k, knownKeys())})
	}
	for _, err := range errs {
		line := 0
		if k, _, ok := strings.Cut(err.Error(), ":"); ok {
			line = keys.find(prefix + k).line
		}
		out = append(out, Problem{Path: file, Line: line, Message: "abi3ls setting " + err.Error()})
	}
	for _, err := range s.Validate() {
		line := 0
		var ke *keyError
		if errors.As(err, &ke) {
			line = keys.find(prefix + ke.key).line
		}
		out = append(out, Problem{Path: file, Line: line, Message: "abi3ls setting " + err.Error()})
	}
	return s, out
}

func knownKeys() string {
	names := make([]string, 0, len(settingsKeys))
	seen := map[string]bool{}
	for _, v := range settingsKeys {
		if !seen[v] {
			seen[v] = true
			names = append(names, v)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// keyError is a validation error about one settings key.
type keyError struct {
	key string
	msg string
}

func (e *keyError) Error() string { return e.key + ": " + e.msg }

// Validate checks the values of s: the target parses, audit and severity
// names are known, exclude globs are valid. It returns one error per bad
// value, each starting with the key's name.
func (s Settings) Validate() []error {
	var errs []error
	if _, err := s.TargetVersion(); err != nil {
		errs = append(errs, &keyError{"target", err.Error()})
	}
	if s.Audit != "" {
		if _, ok := auditNames[strings.ToLower(strings.TrimSpace(s.Audit))]; !ok {
			errs = append(errs, &keyError{"audit", fmt.Sprintf("%q is not one of \"off\", \"hint\", \"information\", \"warning\"", s.Audit)})
		}
	}
	codes := make([]string, 0, len(s.Severity))
	for code := range s.Severity {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if _, ok := severityNames[strings.ToLower(strings.TrimSpace(s.Severity[code]))]; !ok {
			errs = append(errs, &keyError{"severity", fmt.Sprintf("%s = %q is not one of \"error\", \"warning\", \"information\", \"hint\", \"off\"", code, s.Severity[code])})
		}
	}
	for _, g := range s.Exclude {
		if !doublestar.ValidatePattern(g) {
			errs = append(errs, &keyError{"exclude", fmt.Sprintf("%q is not a valid glob", g)})
		}
	}
	if s.MaxFileSize < 0 {
		errs = append(errs, &keyError{"max-file-size", "must not be negative"})
	}
	return errs
}

var auditNames = map[string]string{
	"off": "off", "hint": "hint", "information": "information", "info": "information", "warning": "warning", "warn": "warning",
}

// Merge returns s with every key set in over replacing s's: strings when
// non-empty, ABI3T when non-nil, lists when non-nil, MaxFileSize when
// non-zero; Severity maps are merged code by code. The project file,
// initializationOptions and didChangeConfiguration merge in that order.
func (s Settings) Merge(over Settings) Settings {
	out := s
	if over.Target != "" {
		out.Target = over.Target
	}
	if over.ABI3T != nil {
		b := *over.ABI3T
		out.ABI3T = &b
	}
	if over.Audit != "" {
		out.Audit = over.Audit
	}
	if len(s.Severity) > 0 || len(over.Severity) > 0 {
		m := make(map[string]string, len(s.Severity)+len(over.Severity))
		for k, v := range s.Severity {
			m[k] = v
		}
		for k, v := range over.Severity {
			m[k] = v
		}
		out.Severity = m
	}
	if over.Select != nil {
		out.Select = slices.Clone(over.Select)
	}
	if over.Ignore != nil {
		out.Ignore = slices.Clone(over.Ignore)
	}
	if over.Include != nil {
		out.Include = slices.Clone(over.Include)
	}
	if over.Exclude != nil {
		out.Exclude = slices.Clone(over.Exclude)
	}
	if over.MaxFileSize != 0 {
		out.MaxFileSize = over.MaxFileSize
	}
	return out
}

// TargetVersion is the explicit target override of s: the zero Target
// when Target is "" or "auto". With abi3t = true the version goes to
// Target.ABI3T, else to Target.Limited. "3.10", "cp310" and a
// Py_LIMITED_API value ("0x030A0000") are accepted.
func (s Settings) TargetVersion() (abi.Target, error) {
	v := strings.TrimSpace(s.Target)
	if v == "" || strings.EqualFold(v, "auto") {
		return abi.Target{}, nil
	}
	var ver abi.Version
	var err error
	if strings.HasPrefix(strings.ToLower(v), "0x") {
		ver, err = abi.ParseLimitedAPI(v)
	} else {
		ver, err = abi.ParseVersion(v)
	}
	if err != nil {
		return abi.Target{}, fmt.Errorf("target %q: %w", s.Target, err)
	}
	if s.ABI3TEnabled() {
		return abi.Target{ABI3T: ver}, nil
	}
	return abi.Target{Limited: ver}, nil
}

// ABI3TEnabled reports whether abi3t = true. Without a target it asks for
// the file's own target to be checked as abi3t.
func (s Settings) ABI3TEnabled() bool { return s.ABI3T != nil && *s.ABI3T }

// AuditSeverity is the canonical audit setting: "off", "hint" (the
// default, also for unknown values), "information" or "warning".
func (s Settings) AuditSeverity() string {
	if a, ok := auditNames[strings.ToLower(strings.TrimSpace(s.Audit))]; ok {
		return a
	}
	return "hint"
}

// RuleSeverity returns the per-rule severities with codes upper-cased and
// severity names canonical ("error", "warning", "information", "hint",
// "off"); invalid entries are left out (Validate reports them).
func (s Settings) RuleSeverity() map[string]string {
	if len(s.Severity) == 0 {
		return nil
	}
	out := make(map[string]string, len(s.Severity))
	for code, sev := range s.Severity {
		if canon, ok := severityNames[strings.ToLower(strings.TrimSpace(sev))]; ok {
			out[strings.ToUpper(strings.TrimSpace(code))] = canon
		}
	}
	return out
}

// Excluded reports whether the slash path rel (relative to the workspace
// root) matches one of the exclude globs. A glob without "/" also matches
// any path element-wise suffix ("build" excludes "build/x.c" and
// "sub/build/y.c"; "*.gen.c" excludes "src/a.gen.c").
func (s Settings) Excluded(rel string) bool {
	rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
	for _, g := range s.Exclude {
		g = strings.TrimSuffix(strings.TrimPrefix(g, "./"), "/")
		if g == "" {
			continue
		}
		if ok, _ := doublestar.Match(g, rel); ok {
			return true
		}
		if ok, _ := doublestar.Match(g+"/**", rel); ok {
			return true
		}
		if !strings.Contains(g, "/") {
			if ok, _ := doublestar.Match("**/"+g, rel); ok {
				return true
			}
			if ok, _ := doublestar.Match("**/"+g+"/**", rel); ok {
				return true
			}
		}
	}
	return false
}
