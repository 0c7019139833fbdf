package progress

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// barEvery is how often the bar is redrawn: the sink only stores a
// counter, this is the only place the terminal is written.
const barEvery = 200 * time.Millisecond

// newBar returns a Reporter drawing a schollz/progressbar bar on w (a
// terminal): count, rate and ETA, redrawn every barEvery from the
// counters; when the stage ends the bar is cleared and the final plain
// line stays.
func newBar(w io.Writer, o Options) Reporter {
	b := &barRenderer{w: w, opt: o}
	return &ticking{counter: counter{opt: o}, w: w, every: barEvery, render: b.render, onStart: true}
}

// barRenderer owns the progressbar; it is only called from the ticking
// goroutine and then from Finish, never concurrently.
type barRenderer struct {
	w   io.Writer
	opt Options
	pb  *progressbar.ProgressBar
	max int64
}

func (b *barRenderer) render(_ io.Writer, s Snapshot, final bool) {
	total := int64(s.Total)
	if total <= 0 {
		total = -1 // unknown: a spinner with the count and rate
	}
	if b.pb == nil || total != b.max {
		b.clear()
		b.max = total
		b.pb = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(b.w),
			progressbar.OptionSetDescription(b.opt.Label),
			progressbar.OptionSetItsString(b.opt.Unit),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
			// no goroutine of its own: only the ticker redraws
			progressbar.OptionSetSpinnerChangeInterval(0),
		)
	}
	_ = b.pb.Set64(int64(s.Done)) // a drawing error must not fail the work
	if final {
		b.clear()
		fmt.Fprintln(b.w, s.Final())
	}
}

// clear erases the bar's line.
func (b *barRenderer) clear() {
	if b.pb != nil {
		_ = b.pb.Clear()
		_ = b.pb.Exit()
	}
}
