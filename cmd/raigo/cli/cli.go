// Package cli holds the raigo cobra commands: test, validate and eval.
// Each command is a params struct and a run function over library calls
// (pipeline/raigo, pipeline/raigorun); Main runs the whole CLI in-process,
// so tests call it directly, and maps errors to exit codes: 0 success,
// 1 failure, 2 bad input (a suite or policy that cannot be loaded or is
// invalid, or a wrong command line).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/pipeline/raigorun"
)

// Exit codes.
const (
	ExitOK       = raigorun.ExitOK
	ExitFailure  = raigorun.ExitFailed
	ExitBadInput = raigorun.ExitBadInput
)

// usageError marks flag and argument mistakes (exit 2).
type usageError struct{ error }

// exitCode lets a command choose its exit code without an error message.
type exitCode int

// Error implements error.
func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// Main runs the CLI with args and returns the exit code. stdin feeds
// `raigo eval --prompt -`.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	var ie *raigorun.InputError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			fmt.Fprintln(stderr, p)
		}
		return ExitBadInput
	}
	fmt.Fprintln(stderr, "error:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return ExitBadInput
	}
	return ExitFailure
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "raigo",
		Short: "Test, validate and evaluate .raigo AI-governance policies",
		Long: `raigo evaluates prompts against .raigo policies with the reference engine's
semantics (and this project's decisions: ENFORCE is a standing directive, not a
block; the representative rule is chosen by severity, then priority, then file
order), validates policy files, and runs .raigo-test.yaml suites.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q for %q (commands: test, validate, eval)", args[0], cmd.Name())}
			}
			return cmd.Help()
		},
	}
	root.AddCommand(newTest(stdout, stderr), newValidate(stdout), newEval(stdin, stdout))
	return root
}

// run wraps a command's run function: a non-zero code without an error
// becomes an exitCode.
func run(code int, err error) error {
	if err != nil {
		return err
	}
	if code != ExitOK {
		return exitCode(code)
	}
	return nil
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usageError{fmt.Errorf("%s needs at least %d argument(s), got %d", cmd.Name(), n, len(args))}
		}
		return nil
	}
}
