package server

import (
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// acceptanceSrc is issue 4's scenario: a 3.8 target using a non-limited
// macro, an opaque struct field and a function that needs 3.10.
const acceptanceSrc = `#define Py_LIMITED_API 0x03080000
#include <Python.h>

/* é😀: non-ASCII before the uses, so UTF-16 columns matter */
static PyObject *
first(PyObject *self, PyObject *t)
{
    PyObject *o = PyTuple_GET_ITEM(t, 0);
    const char *name = Py_TYPE(o)->tp_name;
    (void)name;
    Py_INCREF(o);
    return o;
}

static PyObject *
make(PyObject *module, PyType_Spec *spec)
{
    return PyType_FromModuleAndSpec(module, spec, NULL);
}
`

func codes(ds []protocol.Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprint(d.Code))
	}
	return strings.Join(out, ",")
}

// TestAcceptance runs issue 4's "done when" with the real analysis.
func TestAcceptance(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		t.Run(fmt.Sprintf("crlf=%v", crlf), func(t *testing.T) {
			src := acceptanceSrc
			if crlf {
				src = strings.ReplaceAll(src, "\n", "\r\n")
			}
			checkAcceptance(t, src)
		})
	}
}

func checkAcceptance(t *testing.T, src string) {
	c := newClient(t, Options{}, false)
	c.initialize(map[string]any{"capabilities": map[string]any{"textDocument": map[string]any{
		"codeAction": map[string]any{"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix", "refactor", "source"}}}},
	}}})
	uri := "file:///work/ext/mod.c"
	c.open(uri, src)
	p := c.diags(uri, 1)
	if got := codes(p.Diagnostics); got != "ABI001,ABI004,ABI002" {
		t.Fatalf("diagnostics %s, want ABI001,ABI004,ABI002:\n%+v", got, p.Diagnostics)
	}
	// Each is on its name, in UTF-16 columns.
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for _, d := range p.Diagnostics {
		if d.Source != "abi3ls" || d.Severity == 0 || d.Message == "" {
			t.Errorf("diagnostic %+v", d)
		}
		line := lines[d.Range.Start.Line]
		sym := map[any]string{"ABI001": "PyTuple_GET_ITEM", "ABI004": "tp_name", "ABI002": "PyType_FromModuleAndSpec"}[d.Code]
		if col := strings.Index(line, sym); col < 0 || uint32(col) != d.Range.Start.Character || d.Range.End.Character != uint32(col+len(sym)) {
			t.Errorf("%v range %+v, want %q on line %q", d.Code, d.Range, sym, line)
		}
		if d.Code == "ABI002" && (len(d.RelatedInformation) == 0 || d.RelatedInformation[0].Location.Range.Start.Line != 0) {
			t.Errorf("ABI002 does not point at the define: %+v", d.RelatedInformation)
		}
		// Hover on each explains it.
		h := c.hoverText(uri, int(d.Range.Start.Line), int(d.Range.Start.Character)+1)
		if !strings.Contains(h, sym) {
			t.Errorf("hover on %s = %q", sym, h)
		}
		t.Logf("%v: %s\nhover: %s", d.Code, d.Message, h)
	}
	// Hover on the define tells the target and the minimum version.
	if h := c.hoverText(uri, 0, 10); !strings.Contains(h, "3.8") || !strings.Contains(h, "3.10") {
		t.Errorf("hover on the define = %q", h)
	}
	var st FileStatus
	c.mustCall(methodFileStatus, map[string]any{"textDocument": map[string]any{"uri": uri}}, &st)
	if st.Target != "abi3 3.8+" || st.Source != "define" || st.MinSymbol == "" || st.Findings != 3 {
		t.Errorf("file status = %+v", st)
	}

	text := src
	version := int32(1)
	diagsNow := p.Diagnostics
	// apply takes the quick fix of code whose title contains want, sends the
	// edit as an editor would, and returns the new diagnostics.
	apply := func(code, want string) []protocol.Diagnostic {
		t.Helper()
		d := findCode(diagsNow, code)
		if d == nil {
			t.Fatalf("no %s diagnostic", code)
		}
		acts := c.codeActions(uri, d.Range, []protocol.Diagnostic{*d})
		var act *codeAction
		for i := range acts {
			t.Logf("%s action: %s [%s]", code, acts[i].Title, acts[i].Kind)
			if act == nil && strings.Contains(acts[i].Title, want) {
				act = &acts[i]
			}
		}
		if act == nil {
			t.Fatalf("no %s action titled %q among %d", code, want, len(acts))
		}
		edits := act.edits(t, uri)
		text = applyEdits(text, edits, true)
		version++
		var changes []any
		// Send the edits last-first so earlier positions stay valid.
		for i := len(edits) - 1; i >= 0; i-- {
			changes = append(changes, map[string]any{"range": edits[i].Range, "text": edits[i].NewText})
		}
		c.notify("textDocument/didChange", map[string]any{
			"textDocument": map[string]any{"uri": uri, "version": version}, "contentChanges": changes,
		})
		diagsNow = c.diags(uri, version).Diagnostics
		return diagsNow
	}
	if got := codes(apply("ABI001", "PyTuple_GetItem")); got != "ABI004,ABI002" {
		t.Errorf("after the PyTuple_GET_ITEM fix: %s", got)
	}
	if !strings.Contains(text, "PyTuple_GetItem(t, 0)") {
		t.Errorf("fixed text:\n%s", text)
	}
	if got := codes(apply("ABI002", "0x030A0000")); strings.Contains(got, "ABI002") {
		t.Errorf("after raising the define: %s", got)
	}
	if !strings.Contains(text, "0x030A0000") {
		t.Errorf("define not raised:\n%s", text)
	}
	c.shutdownExit()
}
