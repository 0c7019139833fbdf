package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// cleanParams are the arguments of `policystrata clean`.
type cleanParams struct {
	PGDSN string
}

func newClean(stdout io.Writer) *cobra.Command {
	p := &cleanParams{}
	cmd := &cobra.Command{
		Use:   "clean --pg-dsn DSN",
		Short: "Drop the PostgreSQL schemas and roles that dead runs left behind",
		Long: `Every run on PostgreSQL names its schemas and roles ps_<12 hex digits>_... and holds
a lease on them (an advisory lock on a connection open for the run's whole life),
which the server releases however the run ends (a signal, kill -9, a lost
machine). clean drops the objects of every run whose lease is free and leaves
running ones alone. Runs do the same when they start, so clean is only needed
to tidy a server between runs. Roles are server-wide and schemas belong to one
database: a role that still holds privileges in another database is reported
(run clean against that database too). Exit 0 when everything dead was dropped,
1 when some object could not be, 2 on a bad DSN.`,
		Example: `  policystrata clean --pg-dsn postgres://postgres@127.0.0.1:5432/test
  POLICYSTRATA_PG_DSN=postgres://postgres@127.0.0.1:5432/test policystrata clean`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cliexit.Usage(fmt.Errorf("clean takes no arguments"))
			}
			if p.PGDSN == "" {
				p.PGDSN = os.Getenv("POLICYSTRATA_PG_DSN")
			}
			if p.PGDSN == "" {
				return cliexit.Usage(fmt.Errorf("clean needs --pg-dsn (or POLICYSTRATA_PG_DSN)"))
			}
			return cliexit.Result(runClean(cmd.Context(), *p, stdout))
		},
	}
	cmd.Flags().StringVar(&p.PGDSN, "pg-dsn", "", "PostgreSQL server to clean (default: $POLICYSTRATA_PG_DSN)")
	return cmd
}

func runClean(ctx context.Context, p cleanParams, stdout io.Writer) (int, error) {
	if err := db.ValidatePGDSN(p.PGDSN); err != nil {
		return ExitBadInput, cliexit.Usage(err)
	}
	rep, err := db.SweepPostgres(ctx, p.PGDSN)
	if err != nil {
		return ExitFailure, fmt.Errorf("clean: %w", err)
	}
	for _, name := range rep.Dropped {
		fmt.Fprintf(stdout, "dropped %s\n", name)
	}
	for _, name := range spec.SortedKeys(rep.Failed) {
		fmt.Fprintf(stdout, "FAILED  %s: %s\n", name, rep.Failed[name])
	}
	fmt.Fprintf(stdout, "%d objects of dead runs dropped, %d could not be, %d runs alive left alone\n", len(rep.Dropped), len(rep.Failed), len(rep.Live))
	if len(rep.Failed) > 0 {
		return ExitFailure, nil
	}
	return ExitOK, nil
}
