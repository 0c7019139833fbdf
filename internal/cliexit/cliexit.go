// Package cliexit runs a cobra command tree in-process and maps its
// outcome to the exit codes both front ends (policystrata and raigo)
// share: 0 success, 1 failure, 2 bad input.
package cliexit

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	OK       = 0
	Failure  = 1
	BadInput = 2
)

// UsageError marks flag and argument mistakes (exit 2).
type UsageError struct{ error }

// Usage wraps err as a UsageError.
func Usage(err error) error { return UsageError{err} }

// Code lets a command choose its exit code without an error message.
type Code int

// Error implements error.
func (c Code) Error() string { return fmt.Sprintf("exit %d", int(c)) }

// Result is what a command's RunE returns for the exit code and error of
// its run function: the error, else the code as a Code when it is not OK.
func Result(code int, err error) error {
	if err != nil {
		return err
	}
	if code != OK {
		return Code(code)
	}
	return nil
}

// Options are the front end's own rules for errors.
type Options struct {
	// BadInput reports whether an error that is not a UsageError is bad
	// input (exit 2) rather than a failure (exit 1).
	BadInput func(error) bool
	// Print writes err to stderr; nil prints "error: <err>".
	Print func(stderr io.Writer, err error)
}

// Execute runs root with args on stdout and stderr and returns the exit
// code: OK without an error, a Code's own value, BadInput for usage errors
// (flag errors included) and for what opt.BadInput accepts, else Failure.
func Execute(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer, opt Options) int {
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return UsageError{err} })
	err := root.ExecuteContext(ctx)
	if err == nil {
		return OK
	}
	var code Code
	if errors.As(err, &code) {
		return int(code)
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// the run was interrupted (the caller reports the signal): the
		// cancellation is not an error of its own
		return Failure
	}
	if opt.Print != nil {
		opt.Print(stderr, err)
	} else {
		fmt.Fprintln(stderr, "error:", err)
	}
	var ue UsageError
	if errors.As(err, &ue) || (opt.BadInput != nil && opt.BadInput(err)) {
		return BadInput
	}
	return Failure
}
