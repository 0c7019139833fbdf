package detect

import (
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// baseline is a consistent observation of an allowed, correctly answered
// request; each case below perturbs one observable.
func baseline() observe.Observation {
	q := spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"region"}, TimeRange: "last_month"}.Normalized()
	rows := [][]string{{"east", "10"}, {"west", "20"}}
	res := func() *db.Result { return &db.Result{Columns: []string{"region", "value"}, Rows: rows} }
	man := &observe.Manifest{Principal: "p", Metrics: []observe.ManifestMetric{{Name: "net_revenue", Aliases: []string{"recognized_revenue"}}}, Dimensions: []string{"region"}, TimeRanges: []string{"last_month"}}
	return observe.Observation{
		Principal: "p",
		Intent:    q,
		Layers: observe.Layers{
			Manifest:  man,
			Grammar:   &observe.Grammar{Schema: observe.GrammarSchema{Metrics: []string{"net_revenue", "recognized_revenue"}, Dimensions: []string{"region"}, TimeRanges: []string{"last_month"}}, Accepted: true, Query: &q, OutsideSchema: []string{}},
			Validator: &observe.Validator{Allowed: true, Metric: "net_revenue", Obligations: observe.Obligations{TenantScope: []string{"acme"}, RowBudget: 100, MetricSemantics: "net_revenue", Cost: 20}},
			Compiler:  &observe.Compiler{SQL: "SELECT ...", EstimatedCost: 20, RowBudget: 100, TenantScope: []string{"acme"}},
			Database:  &observe.Database{Result: *res(), Probes: []observe.Probe{{Table: "accounts", Visible: []string{"1", "2"}}}},
			Release:   &observe.Release{Allowed: true, Reason: "released", Rows: 2},
		},
		Verdict: observe.Verdict{
			Decision:       oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "net_revenue", RowBudget: 100, Cost: 20, Tenants: []string{"acme"}},
			Capabilities:   oracle.Capabilities{Metrics: map[string][]string{"net_revenue": {"recognized_revenue"}}, Dimensions: []string{"region"}, TimeRanges: []string{"last_month"}, MaxRows: 1000},
			AllowedColumns: []string{"accounts.id", "accounts.region", "invoices.net_amount_cents"},
			Reference:      &oracle.Answer{Columns: []string{"region", "value"}, Rows: rows},
			Owned:          map[string][]string{"accounts": {"1", "2"}},
		},
		Measured: observe.Measurements{
			SQL:        db.SQLInfo{Valid: true, Statements: 1, Limit: 100, Tables: []string{"accounts"}, Columns: []string{"accounts.region", "invoices.net_amount_cents"}},
			Base:       res(),
			Restricted: res(),
		},
	}
}

