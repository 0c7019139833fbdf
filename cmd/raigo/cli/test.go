package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/internal/progress"
	"github.com/policystrata/policystrata/pipeline/raigo"
	"github.com/policystrata/policystrata/pipeline/raigorun"
)

// now stamps reports (run_at); tests pin it.
var now = time.Now

// progressMode chooses how progress is shown on stderr; tests replace it.
var progressMode = progress.Detect

// testParams are the flags of `raigo test`.
type testParams struct {
	Paths   []string
	Verbose bool
	Format  string
	Strict  bool
	Workers int
	// WorkersSet is whether --workers was given: an explicit 0 is bad
	// input, an absent flag means the number of CPUs.
	WorkersSet      bool
	Compat          string
	NoMinimize      bool
	Coverage        bool
	MinCoverage     float64
	Fuzz            int
	Seed            uint64
	Snapshot        string
	UpdateSnapshots bool
	Out             string
	Force           bool
	Quiet           bool
}

func newTest(stdout, stderr io.Writer) *cobra.Command {
	p := &testParams{}
	cmd := &cobra.Command{
		Use:   "test [file|dir]...",
		Short: "Run .raigo-test.yaml suites against their policies",
		Long: `Run .raigo-test.yaml suites (form A: version/policy/metadata/tests; form B:
suite/policy/engineMode/cases). A directory is searched recursively for
*.raigo-test.yaml and *.raigo-test.yml, in sorted order; no argument means ".".
A suite's policy is resolved relative to the suite file; a list of policies is
a chain, evaluated in order, where the most restrictive result wins.

Exit status: 0 when every test passed, 1 when any failed (or a fuzz variant
changed the action, or --strict found warnings, or the coverage gate failed),
2 when a suite or policy could not be loaded or is invalid.`,
		Example: `  # every suite under examples/raigo/suites, failures only
  raigo test examples/raigo/suites

  # every case, as JUnit XML for CI
  raigo test --verbose --format junit examples/raigo/suites > raigo-junit.xml

  # coverage with a gate, 20 fuzz variants per case, traces to a directory
  raigo test --coverage --min-coverage 90 --fuzz 20 --seed 7 --out runs/raigo examples/raigo/suites

  # lock every evaluation; later runs fail on any change
  raigo test --snapshot examples/raigo/snapshots examples/raigo/suites`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Paths = args
			p.WorkersSet = cmd.Flags().Changed("workers")
			return cliexit.Result(runTest(cmd.Context(), *p, stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&p.Verbose, "verbose", "v", false, "show every case (and warnings), not only failures")
	f.StringVarP(&p.Format, "format", "f", "pretty", "output format: "+strings.Join(raigorun.Formats(), ", "))
	f.BoolVar(&p.Strict, "strict", false, "fail on warnings: policy validator warnings, unknown suite fields, expectations naming unknown rules, and (with --coverage) unexercised rules")
	f.IntVar(&p.Workers, "workers", 0, fmt.Sprintf("evaluation workers, 1..%d (default: the number of CPUs)", raigorun.MaxWorkers))
	f.StringVar(&p.Compat, "compat", "", `"engine" reproduces the reference engine (ENFORCE blocks like DENY)`)
	f.BoolVar(&p.NoMinimize, "no-minimize", false, "do not shrink failing prompts")
	f.BoolVar(&p.Coverage, "coverage", false, "report rules no test exercises and triggers and detectors never hit, per policy")
	f.Float64Var(&p.MinCoverage, "min-coverage", 0, "fail when rule coverage across all policies is below this percentage (implies --coverage)")
	f.IntVar(&p.Fuzz, "fuzz", 0, "evaluate N seeded variants of every case and report those whose action differs")
	f.Uint64Var(&p.Seed, "seed", 1, "seed of the fuzz variants")
	f.StringVar(&p.Snapshot, "snapshot", "", "snapshot directory: record every evaluation, fail on any change")
	f.BoolVar(&p.UpdateSnapshots, "update-snapshots", false, "rewrite the snapshots instead of comparing (needs --snapshot)")
	f.StringVar(&p.Out, "out", "", "write every evaluation as Parquet and JSONL traces plus summary.json to this directory")
	f.BoolVar(&p.Force, "force", false, "replace --out when it holds a previous raigo run (nothing else is ever replaced)")
	f.BoolVarP(&p.Quiet, "quiet", "q", false, "no progress on stderr (by default a bar on a terminal, otherwise a line every 10 seconds and at the end)")
	return cmd
}

func runTest(ctx context.Context, p testParams, stdout, stderr io.Writer) (int, error) {
	reporter, err := raigorun.Get(p.Format, raigorun.ReportOptions{Verbose: p.Verbose})
	if err != nil {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--format: %w", err))
	}
	compat, err := raigo.ParseCompat(p.Compat)
	if err != nil {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--compat: %w", err))
	}
	switch {
	case p.Workers < 0 || p.Workers > raigorun.MaxWorkers || (p.WorkersSet && p.Workers == 0):
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--workers must be 1..%d", raigorun.MaxWorkers))
	case p.Fuzz < 0 || p.Fuzz > raigorun.MaxFuzz:
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--fuzz must be 0..%d", raigorun.MaxFuzz))
	case p.MinCoverage < 0 || p.MinCoverage > 100:
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--min-coverage must be a percentage 0..100"))
	case p.UpdateSnapshots && p.Snapshot == "":
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--update-snapshots needs --snapshot DIR"))
	case p.Force && p.Out == "":
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--force needs --out DIR"))
	}
	rep, err := raigorun.Run(ctx, raigorun.Config{
		Paths: p.Paths, Workers: p.Workers, Strict: p.Strict, Compat: compat, NoMinimize: p.NoMinimize,
		Coverage: p.Coverage, MinCoverage: p.MinCoverage, Fuzz: p.Fuzz, Seed: p.Seed,
		SnapshotDir: p.Snapshot, UpdateSnapshots: p.UpdateSnapshots, Out: p.Out, Force: p.Force, Now: now,
		Progress: progress.New(stderr, progressMode(stderr, p.Quiet), progress.Options{Label: "raigo test", Unit: "cases"}),
	})
	if err != nil {
		if raigorun.IsInputError(err) {
			return ExitBadInput, err
		}
		return ExitFailure, fmt.Errorf("run tests: %w", err)
	}
	if err := reporter.Report(stdout, rep); err != nil {
		return ExitFailure, fmt.Errorf("write report: %w", err)
	}
	return rep.ExitCode(), nil
}
