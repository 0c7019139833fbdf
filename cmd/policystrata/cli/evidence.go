package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/evidence"
	"github.com/policystrata/policystrata/internal/cliexit"
)

// evidenceParams are the arguments and flags of `policystrata evidence`.
type evidenceParams struct {
	Runs  []string
	Out   string
	Quiet bool
}

func newEvidence(stdout, stderr io.Writer) *cobra.Command {
	p := &evidenceParams{}
	cmd := &cobra.Command{
		Use:   "evidence NAME=RUN...",
		Short: "Generate the evidence tables (Markdown and LaTeX) from runs' Parquet traces",
		Long: `evidence reads the runs' Parquet traces through DuckDB and writes the suite
results (with Wilson intervals and equivalence-proof kinds), evidence
provenance, the observable-only baselines (exact McNemar, bootstrap
differences), per-operator accounting and minimization tables. With --out it
writes DIR/evidence.md and DIR/<table>.tex (booktabs, for \input); without, it
prints the Markdown. Same runs, same bytes.`,
		Example: `  policystrata evidence support_seeded=runs/support-seeded support_generated=runs/support-gen \
      clean_controls=runs/support-clean --out paper/generated`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cliexit.Usage(fmt.Errorf("evidence needs at least one NAME=RUN"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Runs = args
			return runEvidence(cmd.Context(), *p, stdout, stderr)
		},
	}
	cmd.Flags().StringVar(&p.Out, "out", "", "directory to write evidence.md and the .tex tables into (replaced whole)")
	cmd.Flags().BoolVarP(&p.Quiet, "quiet", "q", false, quietUsage)
	return cmd
}

func runEvidence(ctx context.Context, p evidenceParams, stdout, stderr io.Writer) error {
	inputs, err := dataset.ParseInputs(p.Runs)
	if err != nil {
		return cliexit.Usage(err)
	}
	// steps: open the runs, evidence.Steps, write
	prog := newProgress(stderr, p.Quiet, "evidence", "steps")
	defer prog.Finish()
	prog.Start(evidence.Steps + 2)
	set, err := dataset.Open(ctx, inputs)
	if err != nil {
		return err
	}
	defer set.Close()
	prog.Set(1)
	tables, figs, err := evidence.BuildSteps(ctx, set, func(done int) { prog.Set(1 + done) })
	if err != nil {
		return err
	}
	if p.Out != "" {
		if err := evidence.Write(p.Out, tables, figs); err != nil {
			return err
		}
		prog.Set(evidence.Steps + 2)
		prog.Finish()
		fmt.Fprintf(stdout, "wrote %s (evidence.md, %d .tex tables, %d figures as PDF and PNG)\n", p.Out, len(tables), len(figs))
		return nil
	}
	prog.Set(evidence.Steps + 2)
	prog.Finish()
	for _, t := range tables {
		if err := t.Markdown(stdout); err != nil {
			return err
		}
	}
	return nil
}
