package abi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The database travels as gzip-compressed, tab-separated text (see
// data/abi.tsv.gz and abi/internal/gen), one record per line:
//
//	E  name kind tier header forms flags added macroFrom limitedFrom limitedUntil
//	   firstSeen lastSeen ifdef structKind members signature alt abi3tReason note
//	F  struct field type header flags alt altSince writeAlt writeAltSince note abi3tReason
//	S  name abiKind header flags abi3tReason note
//
// Lists are comma-separated. Entry flags: S in stable_abi.toml, A abi_only,
// P in Python.h, D documented, X excluded under abi3t. Field flags: L visible
// under the Limited API, S in the stable ABI, X excluded under abi3t. Struct
// flags: O opaque, T opaque under abi3t. A signature is
// "RET:REF|TYPE:NAME:REF|..." ("..." as NAME for variadic functions); an
// alternative is "USE|SINCE|M or -|WHEN|TEMPLATE|NOTE".

const formatHeader = "# abi3ls Limited API database, format 1"

var (
	entryFields  = 20
	fieldFields  = 12
	structFields = 7
)

// New returns a database holding the given entries, struct members and
// structs (for tests and tools; Default is the real database). The slices
// are copied.
func New(entries []Entry, fields []Field, structs []Struct) *DB {
	return newDB(slices.Clone(entries), fields, slices.Clone(structs))
}

// newDB is New taking ownership of entries and structs.
func newDB(es []Entry, fields []Field, ss []Struct) *DB {
	db := &DB{
		entries: make(map[string]*Entry, len(es)),
		fields:  map[string][]Field{},
		byField: map[string][]Field{},
		structs: make(map[string]*Struct, len(ss)),
	}
	db.names = make([]string, 0, len(es))
	for i := range es {
		db.entries[es[i].Name] = &es[i]
		db.names = append(db.names, es[i].Name)
	}
	sort.Strings(db.names)
	for _, f := range fields {
		db.fields[f.Struct] = append(db.fields[f.Struct], f)
		db.byField[f.Name] = append(db.byField[f.Name], f)
	}
	for i := range ss {
		db.structs[ss[i].Name] = &ss[i]
	}
	return db
}

// Load reads a database in the format of data/abi.tsv.gz.
func Load(r io.Reader) (*DB, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("abi: reading database: %w", err)
	}
	defer zr.Close()
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("abi: reading database: %w", err)
	}
	return parse(data)
}

// parse reads the uncompressed text.
func parse(data []byte) (*DB, error) {
	if !bytes.HasPrefix(data, []byte(formatHeader)) {
		return nil, fmt.Errorf("abi: database does not start with %q", formatHeader)
	}
	n := bytes.Count(data, []byte("\nE\t"))
	entries := make([]Entry, 0, n)
	var fields []Field
	var structs []Struct
	lineNo := 0
	// One string for all: entries keep substrings of it, no copy per line.
	text := string(data)
	var cols []string
	for len(text) > 0 {
		lineNo++
		var line string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		cols = splitTabs(line, cols[:0])
		var err error
		switch cols[0] {
		case "E":
			var e Entry
			e, err = parseEntry(cols)
			entries = append(entries, e)
		case "F":
			var f Field
			f, err = parseField(cols)
			fields = append(fields, f)
		case "S":
			var s Struct
			s, err = parseStruct(cols)
			structs = append(structs, s)
		default:
			err = fmt.Errorf("unknown record %q", cols[0])
		}
		if err != nil {
			return nil, fmt.Errorf("abi: database line %d: %w", lineNo, err)
		}
	}
	return newDB(entries, fields, structs), nil
}

