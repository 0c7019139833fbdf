package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/scan/initscan"
)

// initScanParams are the flags of `policystrata init-scan`.
type initScanParams struct {
	Template     string
	Out          string
	SourceDomain string
	Force        bool
}

func newInitScan(stdout io.Writer) *cobra.Command {
	p := &initScanParams{}
	cmd := &cobra.Command{
		Use:   "init-scan [basic|postgres_dbt] --out DIR",
		Short: "Write a starter scan project (config, domain, example traces)",
		Example: `  # a config, a domain directory and one authorised trace; its scan passes
  policystrata init-scan --source-domain finance_saas --out ./scan-project
  policystrata scan --config ./scan-project/policystrata.yaml

  # the postgres_dbt example with the full support_saas domain
  policystrata init-scan postgres_dbt --out ./pg-example`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cliexit.Usage(fmt.Errorf("init-scan takes at most one template, got %q", args))
			}
			p.Template = "basic"
			if len(args) == 1 {
				p.Template = args[0]
			}
			return runInitScan(*p, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Out, "out", "", "directory to write (required)")
	f.StringVar(&p.SourceDomain, "source-domain", "support_saas", "built-in domain the basic template starts from (ignored by postgres_dbt)")
	f.BoolVar(&p.Force, "force", false, "overwrite existing files")
	return cmd
}

func runInitScan(p initScanParams, stdout io.Writer) error {
	if p.Out == "" {
		return cliexit.Usage(fmt.Errorf("--out is required"))
	}
	files, err := initscan.Files(p.Template, p.SourceDomain)
	if err != nil {
		return err
	}
	written, err := initscan.Write(p.Out, files, p.Force)
	if err != nil {
		return err
	}
	cfg := filepath.Join(p.Out, "policystrata.yaml")
	out := map[string]any{"template": p.Template, "out": p.Out, "files": written, "config": cfg}
	if p.Template == "postgres_dbt" {
		out["commands"] = map[string]string{
			"scan":               "policystrata scan --config " + cfg,
			"scan_clean":         "policystrata scan --config " + filepath.Join(p.Out, "policystrata_clean.yaml"),
			"scan_real_db_clean": "policystrata scan --config " + filepath.Join(p.Out, "policystrata_real_db_clean.yaml"),
			"doctor":             "policystrata doctor --config " + cfg,
		}
		out["notes"] = []string{
			"policystrata.yaml fails on purpose: an unauthorised release and a missing tenant predicate.",
			"domain/ is the full support_saas domain, so the tenant fallback (accounts.tenant_id) applies even through domain_path.",
		}
	} else {
		out["source_domain"] = p.SourceDomain
	}
	b, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(b))
	return nil
}
