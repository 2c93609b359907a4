package heaptype

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want.* and log sections of testdata/*.txtar")

// tcase is one testdata/*.txtar file:
//
//	-- target --   Limited API version, e.g. 3.9
//	-- module --   extension module name (for the oracle); absent: golden only
//	-- input.c --  (or input.cpp) the static types
//	-- check.py -- (optional) run against the built module by the oracle
//	-- want.c --   golden: the file after converting every type that converts
//	-- log --      golden: what was converted, notes, what was reported
type tcase struct {
	name   string
	path   string
	ar     *txtar.Archive
	target abi.Version
	module string
	lang   grammars.Lang
	ext    string
	input  []byte
	check  string
}

func (tc *tcase) section(name string) ([]byte, bool) {
	for _, f := range tc.ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

func (tc *tcase) setSection(name string, data []byte) {
	for i := range tc.ar.Files {
		if tc.ar.Files[i].Name == name {
			tc.ar.Files[i].Data = data
			return
		}
	}
	tc.ar.Files = append(tc.ar.Files, txtar.File{Name: name, Data: data})
}

func loadCases(t testing.TB) []*tcase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	var out []*tcase
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		tc := &tcase{name: strings.TrimSuffix(filepath.Base(p), ".txtar"), path: p, ar: ar}
		tv, ok := tc.section("target")
		if !ok {
			t.Fatalf("%s: no target section", p)
		}
		var maj, min int
		if _, err := fmt.Sscanf(strings.TrimSpace(string(tv)), "%d.%d", &maj, &min); err != nil {
			t.Fatalf("%s: bad target %q", p, tv)
		}
		tc.target = abi.V(maj, min)
		if m, ok := tc.section("module"); ok {
			tc.module = strings.TrimSpace(string(m))
		}
		if in, ok := tc.section("input.c"); ok {
			tc.input, tc.lang, tc.ext = in, grammars.C, "c"
		} else if in, ok := tc.section("input.cpp"); ok {
			tc.input, tc.lang, tc.ext = in, grammars.CPP, "cpp"
		} else {
			t.Fatalf("%s: no input.c or input.cpp", p)
		}
		if ck, ok := tc.section("check.py"); ok {
			tc.check = string(ck)
		}
		out = append(out, tc)
	}
	return out
}

// lineCol renders a byte offset as line:col (1-based).
func lineCol(src []byte, off int) string {
	if off < 0 || off > len(src) {
		return "?"
	}
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(src[:off], '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// convertAll converts the file's static types one at a time, as `abi3ls
// fix --unsafe` does over its rounds: after each conversion the file is
// parsed again. Types that do not convert are left with their problems.
func convertAll(t *testing.T, pool *grammars.Pool, lang grammars.Lang, src []byte, target abi.Version) ([]byte, []string) {
	t.Helper()
	var log []string
	for round := 0; round < 20; round++ {
		tree, err := pool.Parse(lang, src, nil)
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		root := tree.RootNode()
		types := StaticTypes(root, src)
		progress := false
		var pending []string
		for _, name := range types {
			r := Convert(root, src, lang, target, name)
			if len(r.Problems) > 0 {
				for _, p := range r.Problems {
					pending = append(pending, fmt.Sprintf("problem: %s: %s: %s", name, lineCol(src, p.Start), p.Message))
				}
				continue
			}
			if len(r.Edits) == 0 {
				t.Errorf("%s: no problems and no edits", name)
				continue
			}
			if err := checkEdits(r.Edits, len(src)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			log = append(log, "converted "+name)
			for _, n := range r.Notes {
				log = append(log, "note: "+name+": "+n.Message)
			}
			src = ApplyEdits(src, r.Edits)
			progress = true
			break
		}
		tree.Close()
		if !progress {
			log = append(log, pending...)
			return src, log
		}
	}
	t.Fatalf("conversion does not settle")
	return nil, nil
}

// checkEdits checks the fixer's rules: valid ranges, sorted, no overlap,
// no two insertions at one offset.
func checkEdits(edits []Edit, n int) error {
	for i, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > n {
			return fmt.Errorf("edit %d out of range: %+v", i, e)
		}
		if i > 0 {
			p := edits[i-1]
			if e.Start < p.End || e.Start == p.Start && e.Start == e.End && p.Start == p.End {
				return fmt.Errorf("edits %d and %d overlap: %+v %+v", i-1, i, p, e)
			}
		}
	}
	return nil
}

func TestGolden(t *testing.T) {
	pool := grammars.NewPool()
	defer pool.Close()
	for _, tc := range loadCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			out, log := convertAll(t, pool, tc.lang, tc.input, tc.target)
			gotLog := strings.Join(log, "\n") + "\n"
			want := "want." + tc.ext
			if *update {
				tc.setSection(want, out)
				tc.setSection("log", []byte(gotLog))
				if err := os.WriteFile(tc.path, txtar.Format(tc.ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			w, ok := tc.section(want)
			if !ok {
				t.Fatalf("no %s section (run with -update)", want)
			}
			if !bytes.Equal(out, w) {
				t.Errorf("converted text differs from %s:\n%s", want, diffLines(string(w), string(out)))
			}
			wl, _ := tc.section("log")
			if gotLog != string(wl) {
				t.Errorf("log differs:\n--- want\n%s--- got\n%s", wl, gotLog)
			}
			// Converting again changes nothing: no static type is left
			// that converts.
			again, log2 := convertAll(t, pool, tc.lang, out, tc.target)
			if !bytes.Equal(again, out) {
				t.Errorf("a second conversion changed the result")
			}
			for _, l := range log2 {
				if strings.HasPrefix(l, "converted") {
					t.Errorf("second pass: %s", l)
				}
			}
		})
	}
}

// diffLines is a small line diff for failure messages.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	i, j := 0, 0
	for i < len(al) || j < len(bl) {
		switch {
		case i < len(al) && j < len(bl) && al[i] == bl[j]:
			i++
			j++
		default:
			if i < len(al) {
				out = append(out, fmt.Sprintf("-%d: %s", i+1, al[i]))
				i++
			}
			if j < len(bl) {
				out = append(out, fmt.Sprintf("+%d: %s", j+1, bl[j]))
				j++
			}
		}
		if len(out) > 40 {
			out = append(out, "...")
			break
		}
	}
	return strings.Join(out, "\n")
}

func TestStaticTypes(t *testing.T) {
	pool := grammars.NewPool()
	defer pool.Close()
	src := []byte(`
static PyTypeObject A_Type = { PyVarObject_HEAD_INIT(NULL, 0) "m.A" };
static PyTypeObject B_Type;
static PyTypeObject *C_Type;
PyTypeObject D_Type = { PyVarObject_HEAD_INIT(NULL, 0) .tp_name = "m.D" };
#ifdef X
static PyTypeObject E_Type = { PyObject_HEAD_INIT(NULL) 0, "m.E" };
#endif
void f(void) { static PyTypeObject local = {0}; }
`)
	tree, err := pool.Parse(grammars.C, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	got := StaticTypes(tree.RootNode(), src)
	sort.Strings(got)
	want := []string{"A_Type", "D_Type", "E_Type"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("StaticTypes = %v, want %v", got, want)
	}
}
