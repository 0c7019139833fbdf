package progress

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Reporter receives a stage's counters. Start, Set and Finish may be
// called from different goroutines; Set is cheap enough for every item.
type Reporter interface {
	// Start begins the stage with total units of work (0 or less: the
	// total is unknown, so there is no ETA).
	Start(total int)
	// Set records that done units are finished.
	Set(done int)
	// Finish renders the final state and stops; later calls do nothing.
	Finish()
}

// Mode is how progress is shown.
type Mode int

// The modes: Off shows nothing, Lines prints a plain line at an interval
// and at the end, Bar draws a progress bar (a terminal).
const (
	Off Mode = iota
	Lines
	Bar
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Lines:
		return "lines"
	case Bar:
		return "bar"
	}
	return "off"
}

// DefaultEvery is the interval between plain lines.
const DefaultEvery = 10 * time.Second

// Options configure a Reporter.
type Options struct {
	// Label starts every line ("run", "scan").
	Label string
	// Unit names what is counted ("tasks", "cases").
	Unit string
	// Every is the interval between plain lines (default DefaultEvery).
	Every time.Duration
	// Clock is the time source (default the system clock); tests inject one.
	Clock Clock
}

// New returns a Reporter writing to w in mode m.
func New(w io.Writer, m Mode, o Options) Reporter {
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	switch m {
	case Lines:
		return &ticking{counter: counter{opt: o}, w: w, every: o.Every, render: renderLine}
	case Bar:
		return newBar(w, o)
	}
	return Nop{}
}

// Nop is a Reporter that shows nothing.
type Nop struct{}

// Start does nothing.
func (Nop) Start(int) {}

// Set does nothing.
func (Nop) Set(int) {}

// Finish does nothing.
func (Nop) Finish() {}

// counter holds the shared state of the reporters: the counters the sink
// sets and when the stage started.
type counter struct {
	opt   Options
	done  atomic.Int64
	total atomic.Int64
	start time.Time
}

// Set records done (monotone: a smaller value is ignored).
func (c *counter) Set(done int) {
	for {
		old := c.done.Load()
		if int64(done) <= old || c.done.CompareAndSwap(old, int64(done)) {
			return
		}
	}
}

// snapshot is the counters at one instant.
func (c *counter) snapshot() Snapshot {
	return Snapshot{Label: c.opt.Label, Unit: c.opt.Unit, Done: int(c.done.Load()), Total: int(c.total.Load()),
		Elapsed: c.opt.Clock.Now().Sub(c.start)}
}

// ticking runs one goroutine that renders the counters every interval
// until Finish, which renders the final state.
type ticking struct {
	counter
	w      io.Writer
	every  time.Duration
	render func(w io.Writer, s Snapshot, final bool)
	// onStart renders once at Start (the bar shows at once; a plain line
	// waits for the first interval).
	onStart bool
	// afterTick, when set (tests), runs after each interval's render.
	afterTick func()

	mu      sync.Mutex
	started bool
	ended   bool
	stop    chan struct{}
	wg      sync.WaitGroup
}

// Start records the total and starts the ticker (once).
func (t *ticking) Start(total int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total.Store(int64(total))
	if t.started || t.ended {
		return
	}
	t.started = true
	t.start = t.opt.Clock.Now()
	t.stop = make(chan struct{})
	if t.onStart {
		t.render(t.w, t.snapshot(), false)
	}
	tick, stopTick := t.opt.Clock.Tick(t.every)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer stopTick()
		for {
			select {
			case <-tick:
				t.render(t.w, t.snapshot(), false)
				if t.afterTick != nil {
					t.afterTick()
				}
			case <-t.stop:
				return
			}
		}
	}()
}

// Finish stops the ticker and renders the final state (nothing when the
// stage never started).
func (t *ticking) Finish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started || t.ended {
		t.ended = true
		return
	}
	t.ended = true
	close(t.stop)
	t.wg.Wait()
	t.render(t.w, t.snapshot(), true)
}
