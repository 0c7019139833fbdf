package evaluate

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

func seededTasks(t *testing.T, env *evaltest.Env) []spec.Task {
	t.Helper()
	s, err := suites.Load(env.Domain, "seeded")
	if err != nil {
		t.Fatal(err)
	}
	var out []spec.Task
	for task := range s.Tasks() {
		out = append(out, task)
	}
	return out
}

// Every seeded task runs through the real layers and every mutant is killed
// with the labels the fault model predicts. In analytics_clickhouse,
// product viewers may read session_id (the sessions metric counts them), so
// the database cannot contain the sensitive-dimension fault; the release
// gate's minimum cohort size does (every session is one user), and the
// detector says so.
func TestSeededSuites(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T) *evaltest.Env
		tasks int
		// containment overrides the fault model's expected containment layer
		containment map[string]string
	}{
		{"support_saas", func(t *testing.T) *evaltest.Env { return evaltest.Setup(t, "support_saas") }, 50, nil},
		{"analytics_clickhouse", func(t *testing.T) *evaltest.Env { return evaltest.SetupDir(t, analyticsDir) }, 100,
			map[string]string{"validator_omits_sensitive_column": "release"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.setup(t)
			ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
			tasks := seededTasks(t, env)
			if len(tasks) != tc.tasks {
				t.Fatalf("seeded suite has %d tasks, want %d", len(tasks), tc.tasks)
			}
			for _, task := range tasks {
				t.Run(task.ID, func(t *testing.T) {
					out, err := ev.Evaluate(context.Background(), env.Session, task)
					if err != nil {
						t.Fatal(err)
					}
					tr := out.Trace
					got := [4]string{tr.AccountingStatus, tr.WitnessClass, tr.LocalizedSurface, tr.ContainmentLayer}
					want := [4]string{trace.Killed, task.ExpectedWitnessClass, task.ExpectedLocalizedSurface, task.ExpectedContainmentLayer}
					if c, ok := tc.containment[task.Mutation]; ok {
						want[3] = c
					}
					if got != want {
						t.Errorf("(status, class, surface, containment) = %v, want %v\nreasons: %v", got, want, tr.Reasons)
					}
				})
			}
		})
	}
}

// scrambled returns a catalog whose operator ids are meaningless and whose
// expected labels are all wrong, plus the id mapping.
func scrambled(t *testing.T) (*catalog.Catalog, map[string]string) {
	t.Helper()
	var ops []catalog.Operator
	ids := map[string]string{}
	for i, op := range catalog.All() {
		n := op
		n.ID = fmt.Sprintf("op_%02d", (i*7)%len(catalog.All()))
		n.ExpectedClass, n.ExpectedSurface, n.ExpectedContainment = "unsafe_release", "release", "manifest"
		ids[op.ID] = n.ID
		ops = append(ops, n)
	}
	c, err := catalog.New(ops)
	if err != nil {
		t.Fatal(err)
	}
	return c, ids
}

