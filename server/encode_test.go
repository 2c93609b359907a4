package server

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

func rng(l1, c1, l2, c2 uint32) protocol.Range {
	return protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
}

// sampleDiags covers every shape toDiagnostic produces and a few it does
// not (other code and data types).
func sampleDiags(version int32) []protocol.Diagnostic {
	fix := func(title string, r protocol.Range, text string) diagData {
		return diagData{Version: version, Fixes: []fixData{{
			Title: title, Kind: "quickfix", Safe: true,
			Edits: []protocol.TextEdit{{Range: r, NewText: text}},
		}}}
	}
	return []protocol.Diagnostic{
		{Range: rng(0, 0, 0, 5), Severity: 1, Code: "ABI001", Source: "abi3ls", Message: "plain"},
		{Range: rng(1, 2, 1, 9), Severity: 2, Code: "ABI002", Source: "abi3ls", Message: "with a fix",
			CodeDescription: &protocol.CodeDescription{Href: "https://docs.python.org/3/c-api/tuple.html#c.PyTuple_GET_ITEM"},
			Data:            fix("Replace PyTuple_GET_ITEM with PyTuple_GetItem", rng(1, 2, 1, 9), "PyTuple_GetItem")},
		{Range: rng(2, 0, 2, 1), Severity: 3, Code: "ABI003", Source: "abi3ls", Message: "<html> & \"quotes\" \\ \u2028 \x01 é 😀",
			RelatedInformation: []protocol.DiagnosticRelatedInformation{{
				Location: protocol.Location{URI: "file:///x/setup.py", Range: rng(4, 0, 4, 10)},
				Message:  "target declared here",
			}},
			Data: diagData{Version: version, Fixes: []fixData{
				{Title: "a", Kind: "refactor.rewrite", Edits: []protocol.TextEdit{}},
				{Title: "b", Kind: "quickfix", Safe: true, Edits: []protocol.TextEdit{{Range: rng(2, 0, 2, 1), NewText: "x\ny"}, {Range: rng(3, 0, 3, 0), NewText: ""}}},
			}}},
		{Range: rng(3, 0, 3, 0), Message: "no code, no severity, nil fixes", Data: diagData{Version: version}},
		{Range: rng(4, 1, 4, 2), Code: int32(7), Message: "numeric code"},
		{Range: rng(5, 1, 5, 2), Code: "X", Message: "other data", Data: map[string]any{"k": []int{1, 2}}},
		{Range: rng(6, 0, 6, 3), Code: "ABI001", Source: "abi3ls", Message: "tagged", Tags: []protocol.DiagnosticTag{protocol.DiagnosticTagDeprecated}},
		// A duplicate of the first.
		{Range: rng(0, 0, 0, 5), Severity: 1, Code: "ABI001", Source: "abi3ls", Message: "plain"},
	}
}

