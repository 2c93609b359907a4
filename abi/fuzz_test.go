package abi

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// canonicalHex is a Py_LIMITED_API value written the documented way:
// 0x03MMmmrr, eight hex digits, optional integer suffix.
var canonicalHex = regexp.MustCompile(`^\s*0[xX]03([0-9a-fA-F]{2})[0-9a-fA-F]{4}[uUlL]*\s*$`)

// checkParsed holds for every answer of ParseLimitedAPI: a version is a
// Python 3 version at or above 3.2 that its own hex form gives back; an
// error is a *ValueError quoting the input, with a version only when it
// is marked usable.
func checkParsed(t *testing.T, in string, v Version, err error) {
	t.Helper()
	if err == nil {
		if v.Major != 3 || v.Less(MinLimited) || v.Minor > 0xFF {
			t.Fatalf("ParseLimitedAPI(%q) = %v: not a Limited API version", in, v)
		}
		if back, err := ParseLimitedAPI(v.Hex()); err != nil || back != v {
			t.Fatalf("ParseLimitedAPI(%q) = %v, but its hex %s parses as %v, %v", in, v, v.Hex(), back, err)
		}
		return
	}
	var ve *ValueError
	if !errors.As(err, &ve) {
		t.Fatalf("ParseLimitedAPI(%q): error %T (%v) is not a *ValueError", in, err, err)
	}
	if ve.Reason == "" {
		t.Fatalf("ParseLimitedAPI(%q): empty reason", in)
	}
	if !strings.Contains(err.Error(), strconv.Quote(in)) {
		t.Fatalf("ParseLimitedAPI(%q): error %q does not quote the input", in, err)
	}
	if ve.Usable {
		if v != ve.Version || v.Major != 3 || v.Less(MinLimited) {
			t.Fatalf("ParseLimitedAPI(%q): usable error with version %v (returned %v)", in, ve.Version, v)
		}
	} else if !v.IsZero() {
		t.Fatalf("ParseLimitedAPI(%q) returned %v with a non-usable error %v", in, v, err)
	}
}

// FuzzParseLimitedAPI: any text parses to a sane version or a *ValueError
// that explains itself, and a canonical 0x03MMmmrr value always means
// 3.MM (3.2 below that), as the compiler reads it.
func FuzzParseLimitedAPI(f *testing.F) {
	for _, s := range []string{
		"", "1", "3", "0", "0x03020000", "0x030A0000", "0x030a00f0", "0X030F0000UL", "(0x030B0000)",
		"50987008", "0x3080000", "38", "310", "3.8", "3.10.2", "0x04000000", "-1", "0777",
		"Py_PACK_VERSION(3, 12)", "Py_PACK_VERSION(3,", "((()))", "0x", "UL", "0xFFFFFFFFFFFFFFFFFF",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := ParseLimitedAPI(in)
		checkParsed(t, in, v, err)
		if m := canonicalHex.FindStringSubmatch(in); m != nil {
			minor, _ := strconv.ParseUint(m[1], 16, 8)
			want := V(3, int(minor))
			if want.Less(MinLimited) {
				want = MinLimited
			}
			if err != nil || v != want {
				t.Fatalf("ParseLimitedAPI(%q) = %v, %v; want %v", in, v, err, want)
			}
		}

		// ParseVersion shares the rules: a version it accepts prints back
		// to itself.
		pv, err := ParseVersion(in)
		if err == nil {
			if pv.Major != 3 || pv.Less(MinLimited) {
				t.Fatalf("ParseVersion(%q) = %v: not a Limited API version", in, pv)
			}
			if back, err := ParseVersion(pv.String()); err != nil || back != pv {
				t.Fatalf("ParseVersion(%q) = %v, but %q parses as %v, %v", in, pv, pv.String(), back, err)
			}
		} else {
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("ParseVersion(%q): error %T (%v) is not a *ValueError", in, err, err)
			}
		}
	})
}
