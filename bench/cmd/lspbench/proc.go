package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"time"

	"github.com/abi3ls/abi3ls/bench/internal/lspclient"
)

// serverProc is a running `abi3ls serve` with a client on its stdio.
type serverProc struct {
	cmd    *exec.Cmd
	c      *lspclient.Client
	stderr *lockedBuffer
	waited chan error
}

// lockedBuffer keeps the last bytes of the server's log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 64<<10 {
		l.b.Reset()
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer starts `bin serve` without debounce and returns once the
// process runs (not yet initialized).
func startServer(c *config) (*serverProc, error) {
	cmd := exec.Command(c.bin, "serve", "--debounce", "0", "--log-level", "error")
	cmd.Dir = c.work
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("stdin pipe: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	p := &serverProc{cmd: cmd, stderr: &lockedBuffer{}, waited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", c.bin, err)
	}
	p.c = lspclient.New(out, in)
	go func() { p.waited <- cmd.Wait() }()
	return p, nil
}

// startInitialized starts a server and completes initialize.
func startInitialized(ctx context.Context, c *config) (*serverProc, error) {
	p, err := startServer(c)
	if err != nil {
		return nil, err
	}
	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := p.c.Initialize(ictx, ""); err != nil {
		p.kill()
		return nil, fmt.Errorf("initialize: %w (server log: %s)", err, p.stderr.String())
	}
	return p, nil
}

// stop shuts the server down and waits for it; it kills it when it does
// not exit in time.
func (p *serverProc) stop(ctx context.Context) error {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	serr := p.c.Shutdown(sctx)
	select {
	case err := <-p.waited:
		if serr != nil {
			return fmt.Errorf("shutdown: %w", serr)
		}
		if err != nil {
			return fmt.Errorf("server exit: %w (log: %s)", err, p.stderr.String())
		}
		return nil
	case <-sctx.Done():
		p.kill()
		return errors.New("server did not exit after shutdown; killed")
	}
}

func (p *serverProc) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
	}
	select {
	case <-p.waited:
	case <-time.After(5 * time.Second):
	}
}

func (p *serverProc) pid() int { return p.cmd.Process.Pid }

// failed wraps err with the server's log.
func (p *serverProc) failed(what string, err error) error {
	return fmt.Errorf("%s: %w (server log: %.2000s)", what, err, p.stderr.String())
}
