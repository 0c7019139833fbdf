package cli

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimitFor(t *testing.T) {
	const floor = 160 << 20
	tests := []struct {
		name string
		live uint64
		want int64
	}{
		{"empty heap keeps the floor", 0, floor},
		{"small heap keeps the floor", 40 << 20, floor},
		{"at the crossing", 64 << 20, floor},
		{"large heap gets headroom", 400 << 20, 1000 << 20},
		{"huge heap", 8 << 30, 20 << 30},
	}
	for _, tc := range tests {
		if got := limitFor(tc.live, floor, 2.5); got != tc.want {
			t.Errorf("%s: limitFor(%d) = %d, want %d", tc.name, tc.live, got, tc.want)
		}
	}
}

// TestGovernMemoryFollowsTheLiveHeap holds a live heap above floor/headroom
// and checks that the governor raises the limit above it, then restores
// the previous limit when stopped.
func TestGovernMemoryFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	const floor = 4 << 20
	stop := governMemory(floor, 2.5, 5*time.Millisecond)
	live := make([][]byte, 0, 64)
	for i := 0; i < 64; i++ {
		live = append(live, make([]byte, 256<<10)) // 16 MiB live in all
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if debug.SetMemoryLimit(-1) >= int64(2.5*float64(16<<20)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("limit %d after 5 s with 16 MiB live, want at least %d", debug.SetMemoryLimit(-1), int64(2.5*float64(16<<20)))
		}
	}
	runtime.KeepAlive(live)
	stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit after stop %d, want the previous %d", got, before)
	}
}

// TestGovernMemoryLeavesGOMEMLIMIT does nothing when the user set a limit.
func TestGovernMemoryLeavesGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	before := debug.SetMemoryLimit(-1)
	stop := governMemory(4<<20, 2.5, time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit %d with GOMEMLIMIT set, want %d unchanged", got, before)
	}
	stop()
}

// TestTuneGC sets the percent and restores it, and leaves it alone when
// GOGC is set.
func TestTuneGC(t *testing.T) {
	for _, env := range []string{"", "150"} {
		t.Setenv("GOGC", env)
		before := debug.SetGCPercent(100)
		restore := tuneGC(400)
		got := debug.SetGCPercent(-1)
		debug.SetGCPercent(got)
		want := 400
		if env != "" {
			want = 100
		}
		if got != want {
			t.Errorf("GOGC=%q: percent %d, want %d", env, got, want)
		}
		restore()
		if after := debug.SetGCPercent(before); after != 100 {
			t.Errorf("GOGC=%q: percent after restore %d, want 100", env, after)
		}
	}
}

// TestMemoryBudget gives the lean budget to compact runs without
// minimization only: a run that minimizes or writes whole traces keeps a
// larger live heap, which the lean headroom would make the collector chase.
func TestMemoryBudget(t *testing.T) {
	tests := []struct {
		compact, noMinimize bool
		floor               int64
		headroom            float64
	}{
		{false, false, runMemoryFloor, runHeadroom},
		{true, false, runMemoryFloor, runHeadroom},
		{false, true, runMemoryFloor, runHeadroom},
		{true, true, leanMemoryFloor, leanHeadroom},
	}
	for _, tc := range tests {
		floor, headroom := memoryBudget(runParams{Compact: tc.compact, NoMinimize: tc.noMinimize})
		if floor != tc.floor || headroom != tc.headroom {
			t.Errorf("compact=%v no-minimize=%v: budget %d, %.1f; want %d, %.1f", tc.compact, tc.noMinimize, floor, headroom, tc.floor, tc.headroom)
		}
	}
	if leanMemoryFloor >= runMemoryFloor || leanHeadroom >= runHeadroom {
		t.Errorf("the lean budget (%d, %.1f) is not below the default (%d, %.1f)", leanMemoryFloor, leanHeadroom, runMemoryFloor, runHeadroom)
	}
}

// TestGCPercentFor checks that only a run that minimizes changes the
// collector's pace, and that its pace leaves the soft limit to start
// collections (above the default, which collects when the heap doubles).
func TestGCPercentFor(t *testing.T) {
	tests := []struct {
		compact, noMinimize bool
		want                int
	}{
		{false, false, minimizeGCPercent},
		{true, false, minimizeGCPercent},
		{false, true, 0},
		{true, true, 0},
	}
	for _, tc := range tests {
		if got := gcPercentFor(runParams{Compact: tc.compact, NoMinimize: tc.noMinimize}); got != tc.want {
			t.Errorf("compact=%v no-minimize=%v: GC percent %d, want %d", tc.compact, tc.noMinimize, got, tc.want)
		}
	}
	if minimizeGCPercent <= 100 || float64(minimizeGCPercent)/100+1 <= runHeadroom {
		t.Errorf("GC percent %d would collect before the soft limit of %.1f times the live heap", minimizeGCPercent, runHeadroom)
	}
}
