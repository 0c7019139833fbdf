package cli

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// tuneGC sets the garbage collector's percent for one command, unless
// the GOGC environment variable says otherwise, and returns what restores
// the previous setting. The soft memory limit is governMemory's.
func tuneGC(percent int) func() {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(old) }
}

// limitFor is the soft memory limit for a live heap of live bytes: floor,
// or headroom times the live heap when that is more, so the collector never
// has to run continuously to stay under the limit (a limit at or below the
// live heap would make it; 1.6 times collects about as often as GOGC=60).
func limitFor(live uint64, floor int64, headroom float64) int64 {
	if l := int64(float64(live) * headroom); l > floor {
		return l
	}
	return floor
}

// governMemory keeps the soft memory limit at limitFor(live heap) while a
// command runs, reading the live heap every period, unless GOMEMLIMIT says
// otherwise; the returned function stops it and restores the previous
// limit. A small fixed limit bounds a run's memory (the runtime returns
// freed pages to the system to stay under it) but would make a run over a
// large state, whose live heap passes it, collect without pause; following
// the live heap keeps the bound for small heaps and gives large ones room.
func governMemory(floor int64, headroom float64, period time.Duration) func() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetMemoryLimit(floor)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(s)
				if s[0].Value.Kind() == metrics.KindUint64 {
					debug.SetMemoryLimit(limitFor(s[0].Value.Uint64(), floor, headroom))
				}
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		debug.SetMemoryLimit(old)
	}
}
