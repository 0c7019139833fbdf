package run

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/replay"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// BenchmarkMinimization runs generated 500 (support_saas, two workers,
// the CLI's defaults; POLICYSTRATA_BENCH_MINIMIZATION_COUNT sets another
// count) three ways: without minimization, with it, and with
// a minimizer that is handed every witness's answer (Minimizer.StartFrom)
// and so replays only each answer's check and its 1-minimality
// certificate: the floor of what minimization costs, whatever the search.
// The ratios of the three times are what minimization adds to a run and
// how much of that the search is. Runs write under TMPDIR, whose cost of
// creating a file counts (a witness is a file); no run's files are
// removed before the benchmark ends, because on ext4 creating files
// just after thousands were deleted costs ten times as much (the
// allocator skips recently deleted inodes, recently_deleted in perf).
func BenchmarkMinimization(b *testing.B) {
	d, err := domains.Load("support_saas")
	if err != nil {
		b.Fatal(err)
	}
	count := 500
	if v := os.Getenv("POLICYSTRATA_BENCH_MINIMIZATION_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			b.Fatalf("POLICYSTRATA_BENCH_MINIMIZATION_COUNT=%q: want a task count from 1 to 1000000", v)
		}
		count = n
	}
	cfg := func(out string) Config {
		src, err := suites.Open(d, "generated", count, 0)
		if err != nil {
			b.Fatal(err)
		}
		return Config{Domain: d, Source: src, Out: out, Workers: 2, ProbeStates: 2, Engine: db.DefaultEngine, Minimize: true}
	}
	// every run writes under one directory, removed when the benchmark
	// ends (see above: no deletion between runs)
	root, err := os.MkdirTemp("", "policystrata-bench-minimization-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(root)
	// the answers: the witnesses of one run with minimization
	ref := filepath.Join(root, "ref")
	if _, err := Run(context.Background(), cfg(ref)); err != nil {
		b.Fatal(err)
	}
	answers, err := readWitnesses(filepath.Join(ref, "witnesses"))
	if err != nil {
		b.Fatal(err)
	}
	runs := 0
	for _, mode := range []string{"none", "defaults", "certificate_only"} {
		b.Run(mode, func(b *testing.B) {
			var replays int64
			for i := 0; i < b.N; i++ {
				// a directory no earlier round used (the benchmark is
				// called again with a larger b.N)
				runs++
				c := cfg(filepath.Join(root, fmt.Sprintf("%s-%d", mode, runs)))
				switch mode {
				case "none":
					c.Minimize = false
				case "certificate_only":
					c.minimizeFrom = answers
				}
				rep, err := Run(context.Background(), c)
				if err != nil {
					b.Fatal(err)
				}
				if mode != "none" && rep.Timings.Minimization == nil {
					b.Fatal("no minimization timings")
				}
				if rep.Timings.Minimization != nil {
					replays += rep.Timings.Minimization.ReplaysExecuted
				}
			}
			b.ReportMetric(float64(replays)/float64(b.N), "replays/run")
		})
	}
}

// readWitnesses reads every witness file of dir (replay.Load: the
// decoding the replay command uses).
func readWitnesses(dir string) ([]trace.Witness, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var ws []trace.Witness
	for _, f := range files {
		w, err := replay.Load(f)
		if err != nil {
			return nil, err
		}
		ws = append(ws, *w)
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("no witness in %s", dir)
	}
	return ws, nil
}
