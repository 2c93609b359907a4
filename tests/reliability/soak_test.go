package reliability

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/analysis"
	"github.com/abi3ls/abi3ls/grammars"
	"github.com/abi3ls/abi3ls/server"
)

// The soak lengths. `go test` runs a tenth of the figures;
// ABI3LS_SOAK=full (tests/soak.sh) runs them in full: 2,000 open/edit/close
// cycles and 10,000 edits of one document.
func soakCounts() (cycles, edits int) {
	if os.Getenv("ABI3LS_SOAK") == "full" {
		return 2000, 10000
	}
	return 200, 1000
}

// Bounds on growth between the measurement after the warm-up and the one at
// the end. Trees held by the server are counted exactly; RSS includes the C
// heap (tree-sitter memory is invisible to the Go GC), so it also catches
// trees made and lost inside the analysis. A tree of the soak module takes
// about 44 KiB: one lost per cycle adds 7.7 MiB over the 180 measured
// cycles of the short run and 77 MiB over the full run, while the measured
// growth without leaks is about 1 MiB.
const (
	maxRSSGrowth       = 6 << 20
	maxGoroutineGrowth = 3
	// maxTreesOpen bounds the trees one open document holds (its tree, a
	// snapshot's, one being parsed).
	maxTreesOpen = 4
)

// soakModule is an extension module with findings of several rules, an
// include of a local header and a target define.
const soakModule = `#define Py_LIMITED_API 0x03080000
#include <Python.h>
#include "mod.h"

typedef struct {
    PyObject_HEAD
    PyObject *items;
    Py_ssize_t count;
} Bag;

static PyObject *
bag_first(PyObject *self, PyObject *args)
{
    PyObject *item = PyTuple_GET_ITEM(args, 0);
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    const char *name = Py_TYPE(self)->tp_name;
    (void)name;
    (void)n;
    Py_INCREF(item);
    return item;
}

static PyObject *
bag_len(PyObject *self, PyObject *unused)
{
    Bag *b = (Bag *)self;
    PyObject *l = PyList_New(0);
    if (l == NULL) {
        return NULL;
    }
    PyObject *x = PyList_GET_ITEM(l, 0);
    (void)x;
    Py_DECREF(l);
    return PyLong_FromSsize_t(b->count);
}

static PyMethodDef bag_methods[] = {
    {"first", bag_first, METH_VARARGS, NULL},
    {"len", bag_len, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject BagType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "bag.Bag",
    .tp_basicsize = sizeof(Bag),
    .tp_methods = bag_methods,
};

static struct PyModuleDef bagmodule = {
    PyModuleDef_HEAD_INIT, "bag", NULL, -1, NULL,
};

PyMODINIT_FUNC
PyInit_bag(void)
{
    PyObject *m = PyModule_Create(&bagmodule);
    if (m == NULL || PyType_Ready(&BagType) < 0) {
        return NULL;
    }
    MOD_HELPER(m);
    return m;
}
`

const soakHeader = "#define MOD_HELPER(m) ((void)Py_TYPE(m)->tp_flags)\nstatic inline int mod_peek(PyObject *o) { return PyList_GET_SIZE(o); }\n"

// soakFindings is what the module has at rest.
const soakFindings = 5

// editPoints are offsets in soakModule where edits land: the start of
// each name that has a finding (an "x" typed there makes it unknown).
func editPoints(t testing.TB) []int {
	var pts []int
	for _, name := range []string{"PyTuple_GET_ITEM", "PyTuple_GET_SIZE", "tp_name;", "PyList_GET_ITEM"} {
		i := strings.Index(soakModule, name)
		if i < 0 {
			t.Fatalf("%q not in the soak module", name)
		}
		pts = append(pts, i)
	}
	return pts
}

// sample is one measurement of the process.
type sample struct {
	rss        int64 // bytes, after a GC that returns freed memory to the OS
	heap       uint64
	trees      int64
	goroutines int
}

func (s sample) String() string {
	return fmt.Sprintf("RSS %.1f MiB, Go heap %.1f MiB, %d live trees, %d goroutines",
		float64(s.rss)/(1<<20), float64(s.heap)/(1<<20), s.trees, s.goroutines)
}

