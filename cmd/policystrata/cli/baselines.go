package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/baselines"
	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/internal/cliexit"
)

// baselinesParams are the arguments and flags of `policystrata baselines`.
type baselinesParams struct {
	Runs   []string
	Format string
}

func newBaselines(stdout io.Writer) *cobra.Command {
	p := &baselinesParams{}
	cmd := &cobra.Command{
		Use:   "baselines RUN...",
		Short: "Score the observable-only comparators against the detector",
		Long: `baselines reads the Parquet traces of the given runs (run directories,
traces.parquet files or directories of shards) through DuckDB and scores each
comparator a real team could run (validator, SQL AST, row-level security,
release filter, golden answers, ...) over the layer outputs alone: catch rate
over every injected non-equivalent mutant, false positives on the clean and
adversarial controls, and an exact McNemar test and bootstrap difference
against the detector on the same mutants.`,
		Example: `  policystrata baselines runs/support-generated runs/support-clean runs/support-adversarial
  policystrata baselines runs/shards/ --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cliexit.Usage(fmt.Errorf("baselines needs at least one run"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Runs = args
			return runBaselines(cmd.Context(), *p, stdout)
		},
	}
	cmd.Flags().StringVar(&p.Format, "format", "markdown", "output format: markdown or json")
	return cmd
}

func runBaselines(ctx context.Context, p baselinesParams, stdout io.Writer) error {
	if p.Format != "markdown" && p.Format != "json" {
		return cliexit.Usage(fmt.Errorf("--format must be markdown or json"))
	}
	inputs, err := dataset.ParseInputs(p.Runs)
	if err != nil {
		return cliexit.Usage(err)
	}
	set, err := dataset.Open(ctx, inputs)
	if err != nil {
		return err
	}
	defer set.Close()
	r, err := baselines.Score(ctx, set)
	if err != nil {
		return fmt.Errorf("score baselines: %w", err)
	}
	if p.Format == "json" {
		return baselines.WriteJSON(stdout, r)
	}
	return baselines.WriteMarkdown(stdout, r)
}
