package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"
	"github.com/abi3ls/abi3ls/server"
)

// runServe runs the language server on stdin/stdout. Its exit status is
// 0 after shutdown and exit, 1 when the client went away without them.
func runServe(e env) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: abi3ls serve [flags]\n\nRuns the language server on stdin/stdout. Logs go to stderr.\n\nFlags:")
		fs.PrintDefaults()
	}
	fs.Bool("stdio", true, "speak LSP on stdin/stdout (the only transport; accepted because editors pass it)")
	fs.Int("clientProcessId", 0, "accepted for editors that pass it; unused")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	debounce := fs.Duration("debounce", 50*time.Millisecond, "how long to wait after an edit before analysing (0: none)")
	maxDoc := fs.Int("max-document-size", 10<<20, "largest document analyzed, in bytes")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the session to this file (for performance work)")
	if err := fs.Parse(e.args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "abi3ls serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(e.stderr, "abi3ls serve: bad -log-level %q: %v\n", *logLevel, err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))

	out := e.stdout
	if f, ok := e.stdout.(*os.File); ok && f == os.Stdout {
		// Only JSON-RPC may reach stdout: keep a private handle on it and
		// point fd 1 at stderr, so nothing else (a stray print in Go or C)
		// can corrupt the stream.
		if w, err := privateStdout(); err == nil {
			out = w
		} else {
			logger.Warn("could not protect stdout", "err", err)
		}
	}

	d := *debounce
	if d <= 0 {
		d = -1 // none
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(e.stderr, "abi3ls serve: -cpuprofile: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(e.stderr, "abi3ls serve: -cpuprofile: %v\n", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	pool := grammars.NewPool()
	defer pool.Close()
	srv := server.New(e.stdin, out, server.Options{
		Name:            "abi3ls",
		Version:         Version,
		Logger:          logger,
		Analyzer:        &analysis.Analyzer{DB: abi.Default(), Parse: pool},
		Debounce:        d,
		MaxDocumentSize: *maxDoc,
		ReleaseMemory:   trimMalloc,
	})
	code := srv.Run()
	if c, ok := out.(io.Closer); ok && out != e.stdout {
		c.Close()
	}
	return code
}
