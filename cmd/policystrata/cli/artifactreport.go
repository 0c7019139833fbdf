package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/artifact"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// artifactParams are the arguments and flags of `policystrata artifact-report`.
type artifactParams struct {
	Run, Format, DomainPath string
}

func newArtifactReport(stdout io.Writer) *cobra.Command {
	p := &artifactParams{}
	cmd := &cobra.Command{
		Use:   "artifact-report RUN",
		Short: "Report a run's identity, counts, file sizes and timings",
		Example: `  policystrata artifact-report runs/heldout
  policystrata artifact-report runs/mine --domain-path ./my_domain --format json`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Run = args[0]
			return runArtifactReport(cmd.Context(), *p, stdout)
		},
	}
	cmd.Flags().StringVar(&p.Format, "format", "markdown", "output format: markdown or json")
	cmd.Flags().StringVar(&p.DomainPath, "domain-path", "", "domain directory (default: the built-in domain the run names)")
	return cmd
}

func runArtifactReport(ctx context.Context, p artifactParams, stdout io.Writer) error {
	if p.Format != "markdown" && p.Format != "json" {
		return cliexit.Usage(fmt.Errorf("--format must be markdown or json"))
	}
	var d *spec.Domain
	var err error
	if p.DomainPath != "" {
		if d, err = domains.LoadDir(p.DomainPath); err != nil {
			return err
		}
	} else if b, err := os.ReadFile(metadataFile(p.Run)); err == nil {
		var md struct {
			Domain string `json:"domain"`
		}
		if json.Unmarshal(b, &md) == nil {
			d, _ = domains.Load(md.Domain)
		}
	}
	r, err := artifact.Build(ctx, p.Run, d)
	if err != nil {
		return err
	}
	if p.Format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return artifact.Markdown(stdout, r)
}

// metadataFile is the metadata.json of a run directory, or of the first
// shard of a run --shard dataset (every shard's names the same domain and
// suite).
func metadataFile(dir string) string {
	p := filepath.Join(dir, "metadata.json")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if shards, _ := filepath.Glob(filepath.Join(dir, "shard=*", "metadata.json")); len(shards) > 0 {
		return shards[0]
	}
	return p
}
