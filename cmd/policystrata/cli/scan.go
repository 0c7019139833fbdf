package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

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
			return cliexit.Result(runScan(cmd.Context(), *p, stdout, stderr))
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
	defer tuneGC(scanGCPercent)()
	defer governMemory(scanMemoryLimit, scanHeadroom, time.Second)()
	c, err := config.Load(p.Config)
	if err != nil {
		return 0, err
	}
	out, err := c.OutputDir(p.Out)
	if err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	// mutants and findings stream to files beside the output as the scan
	// goes; the outputs are then written reading the findings back one at
	// a time, so memory does not grow with the number of traces
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	mlog, err := os.CreateTemp(filepath.Dir(out), ".mutants-*.jsonl")
	if err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	defer os.Remove(mlog.Name())
	spool, err := os.CreateTemp(filepath.Dir(out), ".findings-*.jsonl")
	if err != nil {
		mlog.Close()
		return 0, fmt.Errorf("scan: %w", err)
	}
	defer os.Remove(spool.Name())
	res, err := scan.Run(ctx, c, scan.Options{Workers: p.Workers, MutantLog: mlog, Findings: spool,
		Progress: newProgress(stderr, p.Quiet, "scan", "trace lines")})
	for _, fh := range []*os.File{mlog, spool} {
		if cerr := fh.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("scan: %w", cerr)
		}
	}
	if err != nil {
		return 0, err
	}
	src := report.SpoolFindings(spool.Name())
	opt := report.Options{SARIF: p.SARIF || c.WantSARIF(), SARIFRoot: p.SARIFRoot}
	if opt.SARIF && opt.SARIFRoot == "" {
		opt.SARIFRoot = relRoot(c.Dir)
	}
	// the JUnit file is rendered beside its target before the spool moves
	// into the output, and renamed into place once the output is written
	junitTmp := ""
	if p.JUnit != "" {
		if junitTmp, err = writeJUnitTemp(p.JUnit, res, src); err != nil {
			return 0, err
		}
		defer os.Remove(junitTmp)
	}
	opt.Moves = map[string]string{"mutants.jsonl": mlog.Name(), "findings.jsonl": spool.Name()}
	if err := report.Write(out, res, src, opt); err != nil {
		return 0, err
	}
	if junitTmp != "" {
		if err := os.Rename(junitTmp, p.JUnit); err != nil {
			return 0, fmt.Errorf("write junit: %w", err)
		}
	}
	line, _ := json.Marshal(map[string]any{"findings": res.Summary.TotalFindings, "gate": res.Gate.Outcome, "out": out})
	fmt.Fprintln(stdout, string(line))
	return res.Gate.ExitCode(), nil
}

// writeJUnitTemp writes the JUnit suite to a temporary file beside path
// and returns its name.
func writeJUnitTemp(path string, res *scan.Result, src report.Findings) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("write junit: %w", err)
	}
	fh, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", fmt.Errorf("write junit: %w", err)
	}
	bw := bufio.NewWriter(fh)
	err = report.WriteJUnit(bw, res, src)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(fh.Name())
		return "", fmt.Errorf("write junit: %w", err)
	}
	return fh.Name(), nil
}

// scanGCPercent, scanMemoryLimit and scanHeadroom tune the garbage
// collector for a scan (tuneGC, governMemory): the checks allocate many
// short-lived syntax trees over a small live heap, so collecting at 5x the
// live heap instead of 2x saves about a fifth of the CPU (BenchmarkScan),
// and the soft limit, 256 MiB or 2.5 times the live heap when that is more,
// keeps the heap inside the scan's memory budget without making a scan
// whose live heap outgrows it collect without pause.
const (
	scanGCPercent   = 400
	scanMemoryLimit = 256 << 20
	scanHeadroom    = 2.5
)

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
