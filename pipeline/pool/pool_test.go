package pool

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"
	"testing"
	"time"
)

type sleepy struct {
	inflight *atomic.Int64
	peak     *atomic.Int64
	failAt   int
}

func (s *sleepy) Process(ctx context.Context, in int) (int, error) {
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if in == s.failAt {
		return 0, errors.New("boom")
	}
	time.Sleep(time.Duration((in*7919)%5) * 100 * time.Microsecond)
	return in * in, nil
}

func (s *sleepy) Close() error { return nil }

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func TestRunKeepsInputOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			var inflight, peak atomic.Int64
			var got []int
			err := Run(context.Background(), workers, count(500),
				func(context.Context) (Worker[int, int], error) {
					return &sleepy{inflight: &inflight, peak: &peak, failAt: -1}, nil
				},
				func(out int) error { got = append(got, out); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 500 {
				t.Fatalf("got %d results", len(got))
			}
			for i, v := range got {
				if v != i*i {
					t.Fatalf("result %d = %d, want %d", i, v, i*i)
				}
			}
			if peak.Load() > int64(workers) {
				t.Errorf("%d items in flight with %d workers", peak.Load(), workers)
			}
		})
	}
}

func TestRunStopsOnError(t *testing.T) {
	var inflight, peak atomic.Int64
	seen := 0
	err := Run(context.Background(), 4, count(1_000_000),
		func(context.Context) (Worker[int, int], error) {
			return &sleepy{inflight: &inflight, peak: &peak, failAt: 100}, nil
		},
		func(int) error { seen++; return nil })
	if err == nil || err.Error() != "boom" {
		t.Fatalf("err = %v, want boom", err)
	}
	if seen > 100 {
		t.Errorf("sink saw %d results past the failing item 100", seen)
	}
}

func TestRunSinkErrorCancels(t *testing.T) {
	var inflight, peak atomic.Int64
	err := Run(context.Background(), 2, count(1_000_000),
		func(context.Context) (Worker[int, int], error) {
			return &sleepy{inflight: &inflight, peak: &peak, failAt: -1}, nil
		},
		func(v int) error {
			if v == 25 {
				return errors.New("disk full")
			}
			return nil
		})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v", err)
	}
}

func TestRunRejectsNoWorkers(t *testing.T) {
	err := Run(context.Background(), 0, count(1), nil, func(int) error { return nil })
	if err == nil {
		t.Fatal("zero workers accepted")
	}
}

// gated fails item 0 once the other worker has finished every other item
// the window admits and waits for more: the producer, waiting for item 0's
// slot, sends nothing, so only the failure can end the run.
type gated struct {
	done *atomic.Int64
	last int
}

func (g *gated) Process(ctx context.Context, in int) (int, error) {
	if in != 0 {
		g.done.Add(1)
		return in, nil
	}
	for g.done.Load() < int64(g.last) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // the other worker is now idle
	return 0, errors.New("boom")
}

func (g *gated) Close() error { return nil }

func TestRunFailureWakesIdleWorkers(t *testing.T) {
	const workers = 2
	var done atomic.Int64
	errc := make(chan error, 1)
	go func() {
		// the window is 4*workers items: items 1..7 finish, item 8 waits
		// for item 0's slot
		errc <- Run(context.Background(), workers, count(100),
			func(context.Context) (Worker[int, int], error) { return &gated{done: &done, last: 4*workers - 1}, nil },
			func(int) error { return nil })
	}()
	select {
	case err := <-errc:
		if err == nil || err.Error() != "boom" {
			t.Fatalf("err = %v, want boom", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run hung after a worker failed while the other was idle")
	}
}
