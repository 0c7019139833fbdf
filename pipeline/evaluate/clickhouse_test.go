package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// analyticsDir is the ClickHouse-dialect domain, read from disk.
const analyticsDir = "../../domains/analytics_clickhouse"

// The analytics controls are clean, and what leaves is the reference minus
// the groups below the minimum cohort size.
func TestAnalyticsControls(t *testing.T) {
	env := evaltest.SetupDir(t, analyticsDir)
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	s, err := suites.Load(env.Domain, "controls")
	if err != nil {
		t.Fatal(err)
	}
	withheld, disclosed := 0, 0
	for task := range s.Tasks() {
		out, err := ev.Evaluate(context.Background(), env.Session, task)
		if err != nil {
			t.Fatal(err)
		}
		if out.Trace.AccountingStatus != trace.CleanControl {
			t.Errorf("%s: status %s, class %s at %s: %v", task.ID, out.Trace.AccountingStatus, out.Trace.WitnessClass, out.Trace.LocalizedSurface, out.Trace.Reasons)
		}
		if r := out.Observation.Layers.Release; r != nil {
			withheld += len(r.Withheld)
			if r.Disclosure != "" {
				disclosed++
			}
		}
	}
	if withheld == 0 || disclosed == 0 {
		t.Errorf("controls withheld %d groups and disclosed %d estimates: they do not exercise the release gate", withheld, disclosed)
	}
}

// A ClickHouse fault where it cannot act is clean and equivalent.
func TestAnalyticsFaultWithoutEffectIsEquivalent(t *testing.T) {
	env := evaltest.SetupDir(t, analyticsDir)
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	week := func(metric string, dims ...string) spec.SemanticQuery {
		return spec.SemanticQuery{Metric: metric, Dimensions: dims, TimeRange: "last_7_days"}
	}
	cases := []struct {
		name, mutation, principal string
		q                         spec.SemanticQuery
	}{
		{"UTC buckets without a bucket", "timezone_bucket_drift", "acme_product_viewer", week("sessions", "platform")},
		{"uniqExact as count on a count", "uniq_to_count_drift", "acme_product_viewer", week("events", "country")},
		{"a rollup without the metric's condition", "materialized_view_lineage_drop", "acme_product_viewer", week("conversions", "event_name")},
		{"a rollup without the query's keys", "materialized_view_lineage_drop", "acme_product_viewer", week("events", "platform")},
		{"no minimum cohort for the admin", "aggregate_small_cohort_release", "acme_growth_admin", week("events", "country", "platform")},
		{"no sample in an exact metric", "sample_clause_release_drift", "acme_growth_admin", week("events", "day")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			task := spec.Task{ID: "t", Domain: env.Domain.Name, Principal: tc.principal, Mutation: tc.mutation, SemanticQuery: tc.q.Normalized()}
			out, err := ev.Evaluate(context.Background(), env.Session, task)
			if err != nil {
				t.Fatal(err)
			}
			if out.Trace.WitnessClass != detect.Clean || out.Trace.AccountingStatus != trace.Equivalent {
				t.Errorf("got class %s status %s (%s), want clean/equivalent; reasons %v",
					out.Trace.WitnessClass, out.Trace.AccountingStatus, out.Trace.AccountingReason, out.Trace.Reasons)
			}
		})
	}
}
