package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/replay"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// replayParams are the arguments of `policystrata replay`.
type replayParams struct {
	Witnesses []string
}

func newReplay(stdout io.Writer) *cobra.Command {
	p := &replayParams{}
	return &cobra.Command{
		Use:   "replay WITNESS...",
		Short: "Rebuild each witness's stack and database from the file alone and re-execute it",
		Long: `Replays witness files (witnesses/<task_id>.json of a run). Each file holds the
domain's files, the layer variant of every surface, the principal, the reduced
query and the minimal database state: the stack and a fresh embedded DuckDB are
rebuilt from the file alone, the request is re-executed, and the class, localized
surface, containment, release decision and every layer's output are compared with
the recorded ones. Exit 0 when every witness reproduces, 1 when one does not (the
difference is printed), 2 on a malformed file.`,
		Example: `  policystrata replay runs/demo/witnesses/fanout_join_drift_01.json
  policystrata replay runs/demo/witnesses/*.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cliexit.Usage(fmt.Errorf("replay needs at least one witness file"))
			}
			p.Witnesses = args
			return cliexit.Result(runReplay(cmd.Context(), *p, stdout))
		},
	}
}

func runReplay(ctx context.Context, p replayParams, stdout io.Writer) (int, error) {
	failed := 0
	for _, path := range p.Witnesses {
		if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
			return ExitBadInput, strictyaml.Errorf(path, 0, "not a witness file (a directory or a special file)")
		}
		w, err := replay.Load(path)
		if err != nil {
			if !strictyaml.IsInputError(err) { // unreadable: bad input too
				err = strictyaml.Errorf(path, 0, "%v", err)
			}
			return ExitBadInput, err
		}
		res, err := replay.Replay(ctx, path, w)
		if err != nil {
			return ExitFailure, err
		}
		if res.Reproduced {
			fmt.Fprintf(stdout, "ok    %s: %s at %s reproduced\n", path, res.Detection.WitnessClass, orNone(res.Detection.LocalizedSurface))
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL  %s: does not reproduce\n", path)
		for _, d := range res.Differences {
			fmt.Fprintf(stdout, "        %s\n", d)
		}
	}
	fmt.Fprintf(stdout, "%d of %d witnesses reproduced\n", len(p.Witnesses)-failed, len(p.Witnesses))
	if failed > 0 {
		return ExitFailure, nil
	}
	return ExitOK, nil
}

func orNone(s string) string {
	if s == "" {
		return "no surface"
	}
	return s
}