func marshalParams(t *testing.T, uri string, version int32, diags []protocol.Diagnostic) []byte {
	t.Helper()
	want, err := json.Marshal(publishParams{URI: uri, Version: &version, Diagnostics: diags})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestEncodeParams: the cached encoding gives json.Marshal's bytes, on a
// first publish and on later ones that reuse, change, add and drop
// diagnostics.
func TestEncodeParams(t *testing.T) {
	const uri = "file:///tmp/a b/mod.c"
	const unusual = 2 // a numeric code, data of another type: never reused
	base := sampleDiags(1)
	moved := func(v int32) []protocol.Diagnostic {
		ds := sampleDiags(v)
		ds[1].Range = rng(1, 3, 1, 10) // an edit before it on its line
		ds[1].Data = diagData{Version: v, Fixes: []fixData{{Title: "t", Kind: "quickfix", Safe: true,
			Edits: []protocol.TextEdit{{Range: rng(1, 3, 1, 10), NewText: "PyTuple_GetItem"}}}}}
		return ds
	}
	steps := []struct {
		name    string
		version int32
		diags   []protocol.Diagnostic
		keep    bool
		reused  int // diagnostics expected to come from the cache
	}{
		{"first publish", 1, base, true, 0},
		{"same set, new version", 2, sampleDiags(2), true, len(base) - unusual},
		{"one moved", 3, moved(3), true, len(base) - unusual - 1},
		{"one dropped", 4, append(moved(4)[:2:2], moved(4)[3:]...), true, len(base) - unusual - 1},
		{"one added, one back as it was", 5, append([]protocol.Diagnostic{{Range: rng(0, 0, 0, 1), Message: "new"}}, sampleDiags(5)...), true, len(base) - unusual - 2},
		{"none", 6, []protocol.Diagnostic{}, true, 0},
		{"not kept", 7, sampleDiags(7), false, 0},
		{"after not kept", 8, sampleDiags(8), true, 0},
		{"data version other than the publish's", 9, sampleDiags(3), true, len(base) - unusual},
	}
	var e diagEncoder
	for _, st := range steps {
		before := map[*encodedDiag]bool{}
		for _, ed := range e.last {
			before[ed] = true
		}
		got, err := e.encodeParams(0, uri, st.version, st.diags, st.keep)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		want := marshalParams(t, uri, st.version, st.diags)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: encoding differs from json.Marshal\n got %s\nwant %s", st.name, got, want)
		}
		if !json.Valid(got) {
			t.Errorf("%s: invalid JSON", st.name)
		}
		if !st.keep {
			if e.last != nil {
				t.Errorf("%s: the cache was kept", st.name)
			}
			continue
		}
		reused := 0
		seen := map[*encodedDiag]bool{}
		for _, ed := range e.last {
			if before[ed] || seen[ed] {
				reused++
			}
			seen[ed] = true
		}
		if reused != st.reused {
			t.Errorf("%s: %d diagnostics reused, want %d", st.name, reused, st.reused)
		}
	}
}

// TestSameDiagnostic: every field that changes the encoding makes two
// diagnostics differ; the data's version does not.
func TestSameDiagnostic(t *testing.T) {
	a := sampleDiags(1)[2]
	tests := []struct {
		name   string
		change func(d *protocol.Diagnostic)
		same   bool
	}{
		{"identical", func(d *protocol.Diagnostic) {}, true},
		{"data version", func(d *protocol.Diagnostic) {
			dd := d.Data.(diagData)
			dd.Version = 99
			d.Data = dd
		}, true},
		{"range", func(d *protocol.Diagnostic) { d.Range.End.Character++ }, false},
		{"severity", func(d *protocol.Diagnostic) { d.Severity = 1 }, false},
		{"code", func(d *protocol.Diagnostic) { d.Code = "ABI004" }, false},
		{"code type", func(d *protocol.Diagnostic) { d.Code = 3 }, false},
		{"source", func(d *protocol.Diagnostic) { d.Source = "" }, false},
		{"message", func(d *protocol.Diagnostic) { d.Message += "." }, false},
		{"code description", func(d *protocol.Diagnostic) { d.CodeDescription = &protocol.CodeDescription{Href: "x"} }, false},
		{"tags", func(d *protocol.Diagnostic) { d.Tags = []protocol.DiagnosticTag{1} }, false},
		{"related location", func(d *protocol.Diagnostic) {
			d.RelatedInformation = []protocol.DiagnosticRelatedInformation{d.RelatedInformation[0]}
			d.RelatedInformation[0].Location.Range.Start.Line = 9
		}, false},
		{"related dropped", func(d *protocol.Diagnostic) { d.RelatedInformation = nil }, false},
		{"no data", func(d *protocol.Diagnostic) { d.Data = nil }, false},
		{"other data", func(d *protocol.Diagnostic) { d.Data = map[string]any{} }, false},
		{"fix edit text", func(d *protocol.Diagnostic) {
			dd := sampleDiags(1)[2].Data.(diagData)
			dd.Fixes[1].Edits[0].NewText = "z"
			d.Data = dd
		}, false},
		{"fix edit range", func(d *protocol.Diagnostic) {
			dd := sampleDiags(1)[2].Data.(diagData)
			dd.Fixes[1].Edits[1].Range.End.Line = 4
			d.Data = dd
		}, false},
		{"fix safe", func(d *protocol.Diagnostic) {
			dd := sampleDiags(1)[2].Data.(diagData)
			dd.Fixes[0].Safe = true
			d.Data = dd
		}, false},
		{"fix edits nil", func(d *protocol.Diagnostic) {
			dd := sampleDiags(1)[2].Data.(diagData)
			dd.Fixes[0].Edits = nil
			d.Data = dd
		}, false},
		{"fix dropped", func(d *protocol.Diagnostic) {
			dd := sampleDiags(1)[2].Data.(diagData)
			dd.Fixes = dd.Fixes[:1]
			d.Data = dd
		}, false},
	}
	for _, tt := range tests {
		b := sampleDiags(1)[2]
		tt.change(&b)
		if got := sameDiagnostic(&a, &b); got != tt.same {
			t.Errorf("%s: sameDiagnostic = %v, want %v", tt.name, got, tt.same)
		}
		// The test's premise: "same" means the same JSON but the version.
		ja, _ := json.Marshal(a)
		bv := b
		if dd, ok := bv.Data.(diagData); ok {
			dd.Version = a.Data.(diagData).Version
			bv.Data = dd
		}
		jb, _ := json.Marshal(bv)
		if bytes.Equal(ja, jb) != tt.same {
			t.Errorf("%s: premise broken: JSON equal = %v", tt.name, bytes.Equal(ja, jb))
		}
	}
}

