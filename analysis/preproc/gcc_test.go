package preproc

// Differential tests against gcc's preprocessor, the oracle for what a C
// compiler does with #if. They run gcc -E once per test on a generated file.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// oraclePrelude is defined both for gcc (in the file) and for the evaluator.
const oraclePrelude = `#define Py_LIMITED_API 0x03080000
#define ONE 1
#define TWO (ONE + ONE)
#define NEG -5
#define BIG 0xFFFFFFFFFFFFFFFF
#define EMPTY
#define VER(maj, min) ((maj) << 24 | (min) << 16)
#define ADD(a, b) ((a) + (b))
`

// runGCC preprocesses src with gcc -E -P and returns stdout and stderr.
func runGCC(t *testing.T, src string, lang string, args ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "oracle.c")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return runGCCFile(t, file, append([]string{"-P", "-x", lang}, args...)...)
}

// runGCCFile runs gcc -E -w on file and returns stdout and stderr.
func runGCCFile(t *testing.T, file string, args ...string) (string, string) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc is needed for the oracle tests (installed by .ci/run): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gcc, append([]string{"-E", "-w", "-x", "c"}, append(args, file)...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = cmd.Run() // errors show in stderr, which the callers inspect
	return out.String(), errb.String()
}

// exprGen generates random #if expressions over literals and the prelude.
type exprGen struct {
	r      *rand.Rand
	noDiv  bool
	leaves []string
	binops []string
	unops  []string
}

func newExprGen(seed uint64, noDiv bool) *exprGen {
	g := &exprGen{
		r:     rand.New(rand.NewPCG(seed, 0x5eed)),
		noDiv: noDiv,
		leaves: []string{"0", "1", "2", "3", "7", "10", "63", "64", "-1", "0x7FFFFFFFFFFFFFFF",
			"0xFFFFFFFFFFFFFFFF", "9223372036854775807", "1u", "2U", "0u", "07", "0x10", "0b11",
			"100L", "3ULL", "5llu", "'a'", "'\\377'", "'ab'", "'\\n'", "L'x'", "0x030A0000",
			"ONE", "TWO", "NEG", "BIG", "Py_LIMITED_API", "UNDEF", "defined(ONE)", "defined UNDEF",
			"defined(EMPTY)", "VER(3, 10)", "ADD(1, NEG)", "EMPTY 4", "(Py_LIMITED_API+0)"},
		binops: []string{"+", "-", "*", "/", "%", "<<", ">>", "<", ">", "<=", ">=", "==", "!=",
			"&", "^", "|", "&&", "||"},
		unops: []string{"-", "+", "!", "~"},
	}
	return g
}

func (g *exprGen) gen(depth int) string {
	if depth <= 0 || g.r.IntN(10) < 3 {
		return g.leaves[g.r.IntN(len(g.leaves))]
	}
	switch k := g.r.IntN(10); {
	case k < 6:
		op := g.binops[g.r.IntN(len(g.binops))]
		if g.noDiv && (op == "/" || op == "%") {
			op = "+"
		}
		e := g.gen(depth-1) + " " + op + " " + g.gen(depth-1)
		if g.r.IntN(2) == 0 {
			e = "(" + e + ")"
		}
		return e
	case k < 8:
		return g.unops[g.r.IntN(len(g.unops))] + "(" + g.gen(depth-1) + ")"
	default:
		return "(" + g.gen(depth-1) + " ? " + g.gen(depth-1) + " : " + g.gen(depth-1) + ")"
	}
}

// preludeSource returns a macroSource with the prelude's macros; every
// other name is known undefined, as it is for gcc.
func preludeSource(t *testing.T) macroSource {
	r := Evaluate([]byte(oraclePrelude), Env{})
	if len(r.Defines) != 8 {
		t.Fatalf("prelude: %d defines", len(r.Defines))
	}
	m := map[string]macroState{}
	for _, d := range r.Defines {
		m[d.Name] = macroState{state: StateDefined, value: d.Value, function: d.Function, params: d.Params}
	}
	return mapSource(m)
}

