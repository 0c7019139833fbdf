package progress

import (
	"io"
	"os"

	"golang.org/x/term"
)

// Detect chooses the mode for w: Off when quiet, Bar when w is a terminal
// that can redraw a line (not TERM=dumb), Lines otherwise (a file, a pipe,
// a CI log, a buffer).
func Detect(w io.Writer, quiet bool) Mode {
	return detect(w, quiet, isTerminal, os.Getenv("TERM"))
}

func detect(w io.Writer, quiet bool, isTerm func(io.Writer) bool, termEnv string) Mode {
	switch {
	case quiet || w == nil:
		return Off
	case isTerm(w) && termEnv != "dumb":
		return Bar
	}
	return Lines
}

// isTerminal reports whether w is an *os.File on a terminal (a character
// device such as /dev/null is not one).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
