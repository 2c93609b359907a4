package analysis

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis/project"
)

// ConfigFromSettings maps the shared settings (abi3ls.toml, [tool.abi3ls],
// LSP options) to the analysis configuration. It fails on a value the
// analysis cannot honour: a malformed target, an abi3t target below 3.15, an
// unknown severity name, an unknown rule code or prefix in select, ignore or
// severity. It returns the configuration with every valid value applied even
// then, so a caller that must not stop (the language server) can log the
// error and go on, while the CLI reports it and exits.
//
// Rule codes may be given in full ("ABI004"), as a prefix ("ABI00" selects
// ABI001..ABI009) or as "ALL"; they are expanded against Rules().
func ConfigFromSettings(s project.Settings) (Config, error) {
	var cfg Config
	var errs []error

	t, err := s.TargetVersion()
	if err != nil {
		errs = append(errs, err)
	} else {
		if s.ABI3TEnabled() && !t.IsLimited() {
			// abi3t without a version: the first free-threaded stable ABI.
			t = abi.Target{ABI3T: abi.MinABI3T}
		}
		if !t.ABI3T.IsZero() && t.ABI3T.Less(abi.MinABI3T) {
			errs = append(errs, fmt.Errorf("target: the free-threaded stable ABI (abi3t, PEP 803) starts at %s, not %s", abi.MinABI3T, t.ABI3T))
		} else {
			cfg.Target = t
		}
	}

	if s.Audit != "" {
		sev, ok := severityNamed(s.Audit)
		switch {
		case ok && sev == SeverityOff:
			cfg.AuditOff = true
		case !ok || sev == SeverityError:
			errs = append(errs, fmt.Errorf("audit: %q is not one of \"off\", \"hint\", \"information\", \"warning\"", s.Audit))
		default:
			cfg.AuditSeverity = sev
		}
	}

	rules := Rules()
	if len(s.Severity) > 0 {
		codes := make([]string, 0, len(s.Severity))
		for c := range s.Severity {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		cfg.Severity = map[string]Severity{}
		for _, c := range codes {
			sev, ok := severityNamed(s.Severity[c])
			if !ok {
				errs = append(errs, fmt.Errorf("severity: %s = %q is not one of \"error\", \"warning\", \"information\", \"hint\", \"off\"", c, s.Severity[c]))
				continue
			}
			expanded, err := expandCodes(rules, []string{c})
			if err != nil {
				errs = append(errs, fmt.Errorf("severity: %w", err))
			}
			for _, code := range expanded {
				cfg.Severity[code] = sev
			}
		}
	}
	if cfg.Select, err = expandCodes(rules, s.Select); err != nil {
		errs = append(errs, fmt.Errorf("select: %w", err))
	}
	if cfg.Ignore, err = expandCodes(rules, s.Ignore); err != nil {
		errs = append(errs, fmt.Errorf("ignore: %w", err))
	}
	return cfg, errors.Join(errs...)
}

// severityNamed reads a severity name as settings write it.
func severityNamed(s string) (Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return SeverityError, true
	case "warning", "warn":
		return SeverityWarning, true
	case "information", "info":
		return SeverityInformation, true
	case "hint":
		return SeverityHint, true
	case "off", "none":
		return SeverityOff, true
	}
	return 0, false
}

// expandCodes turns codes, prefixes and "ALL" into rule codes, in rule
// order, without duplicates. Unknown codes are passed through upper-cased
// and reported in the error.
func expandCodes(rules []Rule, in []string) ([]string, error) {
	if in == nil {
		return nil, nil
	}
	out := []string{}
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	var unknown []string
	for _, raw := range in {
		c := strings.ToUpper(strings.TrimSpace(raw))
		if c == "" {
			continue
		}
		if len(rules) == 0 {
			add(c)
			continue
		}
		matched := false
		for _, r := range rules {
			if c == "ALL" || strings.HasPrefix(r.Code, c) {
				add(r.Code)
				matched = true
			}
		}
		if !matched {
			// Kept as written, so a lenient caller still honours it
			// (it matches nothing), and reported.
			add(c)
			unknown = append(unknown, raw)
		}
	}
	if len(unknown) > 0 {
		return out, fmt.Errorf("unknown rule code %s (see abi3ls rules)", strings.Join(quoteAll(unknown), ", "))
	}
	return out, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
