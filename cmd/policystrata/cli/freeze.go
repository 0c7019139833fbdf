package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/freeze"
	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// freezeParams are the flags of `policystrata freeze-benchmark`.
type freezeParams struct {
	Domain, DomainPath, Suite, Out string
	Count, Seed                    int
}

func newFreezeBenchmark(stdout io.Writer) *cobra.Command {
	p := &freezeParams{}
	cmd := &cobra.Command{
		Use:   "freeze-benchmark",
		Short: "Write a benchmark manifest that pins a suite, its domain and the deciding code",
		Long: `freeze-benchmark hashes the domain's files, the operator catalog, the suite's
task stream (hashed as it streams: any suite size in bounded memory) and the
sources of the layers, oracle, detector, catalog and generators built into this
binary, with the package version and VCS revision, and writes the manifest
(id psf- + 20 hex). Prints {"benchmark_manifest_id","out"}.`,
		Example: `  policystrata freeze-benchmark --domain support_saas --suite heldout_v1 --out runs/heldout.manifest.json
  policystrata run --domain support_saas --suite heldout_v1 --freeze-manifest runs/heldout.manifest.json --out runs/heldout`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFreeze(cmd.Context(), *p, stdout) },
	}
	f := cmd.Flags()
	f.StringVar(&p.Domain, "domain", "", "built-in domain ("+fmt.Sprint(domains.Names())+")")
	f.StringVar(&p.DomainPath, "domain-path", "", "domain directory")
	f.StringVar(&p.Suite, "suite", "generated", "suite to freeze")
	f.IntVar(&p.Count, "count", 0, "tasks of a generated suite (default: the generator's; stays null in the manifest)")
	f.IntVar(&p.Seed, "seed", 0, "seed of a generated suite (default: the generator's; stays null in the manifest)")
	f.StringVar(&p.Out, "out", "", "manifest file to write (required)")
	return cmd
}

func runFreeze(_ context.Context, p freezeParams, stdout io.Writer) error {
	if p.Out == "" {
		return cliexit.Usage(fmt.Errorf("--out is required"))
	}
	if st, err := os.Stat(p.Out); err == nil && !st.Mode().IsRegular() {
		return strictyaml.Errorf(p.Out, 0, "--out names a directory or special file; freeze-benchmark writes a manifest file")
	}
	d, err := loadDomain(p.Domain, p.DomainPath)
	if err != nil {
		return err
	}
	m, err := freeze.Build(freeze.Options{Domain: d, Suite: p.Suite, Count: p.Count, Seed: p.Seed})
	if err != nil {
		return err
	}
	if err := freeze.Write(p.Out, m); err != nil {
		return err
	}
	return writeJSONLine(stdout, map[string]string{"benchmark_manifest_id": m.ID, "out": p.Out})
}

// verifyFreezeParams are the arguments and flags of `policystrata verify-freeze`.
type verifyFreezeParams struct {
	Manifest, Domain, DomainPath, Suite string
	Count, Seed                         int
}

func newVerifyFreeze(stdout io.Writer) *cobra.Command {
	p := &verifyFreezeParams{}
	cmd := &cobra.Command{
		Use:   "verify-freeze MANIFEST",
		Short: "Check that nothing a manifest hashes has changed (exit 0 verified, 1 not)",
		Long: `verify-freeze rebuilds the manifest from the current domain, suite and binary
(domain, suite, count and seed from the flags, else from the manifest) and
prints {verified, benchmark_manifest_id, mismatches: [{field, expected, actual}]}.`,
		Example: `  policystrata verify-freeze runs/heldout.manifest.json
  policystrata verify-freeze runs/mine.manifest.json --domain-path ./my_domain`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Manifest = args[0]
			return cliexit.Result(runVerifyFreeze(cmd.Context(), *p, stdout))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Domain, "domain", "", "built-in domain (default: the manifest's)")
	f.StringVar(&p.DomainPath, "domain-path", "", "domain directory")
	f.StringVar(&p.Suite, "suite", "", "suite (default: the manifest's)")
	f.IntVar(&p.Count, "count", 0, "generated suite count (default: the manifest's)")
	f.IntVar(&p.Seed, "seed", 0, "generated suite seed (default: the manifest's)")
	return cmd
}

func runVerifyFreeze(_ context.Context, p verifyFreezeParams, stdout io.Writer) (int, error) {
	m, err := freeze.Load(p.Manifest)
	if err != nil {
		return ExitBadInput, err
	}
	if p.Domain == "" && p.DomainPath == "" {
		p.Domain = m.Domain
	}
	d, err := loadDomain(p.Domain, p.DomainPath)
	if err != nil {
		return ExitBadInput, err
	}
	_, v, err := freeze.VerifyFor(p.Manifest, d, p.Suite, p.Count, p.Seed)
	if err != nil {
		return ExitFailure, err
	}
	if err := writeJSONLine(stdout, v); err != nil {
		return ExitFailure, err
	}
	if !v.Verified {
		return ExitFailure, nil
	}
	return ExitOK, nil
}

func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
