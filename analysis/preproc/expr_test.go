package preproc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testLookup knows a few macros; UNDEF is known undefined, anything else
// is unknown.
func testLookup(name string) (string, int) {
	switch name {
	case "Py_LIMITED_API":
		return "0x03080000", StateDefined
	case "EMPTY":
		return "", StateDefined
	case "TWO":
		return "(ONE + ONE)", StateDefined
	case "ONE":
		return "1", StateDefined
	case "SELF":
		return "SELF + 1", StateDefined
	case "BAD":
		return "1 +", StateDefined
	case "OPAQUE":
		return "", StateDefinedOpaque
	case "UNDEF", "Py_GIL_DISABLED":
		return "", StateUndefined
	}
	return "", StateUnknown
}

const unknown = "unknown"

// evalExprTests also seed FuzzEvalExpr.
var evalExprTests = []struct {
	expr string
	want any // int64 or unknown
}{
	// literals
	{"0", int64(0)},
	{"42", int64(42)},
	{"0x2A", int64(42)},
	{"0X2a", int64(42)},
	{"052", int64(42)},
	{"0b101010", int64(42)},
	{"42u", int64(42)},
	{"42UL", int64(42)},
	{"42lu", int64(42)},
	{"42ll", int64(42)},
	{"42ULL", int64(42)},
	{"42llu", int64(42)},
	{"0x030A0000L", int64(0x030A0000)},
	{"1'000'000", int64(1000000)},
	{"0xFFFFFFFFFFFFFFFF", int64(-1)},
	{"18446744073709551615", int64(-1)},
	{"18446744073709551616", unknown}, // too large
	{"42lL", unknown},
	{"42uu", unknown},
	{"089", unknown},
	{"0x", unknown},
	{"1.5", unknown},
	{"1e3", unknown},
	{"'a'", int64(97)},
	{"'\\n'", int64(10)},
	{"'\\''", int64(39)},
	{"'\\\\'", int64(92)},
	{"'\\0'", int64(0)},
	{"'\\101'", int64(65)},
	{"'\\x41'", int64(65)},
	{"'\\377'", int64(-1)},
	{"'ab'", int64(0x6162)},
	{"L'a'", int64(97)},
	{"u'\\u00e9'", int64(0xe9)},
	{"U'\\U0001F600'", int64(0x1F600)},
	{"u8'a'", int64(97)},
	{"''", unknown},
	{"\"str\"", unknown},
	// operators
	{"1 + 2 * 3", int64(7)},
	{"(1 + 2) * 3", int64(9)},
	{"7 / 2", int64(3)},
	{"-7 / 2", int64(-3)},
	{"-7 % 3", int64(-1)},
	{"7 % -3", int64(1)},
	{"1 << 4", int64(16)},
	{"-16 >> 2", int64(-4)},
	{"1 << -1", int64(0)},
	{"4 >> -1", int64(8)},
	{"1 << 64", int64(0)},
	{"-1 >> 70", int64(-1)},
	{"3 < 4", int64(1)},
	{"3 > 4", int64(0)},
	{"3 <= 3", int64(1)},
	{"3 >= 4", int64(0)},
	{"3 == 3", int64(1)},
	{"3 != 3", int64(0)},
	{"6 & 3", int64(2)},
	{"6 | 3", int64(7)},
	{"6 ^ 3", int64(5)},
	{"~0", int64(-1)},
	{"!0", int64(1)},
	{"!5", int64(0)},
	{"-(-3)", int64(3)},
	{"+3", int64(3)},
	{"1 && 2", int64(1)},
	{"1 && 0", int64(0)},
	{"0 || 3", int64(1)},
	{"0 || 0", int64(0)},
	{"1 ? 2 : 3", int64(2)},
	{"0 ? 2 : 3", int64(3)},
	{"0 ? 1 : 0 ? 2 : 3", int64(3)},
	{"1 ? 0 ? 4 : 5 : 6", int64(5)},
	{"(1, 2)", int64(2)},
	{"1 - 2 - 3", int64(-4)},
	{"2 * 3 % 4", int64(2)},
	{"1 | 2 ^ 3 & 4", int64(3)},
	{"1 + 2 << 1", int64(6)},
	{"1 < 2 == 1", int64(1)},
	// unsigned arithmetic
	{"-1 < 0u", int64(0)},
	{"-1 < 0", int64(1)},
	{"0u - 1 > 0", int64(1)},
	{"-1 / 2u", int64(0x7FFFFFFFFFFFFFFF)},
	{"0xFFFFFFFFFFFFFFFF >> 63", int64(1)},
	{"(1 ? -1 : 0u) > 0", int64(1)},
	// undecidable
	{"1 / 0", unknown},
	{"1 % 0", unknown},
	{"0 && 1 / 0", int64(0)},
	{"1 || 1 / 0", int64(1)},
	{"", unknown},
	{"1 +", unknown},
	{"(1", unknown},
	{"1)", unknown},
	{"1 2", unknown},
	{"1 ? 2", unknown},
	{"1 = 1", unknown},
	{"@", unknown},
	// macros
	{"Py_LIMITED_API", int64(0x03080000)},
	{"Py_LIMITED_API+0 >= 0x030A0000", int64(0)},
	{"Py_LIMITED_API+0 >= 0x03080000", int64(1)},
	{"defined(Py_LIMITED_API)", int64(1)},
	{"defined Py_LIMITED_API", int64(1)},
	{"defined ( Py_LIMITED_API )", int64(1)},
	{"!defined(Py_LIMITED_API) || Py_LIMITED_API+0 < 0x030A0000", int64(1)},
	{"defined(UNDEF)", int64(0)},
	{"UNDEF", int64(0)},
	{"UNDEF + 1", int64(1)},
	{"defined(Py_GIL_DISABLED) && FOO", int64(0)},
	{"defined(FOO)", unknown},
	{"FOO", unknown},
	{"FOO && 0", int64(0)},
	{"FOO || 1", int64(1)},
	{"FOO ? 1 : 1", int64(1)},
	{"FOO ? 1 : 2", unknown},
	{"FOO(1, 2)", unknown},
	{"FOO(1, 2) || 1", int64(1)},
	{"FOO(1", unknown},
	{"UNDEF(1)", unknown},
	{"PY_VERSION_HEX >= 0x030C0000", unknown},
	{"EMPTY + 1", int64(1)},
	{"EMPTY", unknown},
	{"TWO * TWO", int64(4)},
	{"SELF", unknown},
	{"BAD 1", int64(2)},
	{"BAD", unknown},
	{"defined", unknown},
	{"defined(", unknown},
	{"defined(1)", unknown},
	{"defined(ONE", unknown},
	{"defined(OPAQUE)", int64(1)},
	{"OPAQUE", unknown},
	{"OPAQUE(1)", unknown},
	{"defined OPAQUE || OPAQUE", int64(1)},
	{"true", int64(1)},
	{"false || 0", int64(0)},
	{"__has_include(<Python.h>)", unknown},
	{"__has_include(\"Python.h\") || 1", int64(1)},
}

