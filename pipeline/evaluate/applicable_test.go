package evaluate

import (
	"context"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// TestInapplicableOperatorIsInvalid: in a domain without legacy_column and
// legacy_key (both optional), the legacy-key operators have nothing to act
// on. A task naming one is accounted invalid with the reason; it used to
// dereference a nil legacy key and exit as if the input were bad.
func TestInapplicableOperatorIsInvalid(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	d.Policy.Tenancy.LegacyColumn, d.Policy.Tenancy.LegacyKey = "", ""
	env := evaltest.SetupDomain(t, d)
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	for _, mutation := range []string{"compiler_uses_old_tenant_key", "db_rls_old_ownership_field"} {
		t.Run(mutation, func(t *testing.T) {
			task := spec.Task{ID: "t1", Domain: d.Name, Suite: "test", Principal: "acme_analyst", Mutation: mutation,
				SemanticQuery: spec.SemanticQuery{Metric: "net_revenue", TimeRange: "last_month", Limit: 10}}
			out, err := ev.Evaluate(context.Background(), env.Session, task)
			if err != nil {
				t.Fatal(err)
			}
			if out.Trace.AccountingStatus != trace.Invalid || !strings.Contains(out.Trace.AccountingReason, "legacy") {
				t.Errorf("accounted %s (%s), want invalid naming the missing legacy key", out.Trace.AccountingStatus, out.Trace.AccountingReason)
			}
		})
	}
}
