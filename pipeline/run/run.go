package run

import (
	"context"
	"fmt"
	"math"
	"path"
	"runtime"
	"sort"
	"time"

	"github.com/policystrata/policystrata/internal/progress"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/pool"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// Version is the PolicyStrata version recorded in run metadata.
const Version = "0.1.0"

// MaxWorkers bounds --workers.
const MaxWorkers = 256

// Source is where a run's tasks come from.
type Source = suites.Source

// staticMemoEntries bounds the static layers' outputs a run remembers
// (layers.StaticMemo): a generated task's are computed by the generator a
// few tasks before a worker evaluates it (the pool's window), and a
// state search replays one request on several states.
const staticMemoEntries = 256

// staticSharer is a source that computes the static layers itself (the
// generator's reachability check) and can share them with the run.
type staticSharer interface {
	ShareStatics(*layers.StaticMemo)
}

// Config is one benchmark run.
type Config struct {
	Domain    *spec.Domain
	SuiteName string
	Source    Source
	// SuiteHash identifies the suite's content (file hash or generator params).
	SuiteHash string
	// SuiteMetadata is the suite's provenance record (metadata.json).
	SuiteMetadata map[string]any
	Out           string
	Workers       int
	Force         bool
	// Force and ReplaceRun (the demo) allow replacing a previous
	// policystrata run directory (one holding the .policystrata-run
	// marker); nothing else non-empty is ever replaced.
	ReplaceRun bool
	// Minimize turns witness minimization on (default on in the CLI).
	Minimize bool
	// ProbeStates is how many extra database states (other seeds) survivors
	// are re-examined on before they are accounted.
	ProbeStates int
	// NoAimedStates leaves the states aimed at kinds of fault (derived from
	// the suite's state, see pipeline/aimstate) out of the distinguishing-
	// state search, which then tries only the ProbeStates random states.
	NoAimedStates bool
	// Engine is "duckdb" (default) or "postgres".
	Engine string
	// PGDSN is the PostgreSQL connection string (engine postgres, or the
	// cross-engine check).
	PGDSN string
	// CrossCheck re-runs every live statement on the other engine and
	// reports disagreements in cross_engine.json.
	CrossCheck bool
	// Compact writes traces without layer outputs, measurements and probes.
	Compact bool
	// Progress, when non-nil, is fed the tasks done (in the sink) of the
	// tasks this run evaluates; it is finished when the evaluation ends.
	Progress progress.Reporter
	// Shard, when its Count is set, runs only that part of the suite and
	// writes it as a shard of a hive-partitioned dataset: Out/shard=I/
	// (see ShardDir and the merge package).
	Shard Shard
	// partition overrides Partition(Minimize) (tests only: it shows why
	// the default is what it is).
	partition string
	// minimizeFrom gives the minimizer its answers (Minimizer.StartFrom:
	// the minimization benchmark's floor, a search that always guesses
	// right; benchmarks only).
	minimizeFrom []trace.Witness
}

// Report is what a finished run returns to its caller.
type Report struct {
	Out     string
	Summary trace.Summary
	// Cross is the cross-engine check, when one ran.
	Cross    *CrossReport
	Timings  Timings
	Examples map[string]trace.Trace
}

// Run executes cfg and writes its run directory.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := ValidateStages(Stages); err != nil {
		return nil, fmt.Errorf("validate stages: %w", err)
	}
	if cfg.Workers < 1 || cfg.Workers > MaxWorkers {
		return nil, fmt.Errorf("workers must be 1..%d, got %d", MaxWorkers, cfg.Workers)
	}
	out, err := shardOut(cfg)
	if err != nil {
		return nil, err
	}
	// The output directory is checked (and staged) first, so a refused
	// --out fails before any work.
	stage, err := stageOut(out, cfg.Force || cfg.ReplaceRun)
	if err != nil {
		return nil, err
	}
	// Runs on every return, interruption included; a no-op after commit.
	defer stage.Abort()
	tmp := stage.Dir
	tm := Timings{CreatedAt: time.Now().UTC().Format(time.RFC3339), Workers: cfg.Workers, GoVersion: runtime.Version()}
	t0 := time.Now()
	st, err := state.GenerateSeed(cfg.Domain, cfg.Source.StateSeed())
	if err != nil {
		// generation is a pure function of state.yaml and the schema: what
		// validation let through and generation refuses is still bad input
		if !strictyaml.IsInputError(err) {
			err = strictyaml.Errorf(path.Join(cfg.Domain.Label, "state.yaml"), 0, "%v", err)
		}
		return nil, err
	}
	if err := checkPrincipalTenants(cfg.Domain, st); err != nil {
		return nil, err
	}
	ev := &evaluate.Evaluator{Domain: cfg.Domain, Oracle: oracle.New(cfg.Domain, st), StateSeed: cfg.Source.StateSeed(),
		Statics: layers.NewStaticMemo(staticMemoEntries)}
	if g, ok := cfg.Source.(staticSharer); ok {
		g.ShareStatics(ev.Statics)
	}
	engs, err := openEngines(ctx, cfg, st, ev)
	if err != nil {
		return nil, err
	}
	defer engs.close()
	var min *evaluate.Minimizer
	if cfg.Minimize {
		if min, err = evaluate.NewMinimizer(ev, st); err != nil {
			return nil, err
		}
		if cfg.minimizeFrom != nil {
			if err := min.StartFrom(cfg.minimizeFrom); err != nil {
				return nil, err
			}
		}
	}
	tm.LoadMS = ms(time.Since(t0))
	sk, err := openSinks(tmp, cfg.Shard.Count > 0)
	if err != nil {
		return nil, err
	}
	rep := &Report{Examples: map[string]trace.Trace{}}
	var lat latencies
	cross := newCrossReport(engs)
	tasks, total := shardTasks(cfg.Source, cfg.Shard, cfg.partitionName())
	if min != nil {
		tasks = announced(tasks, min)
	}
	done, prog := 0, cfg.Progress
	if prog == nil {
		prog = progress.Nop{}
	}
	prog.Start(total)
	t1 := time.Now()
	var mt minimizeTimes
	err = pool.Run(ctx, cfg.Workers, tasks,
		func(ctx context.Context) (pool.Worker[indexed, *item], error) {
			return engs.worker(ctx, ev, min, cfg.Compact)
		},
		func(it *item) error {
			lat.add(ms(it.latency))
			mt.add(it)
			cross.add(it)
			if err := sk.write(it); err != nil {
				return err
			}
			key := it.trace.WitnessClass
			if _, ok := rep.Examples[key]; !ok && it.trace.AccountingStatus == trace.Killed {
				rep.Examples[key] = it.trace
			}
			done++
			prog.Set(done)
			return nil
		})
	prog.Finish()
	closeErr := sk.close()
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if closeErr != nil {
		return nil, closeErr
	}
	tm.EvaluateMS = ms(time.Since(t1))
	tm.Tasks = lat.n
	tm.fill(&lat)
	if cfg.Minimize {
		tm.Minimization = mt.report(&lat)
		tm.Minimization.ReplaysExecuted, tm.Minimization.ReplaysMemoized, tm.Minimization.FinalReplays = min.Counts()
	}
	tm.Engine = engs.main.Name()
	tm.Database = engs.stats.Lines()
	if tm.Tasks > 0 {
		var n int64
		for _, l := range tm.Database {
			if l.Kind != db.StatLoad.String() && l.Kind != db.StatParseGo.String() {
				n += l.Executed
			}
		}
		tm.StatementsPerTask = float64(n) / float64(tm.Tasks)
	}
	rep.Summary = sk.summary.Summary()
	if err := trace.WriteCanonical(tmp, "summary.json", rep.Summary); err != nil {
		return nil, err
	}
	if err := trace.WriteCanonical(tmp, "metadata.json", metadata(cfg, engs.main.Name(), st, rep.Summary.Total, ev.Probes)); err != nil {
		return nil, err
	}
	if cross != nil {
		rep.Cross = cross
		if err := trace.WriteCanonical(tmp, "cross_engine.json", cross); err != nil {
			return nil, err
		}
	}
	if cfg.Shard.Count > 0 {
		if err := trace.WriteCanonical(tmp, trace.ShardInfoFile, shardInfo(cfg, engs.main.Name(), rep.Summary.Total)); err != nil {
			return nil, err
		}
	}
	tm.TotalMS = ms(time.Since(t0))
	if err := trace.WriteCanonical(tmp, "run.json", tm); err != nil {
		return nil, err
	}
	if err := commitOut(stage); err != nil {
		return nil, err
	}
	rep.Out, rep.Timings = out, tm
	return rep, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Timings are measured facts about a run, kept out of every compared or
