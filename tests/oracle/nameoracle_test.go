package oracle

import (
	"context"
	"fmt"
	"sync"

	"github.com/abi3ls/abi3ls/abi"
	"github.com/abi3ls/abi3ls/grammars"
)

// nameRun is the compiler's verdict on every public name of one header set
// at every target from 3.2 up to the header version.
type nameRun struct {
	H          headerSet
	Names      map[string]*declared
	Config     map[string]bool   // pyconfig.h macros (declared, not probed)
	Chosen     map[string]probe  // the form each testable name is probed with
	Untestable map[string]string // names no form compiles cleanly, with why
	Targets    []abi.Version
	Rejected   map[abi.Version]map[string]string // target -> name -> first error
	Stray      map[abi.Version][]diagnostic      // errors outside any probe
}

// accepted reports whether gcc accepted the name at target t.
func (r *nameRun) accepted(name string, t abi.Version) bool {
	_, rej := r.Rejected[t][name]
	return !rej
}

// runNames extracts the names of h, selects a probe form for each, and
// compiles all probes once per target, in parallel.
func runNames(ctx context.Context, cc *compiler, pool *grammars.Pool, h headerSet) (*nameRun, error) {
	names, config, err := extractNames(ctx, cc, pool, h)
	if err != nil {
		return nil, err
	}
	chosen, untestable, err := selectForms(ctx, cc, h, names)
	if err != nil {
		return nil, err
	}
	run := &nameRun{H: h, Names: names, Config: config, Chosen: chosen, Untestable: untestable,
		Targets: targetsUpTo(h.Version), Rejected: map[abi.Version]map[string]string{},
		Stray: map[abi.Version][]diagnostic{}}
	probes := make([]probe, 0, len(chosen))
	for _, n := range sortedNames(chosen) {
		probes = append(probes, chosen[n])
	}
	var mu sync.Mutex
	err = parallel(ctx, len(run.Targets), func(ctx context.Context, i int) error {
		t := run.Targets[i]
		res, err := compileProbes(ctx, cc, h, []string{"Py_LIMITED_API=" + t.Hex()}, probes)
		if err != nil {
			return fmt.Errorf("%s at %s: %w", h.Label, t, err)
		}
		rej := map[string]string{}
		for idx, msgs := range res.Failed {
			rej[probes[idx].Name] = msgs[0]
		}
		mu.Lock()
		run.Rejected[t] = rej
		run.Stray[t] = res.Stray
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

// parallel runs f(0..n-1) concurrently (the compiler's semaphore bounds
// the processes) and returns the first error.
func parallel(ctx context.Context, n int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx, i); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