type mapSource map[string]macroState

func (m mapSource) macro(name string) macroState {
	if st, ok := m[name]; ok {
		return st
	}
	return macroState{state: StateUndefined}
}

var gccDiagLine = regexp.MustCompile(`oracle\.c:(\d+):\d+: error`)

// TestEvalMatchesGCC compares the value and signedness of thousands of
// generated expressions with gcc's.
func TestEvalMatchesGCC(t *testing.T) {
	exprs := []string{
		"-1 >> 70", "1 << 64", "1 << -1", "4 >> -1", "-9223372036854775807 - 1", "(-9223372036854775807 - 1) / -1",
		"(-9223372036854775807 - 1) % -1", "'\\377'", "'abcd'", "'\\x41\\x42'", "u8'a'", "u'x'", "U'x'",
		"0xFFFFFFFFFFFFFFFF >> 63", "18446744073709551615 / 3", "-1 < 0u", "(1 ? -1 : 0u)", "~0u", "!0u",
		"1'000'000", "0b1010", "1 ? 2 : 3u", "(0, 5)", "VER(3, 10) == 0x030A0000", "EMPTY + 1",
		"Py_LIMITED_API+0 >= 0x030A0000", "!defined(Py_LIMITED_API) || Py_LIMITED_API+0 < 0x030A0000",
		"0 && (1 / 0)", "1 || (1 % 0)", "u8'\\377'", "L'\\xffffffff'", "'\\xff' == -1",
	}
	g := newExprGen(1, false)
	for i := 0; i < 3000; i++ {
		exprs = append(exprs, g.gen(1+i%6))
	}
	src := preludeSource(t)
	var b strings.Builder
	b.WriteString(oraclePrelude)
	line := strings.Count(oraclePrelude, "\n") + 1
	type item struct {
		expr       string
		val        value
		first, end int // line range in the generated file
	}
	var items []item
	ev := evaluator{src: src}
	unknownNoDiv := 0
	for _, e := range exprs {
		v := ev.eval(e)
		if !v.known {
			if !strings.ContainsAny(e, "/%") {
				unknownNoDiv++
				t.Errorf("EvalExpr(%q) is unknown with every name known", e)
			}
			continue
		}
		k := len(items)
		first := line
		fmt.Fprintf(&b, "#if (%s) == %du\nok_%d\n#else\nbad_%d\n#endif\n", e, v.v, k, k)
		fmt.Fprintf(&b, "#if ((%s) * 0 - 1) < 0\nsig_%d_s\n#else\nsig_%d_u\n#endif\n", e, k, k)
		line += 10
		items = append(items, item{expr: e, val: v, first: first, end: line})
	}
	out, stderr := runGCC(t, b.String(), "c", "-std=c2x")
	errLines := map[int]bool{}
	for _, m := range gccDiagLine.FindAllStringSubmatch(stderr, -1) {
		n, _ := strconv.Atoi(m[1])
		errLines[n] = true
	}
	got := map[string]bool{}
	for _, w := range strings.Fields(out) {
		got[w] = true
	}
	checked, skipped := 0, 0
	for k, it := range items {
		gccErr := false
		for l := it.first; l < it.end; l++ {
			gccErr = gccErr || errLines[l]
		}
		if gccErr {
			// gcc rejects a division by zero we proved irrelevant (X/0 && 0)
			if !strings.ContainsAny(it.expr, "/%") {
				t.Errorf("gcc rejects %q, which we evaluate to %d", it.expr, int64(it.val.v))
			}
			skipped++
			continue
		}
		checked++
		if !got[fmt.Sprintf("ok_%d", k)] {
			t.Errorf("%q: we say %d (unsigned %v); gcc disagrees", it.expr, int64(it.val.v), it.val.uns)
		}
		wantSign := fmt.Sprintf("sig_%d_s", k)
		if it.val.uns {
			wantSign = fmt.Sprintf("sig_%d_u", k)
		}
		if !got[wantSign] {
			t.Errorf("%q: we say unsigned=%v; gcc disagrees", it.expr, it.val.uns)
		}
	}
	if checked < 2000 {
		t.Errorf("only %d expressions checked", checked)
	}
	t.Logf("gcc agrees on %d expressions (%d skipped: gcc rejects a division by zero we short-circuit)", checked, skipped)
}

