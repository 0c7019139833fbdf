// Package cli holds the policystrata cobra commands. Each command is a
// params struct and a run function over library calls; Main runs the whole
// CLI in-process (tests call it directly) and maps errors to exit codes:
// 0 success, 1 failure, 2 bad input.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitBadInput = 2
)

// usageError marks flag and argument mistakes (exit 2).
type usageError struct{ error }

// Main runs the CLI with args and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
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
	fmt.Fprintln(stderr, "error:", err)
	var ue usageError
	if errors.As(err, &ue) || strictyaml.IsInputError(err) {
		return ExitBadInput
	}
	return ExitFailure
}

// exitCode lets a command choose its exit code without an error message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "policystrata",
		Short: "Find cross-layer policy drift in LLM data-agent stacks",
		Long: `PolicyStrata runs benchmark suites through a real six-layer stack (manifest,
grammar, validator, SQL compiler, database, release gate) on an embedded DuckDB
database, compares every layer with the canonical policy through a blind
detector and an independent oracle, and minimizes each failure into a witness.

It is a testing and research tool, not an authorization boundary.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	root.AddCommand(newDemo(stdout, stderr), newRun(stdout, stderr), newSummarize(stdout), newInitDomain(stdout))
	return root
}

// isTerminal reports whether w is a terminal (progress goes only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func positionalArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes %d argument(s), got %d", cmd.Name(), n, len(args))}
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.Name(), args)}
	}
	return nil
}
