package server

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"go.lsp.dev/protocol"
)

// Encoding publishDiagnostics params. A large file has thousands of
// diagnostics (2,530 and 2.4 MB of JSON for the 20,961-line benchmark file)
// and a keystroke changes few of them, so each document keeps the encoding
// of every diagnostic of its last publish and the next publish encodes only
// the diagnostics that are new: the rest is a concatenation. The output is
// byte for byte what json.Marshal(publishParams{...}) gives.

// encodedDiag is one diagnostic and its JSON, cut where the version of
// its data goes: head is the object up to its closing brace without
// "data"; fixes is the JSON of the data's fixes (nil when the diagnostic
// has no data). The data's version is the document version, different on
// every publish, so it is written at each publish.
type encodedDiag struct {
	diag  protocol.Diagnostic
	head  []byte
	fixes []byte
	full  []byte // the whole object when Data is not a diagData (never reused)
}

// diagEncoder is a document's cache of encoded diagnostics. It is used by
// one publish at a time (document.pubMu).
type diagEncoder struct {
	last []*encodedDiag // the diagnostics of the last publish, in order
}

// matchWindow is how far ahead in the last publish's diagnostics a
// diagnostic is looked for: an edit adds or removes a few diagnostics
// around it, and the rest keep their order.
const matchWindow = 16

// encodeParams returns the JSON of publishParams{uri, &version, diags}
// after reserve free bytes (room for framing it, see frameNotification),
// with capacity for one more byte. With keep, the diagnostics' encodings
// are kept for the next call; without, the cache is emptied (a document
// that is not being worked on).
func (e *diagEncoder) encodeParams(reserve int, uri string, version int32, diags []protocol.Diagnostic, keep bool) ([]byte, error) {
	return e.encodeParamsInto(nil, reserve, uri, version, diags, keep)
}

// encodeParamsInto is encodeParams writing into dst's memory when it is
// large enough (a buffer of an earlier publish: no 2.4 MB allocation and
// clearing per keystroke on a large file).
func (e *diagEncoder) encodeParamsInto(dst []byte, reserve int, uri string, version int32, diags []protocol.Diagnostic, keep bool) ([]byte, error) {
	parts := make([]*encodedDiag, len(diags))
	size, j := 0, 0
	for i := range diags {
		d := &diags[i]
		var ed *encodedDiag
		for k := j; k < len(e.last) && k < j+matchWindow; k++ {
			if c := e.last[k]; c.full == nil && sameDiagnostic(&c.diag, d) {
				ed, j = c, k+1
				break
			}
		}
		if ed == nil {
			var err error
			if ed, err = encodeDiagnostic(d); err != nil {
				return nil, err
			}
		}
		parts[i] = ed
		size += ed.size() + 1
	}
	if keep {
		e.last = parts
	} else {
		e.last = nil
	}

	ver := strconv.AppendInt(nil, int64(version), 10)
	u, err := json.Marshal(uri)
	if err != nil {
		return nil, err
	}
	const (
		pre  = `{"uri":`
		mid  = `,"version":`
		list = `,"diagnostics":[`
		post = `]}`
	)
	need := reserve + len(pre) + len(u) + len(mid) + len(ver) + len(list) + size + len(post) + 1
	var b []byte
	if cap(dst) >= need {
		b = dst[:reserve] // the reserved bytes are overwritten by the framing
	} else {
		b = make([]byte, reserve, need)
	}
	b = append(b, pre...)
	b = append(b, u...)
	b = append(b, mid...)
	b = append(b, ver...)
	b = append(b, list...)
	for i, ed := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = ed.appendTo(b, &diags[i])
	}
	b = append(b, post...)
	return b, nil
}

const (
	dataVersion = `,"data":{"version":`
	dataFixes   = `,"fixes":`
)

// size is about the length of the encoding (the data's version not
// counted): the capacity to reserve.
func (ed *encodedDiag) size() int {
	switch {
	case ed.full != nil:
		return len(ed.full)
	case ed.fixes == nil:
		return len(ed.head) + 1
	}
	return len(ed.head) + len(dataVersion) + len(dataFixes) + len(ed.fixes) + 2 + 10
}

// appendTo appends the encoding of d, which is ed.diag but for the
// version of its data.
func (ed *encodedDiag) appendTo(b []byte, d *protocol.Diagnostic) []byte {
	switch {
	case ed.full != nil:
		return append(b, ed.full...)
	case ed.fixes == nil:
		b = append(b, ed.head...)
		return append(b, '}')
	}
	b = append(b, ed.head...)
	b = append(b, dataVersion...)
	b = strconv.AppendInt(b, int64(d.Data.(diagData).Version), 10)
	b = append(b, dataFixes...)
	b = append(b, ed.fixes...)
	return append(b, '}', '}')
}

// encodeDiagnostic encodes d. Data is the last field of
// protocol.Diagnostic and Version the first of diagData, so the object
// without data, then data written by hand, gives json.Marshal's bytes.
// The diagnostics toDiagnostic makes are written without reflection
// (appendDiagnostic); anything else goes through json.Marshal.
func encodeDiagnostic(d *protocol.Diagnostic) (*encodedDiag, error) {
	ed := &encodedDiag{diag: *d}
	var data *diagData
	switch v := d.Data.(type) {
	case nil:
	case diagData:
		data = &v
	default:
		full, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		ed.full = full
		return ed, nil
	}
	if head, ok := appendDiagnostic(nil, d); ok {
		ed.head = head
	} else {
		bare := *d
		bare.Data = nil
		head, err := json.Marshal(&bare)
		if err != nil {
			return nil, err
		}
		ed.head = head[:len(head)-1] // without '}'
	}
	if data != nil {
		ed.fixes = appendFixes(nil, data.Fixes)
	}
	return ed, nil
}

