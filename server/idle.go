package server

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Handing memory back when idle. The Go heap grows to twice what is live
// before a collection, and what a burst of work (opening hundreds of
// documents, reanalysing them all after a configuration change) leaves
// behind stays mapped until then; tree-sitter's freed C memory stays in
// malloc's arenas. Once the server has had nothing to do for a while after
// such a burst, it collects and returns the free memory to the system, so
// an editor session at rest holds about what is live.

const (
	defaultIdleRelease = 500 * time.Millisecond
	// releaseAfterAlloc is how much the Go heap must have allocated since
	// the last release for another to be worth its cost (a full collection,
	// and page faults when the memory is used again).
	releaseAfterAlloc = 64 << 20
)

// idleRelease counts the work in progress (messages being handled,
// requests, analyses) and releases memory once none has been running for
// delay.
type idleRelease struct {
	delay    time.Duration // <= 0: never
	minAlloc uint64        // bytes allocated since the last release
	release  func()

	mu      sync.Mutex
	busy    int
	timer   *time.Timer
	stopped bool
	mark    uint64 // heap bytes allocated at the last release
}

// begin records work starting; end must follow.
func (r *idleRelease) begin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy++
}

// end records work ending; the last one arms the timer.
func (r *idleRelease) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy--
	if r.busy > 0 || r.stopped || r.delay <= 0 {
		return
	}
	if r.timer == nil {
		r.timer = time.AfterFunc(r.delay, r.fire)
	} else {
		r.timer.Reset(r.delay)
	}
}

// stop disarms the timer for good.
func (r *idleRelease) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.timer != nil {
		r.timer.Stop()
	}
}

func (r *idleRelease) fire() {
	r.mu.Lock()
	if r.busy > 0 || r.stopped {
		r.mu.Unlock()
		return // work came in; its end arms the timer again
	}
	allocated := heapAllocated()
	if allocated-r.mark < r.minAlloc {
		r.mu.Unlock()
		return
	}
	r.mark = allocated
	r.mu.Unlock()
	r.release()
}

// heapAllocated is the cumulative count of bytes allocated on the Go heap.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// releaseMemory returns the free Go heap to the system, then lets the
// embedder do the same for the C heap (Options.ReleaseMemory).
func (s *Server) releaseMemory() {
	start := time.Now()
	debug.FreeOSMemory()
	if s.opts.ReleaseMemory != nil {
		s.opts.ReleaseMemory()
	}
	s.log.Debug("idle: memory released", "took", time.Since(start))
}
