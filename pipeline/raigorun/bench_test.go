package raigorun

import (
	"context"
	"runtime"
	"testing"
)

// BenchmarkRun measures the whole `raigo test` path (loading, freezing,
// the worker pool, checking, fuzz variants, the report) on the example
// suites, and reports evaluations per second, in total and per core.
func BenchmarkRun(b *testing.B) {
	const fuzz = 20
	cfg := Config{Paths: []string{examples + "/suites"}, Fuzz: fuzz, NoMinimize: true, Now: fixedNow}
	evals := 0
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		evals += rep.Totals.Cases * (1 + fuzz)
	}
	perSec := float64(evals) / b.Elapsed().Seconds()
	b.ReportMetric(perSec, "evals/s")
	b.ReportMetric(perSec/float64(runtime.GOMAXPROCS(0)), "evals/s/core")
}
