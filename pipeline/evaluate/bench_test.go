package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
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
// embedded engine. Every statement is executed (the memo only answers
// repeats of the same statement in the same namespace).
func BenchmarkEvaluateGenerated(b *testing.B) {
	for _, engine := range []string{db.EngineSQLite, db.EngineDuckDB} {
		b.Run(engine, func(b *testing.B) { benchGenerated(b, engine) })
	}
}

func benchGenerated(b *testing.B, engine string) {
	env := evaltest.SetupEngine(b, "support_saas", engine, db.Options{})
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle, Engine: engine}
	src, err := suites.Open(env.Domain, "generated", max(b.N, 1), 1729)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for task := range src.Tasks() {
		if _, err := ev.Evaluate(ctx, env.Session, task); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "traces/s")
}
