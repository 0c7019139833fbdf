// Package pool runs a stage over a stream of items with a bounded worker
// pool: the producer stops when the context is cancelled, every send selects
// on ctx.Done(), at most a window of items is in flight (so memory does not
// grow with the stream), and results reach the sink in input order whatever
// the worker count. An error from a worker or the sink cancels the run.
package pool

import (
	"context"
	"fmt"
	"iter"

	"golang.org/x/sync/errgroup"
)

// Worker processes items with per-worker state (a database session).
type Worker[In, Out any] interface {
	Process(ctx context.Context, in In) (Out, error)
	Close() error
}

// Run processes src with n workers made by newWorker and hands results to
// sink in input order.
func Run[In, Out any](ctx context.Context, n int, src iter.Seq[In], newWorker func(ctx context.Context) (Worker[In, Out], error), sink func(Out) error) error {
	if n < 1 {
		return fmt.Errorf("pool: need at least one worker, got %d", n)
	}
	g, ctx := errgroup.WithContext(ctx)
	type job struct {
		idx int
		in  In
	}
	type result struct {
		idx int
		out Out
	}
	window := 4 * n
	slots := make(chan struct{}, window)
	jobs := make(chan job, n)
	results := make(chan result, window)

	g.Go(func() error {
		defer close(jobs)
		i := 0
		for in := range src {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case jobs <- job{i, in}:
			case <-ctx.Done():
				return ctx.Err()
			}
			i++
		}
		return nil
	})
	workers, wctx := errgroup.WithContext(ctx)
	for w := 0; w < n; w++ {
		workers.Go(func() error {
			wk, err := newWorker(wctx)
			if err != nil {
				return err
			}
			defer wk.Close()
			for {
				// an idle worker must see another's failure: the
				// producer, waiting for the failed item's slot, sends
				// no more jobs
				var j job
				select {
				case next, ok := <-jobs:
					if !ok {
						return nil
					}
					j = next
				case <-wctx.Done():
					return wctx.Err()
				}
				out, err := wk.Process(wctx, j.in)
				if err != nil {
					return err
				}
				select {
				case results <- result{j.idx, out}:
				case <-wctx.Done():
					return wctx.Err()
				}
			}
		})
	}
	g.Go(func() error {
		err := workers.Wait()
		close(results)
		return err
	})
	g.Go(func() error {
		pending := map[int]Out{}
		next := 0
		for r := range results {
			pending[r.idx] = r.out
			for {
				out, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if err := sink(out); err != nil {
					return err
				}
				<-slots
			}
		}
		return nil
	})
	return g.Wait()
}
