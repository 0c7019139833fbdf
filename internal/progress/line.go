package progress

import (
	"fmt"
	"io"
	"time"
)

// Snapshot is a stage's counters at one instant.
type Snapshot struct {
	Label   string
	Unit    string
	Done    int
	Total   int // 0 or less: unknown
	Elapsed time.Duration
}

// Rate is units per second since the start (0 before any time passed).
func (s Snapshot) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Done) / s.Elapsed.Seconds()
}

// ETA is the time left at the average rate so far; ok is false when it
// cannot be estimated (unknown total, nothing done yet).
func (s Snapshot) ETA() (eta time.Duration, ok bool) {
	r := s.Rate()
	if s.Total <= 0 || r <= 0 {
		return 0, false
	}
	left := s.Total - s.Done
	if left < 0 {
		left = 0
	}
	return time.Duration(float64(left) / r * float64(time.Second)), true
}

// String is the plain line: "run: 1200/10000 tasks, 96.3/s, ETA 1m31s".
func (s Snapshot) String() string {
	head := fmt.Sprintf("%d", s.Done)
	if s.Total > 0 {
		head += fmt.Sprintf("/%d", s.Total)
	}
	line := fmt.Sprintf("%s: %s %s, %.1f/s", s.Label, head, s.Unit, s.Rate())
	if eta, ok := s.ETA(); ok {
		line += ", ETA " + Duration(eta)
	}
	return line
}

// Final is the last line: the counters and how long the stage took.
func (s Snapshot) Final() string {
	head := fmt.Sprintf("%d", s.Done)
	if s.Total > 0 {
		head += fmt.Sprintf("/%d", s.Total)
	}
	verb := "done in"
	if s.Total > 0 && s.Done < s.Total {
		verb = "stopped after"
	}
	return fmt.Sprintf("%s: %s %s, %.1f/s, %s %s", s.Label, head, s.Unit, s.Rate(), verb, Duration(s.Elapsed))
}

// Duration renders d for a person: tenths of a second under ten seconds
// ("3.1s"), whole seconds above ("1m31s", "2h0m5s").
func Duration(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// renderLine writes one plain line (write errors are ignored: progress
// must never fail the work).
func renderLine(w io.Writer, s Snapshot, final bool) {
	if final {
		fmt.Fprintln(w, s.Final())
		return
	}
	fmt.Fprintln(w, s.String())
}
