package evaluate

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

// benchEvaluate evaluates the support_saas seeded suite round-robin on one
// DuckDB session, minimizing non-clean outcomes when minimize is set, and
// reports traces per second.
func benchEvaluate(b *testing.B, opt db.Options, minimize bool) {
	opt.Restrictable = minimize
	env := evaltest.SetupWith(b, "support_saas", opt)
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	tasks := seededTasks(&testing.T{}, env)
	ctx := context.Background()
	min, err := NewMinimizer(ev, env.State)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		task := tasks[i%len(tasks)]
		out, err := ev.Evaluate(ctx, env.Session, task)
		if err != nil {
			b.Fatal(err)
		}
		switch {
		case minimize && out.Trace.WitnessClass != "clean":
			if _, _, err := min.Minimize(ctx, env.Session, i, task, out); err != nil {
				b.Fatal(err)
			}
		case minimize:
			min.Skip(i)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "traces/s")
}

// BenchmarkEvaluate measures the evaluate stage per task (layers, oracle,
// measurements, detection, accounting; no minimization, no sinks) with the
// engine's statement memo on, as runs use it.
func BenchmarkEvaluate(b *testing.B) { benchEvaluate(b, db.Options{}, false) }

// BenchmarkEvaluateUncached turns the memo off: every statement is planned
// and executed by DuckDB (the cost of a task whose SQL was never seen).
func BenchmarkEvaluateUncached(b *testing.B) { benchEvaluate(b, db.Options{CacheEntries: -1}, false) }

// BenchmarkEvaluateAndMinimize adds witness minimization (replays through
// the real layers) for every non-clean task.
func BenchmarkEvaluateAndMinimize(b *testing.B) { benchEvaluate(b, db.Options{}, true) }

// BenchmarkEvaluateGenerated evaluates distinct generated tasks (varied
// principals, metrics, dimensions, filters, time ranges and limits) in order,
// as a generated run does, with the memo on and no minimization, on each
// embedded engine, on one session. Every statement is executed (the memo
// only answers repeats of the same statement in the same namespace). The
// tasks are generated before the timer starts: this is the evaluate stage.
func BenchmarkEvaluateGenerated(b *testing.B) {
	for _, engine := range []string{db.EngineSQLite, db.EngineDuckDB} {
		b.Run(engine, func(b *testing.B) { benchGenerated(b, engine, 1) })
	}
}

// BenchmarkEvaluateGeneratedParallel is BenchmarkEvaluateGenerated with one
// session per processor (GOMAXPROCS), as a run's workers use them: the
// evaluate stage's throughput on the machine's cores.
func BenchmarkEvaluateGeneratedParallel(b *testing.B) {
	b.Run(db.EngineSQLite, func(b *testing.B) { benchGenerated(b, db.EngineSQLite, runtime.GOMAXPROCS(0)) })
}

// benchCalls counts benchGenerated's calls (each gets its own suite seed).
var benchCalls atomic.Int64

// benchGenerated evaluates b.N distinct generated tasks on workers
// sessions of one engine, each taking the next task, and reports traces
// per second.
func benchGenerated(b *testing.B, engine string, workers int) {
	env := evaltest.SetupEngine(b, "support_saas", engine, db.Options{})
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle, Engine: engine}
	// a suite of its own per call: the process-wide parse memo must not
	// answer a later call with an earlier call's statements
	src, err := suites.Open(env.Domain, "generated", max(b.N, 1), 1729+int(benchCalls.Add(1)))
	if err != nil {
		b.Fatal(err)
	}
	var tasks []spec.Task
	for t := range src.Tasks() {
		tasks = append(tasks, t)
	}
	sessions := []db.Session{env.Session}
	for len(sessions) < workers {
		s, err := env.Engine.Session(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		sessions = append(sessions, s)
	}
	ctx := context.Background()
	var next atomic.Int64
	var g errgroup.Group
	b.ResetTimer()
	for _, sess := range sessions {
		g.Go(func() error {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tasks) {
					return nil
				}
				if _, err := ev.Evaluate(ctx, sess, tasks[i]); err != nil {
					return err
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(tasks))/b.Elapsed().Seconds(), "traces/s")
}
