package reliability

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The safety tests run the real abi3ls binary under strace, which follows
// every thread and child (-f) and stops the process on the traced system
// calls only (--seccomp-bpf), so what the binary does is observed at the
// kernel boundary, whatever Go or C code did it:
//
//   - execve/execveat/fork/vfork: the only program started is abi3ls
//     itself (build files and compile databases are never executed);
//   - the %network class (socket, connect, bind, sendto, ...): none at all.
//     A Go program needs no socket for its runtime, and abi3ls speaks LSP on
//     the pipes it inherits, so any network call is a failure;
//   - the %file class: every open for writing, create, rename, unlink,
//     mkdir, chmod, ... is listed, and only `abi3ls fix` may have any.
//
// strace is installed by .ci/install.d/70-strace.sh.

// abi3lsBin is the binary built by TestMain.
var abi3lsBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "abi3ls-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	abi3lsBin = filepath.Join(dir, "abi3ls")
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goCmd, "build", "-o", abi3lsBin, "github.com/abi3ls/abi3ls/cmd/abi3ls")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building abi3ls:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const traceSet = "trace=execve,execveat,fork,vfork,%network,%file"

// straceCmd returns the command running abi3ls args under strace in dir,
// writing the trace to traceFile.
func straceCmd(t *testing.T, dir, traceFile string, args ...string) *exec.Cmd {
	t.Helper()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Fatalf("strace is needed for the safety tests (.ci/install.d/70-strace.sh installs it): %v", err)
	}
	sargs := []string{"-f", "-qq", "--seccomp-bpf", "-e", traceSet, "-o", traceFile, abi3lsBin}
	cmd := exec.Command(strace, append(sargs, args...)...)
	cmd.Dir = dir
	return cmd
}

// call is one traced system call.
type call struct {
	pid   int
	name  string
	paths []string // the quoted path arguments, made absolute
	args  string
	line  string
}

var (
	callLine   = regexp.MustCompile(`^(\d+)\s+([a-z0-9_]+)\((.*)$`)
	quotedPath = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
)

// readTrace parses an strace output file; relative paths are made absolute
// against dir (the calls use AT_FDCWD: Go opens by path).
func readTrace(t *testing.T, traceFile, dir string) []call {
	t.Helper()
	f, err := os.Open(traceFile)
	if err != nil {
		t.Fatalf("reading the trace: %v", err)
	}
	defer f.Close()
	var out []call
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		m := callLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue // "<... resumed>", signals, exits
		}
		pid, _ := strconv.Atoi(m[1])
		c := call{pid: pid, name: m[2], args: m[3], line: sc.Text()}
		for _, q := range quotedPath.FindAllStringSubmatch(m[3], -1) {
			p, err := strconv.Unquote(`"` + q[1] + `"`)
			if err != nil {
				p = q[1]
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			c.paths = append(c.paths, p)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("empty trace %s: strace did not trace", traceFile)
	}
	return out
}

var networkCalls = map[string]bool{
	"socket": true, "socketpair": true, "connect": true, "bind": true, "listen": true,
	"accept": true, "accept4": true, "sendto": true, "recvfrom": true, "sendmsg": true,
	"recvmsg": true, "sendmmsg": true, "recvmmsg": true, "getsockopt": true, "setsockopt": true,
	"getsockname": true, "getpeername": true, "shutdown": true,
}

// modifying lists the calls of the %file class that change the file
// system; opens are judged by their flags.
var modifying = map[string]bool{
	"creat": true, "rename": true, "renameat": true, "renameat2": true, "unlink": true,
	"unlinkat": true, "mkdir": true, "mkdirat": true, "rmdir": true, "truncate": true,
	"link": true, "linkat": true, "symlink": true, "symlinkat": true, "chmod": true,
	"fchmodat": true, "fchmodat2": true, "chown": true, "fchownat": true, "lchown": true,
	"utimes": true, "utimensat": true, "futimesat": true, "mknod": true, "mknodat": true,
	"setxattr": true, "lsetxattr": true, "removexattr": true, "lremovexattr": true,
}

var writeFlags = regexp.MustCompile(`O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND`)

// writes returns the calls that change the file system.
func writes(calls []call) []call {
	var out []call
	for _, c := range calls {
		switch {
		case modifying[c.name]:
			out = append(out, c)
		case c.name == "open" || c.name == "openat" || c.name == "openat2":
			if writeFlags.MatchString(c.args) {
				out = append(out, c)
			}
		}
	}
	return out
}

