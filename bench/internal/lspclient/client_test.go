package lspclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"testing"
	"time"
)

func TestPublishHead(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		uri     string
		version int32
		ok      bool
	}{
		{"server order", `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///a.c","version":7,"diagnostics":[{"source":"abi3ls"}]}}`, "file:///a.c", 7, true},
		{"version first", `{"method":"textDocument/publishDiagnostics","params":{"version":3,"uri":"file:///b.c","diagnostics":[]}}`, "file:///b.c", 3, true},
		{"params first", `{"params":{"uri":"u","version":1},"method":"textDocument/publishDiagnostics"}`, "u", 1, true},
		{"spaces", `{ "jsonrpc" : "2.0" , "params" : { "uri" : "u" , "version" : 12 } }`, "u", 12, true},
		{"diagnostics first", `{"params":{"diagnostics":[],"uri":"u","version":1}}`, "", 0, false},
		{"no version", `{"params":{"uri":"u"}}`, "", 0, false},
		{"broken", `{"params":{"uri":`, "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uri, v, ok := publishHead([]byte(tc.body))
			if ok != tc.ok || uri != tc.uri || v != tc.version {
				t.Fatalf("publishHead = %q, %d, %v; want %q, %d, %v", uri, v, ok, tc.uri, tc.version, tc.ok)
			}
		})
	}
}

func TestIsPublish(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{}}`, true},
		{`{"jsonrpc":"2.0","method": "textDocument/publishDiagnostics","params":{}}`, true},
		{`{"jsonrpc":"2.0","method":"window/logMessage","params":{"message":"textDocument/publishDiagnostics"}}`, false},
		{`{"jsonrpc":"2.0","id":1,"result":null}`, false},
	}
	for _, tc := range tests {
		if got := isPublish([]byte(tc.body)); got != tc.want {
			t.Errorf("isPublish(%s) = %v, want %v", tc.body, got, tc.want)
		}
	}
}

// TestClient runs the client against a scripted server on pipes: a
// configuration request is answered, a response is matched to its call,
// publishes are recorded (also ones the fast path cannot read).
func TestClient(t *testing.T) {
	toServer, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	c := New(clientIn, clientOut)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	send := func(body string) {
		fmt.Fprintf(serverOut, "Content-Length: %d\r\n\r\n%s", len(body), body)
	}
	go func() {
		// Read the client's request, ask for configuration, then answer.
		r := newTestReader(toServer)
		if _, err := r(); err != nil {
			return
		}
		send(`{"jsonrpc":"2.0","id":"s1","method":"workspace/configuration","params":{"items":[{},{}]}}`)
		ans, err := r()
		if err != nil || ans != `{"id":"s1","jsonrpc":"2.0","result":[null,null]}` {
			send(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":%q}}`, ans))
			return
		}
		send(`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"u","version":2,"diagnostics":[{"source":"abi3ls"},{"source":"abi3ls"}]}}`)
		send(`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"diagnostics":[],"uri":"v","version":5}}`)
		send(`{"jsonrpc":"2.0","id":1,"result":{"ok":true}}`)
		serverOut.Close()
	}()
	var res struct{ OK bool }
	if err := c.Call(ctx, "initialize", map[string]any{}, &res); err != nil || !res.OK {
		t.Fatalf("call: %v, %+v", err, res)
	}
	p, err := c.Diagnostics(ctx, "u", 2)
	if err != nil || p.Count != 2 || p.Version != 2 {
		t.Fatalf("diagnostics u: %+v, %v", p, err)
	}
	if p, err := c.Diagnostics(ctx, "v", 5); err != nil || p.Count != 0 {
		t.Fatalf("diagnostics v: %+v, %v", p, err)
	}
	<-c.Done()
	if _, err := c.Diagnostics(ctx, "u", 3); err == nil {
		t.Fatal("waiting after the connection ended succeeded")
	}
}

func newTestReader(r io.Reader) func() (string, error) {
	br := bufio.NewReader(r)
	return func() (string, error) {
		b, err := readFrame(br)
		return string(b), err
	}
}

func TestLines(t *testing.T) {
	ls := NewLines([]byte("ab\ncd\n\nx"))
	tests := []struct {
		off  int
		want Position
	}{
		{0, Position{0, 0}}, {2, Position{0, 2}}, {3, Position{1, 0}}, {6, Position{2, 0}}, {7, Position{3, 0}}, {8, Position{3, 1}},
	}
	for _, tc := range tests {
		if got := ls.Position(tc.off); got != tc.want {
			t.Errorf("Position(%d) = %+v, want %+v", tc.off, got, tc.want)
		}
	}
}
