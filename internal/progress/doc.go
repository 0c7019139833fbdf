// Package progress shows how far a long command is: a progress bar on a
// terminal (tasks done, rate, ETA), a plain line at least every ten seconds
// elsewhere (CI logs, pipes), nothing when quiet. A Reporter is fed the
// pipeline's own counters (done of total) from the sink side; Set is one
// atomic store, and a single goroutine renders at a bounded rate, so
// reporting never slows the work it reports on. Progress goes to the
// writer it is given (stderr), never into a command's output.
package progress
