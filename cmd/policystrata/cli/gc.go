package cli

import (
	"os"
	"runtime/debug"
)

// tuneGC sets the garbage collector's percent and soft memory limit for
// one command, unless the GOGC or GOMEMLIMIT environment variables say
// otherwise, and returns what restores the previous settings.
func tuneGC(percent int, limit int64) func() {
	restore := []func(){}
	if os.Getenv("GOGC") == "" {
		old := debug.SetGCPercent(percent)
		restore = append(restore, func() { debug.SetGCPercent(old) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		old := debug.SetMemoryLimit(limit)
		restore = append(restore, func() { debug.SetMemoryLimit(old) })
	}
	return func() {
		for _, r := range restore {
			r()
		}
	}
}