// progGen generates nested conditional blocks with markers, decorated with
// comments, continuations, spacing and CRLF.
type progGen struct {
	r      *rand.Rand
	vals   *exprGen // #define values
	conds  *exprGen // #if and #elif tests
	names  []string // names the program defines, undefines and tests
	b      strings.Builder
	nl     string
	marker int
}

func newProgGen(seed uint64, names, tested []string) *progGen {
	p := &progGen{
		r:     rand.New(rand.NewPCG(seed, 11)),
		vals:  newExprGen(seed+1, true),
		conds: newExprGen(seed+2, true),
		names: names,
		nl:    "\n",
	}
	for _, n := range tested {
		p.conds.leaves = append(p.conds.leaves, n, "defined("+n+")", "defined "+n)
	}
	return p
}

func (p *progGen) dir(name, rest string) {
	r, nl := p.r, p.nl
	pre := []string{"", "  ", "\t", "/* c */ "}[r.IntN(4)]
	hash := []string{"#", "# ", "#  "}[r.IntN(3)]
	if rest != "" {
		switch r.IntN(5) {
		case 0:
			rest = "/* x */ " + rest
		case 1:
			rest += " // trailing"
		case 2:
			rest += " /* multi" + nl + " line */"
		case 3:
			rest = "\\" + nl + "    " + rest
		}
	}
	p.b.WriteString(pre + hash + name + " " + rest + nl)
}

func (p *progGen) name() string { return p.names[p.r.IntN(len(p.names))] }

func (p *progGen) block(depth int) {
	r := p.r
	for n := r.IntN(4); n >= 0; n-- {
		switch k := r.IntN(10); {
		case k < 3 || depth > 3:
			fmt.Fprintf(&p.b, "int m%d_x; /* MARK%d is not here */ MARK%d%s", p.marker, p.marker+100000, p.marker, p.nl)
			p.marker++
		case k < 4:
			p.dir("define", p.name()+" "+p.vals.gen(1))
		case k < 5:
			p.dir("undef", p.name())
		default:
			switch r.IntN(3) {
			case 0:
				p.dir("if", p.conds.gen(3))
			case 1:
				p.dir("ifdef", p.name())
			default:
				p.dir("ifndef", p.name())
			}
			p.block(depth + 1)
			for e := r.IntN(3); e > 0; e-- {
				switch r.IntN(3) {
				case 0:
					p.dir("elif", p.conds.gen(2))
				case 1:
					p.dir("elifdef", p.name())
				default:
					p.dir("elifndef", p.name())
				}
				p.block(depth + 1)
			}
			if r.IntN(2) == 0 {
				p.dir("else", "")
				p.block(depth + 1)
			}
			p.dir("endif", "")
		}
	}
}

// program returns a new random program after the oracle prelude.
func (p *progGen) program(crlf bool) string {
	p.b.Reset()
	p.marker = 0
	p.nl = "\n"
	if crlf {
		p.nl = "\r\n"
	}
	p.b.WriteString(oraclePrelude)
	p.block(0)
	return p.b.String()
}

func gccMarkers(out string) map[string]bool {
	kept := map[string]bool{}
	for _, w := range strings.Fields(out) {
		if strings.HasPrefix(w, "MARK") {
			kept[w] = true
		}
	}
	return kept
}

