package preproc

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// pythonHeaders is the CPython include directory the oracle tests read
// (installed by .ci/run with python3-dev).
const pythonHeaders = "/usr/include/python3.11"

// TestRealHeadersSoundGCC runs Evaluate on CPython's own headers, for a
// Limited API target and for a full build, and checks against gcc that no
// line gcc keeps is dead for Evaluate. The headers' #includes are blanked
// (gcc then sees the macros they would define as undefined, which is one
// of the possibilities Evaluate allows for).
func TestRealHeadersSoundGCC(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(pythonHeaders, "*.h"))
	more, _ := filepath.Glob(filepath.Join(pythonHeaders, "cpython", "*.h"))
	files = append(files, more...)
	if len(files) < 50 {
		t.Fatalf("found %d headers in %s: install python3-dev", len(files), pythonHeaders)
	}
	core := []string{"Py_BUILD_CORE", "Py_BUILD_CORE_BUILTIN", "Py_BUILD_CORE_MODULE", "Py_TARGET_ABI3T", "Py_GIL_DISABLED"}
	envs := []struct {
		name  string
		env   Env
		flags []string
	}{
		{"limited-3.8", Env{Defined: map[string]string{"Py_LIMITED_API": "0x03080000"}, Undefined: core},
			[]string{"-DPy_LIMITED_API=0x03080000"}},
		{"full", Env{Undefined: append([]string{"Py_LIMITED_API"}, core...)}, nil},
	}
	dir := t.TempDir()
	for _, e := range envs {
		deadLines, liveDropped, problems := 0, 0, 0
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res := Evaluate(src, e.env)
			checkInvariants(t, src, res)
			problems += len(res.Problems)
			blanked := append([]byte(nil), src...)
			for _, inc := range res.Includes {
				for i := inc.Start; i < inc.End; i++ {
					if blanked[i] != '\n' && blanked[i] != '\r' {
						blanked[i] = ' '
					}
				}
			}
			copyPath := filepath.Join(dir, filepath.Base(file))
			if err := os.WriteFile(copyPath, blanked, 0o644); err != nil {
				t.Fatal(err)
			}
			out, _ := runGCCFile(t, copyPath, append([]string{"-fdirectives-only", "-undef", "-nostdinc"}, e.flags...)...)
			kept := keptLines(out, copyPath)
			lineStart := lineStarts(src)
			for ln := 1; ln <= len(lineStart); ln++ {
				off := lineStart[ln-1]
				text := lineText(src, lineStart, ln)
				dead := res.IsDead(off)
				if dead {
					deadLines++
				}
				switch {
				case kept[ln] && dead:
					t.Errorf("%s (%s): line %d is dead for Evaluate but gcc keeps it: %s", file, e.name, ln, text)
				case !kept[ln] && !dead && codeLine(text):
					liveDropped++
				}
			}
		}
		if problems > 0 {
			t.Errorf("%s: %d problems reported in CPython's headers", e.name, problems)
		}
		if deadLines == 0 {
			t.Errorf("%s: no dead lines at all", e.name)
		}
		t.Logf("%s: %d headers, %d dead lines; %d code lines live for Evaluate that gcc drops (undecidable for us)",
			e.name, len(files), deadLines, liveDropped)
	}
}

// codeLine reports whether a line holds something gcc would print if kept
// (not blank, not a directive other than #define, not only a comment).
func codeLine(text string) bool {
	s := strings.TrimSpace(text)
	if s == "" || strings.HasPrefix(s, "/*") || strings.HasPrefix(s, "*") || strings.HasPrefix(s, "//") {
		return false
	}
	if strings.HasPrefix(s, "#") {
		return strings.HasPrefix(strings.TrimSpace(s[1:]), "define")
	}
	return true
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func lineText(src []byte, starts []int, ln int) string {
	end := len(src)
	if ln < len(starts) {
		end = starts[ln]
	}
	return strings.TrimRight(string(src[starts[ln-1]:end]), "\r\n")
}

// keptLines reads gcc -E output with line markers and returns the lines of
// file that produced non-blank output.
func keptLines(out, file string) map[int]bool {
	kept := map[int]bool{}
	cur, line := "", 0
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "# ") {
			f := strings.Fields(l)
			if len(f) >= 3 && strings.HasPrefix(f[2], "\"") {
				if n, err := strconv.Atoi(f[1]); err == nil {
					cur, line = strings.Trim(f[2], "\""), n
					continue
				}
			}
		}
		if cur == file && strings.TrimSpace(l) != "" {
			kept[line] = true
		}
		line++
	}
	return kept
}
