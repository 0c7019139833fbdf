package run

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a progress.Reporter keeping every call.
type recorder struct {
	mu       sync.Mutex
	starts   []int
	sets     []int
	finishes int
}

func (r *recorder) Start(total int) { r.mu.Lock(); r.starts = append(r.starts, total); r.mu.Unlock() }
func (r *recorder) Set(done int)    { r.mu.Lock(); r.sets = append(r.sets, done); r.mu.Unlock() }
func (r *recorder) Finish()         { r.mu.Lock(); r.finishes++; r.mu.Unlock() }

// TestProgressCounters: the run feeds its reporter the source's count,
// then every task done from the sink, in order, then finishes it once,
// whatever the worker count; an interrupted run finishes it too.
func TestProgressCounters(t *testing.T) {
	d, s := supportSeeded(t)
	n := s.Count()
	all := make([]int, n)
	for i := range all {
		all[i] = i + 1
	}
	for _, workers := range []int{1, 3} {
		r := &recorder{}
		cfg := Config{Domain: d, Source: s, Out: filepath.Join(t.TempDir(), "run"), Workers: workers, Progress: r}
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&recorder{starts: []int{n}, sets: all, finishes: 1}, r, cmp.AllowUnexported(recorder{}), cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".mu" }, cmp.Ignore())); diff != "" {
			t.Errorf("workers %d: reporter calls (-want +got):\n%s", workers, diff)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &recorder{}
	if _, err := Run(ctx, Config{Domain: d, Source: cancelling{s, 10, cancel}, Out: filepath.Join(t.TempDir(), "run"), Workers: 2, Progress: r}); err == nil {
		t.Fatal("cancelled run succeeded")
	}
	if r.finishes != 1 || len(r.sets) >= n {
		t.Errorf("interrupted run: %d finishes, %d sets of %d", r.finishes, len(r.sets), n)
	}
}