func TestEvalExpr(t *testing.T) {
	for _, tt := range evalExprTests {
		v, known := EvalExpr(tt.expr, testLookup)
		var got any = v
		if !known {
			got = unknown
		}
		if got != tt.want {
			t.Errorf("EvalExpr(%q) = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestEvalExprNilLookup(t *testing.T) {
	if _, known := EvalExpr("X", nil); known {
		t.Error("EvalExpr(X, nil) is known, want unknown")
	}
	if v, known := EvalExpr("X || 1", nil); !known || v != 1 {
		t.Errorf("EvalExpr(X || 1, nil) = %v, %v; want 1, true", v, known)
	}
}

// Expansion stops on runaway macros instead of hanging or exhausting memory.
func TestEvalExprExpansionLimits(t *testing.T) {
	deep := func(name string) (string, int) {
		// M0 -> M1 M1 M1 M1, M1 -> M2 M2 M2 M2 ... : 4^60 tokens
		if len(name) > 1 && name[0] == 'M' {
			n := 0
			for _, c := range name[1:] {
				n = n*10 + int(c-'0')
			}
			if n >= 60 {
				return "", StateDefined
			}
			next := "M" + itoa(n+1)
			return next + " " + next + " " + next + " " + next, StateDefined
		}
		return "", StateUnknown
	}
	if _, known := EvalExpr("M0 + 1", deep); known {
		t.Error("runaway expansion is known, want unknown")
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestExprUses(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{"defined(Py_LIMITED_API) && Py_LIMITED_API+0 >= 0x030A0000", []string{"Py_LIMITED_API"}},
		{"PY_VERSION_HEX >= 0x030C0000 || defined Py_GIL_DISABLED", []string{"PY_VERSION_HEX", "Py_GIL_DISABLED"}},
		{"1 + 'a'", nil},
		{"L'a' == u8'b'", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ExprUses(tt.expr)); diff != "" {
			t.Errorf("ExprUses(%q) (-want +got):\n%s", tt.expr, diff)
		}
	}
}
