package preproc

import (
	"bytes"
	"testing"
)

var fuzzEnvs = []Env{envAudit, env38, env310, envFull, envAbi3t}

// FuzzEvaluate: any bytes, any env: no panic, ranges within bounds, dead
// ranges sorted and disjoint; CRLF line ends judge the same as LF.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte("#ifdef Py_LIMITED_API\nx\n#else\ny\n#endif\n"), uint8(1))
	f.Add([]byte("#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 < 0x030A0000\n#endif"), uint8(2))
	f.Add([]byte("#define A(x) x\n#if A(1) /* c\n */ && \\\n 1\n#elif\n#else\n#else\n#endif\n#endif"), uint8(0))
	f.Add([]byte("R\"d(\n#if 0\n)d\" '#' \"\\\n#if 0\" // \\\n#if 0\n"), uint8(3))
	for i, tt := range deadCodeTests {
		f.Add([]byte(tt.src), uint8(i))
	}
	f.Fuzz(func(t *testing.T, src []byte, mode uint8) {
		env := fuzzEnvs[int(mode)%len(fuzzEnvs)]
		r := Evaluate(src, env)
		checkInvariants(t, src, r)
		if r.PythonInclude != nil && !r.PythonInclude.Live {
			t.Fatalf("PythonInclude is dead: %+v", r.PythonInclude)
		}
		if bytes.IndexByte(src, '\r') >= 0 {
			return
		}
		crlf := bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
		r2 := Evaluate(crlf, env)
		checkInvariants(t, crlf, r2)
		if len(r.Conditionals) != len(r2.Conditionals) || len(r.Defines) != len(r2.Defines) || len(r.Dead) != len(r2.Dead) {
			t.Fatalf("CRLF changes the result: %d/%d conditionals, %d/%d defines, %d/%d dead ranges",
				len(r.Conditionals), len(r2.Conditionals), len(r.Defines), len(r2.Defines), len(r.Dead), len(r2.Dead))
		}
		for i, c := range r.Conditionals {
			c2 := r2.Conditionals[i]
			if c.Verdict != c2.Verdict || c.Directive != c2.Directive || c.Line != c2.Line || c.BranchLive != c2.BranchLive {
				t.Fatalf("CRLF changes conditional %d: %+v vs %+v", i, c, c2)
			}
		}
		for i, d := range r.Defines {
			if d.Name != r2.Defines[i].Name || d.Live != r2.Defines[i].Live || d.Line != r2.Defines[i].Line {
				t.Fatalf("CRLF changes define %d: %+v vs %+v", i, d, r2.Defines[i])
			}
		}
	})
}

// FuzzEvalExpr: no panic; a known value stays the same in parentheses and
// under double negation.
func FuzzEvalExpr(f *testing.F) {
	for _, s := range []string{"1 + 2 * 3", "defined(Py_LIMITED_API) && Py_LIMITED_API+0 >= 0x030A0000",
		"'\\377' < 0u", "TWO ? 1 / 0 : 3", "SELF", "(1, 2) ? -1 >> 70 : 1 << 64", "u8'a' + L'b'"} {
		f.Add(s)
	}
	for _, tt := range evalExprTests {
		f.Add(tt.expr)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		v, known := EvalExpr(expr, testLookup)
		v2, known2 := EvalExpr(expr, testLookup)
		if v != v2 || known != known2 {
			t.Fatalf("not deterministic: %d,%v then %d,%v", v, known, v2, known2)
		}
		if !known {
			return
		}
		if p, ok := EvalExpr("("+expr+")", testLookup); !ok || p != v {
			t.Fatalf("(%s) = %d,%v; without parentheses %d", expr, p, ok, v)
		}
		want := int64(0)
		if v != 0 {
			want = 1
		}
		if p, ok := EvalExpr("!!("+expr+")", testLookup); !ok || p != want {
			t.Fatalf("!!(%s) = %d,%v; want %d", expr, p, ok, want)
		}
		ExprUses(expr)
	})
}
