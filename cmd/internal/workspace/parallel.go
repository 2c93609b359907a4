package workspace

import (
	"context"
	"runtime"
	"sync"
)

// Parallel calls do(i) for every i in [0, n) on at most workers goroutines
// (all cores when workers <= 0). It stops handing out work when ctx is
// cancelled and returns once every started call has returned.
func Parallel(ctx context.Context, n, workers int, do func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				do(i)
			}
		}()
	}
feed:
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}
