package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// tomlItem is one item of stable_abi.toml.
type tomlItem struct {
	Kind          string
	Added         string   `toml:"added"`
	ABIOnly       bool     `toml:"abi_only"`
	Ifdef         string   `toml:"ifdef"`
	StructABIKind string   `toml:"struct_abi_kind"`
	Members       []string `toml:"members"`
	Doc           string   `toml:"doc"`
	Windows       any      `toml:"windows"`
}

// readStableABI reads stable_abi.toml: kind -> name -> item.
func readStableABI(path string) (map[string]*tomlItem, error) {
	var raw map[string]map[string]*tomlItem
	md, err := toml.DecodeFile(path, &raw)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("%s: keys the generator does not know: %v", path, u)
	}
	items := map[string]*tomlItem{}
	for kind, byName := range raw {
		switch kind {
		case "function", "data", "const", "macro", "typedef", "struct", "feature_macro":
		default:
			return nil, fmt.Errorf("%s: unknown item kind %q", path, kind)
		}
		for name, it := range byName {
			if prev, dup := items[name]; dup {
				return nil, fmt.Errorf("%s: %s is both %s and %s", path, name, prev.Kind, kind)
			}
			it.Kind = kind
			if kind != "feature_macro" && it.Added == "" {
				return nil, fmt.Errorf("%s: %s.%s has no added version", path, kind, name)
			}
			items[name] = it
		}
	}
	return items, nil
}

// tsv reads a tab-separated file with a header line into maps by column.
func tsv(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cols []string
	var rows []map[string]string
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if cols == nil {
			cols = f
			continue
		}
		if len(f) != len(cols) {
			return nil, fmt.Errorf("%s:%d: %d columns, want %d", path, line, len(f), len(cols))
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			row[c] = f[i]
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return rows, nil
}

// apiRow is one row of api_names.tsv.
type apiRow map[string]string

func readAPINames(path string) (map[string]apiRow, error) {
	rows, err := tsv(path)
	if err != nil {
		return nil, err
	}
	out := make(map[string]apiRow, len(rows))
	for _, r := range rows {
		if _, dup := out[r["name"]]; dup {
			return nil, fmt.Errorf("%s: %s listed twice", path, r["name"])
		}
		out[r["name"]] = r
	}
	return out, nil
}

// refParam is one line of refcounts.dat.
type refParam struct {
	Type, Name, Ref, Comment string
}

// readRefcounts reads refcounts.dat: function -> return line, then
// parameter lines in order.
func readRefcounts(path string) (map[string][]refParam, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	out := map[string][]refParam{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		p := strings.SplitN(text, ":", 5)
		if len(p) < 4 {
			return nil, fmt.Errorf("%s:%d: want function:type:name:refcount:comment", path, line)
		}
		for len(p) < 5 {
			p = append(p, "")
		}
		out[p[0]] = append(out[p[0]], refParam{Type: strings.TrimSpace(p[1]), Name: strings.TrimSpace(p[2]),
			Ref: strings.TrimSpace(p[3]), Comment: strings.TrimSpace(p[4])})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}

// curated is curated.toml.
type curated struct {
	Config map[string]struct {
		Since string `toml:"since"`
		Note  string `toml:"note"`
	} `toml:"config"`
	Steals     map[string][]string `toml:"steals"`
	ReturnType map[string]string   `toml:"return_type"`
	ABI3T      struct {
		Names map[string]struct {
			Excluded bool   `toml:"excluded"`
			Reason   string `toml:"reason"`
		} `toml:"names"`
		Structs map[string]struct {
			Reason string `toml:"reason"`
		} `toml:"structs"`
	} `toml:"abi3t"`
}

// alternatives is alternatives.toml.
type alternatives struct {
	Name map[string]struct {
		Use        string `toml:"use"`
		Since      string `toml:"since"`
		Mechanical bool   `toml:"mechanical"`
		Template   string `toml:"template"`
		When       string `toml:"when"`
		Note       string `toml:"note"`
	} `toml:"name"`
	Field map[string]struct {
		Read       string `toml:"read"`
		ReadSince  string `toml:"read_since"`
		Write      string `toml:"write"`
		WriteSince string `toml:"write_since"`
		Note       string `toml:"note"`
	} `toml:"field"`
}

func decodeStrict(path string, v any) error {
	md, err := toml.DecodeFile(path, v)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return fmt.Errorf("%s: unknown keys %v", path, u)
	}
	return nil
}

// fingerprint is a short content hash of the input files, written into the
// database header so a change of input shows up as a change of output.
func fingerprint(paths ...string) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", p, err)
		}
		fmt.Fprintf(&b, "%s sha256:%x\n", filepath.Base(p), sha256.Sum256(data))
	}
	return b.String(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
