package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/ablations"
	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// ablationsParams are the arguments and flags of `policystrata ablations`.
type ablationsParams struct {
	Runs        []string
	Format      string
	DomainPaths []string
}

func newAblations(stdout io.Writer) *cobra.Command {
	p := &ablationsParams{}
	cmd := &cobra.Command{
		Use:   "ablations RUN...",
		Short: "Re-derive detection without one part of the detector at a time",
		Long: `ablations reads the runs' Parquet traces and re-runs the detector on every
trace's stored observations (the layers' outputs and the SQL's measurements;
the oracle's verdict is re-derived from the run's domain and seeded state, so
no database is needed), once whole and once with each part switched off: the
independent oracle's reference answer, the SQL AST checks, the database
containment probes, the release rules, the transition obligations. It reports
how many kills each part's removal loses or moves, and how many traces the
whole re-run reproduces exactly. Traces keep only the counts of the probes'
row keys, so the probes' stored findings are carried over as recorded. It also
reports what the distinguishing-state search and minimization contribute.
Runs of a domain that is not built in need --domain-path.`,
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
	cmd.Flags().StringSliceVar(&p.DomainPaths, "domain-path", nil, "directory of a domain the runs used that is not built in (repeatable)")
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
	opt := ablations.Options{Domains: map[string]*spec.Domain{}}
	for _, dir := range p.DomainPaths {
		d, err := domains.LoadDir(dir)
		if err != nil {
			return err
		}
		opt.Domains[d.Name] = d
	}
	set, err := dataset.Open(ctx, inputs)
	if err != nil {
		return err
	}
	defer set.Close()
	r, err := ablations.ScoreWith(ctx, set, opt)
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
