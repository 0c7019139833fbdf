package layers_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// twoPathsDir is the oracle's fixture in which invoices reach agents by two
// equally short join paths.
const twoPathsDir = "../oracle/testdata/twopaths"

// TestValidatorRefusesAmbiguousJoins: the correct validator denies a
// dimension or filter whose table the metric's table reaches ambiguously,
// as the canonical policy does, and allows the same dimension on a metric
// that reaches it one way.
func TestValidatorRefusesAmbiguousJoins(t *testing.T) {
	d, err := spec.LoadDomain(os.DirFS(twoPathsDir), "twopaths", twoPathsDir)
	if err != nil {
		t.Fatal(err)
	}
	ambiguous := "agent is joined to metric revenue ambiguously: invoices reaches agents by more than one equally short join path"
	tests := []struct {
		name    string
		q       spec.SemanticQuery
		allowed bool
		reasons []string
	}{
		{"revenue by agent", spec.SemanticQuery{Metric: "revenue", Dimensions: []string{"agent"}, TimeRange: "last_month", Limit: 10}, false, []string{ambiguous}},
		{"revenue filtered on agent", spec.SemanticQuery{Metric: "sales", Filters: map[string]string{"agent": "ana"}, TimeRange: "last_month", Limit: 10}, false, []string{ambiguous}},
		{"tickets by agent", spec.SemanticQuery{Metric: "tickets", Dimensions: []string{"agent"}, TimeRange: "last_month", Limit: 10}, true, []string{}},
		{"revenue by region", spec.SemanticQuery{Metric: "revenue", Dimensions: []string{"region"}, TimeRange: "last_month", Limit: 10}, true, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := layers.Validate(layers.Correct, d, "t1_analyst", tt.q.Normalized())
			if v.Allowed != tt.allowed || !slices.Equal(v.Reasons, tt.reasons) {
				t.Errorf("Validate = allowed %v, reasons %q; want %v, %q", v.Allowed, v.Reasons, tt.allowed, tt.reasons)
			}
		})
	}
}

// firstSiblingAlias resolves every alias to the first metric by name.
type firstSiblingAlias struct{ resolve.Standard }

func (firstSiblingAlias) MetricByName(p *spec.Policy, name string) (string, bool, bool) {
	m, alias, ok := resolve.MetricByName(p, name)
	if alias {
		return spec.SortedKeys(p.Metrics)[0], true, true
	}
	return m, alias, ok
}

// noFanOut treats every join step as many-to-one.
type noFanOut struct{ resolve.Standard }

func (noFanOut) Path(s *spec.Schema, from, to string) ([]resolve.Edge, bool) {
	p, ok := resolve.Path(s, from, to)
	out := append([]resolve.Edge{}, p...)
	for i := range out {
		out[i].FanOut, out[i].Expansion = false, 1
	}
	return out, ok
}

// TestStackResolver: the stack's resolver is what its validator and
// compiler resolve with; nil is the standard one.
func TestStackResolver(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	run := func(r resolve.Resolver, q spec.SemanticQuery) (metric string, cost int, sql string) {
		t.Helper()
		s := layers.CorrectStack()
		s.Resolver = r
		out, err := layers.Run(context.Background(), env.Session, env.Domain, s, "acme_finance_admin", layers.IntentJSON(q))
		if err != nil {
			t.Fatal(err)
		}
		return out.Validator.Metric, out.Validator.Obligations.Cost, out.Compiler.SQL
	}
	alias := spec.SemanticQuery{Metric: "recognized_revenue", TimeRange: "last_month", Grain: "month", Limit: 10}.Normalized()
	fan := spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"severity"}, TimeRange: "last_month", Grain: "month", Limit: 10}.Normalized()
	stdMetric, _, stdSQL := run(nil, alias)
	if stdMetric != "net_revenue" || !strings.Contains(stdSQL, "net_amount_cents") {
		t.Fatalf("standard: metric %s, SQL %s", stdMetric, stdSQL)
	}
	if m, _, sql := run(firstSiblingAlias{}, alias); m != "average_resolution_hours" || sql == stdSQL {
		t.Errorf("planted alias fault: metric %s, SQL unchanged %v", m, sql == stdSQL)
	}
	// (18 + 2) * 4: the ticket join fans out by 4
	if _, c, _ := run(nil, fan); c != 80 {
		t.Errorf("standard cost of net_revenue by severity = %d, want 80", c)
	}
	if _, c, _ := run(noFanOut{}, fan); c != 20 {
		t.Errorf("planted expansion fault: cost %d, want 20", c)
	}
}
