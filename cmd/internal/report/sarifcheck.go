package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// CheckSarif validates a SARIF log structurally, against what SARIF 2.1.0
// requires and what GitHub code scanning reads: the version, a driver name,
// rules with ids, results whose ruleId and ruleIndex agree with the rules,
// messages with text, levels from the enumeration, physical locations
// whose relative URIs name a declared uriBaseId, and regions with valid
// 1-based lines and columns. It decodes the document generically, so
// properties missing from the output are caught whatever Go types
// produced it.
func CheckSarif(data []byte) error {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	c := &sarifChecker{}
	c.log(doc)
	return errors.Join(c.errs...)
}

type sarifChecker struct{ errs []error }

func (c *sarifChecker) fail(path, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func (c *sarifChecker) obj(v any, path string, required bool) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		if v != nil || required {
			c.fail(path, "want an object, got %T", v)
		}
		return nil
	}
	return m
}

func (c *sarifChecker) arr(v any, path string, required bool) []any {
	a, ok := v.([]any)
	if !ok {
		if v != nil || required {
			c.fail(path, "want an array, got %T", v)
		}
		return nil
	}
	return a
}

func (c *sarifChecker) str(v any, path string, required bool) string {
	s, ok := v.(string)
	if !ok {
		if v != nil || required {
			c.fail(path, "want a string, got %T", v)
		}
		return ""
	}
	return s
}

// num returns an integer property; -1 when absent or not an integer.
func (c *sarifChecker) num(v any, path string, required bool, min int) int {
	f, ok := v.(float64)
	if !ok {
		if v != nil || required {
			c.fail(path, "want an integer, got %T", v)
		}
		return -1
	}
	if f != float64(int(f)) || int(f) < min {
		c.fail(path, "want an integer >= %d, got %v", min, f)
		return -1
	}
	return int(f)
}

func (c *sarifChecker) enum(v any, path string, allowed ...string) {
	if v == nil {
		return
	}
	s := c.str(v, path, true)
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	c.fail(path, "%q is not one of %s", s, strings.Join(allowed, ", "))
}

func (c *sarifChecker) message(v any, path string) {
	m := c.obj(v, path, true)
	if m == nil {
		return
	}
	_, hasText := m["text"]
	_, hasID := m["id"]
	if !hasText && !hasID {
		c.fail(path, "message needs text or id")
	}
	if hasText && c.str(m["text"], path+".text", true) == "" {
		c.fail(path+".text", "empty")
	}
}

func (c *sarifChecker) log(doc map[string]any) {
	if v := c.str(doc["version"], "version", true); v != "2.1.0" {
		c.fail("version", "want 2.1.0, got %q", v)
	}
	if s, ok := doc["$schema"]; ok {
		c.absURI(c.str(s, "$schema", true), "$schema")
	}
	runs := c.arr(doc["runs"], "runs", true)
	for i, r := range runs {
		c.run(c.obj(r, fmt.Sprintf("runs[%d]", i), true), fmt.Sprintf("runs[%d]", i))
	}
}

func (c *sarifChecker) absURI(s, path string) {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() {
		c.fail(path, "want an absolute URI, got %q", s)
	}
}