func TestDetect(t *testing.T) {
	other := [][]string{{"east", "99"}}
	cases := []struct {
		name                      string
		mutate                    func(o *observe.Observation)
		class, surface, contained string
	}{
		{"clean", func(o *observe.Observation) {}, Clean, "", ""},
		{"manifest advertises a denied alias", func(o *observe.Observation) {
			o.Layers.Manifest.Metrics = append(o.Layers.Manifest.Metrics, observe.ManifestMetric{Name: "bookings"})
			o.Layers.Grammar.Schema.Metrics = append(o.Layers.Grammar.Schema.Metrics, "bookings")
		}, OverPermissive, "manifest", ""},
		{"manifest hides a granted dimension", func(o *observe.Observation) {
			o.Layers.Manifest.Dimensions = nil
			o.Layers.Grammar.Schema.Dimensions = nil
		}, OverRestrictive, "manifest", ""},
		{"grammar advertises beyond the manifest", func(o *observe.Observation) {
			o.Layers.Grammar.Schema.Dimensions = append(o.Layers.Grammar.Schema.Dimensions, "customer_email")
		}, OverPermissive, "grammar", ""},
		{"grammar rewrites the intent", func(o *observe.Observation) {
			q := *o.Layers.Grammar.Query
			q.Limit = 5000
			o.Layers.Grammar.Query = &q
		}, SemanticDrift, "grammar", ""},
		{"grammar rejects a well-formed intent", func(o *observe.Observation) {
			o.Layers.Grammar.Accepted, o.Layers.Grammar.Query, o.Layers.Grammar.Error = false, nil, "nope"
			o.Layers.Validator, o.Layers.Compiler, o.Layers.Database = nil, nil, nil
			*o.Layers.Release = observe.Release{Reason: "withheld"}
		}, OverRestrictive, "grammar", "grammar"},
		{"validator allows a denied request, database refuses", func(o *observe.Observation) {
			o.Verdict.Decision.Allowed = false
			o.Verdict.Decision.Reasons = []string{"dimension_denied: customer_email"}
			o.Layers.Database.Result = db.Result{Blocked: true, Error: "Binder Error"}
			*o.Layers.Release = observe.Release{Reason: "withheld"}
		}, OverPermissive, "validator", "database"},
		{"validator denies an allowed request", func(o *observe.Observation) {
			o.Layers.Validator.Allowed = false
			o.Layers.Compiler.Shadow = true
			*o.Layers.Release = observe.Release{Reason: "withheld"}
		}, OverRestrictive, "validator", "validator"},
		{"compiler result depends on other tenants, views contain it", func(o *observe.Observation) {
			o.Measured.Base = &db.Result{Rows: other}
		}, LoweringViolation, "compiler", "database"},
		{"compiler computes the wrong answer and it leaks", func(o *observe.Observation) {
			o.Measured.Restricted = &db.Result{Rows: other}
			o.Measured.Base = &db.Result{Rows: other}
			o.Layers.Database.Result.Rows = other
			o.Layers.Release.Rows = 1
		}, SemanticDrift, "compiler", ""},
		{"compiler drops the row limit", func(o *observe.Observation) { o.Measured.SQL.Limit = -1 }, LoweringViolation, "compiler", ""},
		{"compiler under-prices the query", func(o *observe.Observation) { o.Layers.Compiler.EstimatedCost = 5 }, LoweringViolation, "compiler", ""},
		{"compiler SQL fails on the tenant's rows", func(o *observe.Observation) {
			o.Measured.Restricted = &db.Result{Blocked: true, Error: "Binder Error"}
		}, LoweringViolation, "compiler", ""},
		{"compiler refuses a dimension the canonical policy does not define either", func(o *observe.Observation) {
			unknownDimension(o, "zip")
			o.Layers.Compiler = &observe.Compiler{Shadow: true, RowBudget: 100, TenantScope: []string{"acme"},
				Error: "compile: refused: no definition for dimension:zip", Unresolved: []string{"dimension:zip"}}
		}, Clean, "", ""},
		{"compiler refuses a dimension the canonical policy defines", func(o *observe.Observation) {
			o.Layers.Compiler = &observe.Compiler{RowBudget: 100, TenantScope: []string{"acme"},
				Error: "compile: refused: no definition for dimension:region", Unresolved: []string{"dimension:region"}}
			o.Layers.Database = nil
			*o.Layers.Release = observe.Release{Reason: "withheld"}
		}, LoweringViolation, "compiler", "release"},
		{"compiler refuses an unknown and a defined name", func(o *observe.Observation) {
			unknownDimension(o, "zip")
			o.Layers.Compiler = &observe.Compiler{Shadow: true, RowBudget: 100, TenantScope: []string{"acme"},
				Error: "compile: refused", Unresolved: []string{"dimension:zip", "time_range:last_month"}}
		}, LoweringViolation, "compiler", "validator"},
		{"compiler fails on an unknown dimension without saying which name it cannot resolve", func(o *observe.Observation) {
			unknownDimension(o, "zip")
			o.Layers.Compiler = &observe.Compiler{Shadow: true, RowBudget: 100, TenantScope: []string{"acme"}, Error: "compile: no join path"}
		}, LoweringViolation, "compiler", "validator"},
		{"compiler under-prices an over-budget plan, the validator admits it on that price, rows leave", func(o *observe.Observation) {
			o.Verdict.Decision.Allowed, o.Verdict.Decision.Reasons, o.Verdict.Decision.Cost = false, []string{"cost_exceeded: 100 > 80"}, 100
			o.Layers.Validator.Obligations.Cost, o.Layers.Compiler.EstimatedCost = 25, 25
		}, LoweringViolation, "compiler", ""},
		{"validator admits an over-budget plan the compiler priced right", func(o *observe.Observation) {
			o.Verdict.Decision.Allowed, o.Verdict.Decision.Reasons, o.Verdict.Decision.Cost = false, []string{"cost_exceeded: 100 > 80"}, 100
			o.Layers.Validator.Obligations.Cost, o.Layers.Compiler.EstimatedCost = 100, 100
		}, OverPermissive, "validator", ""},
		{"validator prices the request below the compiler's plan", func(o *observe.Observation) {
			o.Verdict.Decision.Allowed, o.Verdict.Decision.Reasons, o.Verdict.Decision.Cost = false, []string{"cost_exceeded: 100 > 80"}, 100
			o.Layers.Validator.Obligations.Cost, o.Layers.Compiler.EstimatedCost = 25, 100
		}, OverPermissive, "validator", ""},
		{"under-priced plan admitted, but the canonical policy also denies it for another reason", func(o *observe.Observation) {
			o.Verdict.Decision.Allowed, o.Verdict.Decision.Cost = false, 100
			o.Verdict.Decision.Reasons = []string{"row_limit_exceeded: 5000 > 1000", "cost_exceeded: 100 > 80"}
			o.Layers.Validator.Obligations.Cost, o.Layers.Compiler.EstimatedCost = 25, 25
		}, OverPermissive, "validator", ""},
		{"database shows another tenant's rows, compiler predicate absorbs it", func(o *observe.Observation) {
			o.Layers.Database.Probes[0].Visible = []string{"1", "2", "9"}
		}, OverPermissive, "database", "compiler"},
		{"database answers an ungranted column", func(o *observe.Observation) {
			o.Measured.SQL.Columns = append(o.Measured.SQL.Columns, "invoices.gross_amount_cents")
		}, OverPermissive, "database", "compiler"},
		{"database refuses an authorized query", func(o *observe.Observation) {
			o.Layers.Database.Result = db.Result{Blocked: true, Error: "permission denied"}
			*o.Layers.Release = observe.Release{Reason: "withheld"}
		}, OverRestrictive, "database", "database"},
		{"release lets a denied request out", func(o *observe.Observation) {
			o.Verdict.Decision.Allowed = false
			o.Layers.Validator.Allowed = false
			o.Layers.Compiler.Shadow = true
		}, UnsafeRelease, "release", ""},
		{"release withholds a correct allowed answer", func(o *observe.Observation) {
			*o.Layers.Release = observe.Release{Reason: "withheld"}
		}, OverRestrictive, "release", "release"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := baseline()
			tc.mutate(&o)
			d := Detect(o)
			if d.WitnessClass != tc.class || d.LocalizedSurface != tc.surface || d.ContainmentLayer != tc.contained {
				t.Errorf("got (%s, %s, %q), want (%s, %s, %q); findings %+v",
					d.WitnessClass, d.LocalizedSurface, d.ContainmentLayer, tc.class, tc.surface, tc.contained, d.Findings)
			}
			for _, s := range spec.SurfaceOrder {
				if _, ok := d.ContractDecisions[s]; !ok {
					t.Errorf("no contract decision for %s", s)
				}
			}
		})
	}
}

// unknownDimension makes o a request that also groups by name, which the
// canonical policy does not define: validator and oracle deny it, nothing is
// executed or released.
func unknownDimension(o *observe.Observation, name string) {
	q := *o.Layers.Grammar.Query
	q.Dimensions = append(q.Dimensions, name)
	o.Intent, o.Layers.Grammar.Query = q, &q
	o.Layers.Grammar.OutsideSchema = []string{"dimension:" + name}
	o.Layers.Validator.Allowed = false
	o.Layers.Validator.Reasons = []string{"unknown dimension " + name}
	o.Verdict.Decision.Allowed = false
	o.Verdict.Decision.Reasons = []string{"unknown_dimension: " + name}
	o.Verdict.Decision.Unknown = []string{"dimension:" + name}
	o.Verdict.Reference = nil
	o.Layers.Database = nil
	o.Measured = observe.Measurements{}
	*o.Layers.Release = observe.Release{Reason: "withheld: the validator denied the request"}
}
