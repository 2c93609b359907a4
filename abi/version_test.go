package abi

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLimitedAPI(t *testing.T) {
	tests := []struct {
		in   string
		want Version
	}{
		{"3", V(3, 2)},
		{"1", V(3, 2)}, // -DPy_LIMITED_API
		{"", V(3, 2)},  // #define Py_LIMITED_API
		{"0", V(3, 2)},
		{"0x03020000", V(3, 2)},
		{"0x03000000", V(3, 2)}, // below 3.2 means 3.2
		{"0x03010000", V(3, 2)},
		{"0x03080000", V(3, 8)},
		{"0x030A0000", V(3, 10)},
		{"0x030a0000", V(3, 10)},
		{"0X030A0000", V(3, 10)},
		{"0x030A00F0", V(3, 10)},
		{"0x030A0100", V(3, 10)},
		{"0x030F0000", V(3, 15)},
		{"0x030C0000UL", V(3, 12)},
		{"0x030c0000u", V(3, 12)},
		{" 0x030B0000 ", V(3, 11)},
		{"(0x030B0000)", V(3, 11)},
		{"50987008", V(3, 10)}, // decimal 0x030A0000
		{"50855936", V(3, 8)},  // decimal 0x03080000
		{"50463472", V(3, 2)},  // decimal 0x030202F0
		{"Py_PACK_VERSION(3, 12)", V(3, 12)},
		{"Py_PACK_VERSION(3,9)", V(3, 9)},
	}
	for _, tt := range tests {
		got, err := ParseLimitedAPI(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseLimitedAPI(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseLimitedAPIRejects(t *testing.T) {
	tests := []struct {
		in         string
		reason     string  // substring of the reason
		usable     Version // non-zero when the compiler still understands it
		suggestHex string  // the value the reason tells the user to write
	}{
		{in: "0x3080000", reason: "7 hex digits", usable: V(3, 8), suggestHex: "0x03080000"},
		{in: "0x30f0000", reason: "7 hex digits", usable: V(3, 15), suggestHex: "0x030F0000"},
		{in: "38", reason: "not a hex version", suggestHex: "0x03080000"},
		{in: "310", reason: "not a hex version", suggestHex: "0x030A0000"},
		{in: "3.8", reason: "not a C integer", suggestHex: "0x03080000"},
		{in: "3.10", reason: "not a C integer", suggestHex: "0x030A0000"},
		{in: "0x04000000", reason: "major version 4"},
		{in: "0x02070000", reason: "major version 2"},
		{in: "0x308000", reason: "6 hex digits", suggestHex: "0x03080000"},
		{in: "0x30A00", reason: "5 hex digits", suggestHex: "0x030A0000"},
		{in: "0x1234", reason: "below 0x03020000"},
		{in: "1000", reason: "below 0x03020000"},
		{in: "-1", reason: "negative"},
		{in: "abc", reason: "not an integer"},
		{in: "0x", reason: "not an integer"},
		{in: "0xZZ", reason: "not an integer"},
		{in: "UL", reason: "not an integer"},
		{in: "0x1030A0000", reason: "too large"},
		{in: "030A0000", reason: "octal"},
		{in: "Py_PACK_VERSION(4, 1)", reason: "Py_PACK_VERSION"},
		{in: "Py_PACK_VERSION 3", reason: "Py_PACK_VERSION"},
		{in: "3.x", reason: "not an integer"},
	}
	for _, tt := range tests {
		got, err := ParseLimitedAPI(tt.in)
		if err == nil {
			t.Errorf("ParseLimitedAPI(%q) = %v, want an error", tt.in, got)
			continue
		}
		var ve *ValueError
		if !errors.As(err, &ve) {
			t.Errorf("ParseLimitedAPI(%q): error %T is not a *ValueError", tt.in, err)
			continue
		}
		if !strings.Contains(ve.Reason, tt.reason) {
			t.Errorf("ParseLimitedAPI(%q): reason %q does not mention %q", tt.in, ve.Reason, tt.reason)
		}
		if tt.suggestHex != "" && !strings.Contains(ve.Reason, tt.suggestHex) {
			t.Errorf("ParseLimitedAPI(%q): reason %q does not suggest %s", tt.in, ve.Reason, tt.suggestHex)
		}
		if ve.Usable != !tt.usable.IsZero() || ve.Version != tt.usable || got != tt.usable {
			t.Errorf("ParseLimitedAPI(%q): usable=%v version=%v returned=%v; want usable version %v",
				tt.in, ve.Usable, ve.Version, got, tt.usable)
		}
		if !strings.Contains(err.Error(), tt.in) {
			t.Errorf("ParseLimitedAPI(%q): error %q does not quote the input", tt.in, err)
		}
	}
}

func TestParseVersion(t *testing.T) {
	good := []struct {
		in   string
		want Version
	}{
		{"3.10", V(3, 10)},
		{"3.8", V(3, 8)},
		{"3.15", V(3, 15)},
		{"3.10.4", V(3, 10)},
		{"3.2", V(3, 2)},
		{"3.0", V(3, 2)},
		{"cp310", V(3, 10)},
		{"CP38", V(3, 8)},
		{"cp3", V(3, 2)},
		{"py3", V(3, 2)},
		{"3", V(3, 2)},
		{"310", V(3, 10)},
		{"39", V(3, 9)},
		{" 3.12 ", V(3, 12)},
		{"0x030C0000", V(3, 12)},
	}
	for _, tt := range good {
		got, err := ParseVersion(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "abc", "2.7", "4.0", "cp27", "3.", ".3", "3.10.1.1", "cp", "3100", "x3.10", "3.a"} {
		if got, err := ParseVersion(in); err == nil {
			t.Errorf("ParseVersion(%q) = %v, want an error", in, got)
		}
	}
}

func TestVersionMethods(t *testing.T) {
	if got := V(3, 10).Hex(); got != "0x030A0000" {
		t.Errorf("Hex = %s", got)
	}
	if got := V(3, 10).Tag(); got != "cp310" {
		t.Errorf("Tag = %s", got)
	}
	if !V(3, 9).Less(V(3, 10)) || V(3, 10).Less(V(3, 9)) || !V(3, 10).AtLeast(V(3, 10)) {
		t.Error("ordering wrong")
	}
	if (Version{}).String() != "" || V(3, 10).String() != "3.10" {
		t.Error("String wrong")
	}
	for _, tt := range []struct {
		t    Target
		eff  Version
		str  string
		errs bool
	}{
		{Target{}, Version{}, "audit", false},
		{Target{Limited: V(3, 8)}, V(3, 8), "abi3 3.8+", false},
		{Target{ABI3T: V(3, 15)}, V(3, 15), "abi3t 3.15+", false},
		{Target{Limited: V(3, 8), ABI3T: V(3, 15)}, V(3, 15), "abi3t 3.15+", false},
		{Target{ABI3T: V(3, 12)}, V(3, 12), "abi3t 3.12+", true},
		{Target{Limited: V(3, 40)}, V(3, 40), "abi3 3.40+", true},
	} {
		if got := tt.t.Effective(); got != tt.eff {
			t.Errorf("%+v.Effective() = %v, want %v", tt.t, got, tt.eff)
		}
		if got := tt.t.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.t, got, tt.str)
		}
		if err := tt.t.Validate(); (err != nil) != tt.errs {
			t.Errorf("%+v.Validate() = %v", tt.t, err)
		}
	}
}
