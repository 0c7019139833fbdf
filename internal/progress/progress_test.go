package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock is a Clock the test moves by hand: Advance sends one tick per
// interval crossed and returns once the reporter has rendered it.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	every    time.Duration
	next     time.Time
	c        chan time.Time
	rendered chan struct{}
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), rendered: make(chan struct{})}
}

// newReporter returns a reporter on clk whose renders Advance waits for.
func newReporter(w io.Writer, m Mode, clk *fakeClock) Reporter {
	r := New(w, m, Options{Label: "run", Unit: "tasks", Clock: clk})
	if t, ok := r.(*ticking); ok {
		t.afterTick = func() { clk.rendered <- struct{}{} }
	}
	return r
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Tick(d time.Duration) (<-chan time.Time, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.every, f.next, f.c = d, f.now.Add(d), make(chan time.Time)
	return f.c, func() {}
}

// Advance moves the clock by d, delivering the ticks it crosses.
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	end := f.now.Add(d)
	f.mu.Unlock()
	for {
		f.mu.Lock()
		if f.c == nil || f.next.After(end) {
			f.now = end
			f.mu.Unlock()
			return
		}
		at := f.next
		f.now, f.next = at, at.Add(f.every)
		c := f.c
		f.mu.Unlock()
		c <- at
		<-f.rendered
	}
}

// step is one thing a test does to a reporter.
type step struct {
	set     int           // Set(set) when >= 0
	advance time.Duration // then advance the clock
}

