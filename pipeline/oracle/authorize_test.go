package oracle_test

import (
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// supportOracle builds the oracle over the built-in support_saas domain.
func supportOracle(t *testing.T) (*oracle.Oracle, *spec.Domain, *state.State) {
	t.Helper()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatalf("load domain: %v", err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatalf("generate state: %v", err)
	}
	o := oracle.New(d, st)
	if o.Domain() != d {
		t.Fatalf("Domain() does not return the oracle's domain")
	}
	return o, d, st
}

// tinyOracle builds the oracle over testdata/tiny (explicit rows only).
func tinyOracle(t *testing.T) (*oracle.Oracle, *spec.Domain, *state.State) {
	t.Helper()
	d, err := spec.LoadDomain(os.DirFS("testdata/tiny"), "tiny", "testdata/tiny")
	if err != nil {
		t.Fatalf("load tiny domain: %v", err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatalf("generate tiny state: %v", err)
	}
	return oracle.New(d, st), d, st
}

func query(metric string, dims []string, filters map[string]string, tr string, limit int) spec.SemanticQuery {
	return spec.SemanticQuery{Metric: metric, Dimensions: dims, Filters: filters, TimeRange: tr, Grain: "month", Limit: limit}.Normalized()
}

// TestAuthorize: costs are worked out from policy.yaml and schema.yaml. A
// dimension on support_tickets seen from invoices needs invoices ->
// subscriptions -> accounts -> support_tickets, whose last step fans out by
// the support_tickets.account_id expansion 4; a dimension on subscriptions
// seen from support_tickets fans out by subscriptions.account_id expansion 2.
func TestAuthorize(t *testing.T) {
	o, _, _ := supportOracle(t)
	acme := []string{"acme"}
	tests := []struct {
		name      string
		principal string
		q         spec.SemanticQuery
		want      oracle.Decision
	}{
		{
			name: "allowed", principal: "acme_analyst",
			q: query("net_revenue", []string{"region"}, nil, "last_month", 100),
			// 18 (net_revenue) + 2 (region); invoices -> accounts is many-to-one
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "net_revenue", RowBudget: 100, Cost: 20, Tenants: acme},
		},
		{
			name: "allowed alias", principal: "acme_analyst",
			q:    query("recognized_revenue", []string{"plan", "month"}, nil, "last_fiscal_month", 10),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "net_revenue", RowBudget: 10, Cost: 18 + 3 + 2, Tenants: acme},
		},
		{
			name: "alias of a denied metric", principal: "acme_analyst",
			q: query("bookings", []string{"region"}, nil, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"metric_denied: bookings (alias of gross_revenue) not allowed for role analyst"},
				Metric: "gross_revenue", RowBudget: 100, Cost: 24 + 2, Tenants: acme},
		},
		{
			name: "denied metric", principal: "beta_analyst",
			q: query("gross_revenue", nil, nil, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"metric_denied: gross_revenue not allowed for role analyst"},
				Metric: "gross_revenue", RowBudget: 100, Cost: 24, Tenants: []string{"beta"}},
		},
		{
			name: "alias allowed for finance", principal: "acme_finance_admin",
			q:    query("gross_bookings", []string{"customer_email"}, nil, "fiscal_ytd", 100),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "gross_revenue", RowBudget: 100, Cost: 24 + 8, Tenants: acme},
		},
		{
			name: "unknown metric", principal: "acme_analyst",
			q:    query("churn", nil, nil, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"unknown_metric: churn"}, RowBudget: 100, Tenants: acme, Unknown: []string{"metric:churn"}},
		},
		{
			name: "sensitive dimension denied", principal: "acme_analyst",
			q: query("ticket_count", []string{"customer_email"}, nil, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"dimension_denied: customer_email (sensitive) not allowed for role analyst"},
				Metric: "ticket_count", RowBudget: 100, Cost: 8 + 8, Tenants: acme},
		},
		{
			name: "unknown dimension", principal: "acme_analyst",
			q:    query("ticket_count", []string{"zip"}, nil, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"unknown_dimension: zip"}, Metric: "ticket_count", RowBudget: 100, Tenants: acme, Unknown: []string{"dimension:zip"}},
		},
		{
			name: "filter on tenant_id outside the tenant", principal: "acme_finance_admin",
			q: query("ticket_count", nil, map[string]string{"tenant_id": "beta"}, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"tenant_scope_violation: filter tenant_id=beta is outside the principal's tenants"},
				Metric: "ticket_count", RowBudget: 100, Cost: 8, Tenants: acme},
		},
		{
			name: "filter on own tenant_id", principal: "acme_finance_admin",
			q:    query("ticket_count", nil, map[string]string{"tenant_id": "acme"}, "last_month", 100),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "ticket_count", RowBudget: 100, Cost: 8, Tenants: acme},
		},
		{
			name: "analyst filter on a sensitive dimension of another tenant", principal: "acme_analyst",
			q: query("ticket_count", nil, map[string]string{"tenant_id": "beta", "region": "west"}, "last_month", 100),
			want: oracle.Decision{Reasons: []string{
				"filter_denied: tenant_id (sensitive) not allowed for role analyst",
				"tenant_scope_violation: filter tenant_id=beta is outside the principal's tenants",
			}, Metric: "ticket_count", RowBudget: 100, Cost: 8, Tenants: acme},
		},
		{
			name: "filter on an unknown dimension", principal: "acme_analyst",
			q:    query("ticket_count", nil, map[string]string{"zip": "1"}, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"unknown_dimension: zip"}, Metric: "ticket_count", RowBudget: 100, Tenants: acme, Unknown: []string{"filter:zip"}},
		},
		{
			name: "time range denied", principal: "acme_analyst",
			q: query("ticket_count", nil, nil, "fiscal_ytd", 100),
			want: oracle.Decision{Reasons: []string{"time_range_denied: fiscal_ytd not allowed for role analyst"},
				Metric: "ticket_count", RowBudget: 100, Cost: 8, Tenants: acme},
		},
		{
			name: "unknown time range", principal: "acme_finance_admin",
			q: query("ticket_count", nil, nil, "last_week", 100),
			want: oracle.Decision{Reasons: []string{"unknown_time_range: last_week"},
				Metric: "ticket_count", RowBudget: 100, Cost: 8, Tenants: acme, Unknown: []string{"time_range:last_week"}},
		},
		{
			name: "limit at max_rows", principal: "acme_analyst",
			q:    query("ticket_count", nil, nil, "last_month", 1000),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "ticket_count", RowBudget: 1000, Cost: 8, Tenants: acme},
		},
		{
			name: "limit above max_rows", principal: "acme_analyst",
			q:    query("ticket_count", nil, nil, "last_month", 1001),
			want: oracle.Decision{Reasons: []string{"row_limit_exceeded: 1001 > 1000"}, Metric: "ticket_count", RowBudget: 1000, Cost: 8, Tenants: acme},
		},
		{
			name: "negative limit", principal: "acme_analyst",
			q:    query("ticket_count", nil, nil, "last_month", -5),
			want: oracle.Decision{Reasons: []string{"invalid_limit: -5"}, Metric: "ticket_count", RowBudget: -5, Cost: 8, Tenants: acme},
		},
		{
			name: "fan-out cost at max_cost", principal: "acme_analyst",
			// (18 + 2) * 4 = 80, not above 80
			q:    query("net_revenue", []string{"severity"}, nil, "last_month", 100),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "net_revenue", RowBudget: 100, Cost: 80, Tenants: acme},
		},
		{
			name: "fan-out cost above max_cost", principal: "acme_analyst",
			// (18 + 2 + 2) * 4 = 88
			q:    query("net_revenue", []string{"region", "severity"}, nil, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"cost_exceeded: 88 > 80"}, Metric: "net_revenue", RowBudget: 100, Cost: 88, Tenants: acme},
		},
		{
			name: "filter joins are priced, filters add no cost", principal: "acme_analyst",
			// (18 + 2) * 4 = 80: the severity filter needs the ticket join
			q:    query("net_revenue", []string{"region"}, map[string]string{"severity": "high"}, "last_month", 100),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "net_revenue", RowBudget: 100, Cost: 80, Tenants: acme},
		},
		{
			name: "ticket metric by plan fans out by 2", principal: "acme_analyst",
			// (12 + 2 + 2 + 2 + 3) * 2 = 42
			q:    query("escalated_tickets", []string{"region", "severity", "month", "plan"}, nil, "last_month", 100),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "escalated_tickets", RowBudget: 100, Cost: 42, Tenants: acme},
		},
		{
			name: "seeded cost_estimate_ignores_expansion query", principal: "acme_analyst",
			// (18 + 2 + 3 + 2) * 4 = 100 > 80, and 5000 rows > 1000
			q: query("net_revenue", []string{"region", "plan", "severity"}, nil, "last_month", 5000),
			want: oracle.Decision{Reasons: []string{"row_limit_exceeded: 5000 > 1000", "cost_exceeded: 100 > 80"},
				Metric: "net_revenue", RowBudget: 1000, Cost: 100, Tenants: acme},
		},
		{
			name: "same query within the finance budget", principal: "acme_finance_admin",
			q:    query("net_revenue", []string{"region", "plan", "severity"}, nil, "last_month", 5000),
			want: oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "net_revenue", RowBudget: 5000, Cost: 100, Tenants: acme},
		},
		{
			name: "every reason in order", principal: "acme_analyst",
			q: query("bookings", []string{"customer_email", "severity"}, map[string]string{"tenant_id": "gamma"}, "fiscal_ytd", 2000),
			// (24 + 8 + 2) * 4 = 136
			want: oracle.Decision{Reasons: []string{
				"metric_denied: bookings (alias of gross_revenue) not allowed for role analyst",
				"dimension_denied: customer_email (sensitive) not allowed for role analyst",
				"filter_denied: tenant_id (sensitive) not allowed for role analyst",
				"tenant_scope_violation: filter tenant_id=gamma is outside the principal's tenants",
				"time_range_denied: fiscal_ytd not allowed for role analyst",
				"row_limit_exceeded: 2000 > 1000",
				"cost_exceeded: 136 > 80",
			}, Metric: "gross_revenue", RowBudget: 1000, Cost: 136, Tenants: acme},
		},
		{
			name: "unknown principal", principal: "ghost",
			q:    query("ticket_count", nil, nil, "last_month", 100),
			want: oracle.Decision{Reasons: []string{"unknown_principal: ghost"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := o.Authorize(tt.principal, tt.q)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Authorize(%s, %s):\n got %+v\nwant %+v", tt.principal, tt.q.Key(), got, tt.want)
			}
		})
	}
	t.Run("tenants are a copy", func(t *testing.T) {
		dec := o.Authorize("acme_analyst", query("ticket_count", nil, nil, "last_month", 100))
		dec.Tenants[0] = "beta"
		if again := o.Authorize("acme_analyst", query("ticket_count", nil, nil, "last_month", 100)); again.Tenants[0] != "acme" {
			t.Errorf("mutating a decision's tenants changed the policy: %v", again.Tenants)
		}
	})
}

