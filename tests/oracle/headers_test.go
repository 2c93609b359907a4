package oracle

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/abi3ls/abi3ls/abi"
)

// headerSet is one CPython include directory the suite compiles against.
type headerSet struct {
	Version abi.Version // major.minor from patchlevel.h
	Full    string      // PY_VERSION, e.g. "3.8.18"
	Dir     string      // the directory holding Python.h
	Label   string      // "system 3.11.2", "pyenv 3.8.18"
	Lib     string      // libpython3.X.so of the same install; "" when none
}

func (h headerSet) String() string { return h.Label + " (" + h.Dir + ")" }

var (
	reMajor   = regexp.MustCompile(`(?m)^#define\s+PY_MAJOR_VERSION\s+(\d+)`)
	reMinor   = regexp.MustCompile(`(?m)^#define\s+PY_MINOR_VERSION\s+(\d+)`)
	reVersion = regexp.MustCompile(`(?m)^#define\s+PY_VERSION\s+"([^"]+)"`)
)

// readPatchlevel returns the version the headers in dir belong to.
func readPatchlevel(dir string) (abi.Version, string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "patchlevel.h"))
	if err != nil {
		return abi.Version{}, "", fmt.Errorf("read patchlevel.h: %w", err)
	}
	ma, mi, full := reMajor.FindSubmatch(b), reMinor.FindSubmatch(b), reVersion.FindSubmatch(b)
	if ma == nil || mi == nil || full == nil {
		return abi.Version{}, "", fmt.Errorf("%s/patchlevel.h: no PY_MAJOR_VERSION/PY_MINOR_VERSION/PY_VERSION", dir)
	}
	major, _ := strconv.Atoi(string(ma[1]))
	minor, _ := strconv.Atoi(string(mi[1]))
	return abi.V(major, minor), string(full[1]), nil
}

// pyenvRoot finds pyenv's root: `pyenv root`, then $PYENV_ROOT, then
// ~/.pyenv. It returns "" when there is none.
func pyenvRoot(ctx context.Context) string {
	if p, err := exec.LookPath("pyenv"); err == nil {
		if out, err := exec.CommandContext(ctx, p, "root").Output(); err == nil {
			if r := strings.TrimSpace(string(out)); r != "" {
				return r
			}
		}
	}
	if r := os.Getenv("PYENV_ROOT"); r != "" {
		return r
	}
	if home, err := os.UserHomeDir(); err == nil {
		if st, err := os.Stat(filepath.Join(home, ".pyenv")); err == nil && st.IsDir() {
			return filepath.Join(home, ".pyenv")
		}
	}
	return ""
}

// discoverHeaders lists every CPython 3 header set on the machine: the
// system's (/usr/include/python3.X, Debian's python3-dev) and every pyenv
// install. Sorted by version; a system set comes before a pyenv set of the
// same version.
func discoverHeaders(ctx context.Context) ([]headerSet, error) {
	var sets []headerSet
	sys, _ := filepath.Glob("/usr/include/python3.*/Python.h")
	for _, p := range sys {
		dir := filepath.Dir(p)
		v, full, err := readPatchlevel(dir)
		if err != nil || v.Major != 3 {
			continue
		}
		sets = append(sets, headerSet{Version: v, Full: full, Dir: dir, Label: "system " + full})
	}
	if root := pyenvRoot(ctx); root != "" {
		found, _ := filepath.Glob(filepath.Join(root, "versions", "*", "include", "python3.*", "Python.h"))
		for _, p := range found {
			dir := filepath.Dir(p)
			v, full, err := readPatchlevel(dir)
			if err != nil || v.Major != 3 {
				continue
			}
			prefix := filepath.Dir(filepath.Dir(dir))
			lib := ""
			libs, _ := filepath.Glob(filepath.Join(prefix, "lib", fmt.Sprintf("libpython%d.%d*.so", v.Major, v.Minor)))
			if len(libs) > 0 {
				lib = libs[0]
			}
			sets = append(sets, headerSet{Version: v, Full: full, Dir: dir, Label: "pyenv " + full, Lib: lib})
		}
	}
	sort.SliceStable(sets, func(i, j int) bool {
		if sets[i].Version != sets[j].Version {
			return sets[i].Version.Less(sets[j].Version)
		}
		return strings.HasPrefix(sets[i].Label, "system") && !strings.HasPrefix(sets[j].Label, "system")
	})
	if len(sets) == 0 {
		return nil, fmt.Errorf("no CPython 3 headers found (looked for /usr/include/python3.*/Python.h and pyenv installs); install python3-dev")
	}
	return sets, nil
}

// targetsUpTo lists the Limited API targets 3.2 ... v.
func targetsUpTo(v abi.Version) []abi.Version {
	var ts []abi.Version
	for m := abi.MinLimited.Minor; m <= v.Minor; m++ {
		ts = append(ts, abi.V(3, m))
	}
	return ts
}

// libSymbols returns the dynamic symbols a shared library defines.
func libSymbols(ctx context.Context, lib string) (map[string]bool, error) {
	out, err := exec.CommandContext(ctx, "nm", "-D", "--defined-only", lib).Output()
	if err != nil {
		return nil, fmt.Errorf("nm -D %s: %w", lib, err)
	}
	syms := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 {
			syms[f[len(f)-1]] = true
		}
	}
	return syms, sc.Err()
}
