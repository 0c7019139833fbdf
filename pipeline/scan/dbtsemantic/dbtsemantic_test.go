package dbtsemantic

import (
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

func TestInspect(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("m.yml", []byte(`
semantic_models:
  - name: tickets
    entities: [{name: account, type: primary, expr: account_id}]
    measures:
      - {name: ticket_count, agg: count_distinct, expr: id}
      - {name: net_revenue, agg: sum, expr: gross_amount_cents}
      - {name: churn, agg: sum, expr: churned, create_metric: true}
    dimensions:
      - {name: region, type: categorical}
      - {name: customer_email, type: categorical}
      - {name: tenant_id, type: categorical, meta: {sensitive: true}}
      - {name: colour, type: categorical}
metrics:
  - {name: escalations_legacy, type: simple, type_params: {measure: ticket_count}}
`))
	if err != nil {
		t.Fatal(err)
	}
	in := Inspect("support_saas", "m.yml", d.Policy, f)
	check := func(name string, got []string, want string) {
		if strings.Join(got, ",") != want {
			t.Errorf("%s = %v, want %s", name, got, want)
		}
	}
	check("matched metrics", in.MatchedMetrics, "net_revenue,ticket_count")
	check("missing metrics", in.MissingMetrics, "average_resolution_hours,escalated_tickets,gross_revenue")
	check("stale metrics", in.StaleMetrics, "churn,escalations_legacy")
	check("missing dimensions", in.MissingDimensions, "month,plan,severity")
	check("stale dimensions", in.StaleDimensions, "colour")
	check("sensitive metadata missing", in.SensitiveMetadataMissing, "customer_email")
	check("missing lineage", in.MissingLineage, "tickets")
	if len(in.ExpressionMismatches) != 1 || in.ExpressionMismatches[0].Metric != "net_revenue" {
		t.Errorf("mismatches %+v", in.ExpressionMismatches)
	}
	if !in.Warnings() {
		t.Error("warnings expected")
	}
}

// FuzzParse: no input panics; errors are input errors.
func FuzzParse(f *testing.F) {
	f.Add("semantic_models:\n  - name: a\n    measures: [{name: m, expr: x}]\n")
	f.Add("metrics: [{name: m, type_params: {measure: {name: x}}}]\n")
	f.Add("- 1")
	d, err := domains.Load("support_saas")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse("m.yml", []byte(s))
		if err != nil {
			if !strictyaml.IsInputError(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		Inspect("support_saas", "m.yml", d.Policy, m)
	})
}
