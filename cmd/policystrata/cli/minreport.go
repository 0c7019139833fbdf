package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/minreport"
)

// minReportParams are the arguments of `policystrata minimization-report`.
type minReportParams struct {
	Run    string
	Format string
}

func newMinimizationReport(stdout io.Writer) *cobra.Command {
	p := &minReportParams{}
	cmd := &cobra.Command{
		Use:   "minimization-report RUN",
		Short: "Report how far each witness of a run was minimized",
		Long: `Reads a run directory's witnesses (and the times in run.json) and reports, per
witness, the original and minimal bytes, the query (IR) and state reduction, the
replays spent, the time taken and whether it is 1-minimal (no single further
removal preserves it), with totals and medians.`,
		Example: `  policystrata minimization-report runs/demo
  policystrata minimization-report runs/gen --format json`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Run = args[0]
			return runMinReport(*p, stdout)
		},
	}
	cmd.Flags().StringVar(&p.Format, "format", "markdown", "output format: "+strings.Join(minreport.Formats(), " or "))
	return cmd
}

func runMinReport(p minReportParams, stdout io.Writer) error {
	if !slices.Contains(minreport.Formats(), p.Format) {
		return cliexit.Usage(fmt.Errorf("--format must be %s", strings.Join(minreport.Formats(), " or ")))
	}
	if err := runDirArg(p.Run); err != nil {
		return err
	}
	rep, err := minreport.Build(p.Run)
	if err != nil {
		return err
	}
	return minreport.Write(stdout, rep, p.Format)
}