// checkTrace fails on any program started besides abi3ls, any network
// call, and any write that allowWrite (nil: none) does not accept.
func checkTrace(t *testing.T, what string, calls []call, allowWrite func(call) bool) {
	t.Helper()
	execs := 0
	for _, c := range calls {
		switch {
		case c.name == "execve" || c.name == "execveat":
			execs++
			if execs > 1 || len(c.paths) == 0 || c.paths[0] != abi3lsBin {
				t.Errorf("%s: started a program: %s", what, c.line)
			}
		case c.name == "fork" || c.name == "vfork":
			t.Errorf("%s: forked: %s", what, c.line)
		case networkCalls[c.name]:
			t.Errorf("%s: network system call: %s", what, c.line)
		}
	}
	if execs == 0 {
		t.Errorf("%s: the trace has no execve of abi3ls: strace did not trace it", what)
	}
	for _, c := range writes(calls) {
		if allowWrite == nil || !allowWrite(c) {
			t.Errorf("%s: wrote to the file system: %s", what, c.line)
		}
	}
}

// result is a finished run of the binary.
type result struct {
	stdout, stderr string
	code           int
	calls          []call
}

// run runs abi3ls args in dir under strace and checks the trace: no
// program started, no network, and no write unless allowWrite accepts it.
func run(t *testing.T, dir string, allowWrite func(call) bool, args ...string) result {
	t.Helper()
	traceFile := filepath.Join(t.TempDir(), "trace")
	cmd := straceCmd(t, dir, traceFile, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * waitTimeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("abi3ls %s did not finish within %v", strings.Join(args, " "), 2*waitTimeout)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	res := result{stdout: stdout.String(), stderr: stderr.String(), code: code, calls: readTrace(t, traceFile, dir)}
	checkTrace(t, "abi3ls "+strings.Join(args, " "), res.calls, allowWrite)
	return res
}

// serve runs an LSP session with `abi3ls serve` under strace in dir,
// driven by session, then shuts the server down and checks the trace like
// run (no writes allowed). extra are flags for serve.
func serve(t *testing.T, dir string, session func(c *client), extra ...string) result {
	t.Helper()
	traceFile := filepath.Join(t.TempDir(), "trace")
	cmd := straceCmd(t, dir, traceFile, append([]string{"serve"}, extra...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	c := newClient(t, stdout, stdin)
	finished := false
	defer func() {
		if !finished {
			cmd.Process.Kill()
			<-done
			t.Logf("server stderr:\n%s", stderr.String())
		}
	}()
	go func() {
		<-c.done // the server closed stdout
		done <- cmd.Wait()
	}()
	session(c)
	c.shutdownExit()
	stdin.Close()
	select {
	case err = <-done:
	case <-time.After(waitTimeout):
		t.Fatalf("abi3ls serve did not exit")
	}
	finished = true
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Errorf("abi3ls serve exited with %d; stderr:\n%s", code, stderr.String())
	}
	if err := c.err(); err != nil && !strings.Contains(err.Error(), "EOF") {
		t.Errorf("client: %v", err)
	}
	res := result{stderr: stderr.String(), code: code, calls: readTrace(t, traceFile, dir)}
	checkTrace(t, "abi3ls serve", res.calls, nil)
	return res
}

// treeHash describes every entry under dir (links not followed): type,
// mode, size, modification time, and the contents' hash or the link's
// target.
func treeHash(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		desc := fmt.Sprintf("%v %d %d", info.Mode(), info.Size(), info.ModTime().UnixNano())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			desc += " " + hex.EncodeToString(sum[:8])
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatalf("hashing %s: %v", dir, err)
	}
	return out
}

// writeTree creates files (slash paths relative to dir; a value starting
// with "->" makes a symbolic link to the rest).
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(body, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTraceCatches proves the tracing can fail: a shell run under the same
// strace command line shows its execve, its socket and its write.
func TestTraceCatches(t *testing.T) {
	dir := t.TempDir()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Fatalf("strace: %v", err)
	}
	traceFile := filepath.Join(dir, "trace")
	script := `echo x > written; exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true`
	cmd := exec.Command(strace, "-f", "-qq", "--seccomp-bpf", "-e", traceSet, "-o", traceFile, "bash", "-c", script)
	cmd.Dir = dir
	_ = cmd.Run() // the connection may fail; the attempt is what counts
	calls := readTrace(t, traceFile, dir)
	var execs, sockets int
	for _, c := range calls {
		switch {
		case c.name == "execve":
			execs++
		case networkCalls[c.name]:
			sockets++
		}
	}
	ws := writes(calls)
	wrote := false
	for _, c := range ws {
		for _, p := range c.paths {
			if p == filepath.Join(dir, "written") {
				wrote = true
			}
		}
	}
	if execs == 0 || sockets == 0 || !wrote {
		t.Fatalf("strace missed something: %d execve, %d network calls, write seen %v", execs, sockets, wrote)
	}
}
