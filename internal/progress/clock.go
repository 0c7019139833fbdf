package progress

import "time"

// Clock is the time source of a Reporter: tests inject a fake one, so the
// ticker is tested without sleeping.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// Tick delivers a time every d until stop is called.
	Tick(d time.Duration) (c <-chan time.Time, stop func())
}

// systemClock is the real clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Tick(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}
