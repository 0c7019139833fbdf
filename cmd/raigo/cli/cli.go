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

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/raigorun"
)

// Exit codes.
const (
	ExitOK       = raigorun.ExitOK
	ExitFailure  = raigorun.ExitFailed
	ExitBadInput = raigorun.ExitBadInput
)

// Main runs the CLI with args and returns the exit code. stdin feeds
// `raigo eval --prompt -`. A suite or policy that cannot be loaded prints
// its problems, one per line, and exits 2.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetIn(stdin)
	return cliexit.Execute(ctx, root, args, stdout, stderr, cliexit.Options{
		BadInput: func(err error) bool {
			var ie *raigorun.InputError
			return errors.As(err, &ie)
		},
		Print: func(w io.Writer, err error) {
			var ie *raigorun.InputError
			if !errors.As(err, &ie) {
				fmt.Fprintln(w, "error:", err)
				return
			}
			for _, p := range ie.Problems {
				fmt.Fprintln(w, p)
			}
		},
	})
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
				return cliexit.Usage(fmt.Errorf("unknown command %q for %q (commands: test, validate, eval)", args[0], cmd.Name()))
			}
			return cmd.Help()
		},
	}
	root.AddCommand(newTest(stdout, stderr), newValidate(stdout), newEval(stdin, stdout))
	return root
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return cliexit.Usage(fmt.Errorf("%s needs at least %d argument(s), got %d", cmd.Name(), n, len(args)))
		}
		return nil
	}
}
