package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/gate"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// runParams are the flags of `policystrata run`.
type runParams struct {
	Domain     string
	DomainPath string
	Suite      string
	Out        string
	Workers    int
	Force      bool
	NoMinimize bool
	Count      int
	// CountSet is set when --count was given (0 then is an error, not
	// the generator's default).
	CountSet   bool
	Seed       int
	Probes     int
	NoAimed    bool
	Engine     string
	PGDSN      string
	CrossCheck bool
	Compact    bool
	FailOn     string
	Freeze     string
	// Shard is --shard i/n ("": the whole suite).
	Shard string
	Quiet bool
	// ParseCheck parses every statement the fast parser answers with
	// DuckDB's parser too (db.SetParseCheck).
	ParseCheck bool
}

func newRun(stdout, stderr io.Writer) *cobra.Command {
	p := &runParams{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run a benchmark suite and write a run directory",
		Example: `  # the support_saas seeded suite with 2 workers
  policystrata run --domain support_saas --suite seeded --out runs/support-seeded --workers 2

  # a generated suite: 2,000 tasks over every operator, its own seeded state
  policystrata run --domain support_saas --suite generated --count 2000 --seed 7 --out runs/gen

  # the same suite on PostgreSQL with real row-level security, checked against DuckDB
  policystrata run --domain support_saas --suite seeded --engine postgres --cross-check \
      --pg-dsn postgres://postgres@127.0.0.1:5432/test --out runs/pg

  # a domain directory of your own (see init-domain)
  policystrata run --domain-path ./my_domain --suite seeded --out runs/mine`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p.CountSet = cmd.Flags().Changed("count")
			return cliexit.Result(runRun(cmd.Context(), *p, stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Domain, "domain", "", "built-in domain ("+fmt.Sprint(domains.Names())+")")
	f.StringVar(&p.DomainPath, "domain-path", "", "domain directory (policy.yaml, surfaces.yaml, schema.yaml, state.yaml, tasks/)")
	f.StringVar(&p.Suite, "suite", "seeded", "suite: a file tasks/<suite>.yaml of the domain, or a generator ("+strings.Join(suites.GeneratorNames(), ", ")+")")
	f.StringVar(&p.Out, "out", "", "run directory to write (required)")
	f.IntVar(&p.Workers, "workers", 2, "evaluation workers, each with its own database connection")
	f.BoolVar(&p.Force, "force", false, "replace --out when it holds a previous policystrata run (nothing else is ever replaced)")
	f.BoolVar(&p.NoMinimize, "no-minimize", false, "skip witness minimization")
	f.StringVar(&p.Engine, "engine", db.DefaultEngine, "database engine: sqlite (embedded, the fastest per statement), duckdb (embedded) or postgres (real row-level security; needs --pg-dsn or POLICYSTRATA_PG_DSN)")
	f.StringVar(&p.PGDSN, "pg-dsn", "", "PostgreSQL connection string (default: $POLICYSTRATA_PG_DSN)")
	f.BoolVar(&p.Compact, "compact", false, "write traces without layer outputs, measurements and probes (for runs of millions of tasks)")
	f.BoolVar(&p.CrossCheck, "cross-check", false, "re-run every live statement on another engine (DuckDB for sqlite and postgres, PostgreSQL for duckdb) and report disagreements in cross_engine.json")
	f.IntVar(&p.Probes, "probe-states", 2, "random database states (other seeds of the suite's generator) the distinguishing-state search tries after the aimed states: killed there means survived, killed nowhere means equivalent")
	f.BoolVar(&p.NoAimed, "no-aimed-states", false, "leave the states aimed at kinds of fault (moved owners, duplicated rows, empty references, rare groups, time boundaries, cloned subtrees) out of the distinguishing-state search")
	f.StringVar(&p.FailOn, "fail-on", "", "exit 1 when the run has any of these (comma-separated): "+strings.Join(gate.FailKinds(), ", "))
	f.StringVar(&p.Freeze, "freeze-manifest", "", "verify this benchmark manifest first (exit 1 on any change), record its id in the metadata and copy it to benchmark_manifest.json")
	f.IntVar(&p.Count, "count", 0, "tasks of a generated suite (default: the generator's)")
	f.IntVar(&p.Seed, "seed", 0, "seed of a generated suite and its database state (default: the generator's)")
	f.StringVar(&p.Shard, "shard", "", "run only shard i of n (0-based, e.g. 2/8) and write it to --out/shard=i/ for `policystrata merge`")
	f.BoolVarP(&p.Quiet, "quiet", "q", false, quietUsage)
	f.BoolVar(&p.ParseCheck, "parse-check", false, "parse every statement the fast Go parser answers with DuckDB's parser too, and fail the run if they disagree (slower)")
	return cmd
}

// loadDomain resolves --domain / --domain-path.
func loadDomain(name, dir string) (*spec.Domain, error) {
	switch {
	case name != "" && dir != "":
		return nil, cliexit.Usage(fmt.Errorf("use --domain or --domain-path, not both"))
	case dir != "":
		return domains.LoadDir(dir)
	case name != "":
		return domains.Load(name)
	}
	return nil, cliexit.Usage(fmt.Errorf("one of --domain or --domain-path is required"))
}

// runMemoryFloor, runHeadroom and runGovernPeriod tune the garbage
// collector for a run (governMemory), and leanMemoryFloor and leanHeadroom
// for a --compact --no-minimize run, the mode for millions of tasks. The
// live heap of such a run is the engines' bounded memos, the suite's state
// and the sinks' buffers, 50-70 MB and flat (GODEBUG=gctrace=1, generated
// 200,000), which the default setting lets grow to twice its size and keep:
// a soft limit of 1.6 times it (96 MiB at least) bounds that headroom and
// makes the runtime return freed pages. Generated 10,000 --compact
// --no-minimize peaked at 197 against 222 MiB for 1.05 times the wall time,
// and a million tasks at 249 against 310 MB (EVAL_CARD, "Memory"). A run
// that minimizes or writes whole traces keeps much more alive (replay memos,
// witnesses, traces with every layer's output), and 1.6 times its live heap
// made the collector run all the time: generated 2,000 with defaults 1.29
// times the wall time (211 against 262 MiB), so it keeps 2.5 times (128 MiB
// at least), which leaves the collector its default pace. The governor
// reads the live heap every period, so a heap that grows gets a limit
// above it within a second.
const (
	runMemoryFloor  = 128 << 20
	runHeadroom     = 2.5
	leanMemoryFloor = 96 << 20
	leanHeadroom    = 1.6
	runGovernPeriod = time.Second
)

// minimizeGCPercent is the collector's pace for a run that minimizes:
// replays allocate several times what evaluation does, and at the
// default pace (a collection each time the heap doubles) the collector
// took about a tenth of such a run's CPU. At 400 the soft limit above
// (128 MiB, or 2.5 times the live heap) is what starts a collection, so
// the heap stays within the same bound: generated 500 with defaults 0.915x
// the wall time, 0.93x the CPU, +21 MiB of peak (n = 8); generated 10,000
// 0.94x, 0.96x, +12 MiB (n = 3); 200 and 800 measured 1.04x and 1.03x
// against 400 (farm-bench medians, EVAL_CARD "Witnesses and
// minimization", fifteenth session). GOGC overrides it.
const minimizeGCPercent = 400

// gcPercentFor is the collector's pace for a run with p, 0 for the
// default: minimizeGCPercent when the run minimizes.
func gcPercentFor(p runParams) int {
	if p.NoMinimize {
		return 0
	}
	return minimizeGCPercent
}

// memoryBudget is the governor's floor and headroom for a run with p.
func memoryBudget(p runParams) (floor int64, headroom float64) {
	if p.Compact && p.NoMinimize {
		return leanMemoryFloor, leanHeadroom
	}
	return runMemoryFloor, runHeadroom
}

func runRun(ctx context.Context, p runParams, stdout, stderr io.Writer) (int, error) {
	if p.Out == "" {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--out is required"))
	}
	if p.Workers < 1 || p.Workers > run.MaxWorkers {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--workers must be 1..%d", run.MaxWorkers))
	}
	if p.Engine != db.EngineSQLite && p.Engine != db.EngineDuckDB && p.Engine != "postgres" {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--engine must be sqlite, duckdb or postgres, got %q", p.Engine))
	}
	if p.PGDSN == "" {
		p.PGDSN = os.Getenv("POLICYSTRATA_PG_DSN")
	}
	if p.ParseCheck {
		prev := db.SetParseCheck(true)
		defer db.SetParseCheck(prev)
	}
	needPG := p.Engine == "postgres" || (p.CrossCheck && p.Engine == db.EngineDuckDB)
	if needPG && p.PGDSN == "" {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--engine postgres, and --cross-check of --engine duckdb, need --pg-dsn or POLICYSTRATA_PG_DSN"))
	}
	if needPG {
		if err := db.ValidatePGDSN(p.PGDSN); err != nil {
			return ExitBadInput, cliexit.Usage(err)
		}
	}
	if p.CountSet && p.Count < 1 {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--count must be at least 1, got %d (leave it out for the generator's default)", p.Count))
	}
	if p.Probes < 0 || p.Probes > 8 {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--probe-states must be 0..8"))
	}
	floor, headroom := memoryBudget(p)
	defer governMemory(floor, headroom, runGovernPeriod)()
	if pct := gcPercentFor(p); pct > 0 {
		defer tuneGC(pct)()
	}
	shard, err := parseShardFlag(p.Shard, p.CrossCheck)
	if err != nil {
		return ExitBadInput, err
	}
	failOn, err := gate.ParseFailOn(p.FailOn)
	if err != nil {
		return ExitBadInput, cliexit.Usage(err)
	}
	d, err := loadDomain(p.Domain, p.DomainPath)
	if err != nil {
		return ExitBadInput, err
	}
	s, err := suites.Open(d, p.Suite, p.Count, p.Seed)
	if err != nil {
		return ExitBadInput, err
	}
	s, manifest, err := frozenRunSource(p.Freeze, d, s, p.Count, p.Seed)
	if err != nil {
		return ExitFailure, err
	}
	cfg := run.Config{Domain: d, Source: s, Out: p.Out, Workers: p.Workers, Force: p.Force, Minimize: !p.NoMinimize, ProbeStates: p.Probes, NoAimedStates: p.NoAimed,
		Engine: p.Engine, PGDSN: p.PGDSN, CrossCheck: p.CrossCheck, Compact: p.Compact, Shard: shard}
	cfg.Progress = newProgress(stderr, p.Quiet, "run", "tasks")
	rep, err := run.Run(ctx, cfg)
	if err != nil {
		return ExitFailure, err
	}
	if err := writeRunManifest(rep.Out, manifest); err != nil {
		return ExitFailure, err
	}
	sm := rep.Summary
	fmt.Fprintf(stdout, "%s/%s: %d traces: %d killed, %d survived, %d equivalent, %d invalid, %d clean controls, %d false positives\n",
		d.Name, s.SuiteName(), sm.Total, sm.Killed, sm.Survived, sm.Equivalent, sm.Invalid, sm.CleanControls, sm.FalsePositives)
	if c := rep.Cross; c != nil {
		fmt.Fprintf(stdout, "cross-engine check (%s vs %s): %d of %d live statements agree; %d disagreements on clean controls\n",
			c.Engines[0], c.Engines[1], c.Agreed, c.Compared, c.CleanDisagreements)
	}
	if shard.Count > 0 {
		fmt.Fprintf(stdout, "wrote shard %s to %s (%s, shard.json, summary.json, metadata.json, run.json, witnesses/)\n", shard, rep.Out, trace.ShardPart)
	} else {
		fmt.Fprintf(stdout, "wrote %s (traces.parquet, traces.jsonl, summary.json, metadata.json, run.json, witnesses/)\n", rep.Out)
	}
	return failOnRun(failOn, rep, stdout)
}
