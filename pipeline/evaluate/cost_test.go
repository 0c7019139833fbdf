package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// The validator's budget check consumes the compiler's cost estimate: a
// fan-out breakdown within the row limit but over the analyst's budget is
// denied on the correct stack, and admitted, executed and released when
// the compiler ignores join expansion. The blind detector localizes that to
// the compiler (the validator applied the budget to the price it was
// given) and reports that nothing contained it.
func TestCostEstimateIsConsumed(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	q := spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"region", "plan", "severity"}, TimeRange: "last_month", Limit: 100}.Normalized()
	for _, tc := range []struct {
		mutation                      string
		admitted                      bool
		status, class, surface, contn string
	}{
		{catalog.None, false, trace.CleanControl, detect.Clean, "", ""},
		{"cost_estimate_ignores_expansion", true, trace.Killed, detect.LoweringViolation, "compiler", ""},
	} {
		t.Run(tc.mutation, func(t *testing.T) {
			task := spec.Task{ID: "cost", Domain: "support_saas", Principal: "acme_analyst", Mutation: tc.mutation, SemanticQuery: q}
			out, err := ev.Evaluate(context.Background(), env.Session, task)
			if err != nil {
				t.Fatal(err)
			}
			if dec := out.Observation.Verdict.Decision; dec.Allowed || dec.Cost != 100 {
				t.Fatalf("canonical decision %+v: want denied for cost 100 > 80", dec)
			}
			l := out.Observation.Layers
			if l.Validator.Allowed != tc.admitted || l.Release.Allowed != tc.admitted {
				t.Errorf("validator allowed %v, release allowed %v: want both %v (%v)", l.Validator.Allowed, l.Release.Allowed, tc.admitted, l.Validator.Reasons)
			}
			if l.Validator.Obligations.Cost != l.Compiler.EstimatedCost {
				t.Errorf("validator checked cost %d, the compiled plan's estimate is %d", l.Validator.Obligations.Cost, l.Compiler.EstimatedCost)
			}
			tr := out.Trace
			if got, want := [4]string{tr.AccountingStatus, tr.WitnessClass, tr.LocalizedSurface, tr.ContainmentLayer}, [4]string{tc.status, tc.class, tc.surface, tc.contn}; got != want {
				t.Errorf("(status, class, surface, containment) = %v, want %v; reasons %v", got, want, tr.Reasons)
			}
		})
	}
}
