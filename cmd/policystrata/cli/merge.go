package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/merge"
	"github.com/policystrata/policystrata/pipeline/run"
)

// mergeParams are the flags of `policystrata merge`.
type mergeParams struct {
	Dirs  []string
	Out   string
	Force bool
}

func newMerge(stdout io.Writer) *cobra.Command {
	p := &mergeParams{}
	cmd := &cobra.Command{
		Use:   "merge DIR... --out RUN",
		Short: "Join the shards of a run (run --shard i/n) into one run directory",
		Long: `merge joins the shards written by run --shard i/n (directories shard=I, or
dataset roots holding them) into a run directory whose traces, witnesses,
summary.json and metadata.json are byte for byte those of the same run on one
machine. It refuses (exit 2) a missing or duplicated shard, shards of another
suite, seed, domain, option set or program, and overlapping tasks.`,
		Example: `  # four shards, on four machines or one after the other
  for i in 0 1 2 3; do
    policystrata run --domain support_saas --suite generated --count 2000 --seed 7 --shard $i/4 --out dataset
  done
  policystrata merge dataset --out runs/gen

  # shards downloaded into separate directories (CI artifacts)
  policystrata merge artifacts/shard-0/shard=0 artifacts/shard-1/shard=1 --out runs/gen`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cliexit.Usage(fmt.Errorf("merge takes the shard directories (or dataset roots) to join"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Dirs = args
			return cliexit.Result(runMerge(cmd.Context(), *p, stdout))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Out, "out", "", "run directory to write (required)")
	f.BoolVar(&p.Force, "force", false, "replace --out when it holds a previous policystrata run (nothing else is ever replaced)")
	return cmd
}

func runMerge(ctx context.Context, p mergeParams, stdout io.Writer) (int, error) {
	if p.Out == "" {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--out is required"))
	}
	rep, err := merge.Merge(ctx, merge.Config{Dirs: p.Dirs, Out: p.Out, Force: p.Force})
	if err != nil {
		return ExitFailure, err
	}
	sm := rep.Summary
	fmt.Fprintf(stdout, "merged %d shards: %d traces: %d killed, %d survived, %d equivalent, %d invalid, %d clean controls, %d false positives\n",
		rep.Shards, sm.Total, sm.Killed, sm.Survived, sm.Equivalent, sm.Invalid, sm.CleanControls, sm.FalsePositives)
	fmt.Fprintf(stdout, "wrote %s (traces.parquet, traces.jsonl, summary.json, metadata.json, run.json, witnesses/)\n", rep.Out)
	return ExitOK, nil
}

// parseShardFlag reads run's --shard ("" is no sharding).
func parseShardFlag(s string, crossCheck bool) (run.Shard, error) {
	if s == "" {
		return run.Shard{}, nil
	}
	sh, err := run.ParseShard(s)
	if err != nil {
		return run.Shard{}, cliexit.Usage(err)
	}
	if crossCheck {
		return run.Shard{}, cliexit.Usage(fmt.Errorf("--cross-check is not supported with --shard (its report is not merged); cross-check an unsharded run"))
	}
	return sh, nil
}
