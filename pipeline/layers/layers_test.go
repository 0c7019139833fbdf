package layers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

func q(metric string, dims []string, tr string) spec.SemanticQuery {
	return spec.SemanticQuery{Metric: metric, Dimensions: dims, TimeRange: tr}.Normalized()
}

// Every catalog operator's variant really changes its layer's output, in
// the way the catalog describes, on the seeded suite's input.
func TestEveryFaultIsReal(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	d := env.Domain
	ctx := context.Background()
	allowed := func(v observe.Validator) observe.Obligations { return v.Obligations }
	compile := func(variant, principal string, query spec.SemanticQuery) observe.Compiler {
		v := layers.Validate(layers.Correct, d, principal, query)
		return layers.Compile(variant, d, layers.CompileInput{Query: query, Metric: v.Metric, Obligations: allowed(v)})
	}
	exec := func(variant, sql string) observe.Database {
		out, err := layers.Execute(ctx, env.Session, d, variant, "analyst", []string{"acme"}, sql, false)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := map[string]func(t *testing.T){
		"stale_metric_alias_manifest": func(t *testing.T) {
			good := layers.Manifest(layers.Correct, d.Policy, "acme_analyst")
			bad := layers.Manifest(layers.ManifestStaleAliases, d.Policy, "acme_analyst")
			if slices.Contains(good.Names(), "bookings") || !slices.Contains(bad.Names(), "bookings") {
				t.Errorf("v7 names %v, v6 names %v: want bookings only in v6", good.Names(), bad.Names())
			}
		},
		"grammar_permits_forbidden_dimension": func(t *testing.T) {
			doc := layers.Manifest(layers.Correct, d.Policy, "acme_analyst")
			good := layers.GrammarSchemaFor(layers.Correct, d.Policy, doc)
			bad := layers.GrammarSchemaFor(layers.GrammarAllDimensions, d.Policy, doc)
			if slices.Contains(good.Dimensions, "customer_email") || !slices.Contains(bad.Dimensions, "customer_email") {
				t.Errorf("v7 dims %v, v6 dims %v", good.Dimensions, bad.Dimensions)
			}
		},
		"validator_omits_sensitive_column": func(t *testing.T) {
			query := q("escalated_tickets", []string{"customer_email"}, "last_month")
			if layers.Validate(layers.Correct, d, "acme_analyst", query).Allowed {
				t.Error("v7 validator allowed a sensitive dimension for an analyst")
			}
			if !layers.Validate(layers.ValidatorSkipSensitive, d, "acme_analyst", query).Allowed {
				t.Error("faulty validator still denies the sensitive dimension")
			}
		},
		"compiler_drops_tenant_predicate": func(t *testing.T) {
			query := q("ticket_count", []string{"region"}, "last_month")
			if !strings.Contains(compile(layers.Correct, "acme_analyst", query).SQL, "accounts.tenant_id IN ('acme')") {
				t.Error("v7 SQL lacks the tenant predicate")
			}
			if strings.Contains(compile(layers.CompilerDropTenant, "acme_analyst", query).SQL, "tenant_id") {
				t.Error("faulty SQL still scopes tenants")
			}
		},
		"compiler_uses_old_tenant_key": func(t *testing.T) {
			sql := compile(layers.CompilerLegacyTenantKey, "acme_analyst", q("escalated_tickets", []string{"severity"}, "last_month")).SQL
			if !strings.Contains(sql, "accounts.legacy_tenant_id IN (SELECT tenants.legacy_id") || strings.Contains(sql, "accounts.tenant_id IN") {
				t.Errorf("faulty SQL does not scope on the legacy key:\n%s", sql)
			}
		},
		"db_rls_old_ownership_field": func(t *testing.T) {
			sql := compile(layers.Correct, "acme_analyst", q("ticket_count", []string{"region"}, "last_month")).SQL
			good, bad := exec(layers.Correct, sql), exec(layers.DatabaseLegacyOwnership, sql)
			owned := env.Oracle.OwnedRows("accounts", []string{"acme"})
			for _, p := range good.Probes {
				if p.Table == "accounts" && !slices.Equal(p.Visible, owned) {
					t.Errorf("v7 views show accounts %v, acme owns %v", p.Visible, owned)
				}
			}
			for _, p := range bad.Probes {
				if p.Table == "accounts" && slices.Equal(p.Visible, owned) {
					t.Errorf("legacy-ownership views show exactly acme's accounts")
				}
			}
		},
		"gross_net_metric_drift": func(t *testing.T) {
			sql := compile(layers.CompilerMetricByTable, "acme_analyst", q("net_revenue", []string{"plan"}, "last_month")).SQL
			if !strings.Contains(sql, "sum(invoices.gross_amount_cents)") {
				t.Errorf("faulty SQL does not lower net to gross:\n%s", sql)
			}
		},
		"fanout_join_drift": func(t *testing.T) {
			good := compile(layers.Correct, "acme_analyst", q("net_revenue", []string{"region"}, "last_month")).SQL
			bad := compile(layers.CompilerEagerContextJoin, "acme_analyst", q("net_revenue", []string{"region"}, "last_month")).SQL
			if strings.Contains(good, "support_tickets") || !strings.Contains(bad, "JOIN support_tickets") || strings.Contains(bad, "DISTINCT") {
				t.Errorf("v7:\n%s\nfaulty:\n%s", good, bad)
			}
		},
		"fiscal_calendar_mismatch": func(t *testing.T) {
			good := compile(layers.Correct, "acme_analyst", q("net_revenue", []string{"plan"}, "last_fiscal_month")).SQL
			bad := compile(layers.CompilerCalendarForFiscal, "acme_analyst", q("net_revenue", []string{"plan"}, "last_fiscal_month")).SQL
			if !strings.Contains(good, "DATE '2026-04-26'") || !strings.Contains(bad, "DATE '2026-05-01'") {
				t.Errorf("v7:\n%s\nfaulty:\n%s", good, bad)
			}
		},
		"cost_estimate_ignores_expansion": func(t *testing.T) {
			query := q("net_revenue", []string{"region", "plan", "severity"}, "last_month")
			good := compile(layers.Correct, "acme_finance_admin", query).EstimatedCost
			bad := compile(layers.CompilerIgnoreExpansion, "acme_finance_admin", query).EstimatedCost
			if good != 100 || bad != 25 {
				t.Errorf("estimates v7=%d faulty=%d, want 100 and 25", good, bad)
			}
			// the validator's budget check (analyst max_cost 80) consumes the estimate
			query.Limit = 100
			priced := func(compiler string) observe.Validator {
				return layers.ValidateWith(resolve.Standard{}, layers.Correct, d, "acme_analyst", query, layers.Pricer(resolve.Standard{}, compiler, d))
			}
			if v := priced(layers.Correct); v.Allowed || v.Obligations.Cost != 100 {
				t.Errorf("priced by v7: allowed %v at cost %d, want denied at 100", v.Allowed, v.Obligations.Cost)
			}
			if v := priced(layers.CompilerIgnoreExpansion); !v.Allowed || v.Obligations.Cost != 25 {
				t.Errorf("priced by the faulty compiler: allowed %v at cost %d, want admitted at 25 (%v)", v.Allowed, v.Obligations.Cost, v.Reasons)
			}
		},
		"app_deny_missing_db_policy": func(t *testing.T) {
			sql := compile(layers.Correct, "acme_finance_admin", q("gross_revenue", []string{"region"}, "last_month")).SQL
			if r := exec(layers.Correct, sql).Result; !r.Blocked {
				t.Errorf("v7 database let an analyst session read gross amounts: %v", r.Rows)
			}
			if r := exec(layers.DatabaseTableGrants, sql).Result; r.Blocked {
				t.Errorf("table-grant database refused: %s", r.Error)
			}
		},
		"compiler_swaps_tenant_account_id": func(t *testing.T) {
			sql := compile(layers.CompilerSwapTenantAccount, "acme_analyst", q("ticket_count", []string{"region"}, "last_month")).SQL
			if !strings.Contains(sql, "CAST(accounts.id AS VARCHAR) IN ('acme')") || strings.Contains(sql, "accounts.tenant_id IN") {
				t.Errorf("faulty SQL does not bind tenants to the account key:\n%s", sql)
			}
		},
		"compiler_removes_distinct": func(t *testing.T) {
			sql := compile(layers.CompilerRemoveDistinct, "acme_analyst", q("ticket_count", []string{"plan"}, "last_month")).SQL
			if strings.Contains(strings.ToLower(sql), "distinct") {
				t.Errorf("faulty SQL still de-duplicates:\n%s", sql)
			}
		},
		"compiler_inner_join_drops_rows": func(t *testing.T) {
			good := compile(layers.Correct, "acme_analyst", q("ticket_count", []string{"severity"}, "last_month")).SQL
			bad := compile(layers.CompilerInnerJoinOptional, "acme_analyst", q("ticket_count", []string{"severity"}, "last_month")).SQL
			if strings.Contains(good, "JOIN agents") || !strings.Contains(bad, "JOIN agents ON agents.id = support_tickets.assigned_agent_id") {
				t.Errorf("v7:\n%s\nfaulty:\n%s", good, bad)
			}
		},
		"validator_alias_skips_role_check": func(t *testing.T) {
			if layers.Validate(layers.Correct, d, "acme_analyst", q("bookings", nil, "last_month")).Allowed {
				t.Error("v7 validator allowed an analyst the bookings alias")
			}
			if !layers.Validate(layers.ValidatorAliasSkipsRole, d, "acme_analyst", q("bookings", nil, "last_month")).Allowed {
				t.Error("faulty validator checks aliases")
			}
			if layers.Validate(layers.ValidatorAliasSkipsRole, d, "acme_analyst", q("gross_revenue", nil, "last_month")).Allowed {
				t.Error("faulty validator skips the check for canonical names too")
			}
		},
		"validator_trusts_intent_limit": func(t *testing.T) {
			query := q("ticket_count", []string{"region"}, "last_month")
			query.Limit = 5000
			good, bad := layers.Validate(layers.Correct, d, "acme_analyst", query), layers.Validate(layers.ValidatorTrustIntentLimit, d, "acme_analyst", query)
			if good.Allowed || !bad.Allowed || bad.Obligations.RowBudget != 5000 {
				t.Errorf("v7 allowed=%v, faulty allowed=%v budget=%d", good.Allowed, bad.Allowed, bad.Obligations.RowBudget)
			}
		},
		"validator_ignores_time_range_policy": func(t *testing.T) {
			query := q("ticket_count", nil, "fiscal_ytd")
			if layers.Validate(layers.Correct, d, "acme_analyst", query).Allowed || !layers.Validate(layers.ValidatorIgnoreTimeRange, d, "acme_analyst", query).Allowed {
				t.Error("time-range check not removed by the faulty validator only")
			}
		},
		"grammar_drops_filters": func(t *testing.T) {
			doc := layers.Manifest(layers.Correct, d.Policy, "acme_analyst")
			intent := []byte(`{"metric":"ticket_count","filters":{"region":"west"},"time_range":"last_month","limit":10}`)
			good, bad := layers.Grammar(layers.Correct, d.Policy, doc, intent), layers.Grammar(layers.GrammarDropFilters, d.Policy, doc, intent)
			if len(good.Query.Filters) != 1 || len(bad.Query.Filters) != 0 {
				t.Errorf("v7 filters %v, faulty filters %v", good.Query.Filters, bad.Query.Filters)
			}
		},
		"compiler_or_filter_escapes_tenant": func(t *testing.T) {
			query := q("ticket_count", nil, "last_month")
			query.Filters = map[string]string{"region": "west", "severity": "high"}
			sql := compile(layers.CompilerOrFilters, "acme_analyst", query).SQL
			if !strings.Contains(sql, "= 'west'\n    OR CAST(support_tickets.severity AS VARCHAR) = 'high'") {
				t.Errorf("faulty SQL does not OR its filters:\n%s", sql)
			}
		},
		"compiler_drops_time_range_with_month": func(t *testing.T) {
			if sql := compile(layers.CompilerDropTimeForMonth, "acme_analyst", q("ticket_count", []string{"month"}, "last_month")).SQL; strings.Contains(sql, "opened_at >=") {
				t.Errorf("faulty SQL keeps the time range with a month bucket:\n%s", sql)
			}
			if sql := compile(layers.CompilerDropTimeForMonth, "acme_analyst", q("ticket_count", []string{"region"}, "last_month")).SQL; !strings.Contains(sql, "opened_at >=") {
				t.Errorf("faulty SQL drops the time range without a month bucket")
			}
		},
		"db_policy_missing_on_new_tables": func(t *testing.T) {
			sql := compile(layers.Correct, "acme_analyst", q("net_revenue", []string{"region"}, "last_month")).SQL
			owned := env.Oracle.OwnedRows("invoices", []string{"acme"})
			for _, p := range exec(layers.DatabaseMissingDeepPolicies, sql).Probes {
				if p.Table == "invoices" && len(p.Visible) <= len(owned) {
					t.Errorf("unprotected invoices show %d rows, acme owns %d", len(p.Visible), len(owned))
				}
				if p.Table == "accounts" && !slices.Equal(p.Visible, env.Oracle.OwnedRows("accounts", []string{"acme"})) {
					t.Errorf("accounts lost their policy too")
				}
			}
		},
		"release_fail_open_on_deny": func(t *testing.T) {
			denied := &observe.Validator{Allowed: false, Obligations: observe.Obligations{RowBudget: 10}}
			rows := &observe.Database{Result: db.Result{Rows: [][]string{{"1"}}}}
			if layers.Release(layers.Correct, denied, nil, rows).Allowed || !layers.Release(layers.ReleaseFailOpen, denied, nil, rows).Allowed {
				t.Error("only the fail-open release should let a denied request's rows out")
			}
		},
	}
	for id, tc := range clickHouseFaults(t) {
		cases[id] = tc
	}
	for _, op := range catalog.All() {
		tc, ok := cases[op.ID]
		if !ok {
			t.Errorf("operator %s has no fault test", op.ID)
			continue
		}
		t.Run(op.ID, tc)
	}
}

func TestGrammarKeepsUntrustedIntent(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	doc := layers.Manifest(layers.Correct, env.Domain.Policy, "acme_analyst")
	cases := []struct {
		name     string
		intent   string
		accepted bool
		outside  []string
	}{
		{"inside the schema", `{"metric":"tickets","dimensions":["region"],"time_range":"last_month","limit":10}`, true, []string{}},
		{"outside the schema is kept", `{"metric":"bookings","dimensions":["customer_email"],"time_range":"fiscal_ytd","limit":10}`, true,
			[]string{"metric:bookings", "dimension:customer_email", "time_range:fiscal_ytd"}},
		{"malformed JSON", `{"metric":`, false, nil},
		{"unknown field", `{"metric":"tickets","time_range":"last_month","limit":1,"sql":"drop table x"}`, false, nil},
		{"no metric", `{"time_range":"last_month","limit":1}`, false, nil},
		{"zero limit", `{"metric":"tickets","time_range":"last_month","limit":0}`, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := layers.Grammar(layers.Correct, env.Domain.Policy, doc, []byte(tc.intent))
			if g.Accepted != tc.accepted {
				t.Fatalf("accepted=%v (%s), want %v", g.Accepted, g.Error, tc.accepted)
			}
			if tc.accepted && !slices.Equal(g.OutsideSchema, tc.outside) {
				t.Errorf("outside schema %v, want %v", g.OutsideSchema, tc.outside)
			}
		})
	}
}

func TestReleaseRules(t *testing.T) {
	ok := &observe.Validator{Allowed: true, Obligations: observe.Obligations{RowBudget: 2}}
	rows := func(n int) *observe.Database {
		d := &observe.Database{}
		for i := 0; i < n; i++ {
			d.Result.Rows = append(d.Result.Rows, []string{"x"})
		}
		return d
	}
	blocked := &observe.Database{}
	blocked.Result.Blocked = true
	cases := []struct {
		name  string
		v     *observe.Validator
		d     *observe.Database
		allow bool
	}{
		{"allowed within budget", ok, rows(2), true},
		{"over the row budget", ok, rows(3), false},
		{"validator denied", &observe.Validator{}, rows(1), false},
		{"database refused", ok, blocked, false},
		{"never validated", nil, nil, false},
		{"never executed", ok, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := layers.Release(layers.Correct, tc.v, nil, tc.d); got.Allowed != tc.allow {
				t.Errorf("allowed=%v (%s), want %v", got.Allowed, got.Reason, tc.allow)
			}
		})
	}
}