// vmRSS reads the resident set size of this process.
func vmRSS(t testing.TB) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatalf("reading RSS: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("parsing VmRSS %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

func measure(t testing.TB, srv *server.Server) sample {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return sample{rss: vmRSS(t), heap: ms.HeapInuse, trees: srv.LiveTrees(), goroutines: runtime.NumGoroutine()}
}

// soakServer is an in-process server with the real analysis, no debounce
// (every change is analyzed, or cancelled by the next), on a workspace with
// a local header.
type soakServer struct {
	c       *client
	srv     *server.Server
	dir     string
	exit    chan int
	stopped bool
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

func startSoak(t *testing.T) *soakServer {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"mod.h":    soakHeader,
		"setup.py": "from setuptools import setup, Extension\nsetup(ext_modules=[Extension('bag', ['bag.c'], py_limited_api=True, define_macros=[('Py_LIMITED_API', '0x03080000')])])\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pool := grammars.NewPool()
	toServer, clientOut := io.Pipe()
	clientIn, fromServer := io.Pipe()
	srv := server.New(toServer, fromServer, server.Options{
		Debounce: -1,
		Analyzer: &analysis.Analyzer{DB: abi.Default(), Parse: pool},
	})
	s := &soakServer{srv: srv, dir: dir, exit: make(chan int, 1)}
	go func() {
		code := srv.Run()
		fromServer.Close()
		pool.Close()
		s.exit <- code
	}()
	s.c = newClient(t, clientIn, clientOut)
	t.Cleanup(func() {
		clientOut.Close()
		if s.stopped {
			return
		}
		select {
		case <-s.exit:
		case <-time.After(waitTimeout):
			t.Error("server did not stop")
		}
	})
	s.c.initialize(fileURI(dir))
	return s
}

func (s *soakServer) stop(t *testing.T) {
	s.stopped = true
	s.c.shutdownExit()
	select {
	case code := <-s.exit:
		if code != 0 {
			t.Errorf("server exit code %d", code)
		}
	case <-time.After(waitTimeout):
		t.Fatal("server did not exit")
	}
	if n := s.srv.LiveTrees(); n != 0 {
		t.Errorf("%d trees live after exit", n)
	}
}

// waitTrees waits until the server holds at most want trees (frees
// happen on background goroutines).
func waitTrees(t *testing.T, srv *server.Server, want int64, what string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for srv.LiveTrees() > want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d live trees, want at most %d", what, srv.LiveTrees(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkGrowth compares the samples taken after the warm-up and at the end.
func checkGrowth(t *testing.T, what string, before, after sample) {
	t.Helper()
	t.Logf("%s: before %v", what, before)
	t.Logf("%s: after  %v", what, after)
	t.Logf("%s: RSS %+.1f MiB, trees %+d, goroutines %+d", what,
		float64(after.rss-before.rss)/(1<<20), after.trees-before.trees, after.goroutines-before.goroutines)
	if after.trees > before.trees {
		t.Errorf("%s: live trees grew from %d to %d", what, before.trees, after.trees)
	}
	if d := after.rss - before.rss; d > maxRSSGrowth {
		t.Errorf("%s: RSS grew by %.1f MiB (bound %d MiB)", what, float64(d)/(1<<20), maxRSSGrowth>>20)
	}
	if d := after.goroutines - before.goroutines; d > maxGoroutineGrowth {
		t.Errorf("%s: goroutines grew by %d (bound %d)", what, d, maxGoroutineGrowth)
	}
}

// TestSoakOpenEditClose opens a document, edits it (one change analyzed,
// then a burst whose analyses are cancelled by the next change), asks for
// a hover and code actions now and then, and closes it, many times over;
// no tree survives a cycle, and memory and goroutines stay flat.
func TestSoakOpenEditClose(t *testing.T) {
	cycles, _ := soakCounts()
	s := startSoak(t)
	c := s.c
	pts := editPoints(t)
	warm := cycles / 10
	var before sample
	start := time.Now()
	for i := 0; i < cycles; i++ {
		if i == warm {
			before = measure(t, s.srv)
			start = time.Now()
		}
		// Ten URIs in turn, so a document map keyed by URI is exercised
		// with reuse as well as with new names.
		uri := fileURI(filepath.Join(s.dir, fmt.Sprintf("bag%d.c", i%10)))
		c.open(uri, soakModule)
		if ds := c.diagnostics(uri, 1); len(ds) != soakFindings {
			t.Fatalf("cycle %d: %d diagnostics on open (%s), want %d", i, len(ds), codes(ds), soakFindings)
		}
		p := position(soakModule, pts[i%len(pts)])
		c.change(uri, 2, p, p, "x")
		if ds := c.diagnostics(uri, 2); len(ds) != soakFindings-1 {
			t.Fatalf("cycle %d: %d diagnostics after an edit (%s), want %d", i, len(ds), codes(ds), soakFindings-1)
		}
		// A burst: each change cancels the analysis of the one before.
		for v := int32(3); v <= 6; v++ {
			c.change(uri, v, pos{0, 0}, pos{0, 0}, "\n")
		}
		c.diagnostics(uri, 6)
		if i%10 == 0 {
			// The burst added four lines at the top.
			hp := position(soakModule, strings.Index(soakModule, "PyLong_FromSsize_t")+3)
			if h := c.hover(uri, pos{hp.Line + 4, hp.Character}); !strings.Contains(h, "PyLong_FromSsize_t") {
				t.Fatalf("cycle %d: hover on PyLong_FromSsize_t = %q", i, h)
			}
			if acts := c.codeActions(uri, position(soakModule, pts[(i+1)%len(pts)]).Line+4); len(acts) == 0 {
				t.Fatalf("cycle %d: no code actions on a line with a finding", i)
			}
		}
		if n := s.srv.LiveTrees(); n > maxTreesOpen {
			t.Fatalf("cycle %d: one open document holds %d trees", i, n)
		}
		seq := c.publishes(uri)
		c.close(uri)
		c.cleared(uri, seq)
		waitTrees(t, s.srv, 0, fmt.Sprintf("cycle %d after close", i))
	}
	elapsed := time.Since(start)
	after := measure(t, s.srv)
	t.Logf("%d open/edit/close cycles (%d measured, %.2f ms each)", cycles, cycles-warm, float64(elapsed.Microseconds())/1000/float64(cycles-warm))
	checkGrowth(t, "open/edit/close", before, after)
	s.stop(t)
}

// TestSoakEdits edits one open document many times: typing a character
// into an API name and deleting it again, adding and removing a line;
// every fifth edit is waited for (the others are cancelled by the next).
// Whenever the text is back to the original, the diagnostics must be the
// original ones; the trees held stay bounded and memory flat.
func TestSoakEdits(t *testing.T) {
	_, edits := soakCounts()
	s := startSoak(t)
	c := s.c
	uri := fileURI(filepath.Join(s.dir, "bag.c"))
	if err := os.WriteFile(filepath.Join(s.dir, "bag.c"), []byte(soakModule), 0o644); err != nil {
		t.Fatal(err)
	}
	c.open(uri, soakModule)
	want := c.diagnostics(uri, 1)
	if len(want) != soakFindings {
		t.Fatalf("%d diagnostics on open (%s), want %d", len(want), codes(want), soakFindings)
	}
	pts := editPoints(t)
	lines := strings.Count(soakModule, "\n")
	warm := edits / 10
	var before sample
	maxTrees := int64(0)
	version := int32(1)
	start := time.Now()
	for i := 0; i < edits; i += 4 {
		if i >= warm && before.rss == 0 {
			c.diagnostics(uri, version) // at rest: the last change analyzed
			before = measure(t, s.srv)
			start = time.Now()
		}
		p := position(soakModule, pts[(i/4)%len(pts)])
		line := (i / 4 * 7) % lines
		// Four edits that leave the text as it was.
		steps := []struct {
			start, end pos
			text       string
		}{
			{p, p, "x"},
			{p, pos{p.Line, p.Character + 1}, ""},
			{pos{line, 0}, pos{line, 0}, "int soak_extra = 1;\n"},
			{pos{line, 0}, pos{line + 1, 0}, ""},
		}
		for j, st := range steps {
			version++
			c.change(uri, version, st.start, st.end, st.text)
			if (i+j)%5 == 4 {
				ds := c.diagnostics(uri, version)
				if j == 1 || j == 3 {
					if len(ds) != len(want) {
						t.Fatalf("edit %d: text back to the original but %d diagnostics (%s), want %d (%s)", i+j, len(ds), codes(ds), len(want), codes(want))
					}
				}
			}
			maxTrees = max(maxTrees, s.srv.LiveTrees())
		}
		if i%500 == 0 {
			hp := position(soakModule, strings.Index(soakModule, "PyLong_FromSsize_t")+3)
			if h := c.hover(uri, hp); !strings.Contains(h, "PyLong_FromSsize_t") {
				t.Fatalf("edit %d: hover on PyLong_FromSsize_t = %q", i, h)
			}
		}
	}
	final := c.diagnostics(uri, version)
	elapsed := time.Since(start)
	if codes(final) != codes(want) || len(final) != len(want) {
		t.Errorf("after %d edits: diagnostics %s, want %s", edits, codes(final), codes(want))
	}
	for i := range final {
		if final[i].Range != want[i].Range || final[i].Message != want[i].Message {
			t.Errorf("after %d edits: diagnostic %d is %+v, want %+v", edits, i, final[i], want[i])
		}
	}
	if maxTrees > maxTreesOpen {
		t.Errorf("one open document held up to %d trees while edited", maxTrees)
	}
	waitTrees(t, s.srv, maxTreesOpen, "after the edits")
	after := measure(t, s.srv)
	t.Logf("%d edits of one document (%d measured, %.2f ms each); at most %d live trees during the edits",
		edits, edits-warm, float64(elapsed.Microseconds())/1000/float64(edits-warm), maxTrees)
	checkGrowth(t, "edits", before, after)
	seq := c.publishes(uri)
	c.close(uri)
	c.cleared(uri, seq)
	waitTrees(t, s.srv, 0, "after close")
	s.stop(t)
}
