package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/importdomain"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

type importDomainParams struct {
	Dir                  string
	Out                  string
	AsOf                 string
	FiscalMonthStartDay  int
	FiscalYearStartMonth int
	MinCohortSize        int
	CohortKey            string
}

func newImportDomain(stdout, stderr io.Writer) *cobra.Command {
	p := &importDomainParams{}
	cmd := &cobra.Command{
		Use:   "import-domain DIR --out DIR2",
		Short: "Convert a Python reference domain directory (schema.sql, seed.sql) into this project's format",
		Long: `import-domain reads a domain directory of the Python reference (policy.yaml,
surfaces.yaml, schema.sql, seed.sql, optional row_policies.sql, tasks/) and
writes this project's domain format: schema.yaml from the tables, keys and
foreign keys DuckDB reads from the SQL, policy.yaml with tenancy, calendar and
metric semantics added, state.yaml holding every seed row as an explicit row,
surfaces.yaml and the suites unchanged. What it inferred and what needs a
person (tenant and ownership columns, the fiscal calendar, ...) is printed and
written to ` + importdomain.ReportFile + ` in DIR2. The output directory's name is the
converted domain's name.`,
		Example: `  policystrata import-domain ./reference/domains/support_saas --out ./support_saas --fiscal-month-start-day 26
  policystrata import-domain ./reference/domains/analytics_clickhouse --out ./analytics_clickhouse --min-cohort-size 3
  policystrata run --domain-path ./support_saas --suite seeded --out runs/imported`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Dir = args[0]
			return cliexit.Result(runImportDomain(cmd.Context(), *p, stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Out, "out", "", "directory to create (must not exist or be empty); its name is the domain's name")
	f.StringVar(&p.AsOf, "as-of", "", "evaluation date YYYY-MM-DD (default: the first day of the month after the seed's latest date)")
	f.IntVar(&p.FiscalMonthStartDay, "fiscal-month-start-day", 0, "day of the month fiscal months start on, 1..28 (default: 1, reported as needing a person)")
	f.IntVar(&p.FiscalYearStartMonth, "fiscal-year-start-month", 0, "month the fiscal year starts in, 1..12 (default: 1, reported)")
	f.IntVar(&p.MinCohortSize, "min-cohort-size", 0, "fewest distinct cohort keys a released group of an aggregate-only role must hold (default: none; the reference states no threshold)")
	f.StringVar(&p.CohortKey, "cohort-key", "", "table.column counting a group's cohort, with --min-cohort-size (default: the metrics' table's user_id)")
	return cmd
}

func runImportDomain(ctx context.Context, p importDomainParams, stdout, _ io.Writer) (int, error) {
	if p.Out == "" {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--out is required"))
	}
	if p.FiscalMonthStartDay < 0 || p.FiscalMonthStartDay > 28 {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--fiscal-month-start-day must be 1..28"))
	}
	if p.FiscalYearStartMonth < 0 || p.FiscalYearStartMonth > 12 {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--fiscal-year-start-month must be 1..12"))
	}
	if p.AsOf != "" {
		if _, err := spec.ParseDate(p.AsOf); err != nil {
			return ExitBadInput, cliexit.Usage(fmt.Errorf("--as-of: %v", err))
		}
	}
	st, err := os.Stat(p.Dir)
	if err != nil || !st.IsDir() {
		return ExitBadInput, strictyaml.Errorf(p.Dir, 0, "not a directory")
	}
	fsys := os.DirFS(p.Dir)
	if !importdomain.IsReference(fsys) {
		return ExitBadInput, strictyaml.Errorf(p.Dir, 0, "not a reference domain directory (want schema.sql and seed.sql, and no schema.yaml)")
	}
	name := filepath.Base(filepath.Clean(p.Out))
	if !spec.ValidID(name) {
		return ExitBadInput, strictyaml.Errorf(p.Out, 0, "directory name %q is not a safe domain id", name)
	}
	opts := importdomain.Options{Name: name, AsOf: p.AsOf, FiscalMonthStartDay: p.FiscalMonthStartDay, FiscalYearStartMonth: p.FiscalYearStartMonth,
		MinCohortSize: p.MinCohortSize, CohortKey: p.CohortKey}
	res, err := importdomain.Import(ctx, fsys, filepath.ToSlash(filepath.Clean(p.Dir)), opts)
	if err != nil {
		return ExitBadInput, err
	}
	if err := res.Write(p.Out); err != nil {
		return ExitBadInput, err
	}
	fmt.Fprint(stdout, res.Report.String())
	fmt.Fprintf(stdout, "\nwrote domain %s to %s (report: %s)\n", name, p.Out, filepath.Join(p.Out, importdomain.ReportFile))
	return ExitOK, nil
}