func TestCost(t *testing.T) {
	o, _, _ := supportOracle(t)
	tests := []struct {
		metric string
		dims   []string
		filter map[string]string
		want   int
	}{
		{"ticket_count", nil, nil, 8},
		{"ticket_count", []string{"month"}, nil, 10},
		{"ticket_count", []string{"region"}, nil, 10},
		{"ticket_count", []string{"plan"}, nil, (8 + 3) * 2},
		{"net_revenue", []string{"plan"}, nil, 21},
		{"net_revenue", []string{"severity"}, nil, 80},
		{"net_revenue", nil, map[string]string{"severity": "low"}, 18 * 4},
		{"net_revenue", []string{"severity"}, map[string]string{"severity": "low"}, 80},
		{"gross_revenue", []string{"customer_email", "tenant_id", "severity", "plan"}, nil, (24 + 8 + 5 + 2 + 3) * 4},
	}
	for _, tt := range tests {
		q := query(tt.metric, tt.dims, tt.filter, "last_month", 100)
		t.Run(q.Key(), func(t *testing.T) {
			got, err := o.Cost(tt.metric, q)
			if err != nil || got != tt.want {
				t.Errorf("Cost = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
	if _, err := o.Cost("ticket_count", query("ticket_count", []string{"zip"}, nil, "last_month", 100)); err == nil {
		t.Errorf("Cost with an unknown dimension: no error")
	}
}

func TestCapabilitiesFor(t *testing.T) {
	o, _, _ := supportOracle(t)
	tests := []struct {
		principal string
		want      oracle.Capabilities
		names     []string
	}{
		{
			principal: "acme_analyst",
			want: oracle.Capabilities{
				Metrics: map[string][]string{
					"average_resolution_hours": {"resolution_time"},
					"escalated_tickets":        {"escalations"},
					"net_revenue":              {"recognized_revenue"},
					"ticket_count":             {"tickets"},
				},
				Dimensions: []string{"month", "plan", "region", "severity"},
				TimeRanges: []string{"last_fiscal_month", "last_month"},
				MaxRows:    1000,
			},
			names: []string{"average_resolution_hours", "escalated_tickets", "escalations", "net_revenue", "recognized_revenue", "resolution_time", "ticket_count", "tickets"},
		},
		{
			principal: "acme_finance_admin",
			want: oracle.Capabilities{
				Metrics: map[string][]string{
					"average_resolution_hours": {"resolution_time"},
					"escalated_tickets":        {"escalations"},
					"gross_revenue":            {"bookings", "gross_bookings"},
					"net_revenue":              {"recognized_revenue"},
					"ticket_count":             {"tickets"},
				},
				Dimensions: []string{"customer_email", "month", "plan", "region", "severity", "tenant_id"},
				TimeRanges: []string{"fiscal_ytd", "last_fiscal_month", "last_month"},
				MaxRows:    5000,
			},
			names: []string{"average_resolution_hours", "bookings", "escalated_tickets", "escalations", "gross_bookings", "gross_revenue",
				"net_revenue", "recognized_revenue", "resolution_time", "ticket_count", "tickets"},
		},
		{
			principal: "ghost",
			want:      oracle.Capabilities{Metrics: map[string][]string{}, Dimensions: []string{}, TimeRanges: []string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.principal, func(t *testing.T) {
			got := o.CapabilitiesFor(tt.principal)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CapabilitiesFor(%s):\n got %+v\nwant %+v", tt.principal, got, tt.want)
			}
			if names := got.Names(); !reflect.DeepEqual(names, tt.names) {
				t.Errorf("Names() = %v, want %v", names, tt.names)
			}
		})
	}
	t.Run("aliases are a copy", func(t *testing.T) {
		c := o.CapabilitiesFor("acme_analyst")
		c.Metrics["ticket_count"][0] = "changed"
		if o.CapabilitiesFor("acme_analyst").Metrics["ticket_count"][0] != "tickets" {
			t.Errorf("mutating capabilities changed the policy")
		}
	})
}

// TestCapabilitiesRequireBothSides: a metric or dimension needs the role to
// list it and it to list the role.
func TestCapabilitiesRequireBothSides(t *testing.T) {
	o, d, _ := tinyOracle(t)
	// tenant: the admin role lists it and it lists admin only
	if c := o.CapabilitiesFor("t1_analyst"); contains(c.Dimensions, "tenant") || contains(c.Dimensions, "email") {
		t.Errorf("analyst capabilities include sensitive dimensions: %v", c.Dimensions)
	}
	d.Policy.Roles["analyst"].AllowedDimensions = append(d.Policy.Roles["analyst"].AllowedDimensions, "tenant")
	d.Policy.Roles["analyst"].AllowedMetrics = append(d.Policy.Roles["analyst"].AllowedMetrics, "gross")
	c := o.CapabilitiesFor("t1_analyst")
	if contains(c.Dimensions, "tenant") || c.Metrics["gross"] != nil {
		t.Errorf("a role listing a dimension/metric that does not list the role grants it: %+v", c)
	}
	dec := o.Authorize("t1_analyst", query("gross", []string{"tenant"}, nil, "last_month", 10))
	want := []string{"metric_denied: gross not allowed for role analyst", "dimension_denied: tenant (sensitive) not allowed for role analyst"}
	if !reflect.DeepEqual(dec.Reasons, want) {
		t.Errorf("Authorize reasons = %v, want %v", dec.Reasons, want)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAllowedColumns(t *testing.T) {
	o, d, _ := supportOracle(t)
	analyst := o.AllowedColumns("analyst")
	for _, c := range []string{
		// keys and foreign keys
		"tenants.id", "accounts.id", "accounts.tenant_id", "subscriptions.account_id", "invoices.subscription_id",
		"support_tickets.assigned_agent_id", "ticket_events.ticket_id", "agents.id",
		// tenancy columns
		"accounts.legacy_tenant_id", "tenants.legacy_id",
		// metrics and dimensions
		"invoices.net_amount_cents", "invoices.invoice_date", "support_tickets.escalated", "support_tickets.resolution_hours",
		"support_tickets.opened_at", "accounts.region", "subscriptions.plan", "support_tickets.severity",
	} {
		if !analyst[c] {
			t.Errorf("AllowedColumns(analyst) lacks %s", c)
		}
	}
	for _, c := range []string{"accounts.customer_email", "invoices.gross_amount_cents", "agents.email", "accounts.name", "tenants.name", "subscriptions.status", "ticket_events.event_type"} {
		if analyst[c] {
			t.Errorf("AllowedColumns(analyst) includes %s", c)
		}
	}
	finance := o.AllowedColumns("finance_admin")
	for _, c := range []string{"accounts.customer_email", "invoices.gross_amount_cents"} {
		if !finance[c] {
			t.Errorf("AllowedColumns(finance_admin) lacks %s", c)
		}
	}
	// on the built-in domain the canonical policy and the schema's
	// independently authored column grants agree exactly
	for _, role := range []string{"analyst", "finance_admin"} {
		got := sortedSet(o.AllowedColumns(role))
		want := append([]string{}, d.Schema.Grants[role]...)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AllowedColumns(%s) differs from the schema grants:\n got %v\nwant %v", role, got, want)
		}
	}
}

// TestAllowedColumnsUnknownRole: a role the policy does not define may read
// nothing (and the lookup must not panic).
func TestAllowedColumnsUnknownRole(t *testing.T) {
	o, _, _ := supportOracle(t)
	if got := o.AllowedColumns("ghost"); len(got) != 0 {
		t.Errorf("AllowedColumns(unknown role) = %v, want none", sortedSet(got))
	}
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestOwnedRows(t *testing.T) {
	o, _, _ := tinyOracle(t)
	tests := []struct {
		table   string
		tenants []string
		want    []string
	}{
		// sorted as text
		{"accounts", []string{"t1"}, []string{"10", "11", "9"}},
		{"accounts", []string{"t2"}, []string{"3"}},
		{"accounts", []string{"t1", "t2"}, []string{"10", "11", "3", "9"}},
		{"invoices", []string{"t2"}, []string{"103"}},
		{"tickets", []string{"t1"}, []string{"200", "201", "202", "203", "205"}},
		{"tenants", []string{"t2", "t1"}, []string{"t1", "t2"}},
		{"accounts", []string{"t3"}, []string{}},
		{"accounts", nil, []string{}},
		{"nowhere", []string{"t1"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			// three times: the later answers are remembered, and a caller that
			// changes its answer does not change the next one
			for round := range 3 {
				got := o.OwnedRows(tt.table, tt.tenants)
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("round %d: OwnedRows(%s, %v) = %#v, want %#v", round, tt.table, tt.tenants, got, tt.want)
				}
				if len(got) > 0 {
					got[0] = "changed"
				}
			}
		})
	}
	// on support_saas, each account belongs to the tenant in its tenant_id
	so, _, st := supportOracle(t)
	acc := st.Table("accounts")
	var want []string
	for _, row := range acc.Rows {
		if row[acc.Col("tenant_id")] == "acme" {
			want = append(want, fmtCell(row[acc.PK]))
		}
	}
	sort.Strings(want)
	if got := so.OwnedRows("accounts", []string{"acme"}); !reflect.DeepEqual(got, want) {
		t.Errorf("OwnedRows(accounts, acme) = %v, want %v", got, want)
	}
}
