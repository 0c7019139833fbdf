package cli

import (
	"io"

	"github.com/policystrata/policystrata/internal/progress"
)

// progressMode chooses how progress is shown on stderr; tests replace it
// to draw the bar into a buffer.
var progressMode = progress.Detect

// newProgress returns the reporter a long command feeds: a bar when stderr
// is a terminal, a plain line every ten seconds otherwise, nothing with
// --quiet. It writes to stderr only.
func newProgress(stderr io.Writer, quiet bool, label, unit string) progress.Reporter {
	return progress.New(stderr, progressMode(stderr, quiet), progress.Options{Label: label, Unit: unit})
}

// quietUsage is the help of every --quiet flag.
const quietUsage = "no progress on stderr (by default a bar on a terminal, otherwise a line every 10 seconds and at the end)"