func (c *sarifChecker) run(run map[string]any, path string) {
	if run == nil {
		return
	}
	tool := c.obj(run["tool"], path+".tool", true)
	var rules []any
	if tool != nil {
		driver := c.obj(tool["driver"], path+".tool.driver", true)
		if driver != nil {
			if c.str(driver["name"], path+".tool.driver.name", true) == "" {
				c.fail(path+".tool.driver.name", "empty")
			}
			if u, ok := driver["informationUri"]; ok {
				c.absURI(c.str(u, path+".tool.driver.informationUri", true), path+".tool.driver.informationUri")
			}
			rules = c.arr(driver["rules"], path+".tool.driver.rules", false)
		}
	}
	ids := map[string]int{}
	for i, r := range rules {
		rp := fmt.Sprintf("%s.tool.driver.rules[%d]", path, i)
		rule := c.obj(r, rp, true)
		if rule == nil {
			continue
		}
		id := c.str(rule["id"], rp+".id", true)
		if id == "" {
			c.fail(rp+".id", "empty")
		}
		if _, dup := ids[id]; dup {
			c.fail(rp+".id", "duplicate rule id %q", id)
		}
		ids[id] = i
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			if v, ok := rule[k]; ok {
				c.message(v, rp+"."+k)
			}
		}
		if u, ok := rule["helpUri"]; ok {
			c.absURI(c.str(u, rp+".helpUri", true), rp+".helpUri")
		}
		if dc := c.obj(rule["defaultConfiguration"], rp+".defaultConfiguration", false); dc != nil {
			c.enum(dc["level"], rp+".defaultConfiguration.level", "none", "note", "warning", "error")
		}
	}
	bases := map[string]bool{}
	if ob := c.obj(run["originalUriBaseIds"], path+".originalUriBaseIds", false); ob != nil {
		for k, v := range ob {
			bp := path + ".originalUriBaseIds." + k
			loc := c.obj(v, bp, true)
			if loc == nil {
				continue
			}
			u := c.str(loc["uri"], bp+".uri", true)
			c.absURI(u, bp+".uri")
			if !strings.HasSuffix(u, "/") {
				c.fail(bp+".uri", "a base URI must end with /: %q", u)
			}
			bases[k] = true
		}
	}
	c.enum(run["columnKind"], path+".columnKind", "utf16CodeUnits", "unicodeCodePoints")
	results := c.arr(run["results"], path+".results", false)
	for i, r := range results {
		rp := fmt.Sprintf("%s.results[%d]", path, i)
		res := c.obj(r, rp, true)
		if res == nil {
			continue
		}
		c.message(res["message"], rp+".message")
		c.enum(res["level"], rp+".level", "none", "note", "warning", "error")
		c.enum(res["kind"], rp+".kind", "notApplicable", "pass", "fail", "review", "open", "informational")
		id := c.str(res["ruleId"], rp+".ruleId", true)
		want, known := ids[id]
		if !known {
			c.fail(rp+".ruleId", "%q is not a rule of the driver", id)
		}
		if v, ok := res["ruleIndex"]; ok {
			if idx := c.num(v, rp+".ruleIndex", true, 0); known && idx != want {
				c.fail(rp+".ruleIndex", "%d, but rule %q is at %d", idx, id, want)
			}
		}
		locs := c.arr(res["locations"], rp+".locations", true)
		if len(locs) == 0 {
			c.fail(rp+".locations", "no location (code scanning needs one)")
		}
		for j, l := range locs {
			c.location(l, fmt.Sprintf("%s.locations[%d]", rp, j), bases)
		}
		for j, l := range c.arr(res["relatedLocations"], rp+".relatedLocations", false) {
			c.location(l, fmt.Sprintf("%s.relatedLocations[%d]", rp, j), bases)
		}
		for j, f := range c.arr(res["fixes"], rp+".fixes", false) {
			fp := fmt.Sprintf("%s.fixes[%d]", rp, j)
			fix := c.obj(f, fp, true)
			if fix == nil {
				continue
			}
			if d, ok := fix["description"]; ok {
				c.message(d, fp+".description")
			}
			for k, ch := range c.arr(fix["artifactChanges"], fp+".artifactChanges", true) {
				cp := fmt.Sprintf("%s.artifactChanges[%d]", fp, k)
				change := c.obj(ch, cp, true)
				if change == nil {
					continue
				}
				c.artifact(change["artifactLocation"], cp+".artifactLocation", bases)
				reps := c.arr(change["replacements"], cp+".replacements", true)
				if len(reps) == 0 {
					c.fail(cp+".replacements", "empty")
				}
				for m, rep := range reps {
					c.region(c.obj(rep, fmt.Sprintf("%s.replacements[%d]", cp, m), true)["deletedRegion"], fmt.Sprintf("%s.replacements[%d].deletedRegion", cp, m), true)
				}
			}
		}
	}
	for i, inv := range c.arr(run["invocations"], path+".invocations", false) {
		ip := fmt.Sprintf("%s.invocations[%d]", path, i)
		m := c.obj(inv, ip, true)
		if m == nil {
			continue
		}
		if _, ok := m["executionSuccessful"].(bool); !ok {
			c.fail(ip+".executionSuccessful", "required boolean")
		}
		for j, n := range c.arr(m["toolExecutionNotifications"], ip+".toolExecutionNotifications", false) {
			np := fmt.Sprintf("%s.toolExecutionNotifications[%d]", ip, j)
			note := c.obj(n, np, true)
			if note != nil {
				c.message(note["message"], np+".message")
				c.enum(note["level"], np+".level", "none", "note", "warning", "error")
			}
		}
	}
}

func (c *sarifChecker) location(v any, path string, bases map[string]bool) {
	loc := c.obj(v, path, true)
	if loc == nil {
		return
	}
	phys := c.obj(loc["physicalLocation"], path+".physicalLocation", true)
	if phys == nil {
		return
	}
	c.artifact(phys["artifactLocation"], path+".physicalLocation.artifactLocation", bases)
	if r, ok := phys["region"]; ok {
		c.region(r, path+".physicalLocation.region", true)
	}
	if m, ok := loc["message"]; ok {
		c.message(m, path+".message")
	}
}

func (c *sarifChecker) artifact(v any, path string, bases map[string]bool) {
	a := c.obj(v, path, true)
	if a == nil {
		return
	}
	uri := c.str(a["uri"], path+".uri", true)
	u, err := url.Parse(uri)
	if err != nil || uri == "" {
		c.fail(path+".uri", "not a URI reference: %q", uri)
		return
	}
	if base, ok := a["uriBaseId"]; ok {
		b := c.str(base, path+".uriBaseId", true)
		if u.IsAbs() || strings.HasPrefix(uri, "/") {
			c.fail(path+".uri", "%q is absolute but has uriBaseId %q", uri, b)
		}
		if !bases[b] {
			c.fail(path+".uriBaseId", "%q is not in originalUriBaseIds", b)
		}
	} else if !u.IsAbs() {
		c.fail(path+".uri", "relative URI %q without uriBaseId", uri)
	}
}

func (c *sarifChecker) region(v any, path string, required bool) {
	r := c.obj(v, path, required)
	if r == nil {
		return
	}
	sl := c.num(r["startLine"], path+".startLine", true, 1)
	sc := c.num(r["startColumn"], path+".startColumn", false, 1)
	el := c.num(r["endLine"], path+".endLine", false, 1)
	ec := c.num(r["endColumn"], path+".endColumn", false, 1)
	if el >= 0 && sl >= 0 && el < sl {
		c.fail(path, "endLine %d before startLine %d", el, sl)
	}
	if (el < 0 || el == sl) && sc >= 0 && ec >= 0 && ec < sc {
		c.fail(path, "endColumn %d before startColumn %d", ec, sc)
	}
}
