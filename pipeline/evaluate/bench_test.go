package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"

	"github.com/policystrata/policystrata/pipeline/evaltest"
)

// BenchmarkEvaluate measures the evaluate stage per task (layers, oracle,
// measurements, detection, accounting; no minimization, no sinks) on one
// DuckDB session, cycling through the support_saas seeded suite.
func BenchmarkEvaluate(b *testing.B) {
	env := evaltest.Setup(b, "support_saas")
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	tasks := seededTasks(&testing.T{}, env)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ev.Evaluate(ctx, env.Session, tasks[i%len(tasks)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "traces/s")
}

// BenchmarkEvaluateUncached is BenchmarkEvaluate with the engine's result
// and parse memo off: every statement is planned and executed by DuckDB.
func BenchmarkEvaluateUncached(b *testing.B) {
	env := evaltest.SetupWith(b, "support_saas", db.Options{CacheEntries: -1})
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	tasks := seededTasks(&testing.T{}, env)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ev.Evaluate(ctx, env.Session, tasks[i%len(tasks)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "traces/s")
}

// BenchmarkEvaluateAndMinimize adds witness minimization (replays through
// the real layers) for every non-clean task.
func BenchmarkEvaluateAndMinimize(b *testing.B) {
	env := evaltest.Setup(b, "support_saas")
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	tasks := seededTasks(&testing.T{}, env)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		task := tasks[i%len(tasks)]
		out, err := ev.Evaluate(ctx, env.Session, task)
		if err != nil {
			b.Fatal(err)
		}
		if out.Trace.WitnessClass != "clean" {
			if _, _, err := ev.Minimize(ctx, env.Session, task, out); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "traces/s")
}
