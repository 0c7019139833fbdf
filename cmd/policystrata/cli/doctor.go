package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/scan/doctor"
	"github.com/policystrata/policystrata/pipeline/scan/report"
)

// doctorParams are the flags of `policystrata doctor`.
type doctorParams struct {
	Config string
	Format string
	Out    string
	Strict bool
}

func newDoctor(stdout io.Writer) *cobra.Command {
	p := &doctorParams{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Report how far a scan integration is wired",
		Long: `doctor without --config describes the environment (no LLM key and no host psql
are needed). With --config it loads every input the config names and reports
each stack item as wired, partial, missing or invalid, reading the PostgreSQL
catalog (RLS enabled and forced, policies, grants, views, tenant columns
without an index) when admin_url is set, else building the embedded DuckDB
fixture from the domain. --strict exits 1 unless every item is wired.`,
		Example: `  policystrata doctor
  policystrata doctor --config examples/scan/fully_wired/policystrata.yaml --strict
  policystrata doctor --config policystrata.yaml --format markdown --out doctor.md`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cliexit.Result(runDoctor(cmd.Context(), *p, stdout))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Config, "config", "", "scan config to inspect")
	f.StringVar(&p.Format, "format", "json", "json or markdown")
	f.StringVar(&p.Out, "out", "", "write the report here and print {\"out\": ...}")
	f.BoolVar(&p.Strict, "strict", false, "exit 1 when any stack item is missing, partial or invalid")
	return cmd
}

func runDoctor(ctx context.Context, p doctorParams, stdout io.Writer) (int, error) {
	if p.Format != "json" && p.Format != "markdown" {
		return 0, cliexit.Usage(fmt.Errorf("--format must be json or markdown"))
	}
	var body []byte
	code := ExitOK
	if p.Config == "" {
		env := doctor.Environment()
		if p.Format == "markdown" {
			body = []byte(doctor.EnvironmentMarkdown(env))
		} else {
			body, _ = json.MarshalIndent(env, "", "  ")
			body = append(body, '\n')
		}
	} else {
		c, err := config.Load(p.Config)
		if err != nil {
			return 0, err
		}
		r, err := doctor.Run(ctx, c)
		if err != nil {
			return 0, err
		}
		if p.Format == "markdown" {
			body = []byte(doctor.Markdown(r))
		} else {
			body, _ = json.MarshalIndent(r, "", "  ")
			body = append(body, '\n')
		}
		if p.Strict && !r.Strict() {
			code = ExitFailure
		}
	}
	if p.Out != "" {
		if err := report.WriteFile(p.Out, body); err != nil {
			return 0, err
		}
		b, _ := json.Marshal(map[string]string{"out": p.Out})
		fmt.Fprintln(stdout, string(b))
		return code, nil
	}
	stdout.Write(body)
	return code, nil
}
