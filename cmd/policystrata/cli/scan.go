package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/scan"
	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/scan/report"
)

// scanParams are the flags of `policystrata scan`.
type scanParams struct {
	Config    string
	Out       string
	JUnit     string
	Workers   int
	SARIF     bool
	SARIFRoot string
	Quiet     bool
}

func newScan(stdout, stderr io.Writer) *cobra.Command {
	p := &scanParams{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Gate a release on the SQL traces a real application exported",
		Long: `scan checks the SQL an agent really ran (JSONL traces with the principal, tenant
ids and semantic intent) against the canonical policy: authorization, unsafe
release, tenant scope and metric semantics on DuckDB's parse tree, then
re-scans generated mutants of every trace. It writes scan.json,
findings.jsonl, summary.json, report.md, witnesses/ and (with sarif: true or
--sarif) scan.sarif, prints {"findings":N,"gate":"...","out":"..."} and exits
1 when the gate fails, 0 on pass or warn, 2 on a config or usage error.`,
		Example: `  # the shipped example: three findings, gate fail, exit 1
  policystrata scan --config examples/scan/postgres_dbt/policystrata.yaml --out /tmp/scan-out

  # a JUnit file for CI test reports and SARIF for code scanning
  policystrata scan --config policystrata.yaml --junit scan.junit.xml --sarif`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, err := runScan(cmd.Context(), *p, stdout, stderr)
			if err != nil {
				return err
			}
			if code != ExitOK {
				return exitCode(code)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Config, "config", "policystrata.yaml", "scan config (policystrata.yaml)")
	f.StringVar(&p.Out, "out", "", "output directory (default: the config's output, relative to the config directory)")
	f.StringVar(&p.JUnit, "junit", "", "also write a JUnit XML file here")
	f.IntVar(&p.Workers, "workers", 2, "evaluation workers, each with its own parser")
	f.BoolVar(&p.SARIF, "sarif", false, "write scan.sarif even when the config does not ask for it")
	f.BoolVarP(&p.Quiet, "quiet", "q", false, quietUsage)
	f.StringVar(&p.SARIFRoot, "sarif-root", "", "path from the repository root to the config directory, prefixed to SARIF artifact URIs (default: the config directory relative to the current directory)")
	return cmd
}

func runScan(ctx context.Context, p scanParams, stdout, stderr io.Writer) (int, error) {
	if p.Workers < 1 {
		return 0, cliexit.Usage(fmt.Errorf("--workers must be at least 1"))
	}
	c, err := config.Load(p.Config)
	if err != nil {
		return 0, err
	}
	out, err := c.OutputDir(p.Out)
	if err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	// mutants stream to a file beside the output as the scan goes
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	mlog, err := os.CreateTemp(filepath.Dir(out), ".mutants-*.jsonl")
	if err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	defer os.Remove(mlog.Name())
	res, err := scan.Run(ctx, c, scan.Options{Workers: p.Workers, MutantLog: mlog,
		Progress: newProgress(stderr, p.Quiet, "scan", "trace lines")})
	if cerr := mlog.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("scan: %w", cerr)
	}
	if err != nil {
		return 0, err
	}
	files, err := report.Files(res, out, false)
	if err != nil {
		return 0, err
	}
	delete(files, "mutants.jsonl")
	if p.SARIF || c.WantSARIF() {
		root := p.SARIFRoot
		if root == "" {
			root = relRoot(c.Dir)
		}
		if files["scan.sarif"], err = report.SARIFWithRoot(res, root); err != nil {
			return 0, err
		}
	}
	if err := report.WriteDirMoving(out, files, map[string]string{"mutants.jsonl": mlog.Name()}); err != nil {
		return 0, err
	}
	if p.JUnit != "" {
		j, err := report.JUnit(res)
		if err != nil {
			return 0, err
		}
		if err := report.WriteFile(p.JUnit, j); err != nil {
			return 0, err
		}
	}
	line, _ := json.Marshal(map[string]any{"findings": len(res.Findings), "gate": res.Gate.Outcome, "out": out})
	fmt.Fprintln(stdout, string(line))
	return res.Gate.ExitCode(), nil
}

// relRoot is dir relative to the current directory (slash path), "" when
// it is the current directory or outside it.
func relRoot(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel)
}
