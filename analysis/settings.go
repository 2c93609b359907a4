package workspace

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/analysis/project"
)

// minABI3T is the first version of the free-threaded stable ABI (PEP 803).
func minABI3T() abi.Version { return abi.V(3, 15) }

// ConfigFromSettings maps the shared settings (abi3ls.toml, [tool.abi3ls],
// LSP options) to the analysis configuration. It fails on a value the
// analysis cannot honour: a malformed target, an abi3t target below 3.15, an
// unknown severity name, an unknown rule code or prefix in select, ignore or
// severity.
//
// Rule codes may be given in full ("ABI004"), as a prefix ("ABI00" selects
// ABI001..ABI009) or as "ALL"; they are expanded against analysis.Rules().
func ConfigFromSettings(s project.Settings) (analysis.Config, error) {
	var cfg analysis.Config
	var errs []error

	t, err := s.TargetVersion()
	if err != nil {
		errs = append(errs, err)
	} else {
		if s.ABI3TEnabled() && !t.IsLimited() {
			// abi3t without a version: the first free-threaded stable ABI.
			t = abi.Target{ABI3T: minABI3T()}
		}
		if !t.ABI3T.IsZero() && t.ABI3T.Less(minABI3T()) {
			errs = append(errs, fmt.Errorf("target: the free-threaded stable ABI (abi3t, PEP 803) starts at %s, not %s", minABI3T(), t.ABI3T))
		}
		cfg.Target = t
	}

	if s.Audit != "" {
		sev, ok := parseSeverity(s.Audit)
		if !ok || sev == analysis.SeverityError {
			errs = append(errs, fmt.Errorf("audit: %q is not one of \"off\", \"hint\", \"information\", \"warning\"", s.Audit))
		} else {
			cfg.AuditSeverity = sev
		}
	}

	rules := analysis.Rules()
	if len(s.Severity) > 0 {
		codes := make([]string, 0, len(s.Severity))
		for c := range s.Severity {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		cfg.Severity = map[string]analysis.Severity{}
		for _, c := range codes {
			sev, ok := parseSeverity(s.Severity[c])
			if !ok {
				errs = append(errs, fmt.Errorf("severity: %s = %q is not one of \"error\", \"warning\", \"information\", \"hint\", \"off\"", c, s.Severity[c]))
				continue
			}
			expanded, err := expandCodes(rules, []string{c})
			if err != nil {
				errs = append(errs, fmt.Errorf("severity: %w", err))
				continue
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
	if len(errs) > 0 {
		return analysis.Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// parseSeverity reads a severity name as settings write it.
func parseSeverity(s string) (analysis.Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return analysis.SeverityError, true
	case "warning", "warn":
		return analysis.SeverityWarning, true
	case "information", "info":
		return analysis.SeverityInformation, true
	case "hint":
		return analysis.SeverityHint, true
	case "off", "none":
		return analysis.SeverityOff, true
	}
	return 0, false
}

// expandCodes turns codes, prefixes and "ALL" into rule codes, in rule
// order, without duplicates. Without a rule registry the codes are passed
// through upper-cased.
func expandCodes(rules []analysis.Rule, in []string) ([]string, error) {
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
			unknown = append(unknown, raw)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown rule code %s (see abi3ls rules)", strings.Join(quoteAll(unknown), ", "))
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
