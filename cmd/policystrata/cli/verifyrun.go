package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/freeze"
	"github.com/policystrata/policystrata/internal/cliexit"
)

// verifyRunParams are the arguments and flags of `policystrata verify-run`.
type verifyRunParams struct {
	Run, DomainPath string
	Sample          int
	Seed            uint64
	Probes          int
	NoAimed         bool
	NoMinimize      bool
	MaxHistory      int
}

func newVerifyRun(stdout io.Writer) *cobra.Command {
	p := &verifyRunParams{}
	cmd := &cobra.Command{
		Use:   "verify-run RUN",
		Short: "Check a submitted run: re-derive its hashes and re-execute a seeded sample of tasks",
		Long: `verify-run verifies the run's benchmark_manifest.json (when it was frozen) and
its recorded domain and suite hashes against this binary and tree, then re-runs
a seeded sample of --sample tasks and compares their traces and witnesses byte
for byte. Exit 1 on any mismatch or byte difference. The run's search settings
(--probe-states, --no-aimed-states, --no-minimize) must be given as it was run.

The minimizer reduces the witnesses of one failure shape in suite order, each
starting from the earlier ones' results, so each sampled witness is re-executed
after the earlier tasks of its shape (read from the stored traces; "reexecuted"
counts them all, and they are compared too). A sampled task with more than
--max-history such tasks is re-executed alone, and the four minimization
counters that depend on that history (attempts, query_attempts, state_attempts,
state_reused) are masked in its comparison; it is listed in "history_masked".`,
		Example: `  policystrata verify-run runs/heldout --sample 25
  policystrata verify-run runs/mine --domain-path ./my_domain --sample 10 --seed 7`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Run = args[0]
			return cliexit.Result(runVerifyRun(cmd.Context(), *p, stdout))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.DomainPath, "domain-path", "", "domain directory (runs of a domain that is not built in)")
	f.IntVar(&p.Sample, "sample", 20, "tasks to re-execute (0: hashes only)")
	f.Uint64Var(&p.Seed, "seed", 1, "seed of the sample")
	f.IntVar(&p.Probes, "probe-states", 2, "the run's --probe-states")
	f.BoolVar(&p.NoAimed, "no-aimed-states", false, "the run's --no-aimed-states")
	f.BoolVar(&p.NoMinimize, "no-minimize", false, "the run's --no-minimize")
	f.IntVar(&p.MaxHistory, "max-history", freeze.DefaultMaxHistory, "most earlier tasks of a sampled witness's failure shape to re-execute with it (negative: none)")
	return cmd
}

func runVerifyRun(ctx context.Context, p verifyRunParams, stdout io.Writer) (int, error) {
	opt := freeze.RunOptions{Sample: p.Sample, Seed: p.Seed, ProbeStates: p.Probes, NoAimedStates: p.NoAimed, NoMinimize: p.NoMinimize, MaxHistory: p.MaxHistory}
	if p.DomainPath != "" {
		d, err := loadDomain("", p.DomainPath)
		if err != nil {
			return ExitBadInput, err
		}
		opt.Domain = d
	}
	rc, err := freeze.VerifyRun(ctx, p.Run, opt)
	if err != nil {
		return ExitFailure, err
	}
	if err := writeJSONLine(stdout, rc); err != nil {
		return ExitFailure, err
	}
	if !rc.Verified {
		return ExitFailure, nil
	}
	return ExitOK, nil
}
