package suites_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

// analytics loads the ClickHouse-dialect domain from disk.
func analytics(t *testing.T) *spec.Domain {
	t.Helper()
	d, err := domains.LoadDir("../domains/analytics_clickhouse")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The analytics seeded suite is the reference's 100-task matrix: nine
// operators, every task asked by the Acme product viewer over the last week,
// each row overriding its operator's surface with the reference's v0 label.
func TestAnalyticsSeededSuite(t *testing.T) {
	s, err := suites.Load(analytics(t), "seeded")
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		op    string
		count int
	}{
		{"stale_metric_alias_manifest", 10}, {"grammar_permits_forbidden_dimension", 10}, {"validator_omits_sensitive_column", 10},
		{"clickhouse_row_policy_missing_project_filter", 12}, {"clickhouse_row_policy_readonly_assumption_violation", 10},
		{"aggregate_small_cohort_release", 12}, {"materialized_view_lineage_drop", 12}, {"timezone_bucket_drift", 12}, {"uniq_to_count_drift", 12},
	}
	tasks := collect(s)
	if s.Count() != 100 || len(tasks) != 100 {
		t.Fatalf("%d tasks (Count %d), want 100", len(tasks), s.Count())
	}
	i := 0
	for _, r := range rows {
		op, _ := catalog.Get(r.op)
		for n := 1; n <= r.count; n++ {
			task := tasks[i]
			i++
			if want := fmt.Sprintf("%s_%02d", r.op, n); task.ID != want || task.Principal != "acme_product_viewer" || task.SemanticQuery.TimeRange != "last_7_days" {
				t.Errorf("task %d: %s by %s over %s, want %s", i, task.ID, task.Principal, task.SemanticQuery.TimeRange, want)
			}
			want := map[string]string{}
			for _, surface := range spec.SurfaceOrder {
				want[surface] = "v1"
			}
			want[op.Surface] = "v0"
			if !reflect.DeepEqual(task.SurfaceVersions, want) {
				t.Errorf("%s: versions %v, want %v", task.ID, task.SurfaceVersions, want)
			}
		}
	}
}

// A task naming an operator whose feature the domain does not declare
// loads (the evaluator accounts it invalid, with the reason catalog.Applies
// gives).
func TestParseAcceptsOperatorOfUndeclaredFeature(t *testing.T) {
	src := "matrix:\n  - mutation: uniq_to_count_drift\n    count: 1\n    principal: acme_analyst\n    semantic_query: {metric: ticket_count}\n"
	d := support(t)
	if _, err := suites.Parse(d, "s", "s.yaml", []byte(src)); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	op, _ := catalog.Get("uniq_to_count_drift")
	want := "operator uniq_to_count_drift needs a domain that declares uniq_exact_metric; domain support_saas does not"
	if err := catalog.Applies(op, d); err == nil || err.Error() != want {
		t.Errorf("Applies = %v, want %s", err, want)
	}
}

// Generated suites draw only the operators that apply to their domain: the
// support_saas suites never see a ClickHouse operator, the analytics ones
// cycle through all of them; and the hints shape the ClickHouse tasks.
func TestGeneratedOperatorsApplyToTheDomain(t *testing.T) {
	count := func(d *spec.Domain) map[string]int {
		s, err := suites.Open(d, "generated", 600, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for task := range s.Tasks() {
			out[task.Mutation]++
		}
		return out
	}
	sup, an := count(support(t)), count(analytics(t))
	for _, op := range catalog.All() {
		ch := len(op.Requires) > 0
		if ch && sup[op.ID] > 0 {
			t.Errorf("support_saas draws %s", op.ID)
		}
		if !ch && sup[op.ID] == 0 {
			t.Errorf("support_saas never draws %s", op.ID)
		}
		inapplicable := catalog.Inapplicable(analytics(t))[op.ID] != ""
		if an[op.ID] == 0 && !inapplicable {
			t.Errorf("analytics_clickhouse never draws %s", op.ID)
		}
		if an[op.ID] > 0 && inapplicable {
			t.Errorf("analytics_clickhouse draws %s, which is inapplicable there", op.ID)
		}
	}
	s, err := suites.Open(analytics(t), "generated", 600, 0)
	if err != nil {
		t.Fatal(err)
	}
	d := analytics(t)
	sampled, cohort := 0, 0
	for task := range s.Tasks() {
		m, _, _ := resolve.MetricByName(d.Policy, task.SemanticQuery.Metric)
		switch task.Mutation {
		case "sample_clause_release_drift":
			if d.Policy.Metrics[m].Sample > 0 && task.Principal == "acme_growth_admin" {
				sampled++
			}
		case "aggregate_small_cohort_release":
			if d.Policy.Principals[task.Principal].Role == "product_viewer" && len(task.SemanticQuery.Dimensions) >= 2 {
				cohort++
			}
		}
	}
	if sampled < 5 || cohort < 5 {
		t.Errorf("%d sampled-metric tasks by the admin, %d fine-grained product-viewer tasks: the hints are not applied", sampled, cohort)
	}
}
