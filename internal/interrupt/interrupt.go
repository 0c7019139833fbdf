// Package interrupt turns SIGINT and SIGTERM into the cancellation of a
// command's context, so an interrupted run unwinds normally: its deferred
// cleanup (staging directories, database schemas and roles) runs, and the
// process then exits with the shell's code for the signal (130 for SIGINT,
// 143 for SIGTERM). After the first signal the default behaviour returns,
// so a second one ends the process at once.
package interrupt

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Signals are the signals a Handler catches.
var Signals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// Handler holds the context a signal cancels and the signal received.
type Handler struct {
	ch     chan os.Signal
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	sig    os.Signal
}

// Notify returns a context derived from parent that the first SIGINT or
// SIGTERM cancels, and the Handler that reports it. Call Stop when the
// command returns.
func Notify(parent context.Context) (context.Context, *Handler) {
	ctx, cancel := context.WithCancel(parent)
	h := &Handler{ch: make(chan os.Signal, 1), cancel: cancel, done: make(chan struct{})}
	signal.Notify(h.ch, Signals...)
	go h.wait()
	return ctx, h
}

func (h *Handler) wait() {
	select {
	case sig := <-h.ch:
		h.mu.Lock()
		h.sig = sig
		h.mu.Unlock()
		// A second signal takes the default action (ends the process).
		signal.Stop(h.ch)
		h.cancel()
	case <-h.done:
	}
}

// Stop stops catching signals and releases the context.
func (h *Handler) Stop() {
	h.once.Do(func() {
		signal.Stop(h.ch)
		close(h.done)
		h.cancel()
	})
}

// Signal returns the signal that cancelled the context, or nil.
func (h *Handler) Signal() os.Signal {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sig
}

// ExitCode returns 128 plus the signal's number when a signal cancelled
// the context (130 for SIGINT, 143 for SIGTERM), else code.
func (h *Handler) ExitCode(code int) int {
	if s, ok := h.Signal().(syscall.Signal); ok {
		return 128 + int(s)
	}
	return code
}

// SignalName names the signal that cancelled the context ("SIGINT",
// "SIGTERM"), or returns "" when none did.
func (h *Handler) SignalName() string {
	switch h.Signal() {
	case nil:
		return ""
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return h.Signal().String()
}
