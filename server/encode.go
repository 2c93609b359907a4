package server

import (
	"encoding/json"
	"strconv"

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
	b := make([]byte, reserve, reserve+len(pre)+len(u)+len(mid)+len(ver)+len(list)+size+len(post)+1)
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
	bare := *d
	bare.Data = nil
	head, err := json.Marshal(&bare)
	if err != nil {
		return nil, err
	}
	ed.head = head[:len(head)-1] // without '}'
	if data != nil {
		if ed.fixes, err = json.Marshal(data.Fixes); err != nil {
			return nil, err
		}
	}
	return ed, nil
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
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
