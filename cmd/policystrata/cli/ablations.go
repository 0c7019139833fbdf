package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/ablations"
	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/internal/cliexit"
)

// ablationsParams are the arguments and flags of `policystrata ablations`.
type ablationsParams struct {
	Runs   []string
	Format string
}

func newAblations(stdout io.Writer) *cobra.Command {
	p := &ablationsParams{}
	cmd := &cobra.Command{
		Use:   "ablations RUN...",
		Short: "Re-derive detection without one part of the detector at a time",
		Long: `ablations reads the runs' Parquet traces and, for each part of the detector
(the independent oracle's comparisons, the SQL AST checks, the database probes,
the release rules, the transition obligations), removes the findings that
part's checks made on the stored observations and re-runs localization and
accounting: how many kills are lost or move. It also reports what the
distinguishing-state search and minimization contribute.`,
		Example: `  policystrata ablations runs/support-seeded runs/finance-seeded runs/analytics-seeded
  policystrata ablations runs/support-gen --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cliexit.Usage(fmt.Errorf("ablations needs at least one run"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Runs = args
			return runAblations(cmd.Context(), *p, stdout)
		},
	}
	cmd.Flags().StringVar(&p.Format, "format", "markdown", "output format: markdown or json")
	return cmd
}

func runAblations(ctx context.Context, p ablationsParams, stdout io.Writer) error {
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
	r, err := ablations.Score(ctx, set)
	if err != nil {
		return fmt.Errorf("ablations: %w", err)
	}
	if p.Format == "json" {
		return writeJSONLine(stdout, r)
	}
	for _, t := range ablations.Tables(r) {
		if err := t.Markdown(stdout); err != nil {
			return err
		}
	}
	return nil
}
