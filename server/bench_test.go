package server

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/bench/corpus"
	"github.com/abi3ls/abi3ls/grammars"
)

// BenchmarkDidChangeToPublish measures the time from writing a didChange
// (one-character edit in the middle of a 5,000-line file) to having read
// the whole publishDiagnostics frame of that version, with the real
// analysis and no debounce, over JSON-RPC on a pipe: framing, decoding,
// edit, incremental parse, analysis, conversion, encoding. The client only
// frames messages (it does not decode the diagnostics), so the figure is
// the server's.
func BenchmarkDidChangeToPublish(b *testing.B) {
	src := corpus.Generate(corpus.Options{Lines: 5000, Seed: 1, Limited: "0x03080000"})
	lines := bytes.Count(src, []byte{'\n'})
	b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
		pool := grammars.NewPool()
		defer pool.Close()
		sc, cc := net.Pipe()
		srv := New(sc, sc, Options{Analyzer: &analysis.Analyzer{DB: abi.Default(), Parse: pool}, Debounce: -1})
		done := make(chan int, 1)
		go func() { done <- srv.Run(); sc.Close() }()
		// versions receives the version of every publishDiagnostics.
		versions := make(chan int, 1000)
		sizes := make(chan int, 1)
		go func() {
			fr := newFrameReader(cc, 1<<30)
			for {
				body, _, err := fr.next()
				if err != nil {
					close(versions)
					return
				}
				if !bytes.Contains(body[:min(len(body), 200)], []byte(`"textDocument/publishDiagnostics"`)) {
					continue
				}
				i := bytes.Index(body, []byte(`"version":`))
				if i < 0 {
					continue
				}
				j := i + len(`"version":`)
				k := j
				for k < len(body) && body[k] >= '0' && body[k] <= '9' {
					k++
				}
				v, _ := strconv.Atoi(string(body[j:k]))
				select {
				case sizes <- len(body):
				default:
				}
				versions <- v
			}
		}()
		fw := &frameWriter{w: cc}
		send := func(method string, params any, id int) {
			m := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
			if id > 0 {
				m["id"] = id
			}
			if err := fw.write(m); err != nil {
				b.Fatal(err)
			}
		}
		wait := func(version int) {
			for v := range versions {
				if v == version {
					return
				}
			}
			b.Fatal("server stopped")
		}
		send("initialize", map[string]any{"capabilities": map[string]any{}}, 1)
		send("initialized", map[string]any{}, 0)
		uri := "file:///bench/gen.c"
		start := time.Now()
		send("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "c", "version": 1, "text": string(src)}}, 0)
		wait(1)
		size := <-sizes
		b.Logf("didOpen -> publish: %v (%d bytes of C, %d bytes of diagnostics)", time.Since(start), len(src), size)
		mid := lines / 2
		version := 1
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			version++
			text, end := " ", 0
			if i%2 == 1 {
				text, end = "", 1
			}
			send("textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": uri, "version": version},
				"contentChanges": []any{map[string]any{"range": lspRange(mid, 0, mid, end), "text": text}},
			}, 0)
			wait(version)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/change")
		send("shutdown", nil, 2)
		send("exit", nil, 0)
		if code := <-done; code != 0 {
			b.Errorf("exit code %d", code)
		}
		cc.Close()
	})
}