// hashed file (run.json only).
type Timings struct {
	CreatedAt    string  `json:"created_at"`
	Workers      int     `json:"workers"`
	GoVersion    string  `json:"go_version"`
	Tasks        int     `json:"tasks"`
	LoadMS       float64 `json:"load_ms"`
	EvaluateMS   float64 `json:"evaluate_ms"`
	TotalMS      float64 `json:"total_ms"`
	AvgLatencyMS float64 `json:"avg_latency_ms"`
	P95LatencyMS float64 `json:"p95_latency_ms"`
	TracesPerSec float64 `json:"traces_per_second"`
	// Minimization is the time spent minimizing witnesses (absent with
	// --no-minimize).
	Minimization *MinimizationTimes `json:"minimization,omitempty"`
	// Engine is the engine that executed the tasks.
	Engine string `json:"engine"`
	// Database is the database work per kind (statements executed,
	// answered from the memo, seconds) over every engine of the run but
	// the cross-check's; StatementsPerTask is the executed total per task
	// (statements: database loads and the fast parser's parses, which run
	// no statement, are left out).
	Database          []db.StatLine `json:"database"`
	StatementsPerTask float64       `json:"statements_per_task"`
}

func (t *Timings) fill(l *latencies) {
	if l.n == 0 {
		return
	}
	t.AvgLatencyMS = l.sum / float64(l.n)
	t.P95LatencyMS = l.quantile(0.95)
	if t.EvaluateMS > 0 {
		t.TracesPerSec = float64(l.n) / (t.EvaluateMS / 1000)
	}
}