func TestLines(t *testing.T) {
	tests := []struct {
		name  string
		total int
		steps []step
		want  []string
	}{
		{
			name:  "the example line, then the end",
			total: 10000,
			steps: []step{{set: 1200, advance: 10 * time.Second}, {set: 10000, advance: 2 * time.Second}},
			want: []string{
				"run: 1200/10000 tasks, 120.0/s, ETA 1m13s",
				"run: 10000/10000 tasks, 833.3/s, done in 12s",
			},
		},
		{
			name:  "a line every ten seconds even when nothing moves",
			total: 100,
			steps: []step{{set: 0, advance: 30 * time.Second}, {set: 100, advance: 5 * time.Second}},
			want: []string{
				"run: 0/100 tasks, 0.0/s",
				"run: 0/100 tasks, 0.0/s",
				"run: 0/100 tasks, 0.0/s",
				"run: 100/100 tasks, 2.9/s, done in 35s",
			},
		},
		{
			name:  "a short stage prints only the final line",
			total: 50,
			steps: []step{{set: 50, advance: 3100 * time.Millisecond}},
			want:  []string{"run: 50/50 tasks, 16.1/s, done in 3.1s"},
		},
		{
			name:  "an interrupted stage says where it stopped",
			total: 10000,
			steps: []step{{set: 1200, advance: 12460 * time.Millisecond}},
			want: []string{
				"run: 1200/10000 tasks, 120.0/s, ETA 1m13s",
				"run: 1200/10000 tasks, 96.3/s, stopped after 12s",
			},
		},
		{
			name:  "unknown total: count and rate, no ETA",
			total: 0,
			steps: []step{{set: 40, advance: 10 * time.Second}, {set: 45, advance: 0}},
			want: []string{
				"run: 40 tasks, 4.0/s",
				"run: 45 tasks, 4.5/s, done in 10s",
			},
		},
		{
			name:  "a smaller count never moves the counter back",
			total: 10,
			steps: []step{{set: 7, advance: 0}, {set: 3, advance: 10 * time.Second}},
			want: []string{
				"run: 7/10 tasks, 0.7/s, ETA 4.3s",
				"run: 7/10 tasks, 0.7/s, stopped after 10s",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			var buf bytes.Buffer
			r := newReporter(&buf, Lines, clk)
			r.Start(tc.total)
			if clk.every != DefaultEvery {
				t.Fatalf("ticker every %v, want %v", clk.every, DefaultEvery)
			}
			for _, s := range tc.steps {
				if s.set >= 0 {
					r.Set(s.set)
				}
				clk.Advance(s.advance)
			}
			r.Finish()
			r.Finish() // idempotent
			if diff := cmp.Diff(tc.want, lines(buf.String())); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// TestQuiet: off writes nothing whatever it is fed.
func TestQuiet(t *testing.T) {
	var buf bytes.Buffer
	m := Detect(&buf, true)
	if m != Off {
		t.Fatalf("Detect(quiet) = %v, want off", m)
	}
	r := New(&buf, m, Options{Label: "run", Unit: "tasks", Clock: newFakeClock()})
	r.Start(10)
	r.Set(10)
	r.Finish()
	if buf.Len() != 0 {
		t.Errorf("quiet wrote %q", buf.String())
	}
}

// TestFinishWithoutStart: a stage that failed before it started prints
// nothing.
func TestFinishWithoutStart(t *testing.T) {
	for _, m := range []Mode{Lines, Bar} {
		var buf bytes.Buffer
		r := New(&buf, m, Options{Label: "run", Unit: "tasks", Clock: newFakeClock()})
		r.Set(3)
		r.Finish()
		r.Start(10) // after Finish: ignored
		if buf.Len() != 0 {
			t.Errorf("%v wrote %q", m, buf.String())
		}
	}
}

func TestDetect(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	yes := func(io.Writer) bool { return true }
	tests := []struct {
		name  string
		w     io.Writer
		quiet bool
		term  func(io.Writer) bool
		env   string
		want  Mode
	}{
		{"a buffer is not a terminal", &bytes.Buffer{}, false, isTerminal, "xterm", Lines},
		{"a pipe is not a terminal", pw, false, isTerminal, "xterm", Lines},
		{"/dev/null is a character device, not a terminal", devnull, false, isTerminal, "xterm", Lines},
		{"a terminal draws the bar", pw, false, yes, "xterm-256color", Bar},
		{"TERM=dumb falls back to lines", pw, false, yes, "dumb", Lines},
		{"quiet wins over a terminal", pw, true, yes, "xterm", Off},
		{"quiet wins over a pipe", pw, true, isTerminal, "xterm", Off},
		{"no writer", nil, false, yes, "xterm", Off},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := detect(tc.w, tc.quiet, tc.term, tc.env); got != tc.want {
				t.Errorf("detect = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBar draws the bar into a buffer (as on a terminal) and checks it
// shows the count and ends with the final line.
func TestBar(t *testing.T) {
	for _, total := range []int{200, 0} {
		clk := newFakeClock()
		var buf bytes.Buffer
		r := newReporter(&buf, Bar, clk)
		r.Start(total)
		if clk.every != barEvery {
			t.Fatalf("bar redraws every %v, want %v", clk.every, barEvery)
		}
		r.Set(120)
		clk.Advance(barEvery)
		r.Set(200)
		clk.Advance(time.Second)
		r.Finish()
		out := buf.String()
		want := "120/200"
		if total == 0 {
			want = "120/-"
		}
		if !strings.Contains(out, want) || !strings.Contains(out, "\r") {
			t.Errorf("total %d: bar output lacks %q or a carriage return:\n%q", total, want, out)
		}
		final := "run: 200/200 tasks, 166.7/s, done in 1.2s\n"
		if total == 0 {
			final = "run: 200 tasks, 166.7/s, done in 1.2s\n"
		}
		if !strings.HasSuffix(out, final) {
			t.Errorf("total %d: output does not end with %q:\n%q", total, final, out)
		}
	}
}

// TestSetIsCheap: Set never writes (only the ticker does), so a sink
// calling it per item costs one atomic operation.
func TestSetIsCheap(t *testing.T) {
	var buf bytes.Buffer
	r := newReporter(&buf, Lines, newFakeClock())
	r.Start(1000000)
	for i := 1; i <= 1000000; i++ {
		r.Set(i)
	}
	if buf.Len() != 0 {
		t.Errorf("Set wrote %q", buf.String())
	}
	if n := testing.AllocsPerRun(1000, func() { r.Set(5) }); n != 0 {
		t.Errorf("Set allocates %v times", n)
	}
	r.Finish()
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{3140 * time.Millisecond, "3.1s"},
		{9960 * time.Millisecond, "10s"},
		{91370 * time.Millisecond, "1m31s"},
		{2*time.Hour + 5*time.Second, "2h0m5s"},
	}
	for _, tc := range tests {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