// TestEncodeFrame: every message is framed with its exact length and
// decodes; pre-encoded params are written as they are, other values as
// json.Marshal gives them.
func TestEncodeFrame(t *testing.T) {
	params, err := json.Marshal(publishParams{URI: "file:///x.c", Diagnostics: sampleDiags(3)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		msg  any
		want string // the body; "" means json.Marshal(msg)
	}{
		{"pre-encoded params", outNotification{JSONRPC: "2.0", Method: "textDocument/publishDiagnostics", Params: preEncoded(params)},
			`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":` + string(params) + `}`},
		{"pre-encoded, method to escape", outNotification{JSONRPC: "2.0", Method: "x/\"<é>\"", Params: preEncoded(`{"a":1}`)}, ""},
		{"empty pre-encoded", outNotification{JSONRPC: "2.0", Method: "m", Params: preEncoded(nil)}, `{"jsonrpc":"2.0","method":"m","params":null}`},
		{"raw message params (compacted)", outNotification{JSONRPC: "2.0", Method: "m", Params: json.RawMessage("{ \"a\" : [1, 2] }")},
			`{"jsonrpc":"2.0","method":"m","params":{"a":[1,2]}}`},
		{"struct params", outNotification{JSONRPC: "2.0", Method: "window/showMessage", Params: map[string]any{"type": 2, "message": "a <b>"}}, ""},
		{"no params", outNotification{JSONRPC: "2.0", Method: "exit"}, `{"jsonrpc":"2.0","method":"exit"}`},
		{"result", outResult{JSONRPC: "2.0", ID: json.RawMessage("7"), Result: map[string]int{"a": 1}}, `{"jsonrpc":"2.0","id":7,"result":{"a":1}}`},
		{"pre-encoded result", outResult{JSONRPC: "2.0", ID: json.RawMessage(`"s"`), Result: preEncoded(`[1,2]`)}, `{"jsonrpc":"2.0","id":"s","result":[1,2]}`},
		{"error", outError{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: errorf(codeParseError, "bad")}, ""},
		{"request", outRequest{JSONRPC: "2.0", ID: 3, Method: "workspace/configuration", Params: []int{}}, ""},
	}
	for _, tt := range tests {
		frame, err := encodeFrame(tt.msg)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		want := tt.want
		if want == "" {
			b, err := json.Marshal(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			want = string(b)
		}
		header, body, ok := strings.Cut(string(frame), "\r\n\r\n")
		if !ok || header != "Content-Length: "+strconv.Itoa(len(body)) {
			t.Errorf("%s: header %q for a body of %d bytes", tt.name, header, len(body))
		}
		if body != want {
			t.Errorf("%s: body\n got %s\nwant %s", tt.name, body, want)
		}
		// The frame reads back as one valid JSON-RPC message.
		fr := newFrameReader(bytes.NewReader(frame), 1<<30)
		got, ferr, err := fr.next()
		if err != nil || ferr != nil {
			t.Errorf("%s: reading the frame back: %v %v", tt.name, err, ferr)
			continue
		}
		if _, _, _, rerr := decodeMessage(got); rerr != nil {
			t.Errorf("%s: frame does not decode: %s", tt.name, rerr.Message)
		}
		if _, _, err := fr.next(); err == nil {
			t.Errorf("%s: bytes left after the frame", tt.name)
		}
	}
	// An unencodable value is an error, not a frame.
	if _, err := encodeFrame(outNotification{JSONRPC: "2.0", Method: "m", Params: func() {}}); err == nil {
		t.Errorf("encoding a func: no error")
	}
}

// TestPublishFrame: the frame publish builds in place around the encoded
// params is the frame of the equivalent outNotification, whatever room was
// reserved in front of them; too little room is an error.
func TestPublishFrame(t *testing.T) {
	const method = "textDocument/publishDiagnostics"
	diags := sampleDiags(4)
	want, err := encodeFrame(outNotification{JSONRPC: "2.0", Method: method,
		Params: publishParams{URI: "file:///é.c", Version: new(int32(4)), Diagnostics: diags}})
	if err != nil {
		t.Fatal(err)
	}
	need := notificationReserve(method)
	// A recycled buffer (garbage in it, large enough) gives the same frame
	// in its own memory; a small one is not used.
	dirty := bytes.Repeat([]byte("x}\""), 4096)
	for _, dst := range [][]byte{nil, dirty[:0], dirty[:7], make([]byte, 0, 8)} {
		for _, reserve := range []int{need, need + 100} {
			var e diagEncoder
			buf, err := e.encodeParamsInto(dst, reserve, "file:///é.c", 4, diags, true)
			if err != nil {
				t.Fatal(err)
			}
			if reused := cap(dst) >= len(buf) && &buf[:1][0] == &dst[:1][0]; reused != (cap(dst) == len(dirty)) {
				t.Errorf("dst cap %d: buffer reused %v", cap(dst), reused)
			}
			frame, err := frameNotification(buf, reserve, method)
			if err != nil {
				t.Fatalf("reserve %d: %v", reserve, err)
			}
			if !bytes.Equal(frame, want) {
				t.Errorf("reserve %d: frame\n got %s\nwant %s", reserve, frame, want)
			}
		}
	}
	var e diagEncoder
	buf, err := e.encodeParams(10, "file:///x.c", 4, diags, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := frameNotification(buf, 10, method); err == nil {
		t.Errorf("10 bytes reserved: no error")
	}
}

// FuzzDiagnosticJSON: the hand-written encoding of a diagnostic is
// json.Marshal's, whatever the strings and numbers.
func FuzzDiagnosticJSON(f *testing.F) {
	f.Add("msg", "ABI001", "file:///a.c", "title", "new\ntext", uint32(3), uint32(7), 2.0, 1.0, true)
	f.Add("<&>\u2028\u2029\x00\x7f\"\\é😀\xff\xfe", "", "", "", "", uint32(0), uint32(1<<31), 0.5, 1e-7, false)
	f.Add("\b\f\r\t\x1f", "c", "u", "\xed\xa0\x80", "", uint32(1), uint32(2), 1e21, 3.0, true)
	f.Fuzz(func(t *testing.T, msg, code, uri, title, text string, line, char uint32, sev, tag float64, safe bool) {
		r := protocol.Range{Start: protocol.Position{Line: line, Character: char}, End: protocol.Position{Line: char, Character: line}}
		d := protocol.Diagnostic{
			Range: r, Severity: protocol.DiagnosticSeverity(sev), Code: code, Source: title, Message: msg,
			CodeDescription:    &protocol.CodeDescription{Href: protocol.URI(uri)},
			Tags:               []protocol.DiagnosticTag{protocol.DiagnosticTag(tag)},
			RelatedInformation: []protocol.DiagnosticRelatedInformation{{Location: protocol.Location{URI: protocol.DocumentURI(uri), Range: r}, Message: text}},
			Data: diagData{Version: int32(line), Fixes: []fixData{
				{Title: title, Kind: code, Safe: safe, Edits: []protocol.TextEdit{{Range: r, NewText: text}}},
				{Title: msg, Edits: nil},
			}},
		}
		want, err := json.Marshal(&d)
		if err != nil {
			t.Skip() // NaN, Inf: not a diagnostic toDiagnostic makes
		}
		ed, err := encodeDiagnostic(&d)
		if err != nil {
			t.Fatal(err)
		}
		got := ed.appendTo(nil, &d)
		if !bytes.Equal(got, want) {
			t.Fatalf("encoding differs from json.Marshal\n got %s\nwant %s", got, want)
		}
	})
}
