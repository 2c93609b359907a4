package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests drive the built binary over real pipes with a client written
// independently of package server's framing code.

// buildBinary builds abi3ls into dir with a recognisable version.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "abi3ls")
	out, err := exec.Command("go", "build", "-ldflags", "-X main.Version=9.8.7-test", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type rpcMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type binClient struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *bytes.Buffer
	msgs   chan rpcMsg
	done   chan error // the process's end
	exit   int
	nextID int
	bad    []string // anything on stdout that is not a JSON-RPC frame
	mu     sync.Mutex
}

func startBinary(t *testing.T, bin string, args ...string) *binClient {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &binClient{t: t, cmd: cmd, stdin: stdin, stderr: &bytes.Buffer{}, msgs: make(chan rpcMsg, 100000), done: make(chan error, 1)}
	cmd.Stderr = &lockedWriter{w: c.stderr, mu: &c.mu}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		c.read(bufio.NewReader(stdout))
	}()
	go func() {
		<-readDone
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, b := range c.bad {
			t.Errorf("stdout carried something other than JSON-RPC: %s", b)
		}
		if t.Failed() {
			t.Logf("server stderr:\n%s", c.stderr.String())
		}
	})
	return c
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// read parses stdout strictly: only "Content-Length: N\r\n\r\n" headers
// followed by N bytes of a JSON-RPC 2.0 object.
func (c *binClient) read(r *bufio.Reader) {
	fail := func(s string) {
		c.mu.Lock()
		c.bad = append(c.bad, s)
		c.mu.Unlock()
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if line != "" {
				fail(fmt.Sprintf("trailing bytes %q", line))
			}
			return
		}
		n, ok := strings.CutPrefix(line, "Content-Length: ")
		length, err := strconv.Atoi(strings.TrimSuffix(n, "\r\n"))
		if !ok || err != nil || !strings.HasSuffix(line, "\r\n") {
			fail(fmt.Sprintf("bad header %q", line))
			return
		}
		if blank, _ := r.ReadString('\n'); blank != "\r\n" {
			fail(fmt.Sprintf("no blank line after the header: %q", blank))
			return
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r, body); err != nil {
			fail("short body")
			return
		}
		var probe struct {
			JSONRPC string `json:"jsonrpc"`
		}
		var m rpcMsg
		if json.Unmarshal(body, &probe) != nil || probe.JSONRPC != "2.0" || json.Unmarshal(body, &m) != nil {
			fail(fmt.Sprintf("not a JSON-RPC 2.0 object: %.200s", body))
			continue
		}
		c.msgs <- m
	}
}

func (c *binClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.stdin.Write(b); err != nil {
		c.t.Fatalf("write to server: %v", err)
	}
}

func (c *binClient) send(v any) {
	c.t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.write([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)))
}

