package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// lookupRun runs `abi3ls lookup args...` in process.
func lookupRun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(env{args: append([]string{"lookup"}, args...), stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return out.String(), errb.String(), code
}

// lookupObj runs lookup --json and decodes the object.
func lookupObj(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, errs, code := lookupRun(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("lookup %v: exit %d: %s", args, code, errs)
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("lookup %v: %v\n%s", args, err, out)
	}
	if dec.More() {
		t.Fatalf("lookup %v printed more than one object", args)
	}
	return m
}

// TestLookupEveryStableABIItem walks ../shared/cpython/stable_abi.toml:
// `lookup --json NAME` reports each item's kind and added version exactly.
func TestLookupEveryStableABIItem(t *testing.T) {
	path := filepath.Join(repoRoot(t), "..", "shared", "cpython", "stable_abi.toml")
	if d := os.Getenv("ABI3LS_SHARED"); d != "" {
		path = filepath.Join(d, "stable_abi.toml")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("CPython data not available (CI has it): %v", err)
	}
	var items map[string]map[string]struct {
		Added   string `toml:"added"`
		ABIOnly bool   `toml:"abi_only"`
	}
	if _, err := toml.DecodeFile(path, &items); err != nil {
		t.Fatal(err)
	}
	n := 0
	for kind, byName := range items {
		for name, it := range byName {
			n++
			m := lookupObj(t, name)
			if m["name"] != name || m["kind"] != kind || m["stable_abi"] != true || m["abi_only"] != it.ABIOnly {
				t.Errorf("%s: name %v kind %v stable_abi %v abi_only %v; want %s %v", name, m["name"], m["kind"],
					m["stable_abi"], m["abi_only"], kind, it.ABIOnly)
			}
			var want any // JSON null when the toml has no version (feature macros)
			if it.Added != "" {
				want = it.Added
			}
			if m["added"] != want {
				t.Errorf("%s: added %v, want %v", name, m["added"], want)
			}
		}
	}
	if n < 1100 {
		t.Fatalf("walked only %d items", n)
	}
}

func TestLookupIssueExamples(t *testing.T) {
	tests := []struct {
		name    string
		limited bool
		since   any
		tier    string
		alt     any
		form    string
	}{
		{name: "Py_TYPE", limited: true, since: "3.2", tier: "limited", alt: nil, form: "macro"},
		{name: "PyTuple_GET_ITEM", limited: false, since: nil, tier: "cpython", alt: "PyTuple_GetItem"},
		{name: "_PyObject_GC_TRACK", limited: false, since: nil, tier: "private", alt: "PyObject_GC_Track"},
		{name: "PyType_GetName", limited: true, since: "3.11", tier: "limited"},
		{name: "PyType_FromModuleAndSpec", limited: true, since: "3.10", tier: "limited"},
		{name: "Py_buffer", limited: true, since: "3.11", tier: "limited"},
		{name: "PyObject_HEAD", limited: true, since: "3.2", tier: "limited", form: "macro"},
	}
	for _, tt := range tests {
		m := lookupObj(t, tt.name)
		if m["limited"] != tt.limited || m["since"] != tt.since || m["tier"] != tt.tier {
			t.Errorf("%s: limited %v since %v tier %v; want %v %v %v", tt.name, m["limited"], m["since"], m["tier"],
				tt.limited, tt.since, tt.tier)
		}
		if tt.alt != nil {
			alt, _ := m["alternative"].(map[string]any)
			if alt == nil || alt["use"] != tt.alt {
				t.Errorf("%s: alternative %v, want %v", tt.name, m["alternative"], tt.alt)
			}
		}
		if tt.form != "" && !strings.Contains(strings.Join(toStrings(m["forms"]), ","), tt.form) {
			t.Errorf("%s: forms %v lack %s", tt.name, m["forms"], tt.form)
		}
		for _, key := range []string{"name", "kind", "limited", "added", "abi_only", "tier", "header", "signature",
			"returns", "alternative", "doc_url"} {
			if _, ok := m[key]; !ok {
				t.Errorf("%s: JSON lacks %q", tt.name, key)
			}
		}
		if _, ok := m["status"]; ok {
			t.Errorf("%s: status without --target", tt.name)
		}
	}
	m := lookupObj(t, "PyTuple_GetItem")
	if m["signature"] != "PyObject* PyTuple_GetItem(PyObject* p, Py_ssize_t pos)" || m["returns"] != "borrowed" ||
		m["doc_url"] != "https://docs.python.org/3/c-api/tuple.html#c.PyTuple_GetItem" {
		t.Errorf("PyTuple_GetItem: %v", m)
	}
	m = lookupObj(t, "PyTuple_SetItem")
	if got := toStrings(m["steals"]); len(got) != 1 || got[0] != "o" {
		t.Errorf("PyTuple_SetItem steals %v", m["steals"])
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestLookupTargets(t *testing.T) {
	tests := []struct {
		args   []string
		status string
		need   any
		target string
	}{
		{[]string{"PyErr_GetRaisedException", "--target", "3.8"}, "too-new", "3.12", "abi3 3.8+"},
		{[]string{"--target=3.12", "PyErr_GetRaisedException"}, "available", nil, "abi3 3.12+"},
		{[]string{"PyTuple_GET_ITEM", "--target", "cp310"}, "not-limited", nil, "abi3 3.10+"},
		{[]string{"_PyObject_GC_TRACK", "--target", "0x03080000"}, "private", nil, "abi3 3.8+"},
		{[]string{"PyWeakref_GetObject", "--target", "3.8"}, "abi-only", nil, "abi3 3.8+"},
		{[]string{"PyObject_HEAD", "--abi3t"}, "excluded-under-abi3t", nil, "abi3t 3.15+"},
		{[]string{"PyObject_HEAD", "--target", "3.15"}, "available", nil, "abi3 3.15+"},
		{[]string{"Py_TYPE", "--target", "3.2"}, "available", nil, "abi3 3.2+"},
		{[]string{"PyTypeObject.tp_name", "--target", "3.11"}, "not-limited", nil, "abi3 3.11+"},
		{[]string{"PyObject.ob_refcnt", "--target", "3.15", "--abi3t"}, "excluded-under-abi3t", nil, "abi3t 3.15+"},
	}
	for _, tt := range tests {
		m := lookupObj(t, tt.args...)
		if m["status"] != tt.status || m["need"] != tt.need || m["target"] != tt.target {
			t.Errorf("lookup %v: status %v need %v target %v; want %v %v %v", tt.args, m["status"], m["need"],
				m["target"], tt.status, tt.need, tt.target)
		}
		if _, ok := m["need"]; !ok {
			t.Errorf("lookup %v: no need key", tt.args)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"PyTuple_Getitem"}, 1, `unknown name "PyTuple_Getitem"`},
		{[]string{"PyTuple_Getitem"}, 1, "did you mean PyTuple_GetItem"},
		{[]string{"tp_name"}, 1, "member of PyTypeObject.tp_name"},
		{[]string{"NoSuchThingAtAll", "--json"}, 1, "unknown name"},
		{[]string{}, 2, "exactly one NAME"},
		{[]string{"A", "B"}, 2, "exactly one NAME"},
		{[]string{"Py_TYPE", "--target", "3.x"}, 2, "--target"},
		{[]string{"Py_TYPE", "--target", "3.12", "--abi3t"}, 2, "abi3t"},
		{[]string{"Py_TYPE", "--bogus"}, 2, "bogus"},
	}
	for _, tt := range tests {
		out, errs, code := lookupRun(t, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.stderr) {
			t.Errorf("lookup %v: exit %d stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.stderr)
		}
		if out != "" {
			t.Errorf("lookup %v wrote to stdout: %q", tt.args, out)
		}
	}
	if _, _, code := lookupRun(t, "-h"); code != 0 {
		t.Errorf("lookup -h: exit %d", code)
	}
}

func TestLookupText(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"Py_TYPE", "--target", "3.8"}, []string{
			"Py_TYPE  function", "in the Limited API since 3.2", "added in 3.14", "object.h",
			"PyTypeObject* Py_TYPE(PyObject* ob)", "available for abi3 3.8+"}},
		{[]string{"PyTuple_GET_ITEM"}, []string{"outside the Limited API", "use instead: PyTuple_GetItem (limited since 3.2), safe rewrite",
			"borrowed reference"}},
		{[]string{"PyErr_GetRaisedException", "--target", "3.8"}, []string{"too-new (needs 3.12) for abi3 3.8+"}},
		{[]string{"PyTypeObject"}, []string{"opaque under the Limited API"}},
		{[]string{"METH_FASTCALL"}, []string{"added in 3.7 (but the headers declare it only from 3.10)"}},
		{[]string{"PyModule_Create"}, []string{"abi3t:", "excluded:", "PyModExport_"}},
		{[]string{"PyUnicode_AS_UNICODE"}, []string{"Python 3.11 are the last to declare it"}},
		{[]string{"PyVarObject.ob_size"}, []string{"read with:   Py_SIZE(o)", "write with:  Py_SET_SIZE(o, n)"}},
	}
	for _, tt := range tests {
		out, errs, code := lookupRun(t, tt.args...)
		if code != 0 {
			t.Errorf("lookup %v: exit %d: %s", tt.args, code, errs)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("lookup %v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
}
