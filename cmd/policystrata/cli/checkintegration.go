package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/scan"
	"github.com/policystrata/policystrata/pipeline/scan/dbtsemantic"
)

// checkIntegrationParams are the flags of `policystrata check-integration`.
type checkIntegrationParams struct {
	Kind       string
	Domain     string
	DomainPath string
	Path       string
	Strict     bool
}

func newCheckIntegration(stdout io.Writer) *cobra.Command {
	p := &checkIntegrationParams{}
	cmd := &cobra.Command{
		Use:   "check-integration dbt-semantic",
		Short: "Compare a dbt semantic layer with a domain's canonical policy",
		Long: `check-integration dbt-semantic prints, as JSON, which policy metrics and
dimensions the dbt semantic models serve, which they lack or declare beyond the
policy, measure expressions that disagree with the policy, and sensitive
dimensions without sensitive metadata. With --strict (or --fail-on-warning) it
exits 1 when any of those lists is non-empty.`,
		Example: `  policystrata check-integration dbt-semantic --domain finance_saas \
      --path examples/scan/integrations/dbt_semantic/finance_saas/semantic_models.yml --strict`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Kind = args[0]
			return cliexit.Result(runCheckIntegration(*p, stdout))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Domain, "domain", "support_saas", "built-in domain ("+fmt.Sprint(domains.Names())+")")
	f.StringVar(&p.DomainPath, "domain-path", "", "domain directory (policy.yaml and surfaces.yaml) instead of a built-in")
	f.StringVar(&p.Path, "path", "", "dbt semantic-model YAML file (required)")
	f.BoolVar(&p.Strict, "strict", false, "exit 1 when any warning list is non-empty")
	f.BoolVar(&p.Strict, "fail-on-warning", false, "same as --strict")
	return cmd
}

func runCheckIntegration(p checkIntegrationParams, stdout io.Writer) (int, error) {
	if p.Kind != "dbt-semantic" {
		return 0, cliexit.Usage(fmt.Errorf("unknown integration %q (known: dbt-semantic)", p.Kind))
	}
	if p.Path == "" {
		return 0, cliexit.Usage(fmt.Errorf("--path is required"))
	}
	var dom *scan.Domain
	var err error
	if p.DomainPath != "" {
		dom, err = scan.LoadDomainDir(p.DomainPath, p.Domain)
	} else {
		if !slices.Contains(domains.Names(), p.Domain) {
			return 0, cliexit.Usage(fmt.Errorf("unknown domain %q", p.Domain))
		}
		d, lerr := domains.Load(p.Domain)
		if lerr != nil {
			return 0, lerr
		}
		dom = &scan.Domain{Name: p.Domain, Policy: d.Policy, Surfaces: d.Surfaces, Full: d, Builtin: true}
	}
	if err != nil {
		return 0, err
	}
	f, err := dbtsemantic.Load(p.Path)
	if err != nil {
		return 0, err
	}
	in := dbtsemantic.Inspect(dom.Name, p.Path, dom.Policy, f)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(in); err != nil {
		return 0, fmt.Errorf("check integration: %w", err)
	}
	if p.Strict && in.Warnings() {
		return ExitFailure, nil
	}
	return ExitOK, nil
}
