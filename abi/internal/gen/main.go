// Command gen builds the Limited API database of package abi.
//
//	go generate ./abi/...                 # rebuild abi/data/abi.tsv.gz
//	go run ./abi/internal/gen -scan       # re-scan the real headers into abi/data/headers.tsv
//
// The database is built from CPython's data in ../shared/cpython (beside the
// repository; -shared or $ABI3LS_SHARED to point elsewhere), the curated
// tables in abi/ (alternatives.toml, curated.toml) and abi/data/headers.tsv,
// the committed output of the header scan. The scan needs gcc and CPython
// headers (pyenv, /usr/include/python3.*); the build needs neither.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		abiDir  = flag.String("abi", "", "the abi package directory (default: found from the working directory)")
		shared  = flag.String("shared", "", "directory with stable_abi.toml etc. (default $ABI3LS_SHARED or <repo>/../shared/cpython)")
		scan    = flag.Bool("scan", false, "re-scan the real CPython headers into abi/data/headers.tsv")
		headers = flag.String("headers", "", "with -scan: header dirs as DIR[=label],... (default: pyenv and /usr/include/python3.*)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...) }

	dir, err := findABIDir(*abiDir)
	if err != nil {
		logf("%v", err)
		return 1
	}
	if *scan {
		out, err := runScan(ctx, *headers, logf)
		if err != nil {
			logf("%v", err)
			return 1
		}
		path := filepath.Join(dir, "data", "headers.tsv")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			logf("%v", err)
			return 1
		}
		logf("wrote %s (%d bytes)", path, len(out))
		return 0
	}
	src, err := findShared(dir, *shared)
	if err != nil {
		logf("%v", err)
		return 1
	}
	data, st, err := build(src, dir)
	if err != nil {
		logf("%v", err)
		return 1
	}
	path := filepath.Join(dir, "data", dataFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		logf("%v", err)
		return 1
	}
	logf("wrote %s (%d bytes): %s", path, len(data), st)
	return 0
}

// findABIDir returns the abi package directory: the flag, or the working
// directory when it is abi/ (go generate), or ./abi from the repo root.
func findABIDir(flagDir string) (string, error) {
	if flagDir != "" {
		return filepath.Abs(flagDir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for _, d := range []string{wd, filepath.Join(wd, "abi"), filepath.Join(wd, "..", "..")} {
		if _, err := os.Stat(filepath.Join(d, "alternatives.toml")); err == nil {
			return filepath.Abs(d)
		}
	}
	return "", fmt.Errorf("cannot find the abi package directory from %s; pass -abi", wd)
}

// findShared returns the CPython data directory.
func findShared(abiDir, flagDir string) (string, error) {
	d := flagDir
	if d == "" {
		d = os.Getenv("ABI3LS_SHARED")
	}
	if d == "" {
		d = filepath.Join(abiDir, "..", "..", "shared", "cpython")
	}
	if _, err := os.Stat(filepath.Join(d, "stable_abi.toml")); err != nil {
		return "", fmt.Errorf("CPython data not found: %w (pass -shared or set ABI3LS_SHARED)", err)
	}
	return filepath.Abs(d)
}