func (c *binClient) notify(method string, params any) {
	c.t.Helper()
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// wait returns the first message satisfying pred (others are dropped).
func (c *binClient) wait(what string, pred func(rpcMsg) bool) rpcMsg {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-c.msgs:
			if pred(m) {
				return m
			}
		case <-timeout:
			c.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (c *binClient) call(method string, params any) rpcMsg {
	c.t.Helper()
	c.nextID++
	id := c.nextID
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	return c.wait(method+" response", func(m rpcMsg) bool { return string(m.ID) == strconv.Itoa(id) })
}

func (c *binClient) exitCode() int {
	c.t.Helper()
	select {
	case err := <-c.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			c.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(30 * time.Second):
		c.t.Fatalf("server did not exit")
		return -1
	}
}

func (c *binClient) initialize() {
	c.t.Helper()
	m := c.call("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}})
	if m.Error != nil {
		c.t.Fatalf("initialize: %+v", m.Error)
	}
	var res struct {
		ServerInfo struct{ Name, Version string } `json:"serverInfo"`
	}
	json.Unmarshal(m.Result, &res)
	if res.ServerInfo.Name != "abi3ls" || res.ServerInfo.Version != "9.8.7-test" {
		c.t.Errorf("serverInfo = %+v", res.ServerInfo)
	}
	c.notify("initialized", map[string]any{})
}

func (c *binClient) diagnostics(uri string, version int) []struct {
	Code    string `json:"code"`
	Message string `json:"message"`
} {
	c.t.Helper()
	var p struct {
		URI         string `json:"uri"`
		Version     *int   `json:"version"`
		Diagnostics []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"diagnostics"`
	}
	c.wait(fmt.Sprintf("diagnostics v%d", version), func(m rpcMsg) bool {
		return m.Method == "textDocument/publishDiagnostics" && json.Unmarshal(m.Params, &p) == nil &&
			p.URI == uri && p.Version != nil && *p.Version == version
	})
	return p.Diagnostics
}

func (c *binClient) hover(uri string, line, char int) string {
	c.t.Helper()
	m := c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}})
	if m.Error != nil {
		c.t.Fatalf("hover: %+v", m.Error)
	}
	var h struct {
		Contents struct{ Value string } `json:"contents"`
	}
	json.Unmarshal(m.Result, &h)
	return h.Contents.Value
}

const serveSrc = `#define Py_LIMITED_API 0x03080000
#include <Python.h>

static PyObject *first(PyObject *self, PyObject *t)
{
    PyObject *o = PyTuple_GET_ITEM(t, 0);
    const char *name = Py_TYPE(o)->tp_name;
    (void)name;
    return PyType_FromModuleAndSpec(self, NULL, NULL);
}
`

func TestServeBinary(t *testing.T) {
	bin := buildBinary(t)
	t.Run("features", func(t *testing.T) { testServeFeatures(t, bin) })
	t.Run("exit codes", func(t *testing.T) { testServeExitCodes(t, bin) })
	t.Run("abuse", func(t *testing.T) { testServeAbuse(t, bin) })
	t.Run("cpuprofile", func(t *testing.T) { testServeCPUProfile(t, bin) })
}

// testServeCPUProfile: --cpuprofile leaves a profile of the session that
// the pprof tool reads.
func testServeCPUProfile(t *testing.T, bin string) {
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	c := startBinary(t, bin, "--cpuprofile", prof)
	c.initialize()
	uri := "file:///tmp/ext/mod.c"
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "c", "version": 1, "text": serveSrc}})
	c.diagnostics(uri, 1)
	c.call("shutdown", nil)
	c.notify("exit", nil)
	if code := c.exitCode(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	out, err := exec.Command("go", "tool", "pprof", "-raw", prof).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("PeriodType: cpu")) {
		t.Fatalf("go tool pprof -raw %s: %v\n%.500s", prof, err, out)
	}
}

func testServeFeatures(t *testing.T, bin string) {
	c := startBinary(t, bin, "--stdio")
	c.initialize()
	uri := "file:///tmp/ext/mod.c"
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "c", "version": 1, "text": serveSrc}})
	var got []string
	for _, d := range c.diagnostics(uri, 1) {
		got = append(got, d.Code)
	}
	if strings.Join(got, ",") != "ABI001,ABI004,ABI002" {
		t.Errorf("diagnostics %v, want ABI001,ABI004,ABI002", got)
	}
	if h := c.hover(uri, 5, 20); !strings.Contains(h, "PyTuple_GET_ITEM") {
		t.Errorf("hover = %q", h)
	}
	if m := c.call("abi3ls/nope", nil); m.Error == nil || m.Error.Code != -32601 {
		t.Errorf("unknown method: %+v", m.Error)
	}
	if m := c.call("shutdown", nil); m.Error != nil {
		t.Fatalf("shutdown: %+v", m.Error)
	}
	c.notify("exit", nil)
	if code := c.exitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func testServeExitCodes(t *testing.T, bin string) {
	c := startBinary(t, bin)
	c.initialize()
	c.notify("exit", nil)
	if code := c.exitCode(); code != 1 {
		t.Errorf("exit without shutdown: %d, want 1", code)
	}
	c = startBinary(t, bin)
	c.initialize()
	c.stdin.Close()
	if code := c.exitCode(); code != 1 {
		t.Errorf("stdin closed: %d, want 1", code)
	}
	c = startBinary(t, bin, "--no-such-flag")
	c.stdin.Close()
	if code := c.exitCode(); code != 2 {
		t.Errorf("bad flag: %d, want 2", code)
	}
}

// testServeAbuse sends malformed input to the real process; after each
// case it must still answer a hover, and stdout must carry nothing but
// JSON-RPC frames.
func testServeAbuse(t *testing.T, bin string) {
	c := startBinary(t, bin)
	c.initialize()
	alive := "file:///tmp/ext/alive.c"
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": alive, "languageId": "c", "version": 1, "text": serveSrc}})
	c.diagnostics(alive, 1)
	check := func(what string) {
		t.Helper()
		if h := c.hover(alive, 5, 20); !strings.Contains(h, "PyTuple_GET_ITEM") {
			t.Errorf("after %s: hover = %q", what, h)
		}
	}
	hoverFrame := func(id int) string {
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/hover","params":{"textDocument":{"uri":%q},"position":{"line":5,"character":20}}}`, id, alive)
		return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
	}
	for i, junk := range []string{
		"Content-Length: nope\r\n\r\n{}",
		"Content-Length: 40\r\n\r\n",
		"{\"jsonrpc\":\"2.0\",\"id\":1}\r\n",
		"Content-Length: 5\r\n\r\n{bad}",
		"Content-Length: 11\r\n\r\n{\"a\":\"b\"}  ",
		"Content-Length: 3\r\n\r\n[1]",
	} {
		c.write([]byte(junk))
		c.write([]byte(hoverFrame(5000 + i)))
		c.wait("hover after junk", func(m rpcMsg) bool { return string(m.ID) == strconv.Itoa(5000+i) })
		check(fmt.Sprintf("junk %q", junk))
	}
	// Invalid UTF-8 and NUL bytes in a document, 100,000 nested
	// parentheses, a 1 MB line.
	odd := "file:///tmp/ext/odd.c"
	// Raw invalid bytes inside the JSON string; NUL and newlines escaped.
	text := "int \xff\xfe x\\u0000 = 1;\\nint y = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) +
		";\\nint z = " + strings.Repeat("1+", 500000) + "1;\\n"
	body := fmt.Sprintf(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":%q,"languageId":"c","version":1,"text":"%s"}}}`, odd, text)
	c.write([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)))
	c.diagnostics(odd, 1)
	check("odd document")
	// A burst of 10,000 changes.
	burst := "file:///tmp/ext/burst.c"
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": burst, "languageId": "c", "version": 1, "text": serveSrc}})
	for v := 2; v <= 10001; v++ {
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": burst, "version": v},
			"contentChanges": []any{map[string]any{"range": map[string]any{"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 0, "character": 0}}, "text": " "}},
		})
	}
	if d := c.diagnostics(burst, 10001); len(d) != 3 {
		t.Errorf("after 10,000 changes: %d diagnostics, want 3", len(d))
	}
	check("10,000 changes")
	c.call("shutdown", nil)
	c.notify("exit", nil)
	if code := c.exitCode(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