func parseEntry(c []string) (Entry, error) {
	if len(c) != entryFields {
		return Entry{}, fmt.Errorf("entry has %d columns, want %d", len(c), entryFields)
	}
	var err error
	ver := func(s string) Version {
		v, e := parseVer(s)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	e := Entry{
		Name:         c[1],
		Kind:         Kind(c[2]),
		Tier:         Tier(c[3]),
		Header:       c[4],
		Forms:        list(c[5]),
		Added:        ver(c[7]),
		MacroFrom:    ver(c[8]),
		LimitedFrom:  ver(c[9]),
		LimitedUntil: ver(c[10]),
		FirstSeen:    ver(c[11]),
		LastSeen:     ver(c[12]),
		Ifdef:        c[13],
		Members:      list(c[15]),
		ABI3TReason:  c[18],
		Note:         c[19],
	}
	e.StructABIKind = c[14]
	for _, f := range c[6] {
		switch f {
		case 'S':
			e.InStableABI = true
		case 'A':
			e.ABIOnly = true
		case 'P':
			e.InPythonH = true
		case 'D':
			e.Documented = true
		case 'X':
			e.ExcludedABI3T = true
		default:
			return Entry{}, fmt.Errorf("%s: unknown flag %q", e.Name, f)
		}
	}
	if c[16] != "" {
		s, serr := parseSig(c[16])
		if serr != nil {
			return Entry{}, fmt.Errorf("%s: %w", e.Name, serr)
		}
		e.Signature = s
	}
	if c[17] != "" {
		a, aerr := parseAlt(c[17])
		if aerr != nil {
			return Entry{}, fmt.Errorf("%s: %w", e.Name, aerr)
		}
		e.Alt = a
	}
	if err != nil {
		return Entry{}, fmt.Errorf("%s: %w", e.Name, err)
	}
	return e, nil
}

func parseField(c []string) (Field, error) {
	if len(c) != fieldFields {
		return Field{}, fmt.Errorf("field has %d columns, want %d", len(c), fieldFields)
	}
	f := Field{Struct: c[1], Name: c[2], Type: c[3], Header: c[4], Alternative: c[6],
		WriteAlt: c[8], Note: c[10], ABI3TReason: c[11]}
	var err error
	if f.AltSince, err = parseVer(c[7]); err != nil {
		return Field{}, err
	}
	if f.WriteAltSince, err = parseVer(c[9]); err != nil {
		return Field{}, err
	}
	for _, fl := range c[5] {
		switch fl {
		case 'L':
			f.LimitedVisible = true
		case 'S':
			f.InStableABI = true
		case 'X':
			f.ExcludedABI3T = true
		default:
			return Field{}, fmt.Errorf("%s.%s: unknown flag %q", f.Struct, f.Name, fl)
		}
	}
	return f, nil
}

func parseStruct(c []string) (Struct, error) {
	if len(c) != structFields {
		return Struct{}, fmt.Errorf("struct has %d columns, want %d", len(c), structFields)
	}
	s := Struct{Name: c[1], ABIKind: c[2], Header: c[3], ABI3TReason: c[5], Note: c[6]}
	for _, fl := range c[4] {
		switch fl {
		case 'O':
			s.Opaque = true
		case 'T':
			s.OpaqueABI3T = true
		default:
			return Struct{}, fmt.Errorf("%s: unknown flag %q", s.Name, fl)
		}
	}
	return s, nil
}

// splitTabs splits line at tabs into dst (reused between lines: the
// parsers copy what they keep).
func splitTabs(line string, dst []string) []string {
	for {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}

func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// parseVer reads "3.10" (or "" for the zero Version).
func parseVer(s string) (Version, error) {
	if s == "" {
		return Version{}, nil
	}
	// Fast path for "3.N" and "3.NN".
	if len(s) >= 3 && len(s) <= 4 && s[0] == '3' && s[1] == '.' {
		m := 0
		for i := 2; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return Version{}, fmt.Errorf("bad version %q", s)
			}
			m = m*10 + int(s[i]-'0')
		}
		return V(3, m), nil
	}
	a, b, ok := strings.Cut(s, ".")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Version{}, fmt.Errorf("bad version %q", s)
	}
	return V(x, y), nil
}

func parseSig(s string) (*Signature, error) {
	parts := strings.Split(s, "|")
	ret := strings.Split(parts[0], ":")
	if len(ret) != 2 {
		return nil, fmt.Errorf("bad signature %q", s)
	}
	sig := &Signature{Return: ret[0], ReturnRef: Ref(ret[1])}
	for _, p := range parts[1:] {
		f := strings.Split(p, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("bad parameter %q", p)
		}
		if f[1] == "..." {
			sig.Variadic = true
			continue
		}
		sig.Params = append(sig.Params, Param{Type: f[0], Name: f[1], Ref: Ref(f[2])})
	}
	return sig, nil
}

func parseAlt(s string) (*Alternative, error) {
	f := strings.Split(s, "|")
	if len(f) != 6 {
		return nil, fmt.Errorf("bad alternative %q", s)
	}
	since, err := parseVer(f[1])
	if err != nil {
		return nil, err
	}
	return &Alternative{Use: f[0], Since: since, Mechanical: f[2] == "M", When: f[3], Template: f[4], Note: f[5]}, nil
}

