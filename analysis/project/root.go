package project

import "path/filepath"

// Root markers, strongest first.
var (
	// projectMarkers mark a Python project root.
	projectMarkers = []string{"abi3ls.toml", "pyproject.toml", "setup.py", "setup.cfg"}
	// buildMarkers mark a native build tree; these files also appear in
	// subdirectories, so the outermost of a chain of them is taken.
	buildMarkers = []string{"meson.build", "CMakeLists.txt", "compile_commands.json", "compile_flags.txt"}
)

const maxRootWalk = 64

// FindRoot walks up from dir (an OS path) and returns the workspace root:
//
//  1. the nearest directory holding abi3ls.toml, pyproject.toml, setup.py
//     or setup.cfg;
//  2. else the nearest holding .git;
//  3. else the outermost directory of the nearest chain of directories
//     holding meson.build, CMakeLists.txt, compile_commands.json or
//     compile_flags.txt (src/meson.build below ./meson.build gives ./);
//  4. else "".
//
// exists reports whether a path (directory joined with a marker name)
// exists; FindRoot does no IO itself.
func FindRoot(dir string, exists func(string) bool) string {
	if dir == "" || exists == nil {
		return ""
	}
	has := func(d string, names []string) bool {
		for _, n := range names {
			if exists(filepath.Join(d, n)) {
				return true
			}
		}
		return false
	}
	var chain []string // dir and its ancestors, nearest first
	for d, i := filepath.Clean(dir), 0; i < maxRootWalk; i++ {
		chain = append(chain, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	for _, d := range chain {
		if has(d, projectMarkers) {
			return d
		}
	}
	gitAt := -1
	for i, d := range chain {
		if exists(filepath.Join(d, ".git")) {
			gitAt = i
			break
		}
	}
	if gitAt >= 0 {
		return chain[gitAt]
	}
	for i, d := range chain {
		if !has(d, buildMarkers) {
			continue
		}
		root := d
		for j := i + 1; j < len(chain) && has(chain[j], buildMarkers); j++ {
			root = chain[j]
		}
		return root
	}
	return ""
}
