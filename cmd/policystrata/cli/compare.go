package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/gate"
	"github.com/policystrata/policystrata/internal/cliexit"
)

// compareParams are the arguments and flags of `policystrata compare`.
type compareParams struct {
	Base, New string
	MaxDrop   float64
	JUnit     string
}

func newCompare(stdout io.Writer) *cobra.Command {
	p := &compareParams{}
	cmd := &cobra.Command{
		Use:   "compare BASE_RUN NEW_RUN",
		Short: "Gate a run against a baseline run's scores (exit 1 on a regression)",
		Long: `compare reads the summaries of two runs (run directories or summary.json files)
and fails (exit 1) when the new run's kill rate (killed over every injected
mutant) drops by more than --max-drop, or, without --max-drop, below the lower
end of the baseline's Wilson 95% interval; when an operator gains survivors,
loses all its kills or is missing; or when a false positive appears. It prints a
Markdown table for a pull-request comment.`,
		Example: `  policystrata compare scripts/ci/baselines/support_saas-seeded.summary.json runs/support-seeded
  policystrata compare runs/main runs/pr --max-drop 0.02 --junit compare.xml`,
		Args: positionalArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Base, p.New = args[0], args[1]
			if !cmd.Flags().Changed("max-drop") {
				p.MaxDrop = -1
			}
			return cliexit.Result(runCompare(cmd.Context(), *p, stdout))
		},
	}
	cmd.Flags().Float64Var(&p.MaxDrop, "max-drop", 0, "largest allowed fall of the kill rate, as a fraction (default: the baseline's Wilson 95% interval)")
	cmd.Flags().StringVar(&p.JUnit, "junit", "", "also write the checks as JUnit XML to this file")
	return cmd
}

func runCompare(_ context.Context, p compareParams, stdout io.Writer) (int, error) {
	if p.MaxDrop > 1 || (p.MaxDrop < 0 && p.MaxDrop != -1) {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--max-drop must be in 0..1"))
	}
	base, err := gate.LoadSummary(p.Base)
	if err != nil {
		return ExitBadInput, err
	}
	cur, err := gate.LoadSummary(p.New)
	if err != nil {
		return ExitBadInput, err
	}
	r := gate.Compare(base, cur, gate.CompareOptions{MaxDrop: p.MaxDrop})
	if err := gate.WriteMarkdown(stdout, r); err != nil {
		return ExitFailure, err
	}
	if p.JUnit != "" {
		if err := writeJUnitFile(p.JUnit, r); err != nil {
			return ExitFailure, err
		}
	}
	return r.ExitCode(), nil
}

// writeJUnitFile writes r as JUnit XML to path through a temporary file
// beside it.
func writeJUnitFile(path string, r gate.Result) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".junit-*")
	if err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := gate.WriteJUnit(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}