// Encode writes db in the format Load reads (uncompressed when raw, else
// gzip-compressed). The generator uses it; the output is deterministic.
func Encode(db *DB, comment string, raw bool) ([]byte, error) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	fmt.Fprintln(w, formatHeader)
	for _, l := range strings.Split(strings.TrimSpace(comment), "\n") {
		if l != "" {
			fmt.Fprintln(w, "# "+l)
		}
	}
	var bad error
	check := func(what, s, forbid string) string {
		if strings.ContainsAny(s, "\t\n"+forbid) && bad == nil {
			bad = fmt.Errorf("abi: %s %q contains a separator (tab, newline or one of %q)", what, s, forbid)
		}
		return s
	}
	for _, name := range db.names {
		e := db.entries[name]
		flags := ""
		for _, f := range []struct {
			on bool
			c  string
		}{{e.InStableABI, "S"}, {e.ABIOnly, "A"}, {e.InPythonH, "P"}, {e.Documented, "D"}, {e.ExcludedABI3T, "X"}} {
			if f.on {
				flags += f.c
			}
		}
		cols := []string{"E", check("name", e.Name, ""), string(e.Kind), string(e.Tier), check("header", e.Header, ""),
			check("forms", strings.Join(e.Forms, ","), ""), flags,
			e.Added.String(), e.MacroFrom.String(), e.LimitedFrom.String(), e.LimitedUntil.String(),
			e.FirstSeen.String(), e.LastSeen.String(), check("ifdef", e.Ifdef, ""), check("struct kind", e.StructABIKind, ""),
			check("members", strings.Join(e.Members, ","), ""), encodeSig(e.Signature, check), encodeAlt(e.Alt, check),
			check("abi3t reason", e.ABI3TReason, ""), check("note", e.Note, "")}
		fmt.Fprintln(w, strings.Join(cols, "\t"))
	}
	structNames := make([]string, 0, len(db.fields))
	for s := range db.fields {
		structNames = append(structNames, s)
	}
	sort.Strings(structNames)
	for _, s := range structNames {
		for _, f := range db.fields[s] {
			flags := ""
			if f.LimitedVisible {
				flags += "L"
			}
			if f.InStableABI {
				flags += "S"
			}
			if f.ExcludedABI3T {
				flags += "X"
			}
			cols := []string{"F", check("struct", f.Struct, ""), check("field", f.Name, ""), check("type", f.Type, ""),
				check("header", f.Header, ""), flags, check("alternative", f.Alternative, ""), f.AltSince.String(),
				check("write alternative", f.WriteAlt, ""), f.WriteAltSince.String(), check("note", f.Note, ""),
				check("abi3t reason", f.ABI3TReason, "")}
			fmt.Fprintln(w, strings.Join(cols, "\t"))
		}
	}
	structNames = structNames[:0]
	for s := range db.structs {
		structNames = append(structNames, s)
	}
	sort.Strings(structNames)
	for _, n := range structNames {
		s := db.structs[n]
		flags := ""
		if s.Opaque {
			flags += "O"
		}
		if s.OpaqueABI3T {
			flags += "T"
		}
		cols := []string{"S", check("struct", s.Name, ""), check("abi kind", s.ABIKind, ""), check("header", s.Header, ""),
			flags, check("abi3t reason", s.ABI3TReason, ""), check("note", s.Note, "")}
		fmt.Fprintln(w, strings.Join(cols, "\t"))
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, bad
	}
	if raw {
		return buf.Bytes(), nil
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func encodeSig(s *Signature, check func(string, string, string) string) string {
	if s == nil {
		return ""
	}
	parts := []string{check("return type", s.Return, "|:") + ":" + string(s.ReturnRef)}
	for _, p := range s.Params {
		parts = append(parts, check("parameter type", p.Type, "|:")+":"+check("parameter", p.Name, "|:")+":"+string(p.Ref))
	}
	if s.Variadic {
		parts = append(parts, ":...:")
	}
	return strings.Join(parts, "|")
}

func encodeAlt(a *Alternative, check func(string, string, string) string) string {
	if a == nil {
		return ""
	}
	m := "-"
	if a.Mechanical {
		m = "M"
	}
	return strings.Join([]string{check("alternative", a.Use, "|"), a.Since.String(), m, check("when", a.When, "|"),
		check("template", a.Template, "|"), check("note", a.Note, "|")}, "|")
}
