// Package cli holds the policystrata cobra commands. Each command is a
// params struct and a run function over library calls; Main runs the whole
// CLI in-process (tests call it directly) and maps errors to exit codes:
// 0 success, 1 failure, 2 bad input.
package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Exit codes.
const (
	ExitOK       = cliexit.OK
	ExitFailure  = cliexit.Failure
	ExitBadInput = cliexit.BadInput
)

// exitCode lets a command choose its exit code without an error message.
type exitCode = cliexit.Code

// Main runs the CLI with args and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cliexit.Execute(ctx, newRoot(stdout, stderr), args, stdout, stderr,
		cliexit.Options{BadInput: strictyaml.IsInputError})
}

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
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cliexit.Usage(fmt.Errorf("unknown command %q (see policystrata --help)", args[0]))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.AddCommand(newDemo(stdout, stderr), newRun(stdout, stderr), newSummarize(stdout), newInitDomain(stdout),
		newReplay(stdout), newMinimizationReport(stdout), newClean(stdout))
	root.AddCommand(newImportDomain(stdout, stderr))
	root.AddCommand(newCompare(stdout))
	root.AddCommand(newMerge(stdout))
	root.AddCommand(newBaselines(stdout))
	root.AddCommand(newEvidence(stdout, stderr), newAblations(stdout), newArtifactReport(stdout), newExport(stdout), newCost(stdout))
	root.AddCommand(newFreezeBenchmark(stdout), newVerifyFreeze(stdout), newVerifyRun(stdout))
	root.AddCommand(newScan(stdout, stderr), newCheckIntegration(stdout), newInitScan(stdout), newDoctor(stdout))
	addProfiling(root)
	return root
}

func positionalArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return cliexit.Usage(fmt.Errorf("%s takes %d argument(s), got %d", cmd.Name(), n, len(args)))
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return cliexit.Usage(fmt.Errorf("%s takes no arguments, got %q", cmd.Name(), args))
	}
	return nil
}
