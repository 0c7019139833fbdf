package suites_test

import (
	"reflect"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

// financeVersions returns the finance_saas default versions (all v3, the
// reference's finance numbering) with overrides.
func financeVersions(kv ...string) map[string]string {
	out := map[string]string{}
	for _, s := range spec.SurfaceOrder {
		out[s] = "v3"
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestFinanceSeededSuite: the finance_saas seeded suite is the reference's
// finance matrix: ten operators, two tasks each, all asked by north_advisor,
// each row overriding its operator's surface with the reference's v2 label.
func TestFinanceSeededSuite(t *testing.T) {
	d, err := domains.Load("finance_saas")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Load(d, "seeded")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		op     string
		metric string
		dims   []string
		tr     string
	}{
		{"stale_metric_alias_manifest", "inflows", []string{"advisor_region"}, "last_month"},
		{"grammar_permits_forbidden_dimension", "aum", []string{"tax_id"}, "last_month"},
		{"validator_omits_sensitive_column", "net_deposits", []string{"household_name"}, "last_month"},
		{"compiler_drops_tenant_predicate", "aum", []string{"account_type"}, "last_month"},
		{"compiler_swaps_tenant_account_id", "fee_revenue", []string{"advisor_region"}, "last_month"},
		{"gross_net_metric_drift", "net_deposits", []string{"household_segment"}, "last_month"},
		{"compiler_removes_distinct", "aum", []string{"advisor_region"}, "last_month"},
		{"compiler_inner_join_drops_rows", "fee_revenue", []string{"account_type"}, "last_month"},
		{"fiscal_calendar_mismatch", "net_deposits", []string{"account_type"}, "last_fiscal_month"},
		{"app_deny_missing_db_policy", "gross_deposits", []string{"advisor_region"}, "last_month"},
	}
	tasks := collect(s)
	if len(tasks) != 2*len(want) || s.Count() != len(tasks) {
		t.Fatalf("%d tasks (Count %d), want %d", len(tasks), s.Count(), 2*len(want))
	}
	for i, task := range tasks {
		w := want[i/2]
		op, ok := catalog.Get(w.op)
		if !ok {
			t.Fatalf("unknown operator %s", w.op)
		}
		q := spec.SemanticQuery{Metric: w.metric, Dimensions: w.dims, Filters: map[string]string{}, TimeRange: w.tr, Grain: "month", Limit: 100}
		switch {
		case task.Mutation != w.op || task.Principal != "north_advisor" || task.Domain != "finance_saas" || task.Suite != "seeded":
			t.Errorf("task %d: %s %s %s/%s, want %s by north_advisor", i, task.ID, task.Mutation, task.Domain, task.Suite, w.op)
		case !reflect.DeepEqual(task.SemanticQuery, q):
			t.Errorf("%s: query %+v, want %+v", task.ID, task.SemanticQuery, q)
		case !reflect.DeepEqual(task.SurfaceVersions, financeVersions(op.Surface, "v2")):
			t.Errorf("%s: surface versions %v", task.ID, task.SurfaceVersions)
		case task.ExpectedWitnessClass != op.ExpectedClass || task.ExpectedLocalizedSurface != op.ExpectedSurface || task.ExpectedContainmentLayer != op.ExpectedContainment:
			t.Errorf("%s: expectations differ from the catalog's", task.ID)
		}
	}
}

// TestFinanceControls: twelve clean controls per principal, identical
// requests for every principal.
func TestFinanceControls(t *testing.T) {
	d, err := domains.Load("finance_saas")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Load(d, "controls")
	if err != nil {
		t.Fatal(err)
	}
	byPrincipal := map[string][]spec.SemanticQuery{}
	for task := range s.Tasks() {
		if task.Mutation != catalog.None || task.ExpectedWitnessClass != "clean" {
			t.Errorf("%s: mutation %s expects %s", task.ID, task.Mutation, task.ExpectedWitnessClass)
		}
		byPrincipal[task.Principal] = append(byPrincipal[task.Principal], task.SemanticQuery)
	}
	if len(byPrincipal) != len(d.Policy.Principals) {
		t.Errorf("controls cover %d principals, want %d", len(byPrincipal), len(d.Policy.Principals))
	}
	first := byPrincipal["north_advisor"]
	for p, qs := range byPrincipal {
		if len(qs) != 12 {
			t.Errorf("%s: %d controls, want 12", p, len(qs))
		}
		if !reflect.DeepEqual(qs, first) {
			t.Errorf("%s asks different requests than north_advisor", p)
		}
	}
}