// TestDeadCodeMatchesGCC: with every name known, the markers Evaluate calls
// live are exactly those gcc keeps.
func TestDeadCodeMatchesGCC(t *testing.T) {
	names := []string{"A", "B", "C", "D"}
	p := newProgGen(7, names, names)
	for round := 0; round < 40; round++ {
		src := p.program(round%4 == 3)
		env := Env{Undefined: append(append([]string{}, names...), "UNDEF")}
		res := Evaluate([]byte(src), env)
		checkInvariants(t, []byte(src), res)
		if len(res.Problems) > 0 {
			t.Fatalf("round %d: problems %v", round, res.Problems)
		}
		for _, c := range res.Conditionals {
			if c.Live && c.Verdict == 0 {
				t.Fatalf("round %d: %s %q undecidable with every name known", round, c.Directive, c.Condition)
			}
		}
		out, stderr := runGCC(t, src, "c", "-std=c2x")
		if stderr != "" {
			t.Fatalf("round %d: gcc: %s\n%s", round, stderr, src)
		}
		kept := gccMarkers(out)
		for _, m := range findMarks(src) {
			dead := res.IsDead(m.off)
			if dead == kept[m.word] {
				t.Errorf("round %d: %s: Evaluate says dead=%v, gcc kept=%v\n%s", round, m.word, dead, kept[m.word], src)
				break
			}
		}
	}
}

// TestDeadCodeSoundGCC: with some names unknown (U, V: possibly defined
// elsewhere), code Evaluate calls dead must be dead whatever U and V are:
// gcc drops it under every assignment tried (undefined, 0, 1, 2).
func TestDeadCodeSoundGCC(t *testing.T) {
	names := []string{"A", "B", "U", "V"}
	p := newProgGen(21, names, names)
	assignments := [][]string{}
	for _, u := range []string{"", "0", "1", "2"} {
		for _, v := range []string{"", "0", "1", "2"} {
			var args []string
			if u != "" {
				args = append(args, "-DU="+u)
			}
			if v != "" {
				args = append(args, "-DV="+v)
			}
			assignments = append(assignments, args)
		}
	}
	env := Env{Undefined: []string{"A", "B", "UNDEF"}}
	dead, live, neverKept := 0, 0, 0
	for round := 0; round < 12; round++ {
		src := p.program(round%3 == 2)
		res := Evaluate([]byte(src), env)
		checkInvariants(t, []byte(src), res)
		marks := findMarks(src)
		keptAny := map[string]bool{}
		for _, args := range assignments {
			out, stderr := runGCC(t, src, "c", append([]string{"-std=c2x"}, args...)...)
			if stderr != "" {
				t.Fatalf("round %d %v: gcc: %s\n%s", round, args, stderr, src)
			}
			kept := gccMarkers(out)
			for _, m := range marks {
				if kept[m.word] {
					keptAny[m.word] = true
					if res.IsDead(m.off) {
						t.Fatalf("round %d: %s is dead for Evaluate but gcc %v keeps it\n%s", round, m.word, args, src)
					}
				}
			}
		}
		for _, m := range marks {
			switch {
			case res.IsDead(m.off):
				dead++
			case !keptAny[m.word]:
				neverKept++
				live++
			default:
				live++
			}
		}
	}
	if dead == 0 {
		t.Error("no dead code in the generated programs: the test proves nothing")
	}
	t.Logf("markers: %d dead, %d live (%d of them dropped by gcc under every assignment tried)", dead, live, neverKept)
}

// findMarks returns the MARKn words that are code (not in comments).
func findMarks(src string) []marker {
	var ms []marker
	for i := 0; ; {
		k := strings.Index(src[i:], "MARK")
		if k < 0 {
			return ms
		}
		i += k
		j := i + 4
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		if n, _ := strconv.Atoi(src[i+4 : j]); n < 100000 {
			ms = append(ms, marker{src[i:j], i})
		}
		i = j
	}
}
