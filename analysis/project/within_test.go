package project

import "testing"

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		dir, path string
		want      bool
	}{
		{"/ws", "/ws", true},
		{"/ws", "/ws/a/b.h", true},
		{"/ws", "/ws/../other/b.h", false},
		{"/ws", "/wsx/b.h", false},
		{"/ws", "/other", false},
		{"/ws", "/ws/..b/c.h", true},
		{"", "/ws/a.h", false},
		{"/ws", "", false},
	} {
		if got := Within(tc.dir, tc.path); got != tc.want {
			t.Errorf("Within(%q, %q) = %v, want %v", tc.dir, tc.path, got, tc.want)
		}
	}
}