// latencies keeps streaming latency statistics in constant memory: a sum
// and a histogram of 1% wide logarithmic buckets (quantiles within 1%).
type latencies struct {
	n       int
	sum     float64
	buckets map[int]int
}

func (l *latencies) add(ms float64) {
	if l.buckets == nil {
		l.buckets = map[int]int{}
	}
	l.n++
	l.sum += ms
	l.buckets[bucketOf(ms)]++
}

func bucketOf(ms float64) int {
	if ms <= 0.001 {
		return math.MinInt32
	}
	return int(math.Floor(math.Log(ms) / math.Log(1.01)))
}

// quantile returns the upper edge of the bucket holding quantile q.
func (l *latencies) quantile(q float64) float64 {
	keys := make([]int, 0, len(l.buckets))
	for k := range l.buckets {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	rank := int(math.Ceil(q * float64(l.n)))
	seen := 0
	for _, k := range keys {
		seen += l.buckets[k]
		if seen >= rank {
			if k == math.MinInt32 {
				return 0.001
			}
			return math.Pow(1.01, float64(k+1))
		}
	}
	return 0
}

// Metadata is metadata.json: what was run, with content hashes, and nothing
// that varies between identical runs.
type Metadata struct {
	Domain                 string                    `json:"domain"`
	Suite                  string                    `json:"suite"`
	GeneratedCount         *int                      `json:"generated_count"`
	GeneratedSeed          *int                      `json:"generated_seed"`
	PolicyVersion          string                    `json:"policy_version"`
	DefaultSurfaceVersions map[string]string         `json:"default_surface_versions"`
	SuiteMetadata          map[string]any            `json:"suite_metadata"`
	EvidenceLevel          string                    `json:"evidence_level"`
	SuiteProvenance        string                    `json:"suite_provenance"`
	DetectorFrozen         bool                      `json:"detector_frozen"`
	SurfaceContracts       map[string]*spec.Contract `json:"surface_contracts"`
	TransitionObligations  []string                  `json:"transition_obligations"`
	MutationOperatorIDs    []string                  `json:"mutation_operator_ids"`
	TraceCount             int                       `json:"trace_count"`
	Engine                 string                    `json:"engine"`
	PackageVersion         string                    `json:"package_version"`
	FixtureHashes          map[string]string         `json:"fixture_hashes"`
	SuiteHash              string                    `json:"suite_hash"`
	StateSeed              uint64                    `json:"state_seed"`
	StateRows              map[string]int            `json:"state_rows"`
	RequiresLLMAPIKey      bool                      `json:"requires_llm_api_key"`
	// InapplicableOperators maps the operators of the domain's dialect that
	// have nothing to act on in it to the reason (never generated; a suite
	// task naming one is accounted invalid).
	InapplicableOperators map[string]string `json:"inapplicable_operators"`
	// SearchStates are the states the distinguishing-state search tries, in
	// order.
	SearchStates []trace.StateRef `json:"search_states"`
}

func metadata(cfg Config, engine string, st *state.State, n int, search []*evaluate.Probe) Metadata {
	d := cfg.Domain
	rows := map[string]int{}
	for _, t := range st.Tables {
		rows[t.Name] = len(t.Rows)
	}
	md := cfg.Source.Metadata()
	if md == nil {
		md = map[string]any{}
	}
	str := func(k string) string { v, _ := md[k].(string); return v }
	refs := make([]trace.StateRef, len(search))
	for i, p := range search {
		refs[i] = p.Ref
	}
	frozen, _ := md["detector_frozen"].(bool)
	count, seed := cfg.Source.Params()
	return Metadata{
		Domain: d.Name, Suite: cfg.Source.SuiteName(), GeneratedCount: count, GeneratedSeed: seed, PolicyVersion: d.Policy.Version,
		DefaultSurfaceVersions: d.Surfaces.Versions, SuiteMetadata: md,
		EvidenceLevel: str("evidence_level"), SuiteProvenance: str("provenance"), DetectorFrozen: frozen,
		SurfaceContracts: d.Surfaces.Contracts, TransitionObligations: d.Surfaces.TransitionObligations,
		MutationOperatorIDs: catalog.IDsFor(cfg.Domain), TraceCount: n, Engine: engine, PackageVersion: Version,
		FixtureHashes: d.Hashes, SuiteHash: cfg.Source.Hash(), StateSeed: cfg.Source.StateSeed(), StateRows: rows,
		InapplicableOperators: catalog.Inapplicable(d), SearchStates: refs,
	}
}