// appendDiagnostic appends the JSON object of d without its data and
// without the closing brace, as json.Marshal writes it; ok is false for a
// diagnostic it cannot write exactly (a code that is not a string, a
// number json.Marshal would write with an exponent).
func appendDiagnostic(b []byte, d *protocol.Diagnostic) (_ []byte, ok bool) {
	b = append(b, `{"range":`...)
	b = appendRange(b, d.Range)
	if d.Severity != 0 {
		if b, ok = appendNumber(append(b, `,"severity":`...), float64(d.Severity)); !ok {
			return nil, false
		}
	}
	switch c := d.Code.(type) {
	case nil:
	case string:
		b = appendString(append(b, `,"code":`...), c)
	default:
		return nil, false
	}
	if d.CodeDescription != nil {
		b = appendString(append(b, `,"codeDescription":{"href":`...), string(d.CodeDescription.Href))
		b = append(b, '}')
	}
	if d.Source != "" {
		b = appendString(append(b, `,"source":`...), d.Source)
	}
	b = appendString(append(b, `,"message":`...), d.Message)
	if len(d.Tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, t := range d.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendNumber(b, float64(t)); !ok {
				return nil, false
			}
		}
		b = append(b, ']')
	}
	if len(d.RelatedInformation) > 0 {
		b = append(b, `,"relatedInformation":[`...)
		for i, r := range d.RelatedInformation {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(append(b, `{"location":{"uri":`...), string(r.Location.URI))
			b = appendRange(append(b, `,"range":`...), r.Location.Range)
			b = appendString(append(b, `},"message":`...), r.Message)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return b, true
}

// appendFixes appends the JSON array of fixes (null when nil).
func appendFixes(b []byte, fixes []fixData) []byte {
	if fixes == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, f := range fixes {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(b, `{"title":`...), f.Title)
		b = appendString(append(b, `,"kind":`...), f.Kind)
		if f.Safe {
			b = append(b, `,"safe":true`...)
		}
		b = append(b, `,"edits":`...)
		if f.Edits == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for j, e := range f.Edits {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendRange(append(b, `{"range":`...), e.Range)
				b = appendString(append(b, `,"newText":`...), e.NewText)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendRange(b []byte, r protocol.Range) []byte {
	b = append(b, `{"start":`...)
	b = appendPosition(b, r.Start)
	b = append(b, `,"end":`...)
	b = appendPosition(b, r.End)
	return append(b, '}')
}

func appendPosition(b []byte, p protocol.Position) []byte {
	b = append(b, `{"line":`...)
	b = strconv.AppendUint(b, uint64(p.Line), 10)
	b = append(b, `,"character":`...)
	b = strconv.AppendUint(b, uint64(p.Character), 10)
	return append(b, '}')
}

// appendNumber writes f as json.Marshal does when it needs no exponent.
func appendNumber(b []byte, f float64) ([]byte, bool) {
	if a := math.Abs(f); math.IsNaN(f) || math.IsInf(f, 0) || a != 0 && (a < 1e-6 || a >= 1e21) {
		return nil, false
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64), true
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as json.Marshal does:
// HTML characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// sameDiagnostic reports whether a and b encode the same, but for the
// version in their data.
func sameDiagnostic(a, b *protocol.Diagnostic) bool {
	if a.Range != b.Range || a.Severity != b.Severity || a.Source != b.Source || a.Message != b.Message {
		return false
	}
	if !sameCode(a.Code, b.Code) {
		return false
	}
	if (a.CodeDescription == nil) != (b.CodeDescription == nil) ||
		a.CodeDescription != nil && *a.CodeDescription != *b.CodeDescription {
		return false
	}
	if !sameSlice(a.Tags, b.Tags) || !sameSlice(a.RelatedInformation, b.RelatedInformation) {
		return false
	}
	da, hasA, oka := dataOf(a.Data)
	db, hasB, okb := dataOf(b.Data)
	if !oka || !okb || hasA != hasB {
		return false
	}
	if !hasA {
		return true
	}
	if len(da.Fixes) != len(db.Fixes) || (da.Fixes == nil) != (db.Fixes == nil) {
		return false
	}
	for i := range da.Fixes {
		fa, fb := &da.Fixes[i], &db.Fixes[i]
		if unsafe.SliceData(da.Fixes) == unsafe.SliceData(db.Fixes) {
			break // the same fixes (a diagnostic reused as is)
		}
		if fa.Title != fb.Title || fa.Kind != fb.Kind || fa.Safe != fb.Safe ||
			(fa.Edits == nil) != (fb.Edits == nil) || !sameSlice(fa.Edits, fb.Edits) {
			return false
		}
	}
	return true
}

// dataOf returns a diagnostic's data as diagData and whether there is any;
// ok is false for data of another type (never the same as anything).
func dataOf(v any) (d diagData, has, ok bool) {
	switch v := v.(type) {
	case nil:
		return diagData{}, false, true
	case diagData:
		return v, true, true
	}
	return diagData{}, false, false
}

func sameCode(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	}
	return false
}

func sameSlice[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || unsafe.SliceData(a) == unsafe.SliceData(b) {
		return true // the same elements (a diagnostic reused as is)
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