// Renaming every operator and corrupting every expected label changes no
// detection: the detector only sees what the layers did.
func TestDetectionIgnoresOperatorIDsAndLabels(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	plain := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	cat, ids := scrambled(t)
	renamed := &Evaluator{Domain: env.Domain, Oracle: env.Oracle, Catalog: cat}
	acc1, acc2 := trace.NewAccumulator(), trace.NewAccumulator()
	for _, task := range seededTasks(t, env) {
		a, err := plain.Evaluate(context.Background(), env.Session, task)
		if err != nil {
			t.Fatal(err)
		}
		other := task
		other.Mutation = ids[task.Mutation]
		other.ExpectedWitnessClass, other.ExpectedLocalizedSurface, other.ExpectedContainmentLayer = "unsafe_release", "release", "manifest"
		b, err := renamed.Evaluate(context.Background(), env.Session, other)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(mustJSON(t, a.Detection), mustJSON(t, b.Detection)); diff != "" {
			t.Fatalf("%s: detection changed with scrambled ids (-plain +scrambled):\n%s", task.ID, diff)
		}
		if diff := cmp.Diff(mustJSON(t, a.Observation), mustJSON(t, b.Observation)); diff != "" {
			t.Fatalf("%s: observation changed with scrambled ids:\n%s", task.ID, diff)
		}
		acc1.Add(&a.Trace)
		acc2.Add(&b.Trace)
	}
	s1, s2 := acc1.Summary(), acc2.Summary()
	if s1.Killed != s2.Killed || s1.ByClass["semantic_drift"] != s2.ByClass["semantic_drift"] {
		t.Errorf("kill counts changed: %d vs %d", s1.Killed, s2.Killed)
	}
	if s1.LocalizationAccuracy != 1 || s2.LocalizationAccuracy != 0 {
		t.Errorf("localization accuracy = %v (true labels) and %v (wrong labels), want 1 and 0", s1.LocalizationAccuracy, s2.LocalizationAccuracy)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An operator applied where it can have no effect comes out clean and is
// accounted as equivalent (not killed, not a detector miss).
func TestFaultWithoutEffectIsEquivalent(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	cases := []struct {
		name      string
		mutation  string
		principal string
		q         spec.SemanticQuery
	}{
		{"fiscal fault on a calendar month", "fiscal_calendar_mismatch", "acme_analyst",
			spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"plan"}, TimeRange: "last_month"}},
		{"metric lookup fault on the first sibling", "gross_net_metric_drift", "acme_finance_admin",
			spec.SemanticQuery{Metric: "gross_revenue", Dimensions: []string{"region"}, TimeRange: "last_month"}},
		{"stale aliases for a principal allowed every metric", "stale_metric_alias_manifest", "acme_finance_admin",
			spec.SemanticQuery{Metric: "net_revenue", TimeRange: "last_month"}},
		{"cost fault without a fan-out join", "cost_estimate_ignores_expansion", "acme_analyst",
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"severity"}, TimeRange: "last_month"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			task := spec.Task{ID: "t", Domain: "support_saas", Principal: tc.principal, Mutation: tc.mutation, SemanticQuery: tc.q.Normalized()}
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

// Clean controls on the correct stack, allowed or correctly denied, are clean.
func TestCleanControls(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	queries := []spec.SemanticQuery{
		{Metric: "ticket_count", Dimensions: []string{"region"}, TimeRange: "last_month"},
		{Metric: "net_revenue", Dimensions: []string{"severity", "plan"}, TimeRange: "last_fiscal_month"},
		{Metric: "escalations", Dimensions: []string{"month"}, TimeRange: "last_month", Filters: map[string]string{"region": "west"}},
		{Metric: "average_resolution_hours", TimeRange: "last_month"},
		{Metric: "gross_revenue", Dimensions: []string{"region"}, TimeRange: "last_month"},
		{Metric: "bookings", TimeRange: "fiscal_ytd"},
		{Metric: "ticket_count", Dimensions: []string{"customer_email"}, TimeRange: "last_month"},
		{Metric: "ticket_count", TimeRange: "last_month", Filters: map[string]string{"tenant_id": "beta"}},
		{Metric: "net_revenue", Dimensions: []string{"region"}, TimeRange: "last_month", Limit: 1000},
		{Metric: "net_revenue", Dimensions: []string{"region"}, TimeRange: "last_month", Limit: 1},
	}
	for _, pr := range spec.SortedKeys(env.Domain.Policy.Principals) {
		for i, q := range queries {
			t.Run(fmt.Sprintf("%s/%d", pr, i), func(t *testing.T) {
				task := spec.Task{ID: "c", Domain: "support_saas", Principal: pr, Mutation: catalog.None, SemanticQuery: q.Normalized(), ExpectedWitnessClass: "clean"}
				out, err := ev.Evaluate(context.Background(), env.Session, task)
				if err != nil {
					t.Fatal(err)
				}
				if out.Trace.AccountingStatus != trace.CleanControl {
					t.Errorf("status %s, class %s at %s: %v", out.Trace.AccountingStatus, out.Trace.WitnessClass, out.Trace.LocalizedSurface, out.Trace.Reasons)
				}
				if out.Trace.CanonicalDecision.Allowed != out.Trace.ReleaseDecision.Allowed {
					t.Errorf("canonical allowed=%v but release allowed=%v", out.Trace.CanonicalDecision.Allowed, out.Trace.ReleaseDecision.Allowed)
				}
				if out.Trace.ReleaseDecision.Allowed && out.Trace.DBResult.RowsDigest != out.Trace.DBResult.ReferenceDigest {
					t.Errorf("released rows %s differ from the reference %s", out.Trace.DBResult.ActualValue, out.Trace.DBResult.IntendedValue)
				}
			})
		}
	}
}
