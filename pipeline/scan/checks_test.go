package scan

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
)

// newTestChecker builds a checker for a config text over a built-in domain.
func newTestChecker(t testing.TB, cfgText string) (*Checker, *sqlast.Parser) {
	t.Helper()
	ctx := context.Background()
	c, err := config.Parse("policystrata.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	c.Path, c.Dir = "/cfg/policystrata.yaml", "/cfg"
	d, err := LoadDomain(c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sqlast.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	chk, err := NewChecker(ctx, p, c, d)
	if err != nil {
		t.Fatal(err)
	}
	return chk, p
}

// checksOf runs the checks on one trace line and returns the check names found.
func checksOf(t *testing.T, chk *Checker, p *sqlast.Parser, line string) []string {
	t.Helper()
	tr, _, err := source.DecodeLine([]byte(line))
	if err != nil {
		t.Fatalf("decode %s: %v", line, err)
	}
	st, err := Parse(context.Background(), p, tr.SQL)
	if err != nil {
		t.Fatalf("parse %q: %v", tr.SQL, err)
	}
	var out []string
	for _, f := range chk.evaluate(tr, st).Findings {
		out = append(out, f.Check)
	}
	return out
}

func traceLine(principal string, tenants []string, metric string, sql string) string {
	b, _ := json.Marshal(map[string]any{
		"id": "t1", "principal": principal, "tenant_ids": tenants, "release_allowed": true,
		"semantic_ir": map[string]any{"metric": metric, "dimensions": []string{"region"}, "time_range": "last_month", "limit": 100},
		"timestamp":   "2026-06-24T12:00:00Z",
		"sql":         sql,
	})
	return string(b)
}

const ticketsFrom = ` from accounts left join support_tickets on support_tickets.account_id = accounts.id `
const ticketCount = `select count(distinct support_tickets.id) as value, accounts.region as region`
const revenueFrom = ` from accounts left join subscriptions on subscriptions.account_id = accounts.id left join invoices on invoices.subscription_id = subscriptions.id `
const revenueWindow = ` and invoices.invoice_date >= date '2026-05-01' and invoices.invoice_date < date '2026-06-01'`

// TestTenantScope covers each false negative of the reference's text
// matching (spec §10) and the bindings it must still accept.
func TestTenantScope(t *testing.T) {
	chk, p := newTestChecker(t, "version: 1\ndomain: support_saas\n")
	acme := []string{"acme"}
	hashed := []string{"sha256:4f1e"}
	tests := []struct {
		name    string
		tenants []string
		sql     string
		scoped  bool
	}{
		{"bound IN list", acme, ticketCount + ticketsFrom + `where accounts.tenant_id in ('acme') group by accounts.region limit 100`, true},
		{"bound equality reversed", acme, ticketCount + ticketsFrom + `where 'acme' = accounts.tenant_id group by 1`, true},
		{"quoted identifiers and cast", acme, ticketCount + ` from "accounts" left join support_tickets on support_tickets.account_id = "accounts".id where "accounts"."tenant_id" = 'acme'::text group by 2`, true},
		{"alias and schema", acme, `select count(distinct t.id) as value from analytics.accounts as a join support_tickets t on t.account_id = a.id where a.tenant_id = 'acme'`, true},
		{"postgres placeholder with raw tenant ids", acme, ticketCount + ticketsFrom + `where accounts.tenant_id = $1::text group by 2`, true},
		{"named placeholder with raw tenant ids", acme, ticketCount + ticketsFrom + `where accounts.tenant_id = :tenant_id group by 2`, true},
		{"inner join condition binds", acme, `select count(distinct support_tickets.id) from support_tickets join accounts on support_tickets.account_id = accounts.id and accounts.tenant_id = 'acme'`, true},
		{"scoped CTE", acme, `with a as (select id, region from accounts where tenant_id = 'acme') select count(distinct support_tickets.id), a.region from a join support_tickets on support_tickets.account_id = a.id group by 2`, true},
		// reference false negatives
		{"tenant id only in a comment", acme, ticketCount + ticketsFrom + `/* accounts.tenant_id = 'acme' */ group by accounts.region -- acme`, false},
		{"tenant id in another string", acme, ticketCount + ticketsFrom + `where accounts.region = 'acme' group by 2`, false},
		{"legacy_tenant_id", acme, ticketCount + ticketsFrom + `where accounts.legacy_tenant_id in ('acme') group by 2`, false},
		{"not equal", acme, ticketCount + ticketsFrom + `where accounts.tenant_id <> 'acme' group by 2`, false},
		{"OR escape", acme, ticketCount + ticketsFrom + `where accounts.tenant_id = 'acme' or accounts.region = 'emea' group by 2`, false},
		{"under NOT", acme, ticketCount + ticketsFrom + `where not (accounts.tenant_id = 'acme') group by 2`, false},
		{"another tenant", acme, ticketCount + ticketsFrom + `where accounts.tenant_id in ('acme', 'beta') group by 2`, false},
		{"left join condition does not filter the preserved side", acme, ticketCount + ` from accounts left join support_tickets on support_tickets.account_id = accounts.id and accounts.tenant_id = 'acme' group by 2`, false},
		{"placeholder with only redacted tenant ids", hashed, ticketCount + ticketsFrom + `where accounts.tenant_id = $1 group by 2`, false},
		{"self join leaves one side unscoped", acme, `select count(distinct support_tickets.id) from accounts a join accounts b on a.region = b.region join support_tickets on support_tickets.account_id = b.id where a.tenant_id = 'acme'`, false},
		{"unscoped CTE", acme, `with a as (select id, region from accounts) select count(distinct support_tickets.id), a.region from a join support_tickets on support_tickets.account_id = a.id group by 2`, false},
		{"unscoped subquery in WHERE", acme, ticketCount + ticketsFrom + `where accounts.tenant_id = 'acme' and accounts.id in (select id from accounts where region = 'emea') group by 2`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := checksOf(t, chk, p, traceLine("acme_analyst", tc.tenants, "ticket_count", tc.sql))
			if slices.Contains(got, CheckTenantScope) == tc.scoped {
				t.Errorf("scoped=%v but checks found %v", tc.scoped, got)
			}
		})
	}
}

// TestMetricChecks: the aggregate over the metric's expression, not a
// column mentioned anywhere; a correct net_revenue trace (which the
// reference flagged as drift) passes, and the reference's own canonical
// join (through support_tickets) is a fan-out.
func TestMetricChecks(t *testing.T) {
	chk, p := newTestChecker(t, "version: 1\ndomain: support_saas\n")
	scope := `where accounts.tenant_id = 'acme'`
	tests := []struct {
		name   string
		metric string
		sql    string
		want   []string
	}{
		{"correct net_revenue", "net_revenue", `select sum(invoices.net_amount_cents) as value, accounts.region as region` + revenueFrom + scope + revenueWindow + ` group by accounts.region limit 100`, nil},
		{"net_revenue through an alias", "recognized_revenue", `select sum(i.net_amount_cents) as value, a.region from accounts a join subscriptions s on s.account_id = a.id join invoices i on i.subscription_id = s.id where a.tenant_id = 'acme' group by 2`, nil},
		{"column mentioned, not aggregated", "net_revenue", `select max(invoices.net_amount_cents) as value, accounts.region` + revenueFrom + scope + ` group by 2`, []string{CheckMetricUnobserved}},
		{"column only in WHERE", "net_revenue", `select count(*) as value, accounts.region` + revenueFrom + scope + ` and invoices.net_amount_cents > 0 group by 2`, []string{CheckMetricUnobserved}},
		{"other metric's aggregate", "net_revenue", `select sum(invoices.gross_amount_cents) as value, accounts.region` + revenueFrom + scope + ` group by 2`, []string{CheckMetricUnobserved}},
		{"reference canonical join fans out", "net_revenue", `select sum(invoices.net_amount_cents) as value, accounts.region` + revenueFrom + `left join support_tickets on support_tickets.account_id = accounts.id ` + scope + ` group by 2`, []string{CheckJoinFanout}},
		{"cartesian product", "net_revenue", `select sum(invoices.net_amount_cents) as value, accounts.region` + revenueFrom + `cross join agents ` + scope + ` and agents.tenant_id = 'acme' group by 2`, []string{CheckJoinFanout}},
		{"count distinct is not fanned out", "ticket_count", ticketCount + ticketsFrom + `left join subscriptions on subscriptions.account_id = accounts.id ` + scope + ` group by 2`, nil},
		{"time bounds of another month", "net_revenue", `select sum(invoices.net_amount_cents) as value, accounts.region` + revenueFrom + scope + ` and invoices.invoice_date >= date '2026-04-01' and invoices.invoice_date < date '2026-05-01' group by 2`, []string{CheckTimeWindow}},
		{"inclusive end bound is the same window", "net_revenue", `select sum(invoices.net_amount_cents) as value, accounts.region` + revenueFrom + scope + ` and invoices.invoice_date >= '2026-05-01' and invoices.invoice_date <= date '2026-05-31' group by 2`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := checksOf(t, chk, p, traceLine("acme_analyst", []string{"acme"}, tc.metric, tc.sql))
			if !slices.Equal(got, tc.want) {
				t.Errorf("checks = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAuthorization covers the reference oracle's rules.
func TestAuthorization(t *testing.T) {
	chk, p := newTestChecker(t, "version: 1\ndomain: support_saas\n")
	sql := ticketCount + ticketsFrom + `where accounts.tenant_id = 'acme' group by 2`
	mk := func(principal string, release any, ir map[string]any) string {
		m := map[string]any{"id": "t1", "principal": principal, "tenant_ids": []string{"acme"}, "sql": sql}
		if release != "absent" {
			m["release_allowed"] = release
		}
		if ir != nil {
			m["semantic_ir"] = ir
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	ir := func(kv ...any) map[string]any {
		m := map[string]any{"metric": "ticket_count", "dimensions": []string{"region"}}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	both := []string{CheckUnsafeRelease, CheckReachedSQL}
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"allowed", mk("acme_analyst", true, ir()), nil},
		{"no IR: no authorization", mk("acme_analyst", true, nil), nil},
		{"unknown principal stops the checks", mk("nobody", true, ir()), []string{CheckUnknownPrincipal}},
		{"metric alias denied", mk("acme_analyst", true, ir("metric", "bookings")), both},
		{"denied, release false: not reached", mk("acme_analyst", false, ir("metric", "bookings")), nil},
		{"denied, release null: reached only", mk("acme_analyst", nil, ir("metric", "bookings")), []string{CheckReachedSQL}},
		{"denied, release absent: reached only", mk("acme_analyst", "absent", ir("metric", "bookings")), []string{CheckReachedSQL}},
		{"sensitive dimension", mk("acme_analyst", true, ir("dimensions", []string{"customer_email"})), both},
		{"tenant filter outside", mk("acme_analyst", true, ir("filters", map[string]any{"tenant_id": "beta"})), both},
		{"redacted tenant filter fails closed", mk("acme_analyst", true, ir("filters", map[string]any{"tenant_id": "hmac-sha256:ab"})), both},
		{"time range", mk("acme_analyst", true, ir("time_range", "fiscal_ytd")), both},
		{"limit", mk("acme_analyst", true, ir("limit", 1001)), both},
		{"finance admin may", mk("acme_finance_admin", true, ir("dimensions", []string{"customer_email"})), nil},
		{"finance admin, other metric's SQL", mk("acme_finance_admin", true, ir("metric", "bookings")), []string{CheckMetricUnobserved}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := checksOf(t, chk, p, tc.line)
			if !slices.Equal(got, tc.want) {
				t.Errorf("checks = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestReadOnlyGuard: the statement type decides, not keywords.
func TestReadOnlyGuard(t *testing.T) {
	p, err := sqlast.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tests := []struct {
		sql string
		ok  bool
	}{
		{"select 1", true},
		{"with x as (select 1) select * from x;", true},
		{"select 'delete from accounts' as note, updated_at from t", true},
		{"select 1 -- drop table accounts", true},
		{"delete from accounts", false},
		{"update accounts set tenant_id = 'x'", false},
		{"select 1; drop table accounts", false},
		{"select 1; select 2", false},
		{"insert into t select 1", false},
		{"create table t as select 1", false},
		{"select set_config('app.tenant_id', 'beta', false)", false},
		{"select * from read_csv('/etc/passwd')", false},
		{"  ;  ", false},
		{"", false},
		{"-- only a comment", false},
		{"select from where", false},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			_, err := Parse(context.Background(), p, tc.sql)
			if (err == nil) != tc.ok {
				t.Errorf("accepted=%v, want %v (err %v)", err == nil, tc.ok, err)
			}
		})
	}
}
