package oracle_test

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/state"
)

// TestReferenceTiny checks reference answers over testdata/tiny, whose state
// is explicit rows only; every expected answer below is worked out by hand
// from testdata/tiny/state.yaml. For tenant t1 in last_month
// [2026-05-01, 2026-06-01) the invoices are 100 (acct 9, 100), 101 (acct 9,
// 50), 102 (acct 10, 7), 106 (acct 10, NULL) and 107 (acct 11, no region,
// 1); the tickets are 200 (acct 9, high, escalated, 10h), 201 (acct 9, low,
// 20h), 202 (acct 9, high, 30h) and 203 (acct 10, low, 5h). Account 10 also
// has ticket 205 (medium, June) and account 11 has no tickets.
func TestReferenceTiny(t *testing.T) {
	o, _, _ := tinyOracle(t)
	t1, t2, both := []string{"t1"}, []string{"t2"}, []string{"t1", "t2"}
	tests := []struct {
		name    string
		metric  string
		dims    []string
		filters map[string]string
		tr      string
		limit   int
		tenants []string
		want    [][]string
	}{
		{name: "sum, no dimensions", metric: "revenue", tr: "last_month", tenants: t1, want: [][]string{{"158"}}},
		{name: "sum of another measure", metric: "gross", tr: "last_month", tenants: t1, want: [][]string{{"231"}}},
		{name: "sum by text dimension, NULL group last", metric: "revenue", dims: []string{"region"}, tr: "last_month", tenants: t1,
			want: [][]string{{"east", "7"}, {"west", "150"}, {"NULL", "1"}}},
		{name: "integer dimension sorts numerically", metric: "revenue", dims: []string{"account"}, tr: "last_month", tenants: t1,
			want: [][]string{{"9", "150"}, {"10", "7"}, {"11", "1"}}},
		{name: "text dimension sorts bytewise", metric: "revenue", dims: []string{"email"}, tr: "last_month", tenants: t1,
			want: [][]string{{"a10@t1.example", "7"}, {"a11@t1.example", "1"}, {"a9@t1.example", "150"}}},
		// invoices fan out to their account's tickets; each invoice counts
		// once per distinct severity, and invoice 107 (no tickets) drops out
		{name: "fan-out dimension counts each row once per group", metric: "revenue", dims: []string{"severity"}, tr: "last_month", tenants: t1,
			want: [][]string{{"high", "150"}, {"low", "157"}, {"medium", "7"}}},
		{name: "two dimensions across the fan-out", metric: "revenue", dims: []string{"region", "severity"}, tr: "last_month", tenants: t1,
			want: [][]string{{"east", "low", "7"}, {"east", "medium", "7"}, {"west", "high", "150"}, {"west", "low", "150"}}},
		{name: "dimension order is kept in columns, rows sort by it", metric: "revenue", dims: []string{"severity", "region"}, tr: "last_month", tenants: t1,
			want: [][]string{{"high", "west", "150"}, {"low", "east", "7"}, {"low", "west", "150"}, {"medium", "east", "7"}}},
		{name: "filter through the fan-out counts once", metric: "revenue", filters: map[string]string{"severity": "high"}, tr: "last_month", tenants: t1,
			want: [][]string{{"150"}}},
		{name: "filter and dimension", metric: "revenue", dims: []string{"region"}, filters: map[string]string{"severity": "high"}, tr: "last_month", tenants: t1,
			want: [][]string{{"west", "150"}}},
		{name: "filter on a many-to-one dimension", metric: "revenue", filters: map[string]string{"region": "east"}, tr: "last_month", tenants: t1,
			want: [][]string{{"7"}}},
		{name: "filter on a ticket from another month", metric: "revenue", dims: []string{"region"}, filters: map[string]string{"severity": "medium"}, tr: "last_month", tenants: t1,
			want: [][]string{{"east", "7"}}},
		{name: "filter on a time bucket", metric: "revenue", filters: map[string]string{"month": "2026-05-01"}, tr: "quarter_to_date", tenants: t1,
			want: [][]string{{"158"}}},
		{name: "filter matching nothing", metric: "revenue", dims: []string{"region"}, filters: map[string]string{"region": "south"}, tr: "last_month", tenants: t1,
			want: [][]string{}},
		{name: "count distinct, no dimensions", metric: "tickets", tr: "last_month", tenants: t1, want: [][]string{{"4"}}},
		{name: "count distinct by dimension on the metric table", metric: "tickets", dims: []string{"severity"}, tr: "last_month", tenants: t1,
			want: [][]string{{"high", "2"}, {"low", "2"}}},
		{name: "where is a FILTER: groups without matches show 0", metric: "escalated", dims: []string{"severity"}, tr: "last_month", tenants: t1,
			want: [][]string{{"high", "1"}, {"low", "0"}}},
		{name: "where by region", metric: "escalated", dims: []string{"region"}, tr: "last_month", tenants: t1,
			want: [][]string{{"east", "0"}, {"west", "1"}}},
		{name: "where, no dimensions", metric: "escalated", tr: "last_month", tenants: t1, want: [][]string{{"1"}}},
		{name: "where, no matching row at all", metric: "escalated", tr: "last_month", tenants: nil, want: [][]string{{"0"}}},
		{name: "filter on the metric table", metric: "tickets", dims: []string{"region"}, filters: map[string]string{"severity": "low"}, tr: "last_month", tenants: t1,
			want: [][]string{{"east", "1"}, {"west", "1"}}},
		{name: "average", metric: "avg_hours", tr: "last_month", tenants: t1, want: [][]string{{"16.250000"}}},
		{name: "average by region", metric: "avg_hours", dims: []string{"region"}, tr: "last_month", tenants: t1,
			want: [][]string{{"east", "5.000000"}, {"west", "20.000000"}}},
		{name: "average of only NULLs is NULL", metric: "avg_hours", tr: "month_to_date", tenants: t1, want: [][]string{{"NULL"}}},
		{name: "count skips NULL measures", metric: "resolved", tr: "quarter_to_date", tenants: t1, want: [][]string{{"4"}}},
		{name: "count distinct over the quarter", metric: "tickets", tr: "quarter_to_date", tenants: t1, want: [][]string{{"5"}}},
		{name: "month_to_date includes as_of's month", metric: "revenue", tr: "month_to_date", tenants: t1, want: [][]string{{"999"}}},
		{name: "month buckets", metric: "tickets", dims: []string{"month"}, tr: "quarter_to_date", tenants: t1,
			want: [][]string{{"2026-05-01", "4"}, {"2026-06-01", "1"}}},
		{name: "month buckets include window edges", metric: "revenue", dims: []string{"month"}, tr: "quarter_to_date", tenants: t1,
			want: [][]string{{"2026-04-01", "555"}, {"2026-05-01", "158"}, {"2026-06-01", "999"}}},
		{name: "fiscal_ytd", metric: "revenue", tr: "fiscal_ytd", tenants: t1, want: [][]string{{"1712"}}},
		{name: "last_fiscal_month with start day 1 is last_month", metric: "revenue", tr: "last_fiscal_month", tenants: t1, want: [][]string{{"158"}}},
		{name: "other tenant", metric: "escalated", dims: []string{"severity"}, tr: "last_month", tenants: t2, want: [][]string{{"high", "1"}}},
		{name: "other tenant across the fan-out", metric: "revenue", dims: []string{"severity"}, tr: "last_month", tenants: t2, want: [][]string{{"high", "1000"}}},
		{name: "two tenants", metric: "revenue", dims: []string{"region"}, tr: "last_month", tenants: both,
			want: [][]string{{"east", "7"}, {"west", "1150"}, {"NULL", "1"}}},
		{name: "by tenant", metric: "revenue", dims: []string{"tenant"}, tr: "last_month", tenants: both,
			want: [][]string{{"t1", "158"}, {"t2", "1000"}}},
		{name: "no tenants: count is 0", metric: "tickets", tr: "last_month", tenants: nil, want: [][]string{{"0"}}},
		{name: "no tenants: sum is NULL", metric: "revenue", tr: "last_month", tenants: []string{}, want: [][]string{{"NULL"}}},
		{name: "no tenants: no groups", metric: "revenue", dims: []string{"region"}, tr: "last_month", tenants: []string{"t9"}, want: [][]string{}},
		{name: "limit cuts after ordering", metric: "revenue", dims: []string{"account"}, tr: "last_month", limit: 2, tenants: t1,
			want: [][]string{{"9", "150"}, {"10", "7"}}},
		{name: "limit 1", metric: "revenue", dims: []string{"region"}, tr: "last_month", limit: 1, tenants: t1,
			want: [][]string{{"east", "7"}}},
		{name: "limit does not cut a total", metric: "revenue", tr: "last_month", limit: 1, tenants: t1, want: [][]string{{"158"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = 100
			}
			q := query(tt.metric, tt.dims, tt.filters, tt.tr, limit)
			got, err := o.Reference(tt.metric, q, tt.tenants)
			if err != nil {
				t.Fatal(err)
			}
			want := oracle.Answer{Columns: append(append([]string{}, tt.dims...), "value"), Rows: tt.want}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Reference(%s, %v):\n got %v %q\nwant %v %q", q.Key(), tt.tenants, got.Columns, got.Rows, want.Columns, want.Rows)
			}
		})
	}
}

// TestReferenceNullFilter: filters are compared as text, and NULL renders as
// "NULL", so a filter value "NULL" selects rows whose dimension is SQL NULL.
// The compiler lowers the same filter to CAST(col AS VARCHAR) = 'NULL',
// which is never true for a NULL column, so the reference disagrees with a
// correct stack.
func TestReferenceNullFilter(t *testing.T) {
	o, _, _ := tinyOracle(t)
	got, err := o.Reference("revenue", query("revenue", nil, map[string]string{"region": "NULL"}, "last_month", 100), []string{"t1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"NULL"}}; !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("rows = %q, want %q", got.Rows, want)
	}
}

func TestReferenceErrors(t *testing.T) {
	o, _, _ := tinyOracle(t)
	tests := []struct {
		name, metric string
		dims         []string
		filters      map[string]string
		tr, want     string
	}{
		{"unknown metric", "nope", nil, nil, "last_month", `reference: unknown metric "nope"`},
		{"alias is not resolved", "sales", nil, nil, "last_month", `reference: unknown metric "sales"`},
		{"unknown time range", "revenue", nil, nil, "last_week", `reference: unknown time range "last_week"`},
		{"unknown dimension", "revenue", []string{"zip"}, nil, "last_month", `reference: unknown dimension "zip"`},
		{"unknown filter", "revenue", nil, map[string]string{"zip": "1"}, "last_month", `reference: unknown dimension "zip"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := o.Reference(tt.metric, query(tt.metric, tt.dims, tt.filters, tt.tr, 100), []string{"t1"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

// ---- support_saas: reference answers against an independent computation ----

// raw reads the generated support_saas rows by column name.
type raw struct {
	st *state.State
}

func (r raw) get(table string, row []any, col string) any {
	t := r.st.Table(table)
	i := t.Col(col)
	if i < 0 {
		panic("no column " + table + "." + col)
	}
	return row[i]
}

func (r raw) byID(table string, id any) []any {
	row, _, ok := r.st.Table(table).ByPK(id)
	if !ok {
		panic(fmt.Sprintf("no %s row %v", table, id))
	}
	return row
}

// invoiceAccount follows invoices.subscription_id -> subscriptions.account_id.
func (r raw) invoiceAccount(inv []any) []any {
	sub := r.byID("subscriptions", r.get("invoices", inv, "subscription_id"))
	return r.byID("accounts", r.get("subscriptions", sub, "account_id"))
}

func (r raw) ticketAccount(tk []any) []any {
	return r.byID("accounts", r.get("support_tickets", tk, "account_id"))
}

func (r raw) tenantOf(acct []any) string { return r.get("accounts", acct, "tenant_id").(string) }

func inRange(v any, start, end string) bool {
	d := v.(time.Time).Format("2006-01-02")
	return d >= start && d < end
}

// group accumulates one answer row.
type group struct {
	keys []string
	sum  int64
	n    int
	seen map[any]bool
}

type groups map[string]*group

func (g groups) at(keys ...string) *group {
	k := strings.Join(keys, "\x00")
	if g[k] == nil {
		g[k] = &group{keys: keys, seen: map[any]bool{}}
	}
	return g[k]
}

// rows renders the groups sorted by their (text) keys, cut to limit.
func (g groups) rows(value func(*group) string, limit int) [][]string {
	out := [][]string{}
	var list []*group
	for _, x := range g {
		list = append(list, x)
	}
	sort.Slice(list, func(i, j int) bool {
		for k := range list[i].keys {
			if list[i].keys[k] != list[j].keys[k] {
				return list[i].keys[k] < list[j].keys[k]
			}
		}
		return false
	})
	for _, x := range list {
		if len(out) == limit {
			break
		}
		out = append(out, append(append([]string{}, x.keys...), value(x)))
	}
	return out
}

func sumValue(g *group) string {
	if g.n == 0 {
		return "NULL"
	}
	return strconv.FormatInt(g.sum, 10)
}

func countValue(g *group) string { return strconv.Itoa(len(g.seen)) }

func fmtCell(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return x
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

func TestReferenceSupportSaaS(t *testing.T) {
	o, _, st := supportOracle(t)
	r := raw{st}
	invoices := st.Table("invoices").Rows
	tickets := st.Table("support_tickets").Rows
	acme := []string{"acme"}
	const lmStart, lmEnd = "2026-05-01", "2026-06-01"

	// ticketSeverities lists the distinct severities of an account's tickets
	// (any date: the join does not apply the time range).
	ticketSeverities := func(acctID any) []string {
		set := map[string]bool{}
		for _, tk := range tickets {
			if r.get("support_tickets", tk, "account_id") == acctID {
				set[r.get("support_tickets", tk, "severity").(string)] = true
			}
		}
		var out []string
		for s := range set {
			out = append(out, s)
		}
		return out
	}
	invoicesFor := func(tenants []string, start, end string, each func(inv, acct []any)) {
		for _, inv := range invoices {
			acct := r.invoiceAccount(inv)
			if contains(tenants, r.tenantOf(acct)) && inRange(r.get("invoices", inv, "invoice_date"), start, end) {
				each(inv, acct)
			}
		}
	}
	ticketsFor := func(tenants []string, start, end string, each func(tk, acct []any)) {
		for _, tk := range tickets {
			acct := r.ticketAccount(tk)
			if contains(tenants, r.tenantOf(acct)) && inRange(r.get("support_tickets", tk, "opened_at"), start, end) {
				each(tk, acct)
			}
		}
	}
	addNet := func(g *group, inv []any) {
		g.sum += r.get("invoices", inv, "net_amount_cents").(int64)
		g.n++
	}

	tests := []struct {
		name    string
		metric  string
		dims    []string
		filters map[string]string
		tr      string
		limit   int
		tenants []string
		want    func() [][]string
	}{
		{
			name: "net_revenue by region for acme last_month", metric: "net_revenue", dims: []string{"region"}, tr: "last_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				invoicesFor(acme, lmStart, lmEnd, func(inv, acct []any) { addNet(g.at(r.get("accounts", acct, "region").(string)), inv) })
				return g.rows(sumValue, 100)
			},
		},
		{
			name: "ticket_count with no dimensions", metric: "ticket_count", tr: "last_month", tenants: acme,
			want: func() [][]string {
				ids := map[any]bool{}
				ticketsFor(acme, lmStart, lmEnd, func(tk, _ []any) { ids[r.get("support_tickets", tk, "id")] = true })
				return [][]string{{strconv.Itoa(len(ids))}}
			},
		},
		{
			name: "escalated_tickets by severity (FILTER semantics)", metric: "escalated_tickets", dims: []string{"severity"}, tr: "last_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				ticketsFor(acme, lmStart, lmEnd, func(tk, _ []any) {
					x := g.at(r.get("support_tickets", tk, "severity").(string))
					if r.get("support_tickets", tk, "escalated").(bool) {
						x.seen[r.get("support_tickets", tk, "id")] = true
					}
				})
				return g.rows(countValue, 100)
			},
		},
		{
			name: "average_resolution_hours", metric: "average_resolution_hours", tr: "last_month", tenants: acme,
			want: func() [][]string {
				var sum int64
				n := 0
				ticketsFor(acme, lmStart, lmEnd, func(tk, _ []any) {
					sum += r.get("support_tickets", tk, "resolution_hours").(int64)
					n++
				})
				return [][]string{{strconv.FormatFloat(float64(sum)/float64(n), 'f', 6, 64)}}
			},
		},
		{
			name: "average_resolution_hours by region for beta", metric: "average_resolution_hours", dims: []string{"region"}, tr: "last_month", tenants: []string{"beta"},
			want: func() [][]string {
				g := groups{}
				ticketsFor([]string{"beta"}, lmStart, lmEnd, func(tk, acct []any) {
					x := g.at(r.get("accounts", acct, "region").(string))
					x.sum += r.get("support_tickets", tk, "resolution_hours").(int64)
					x.n++
				})
				return g.rows(func(x *group) string { return strconv.FormatFloat(float64(x.sum)/float64(x.n), 'f', 6, 64) }, 100)
			},
		},
		{
			name: "net_revenue by severity counts each invoice once per distinct severity", metric: "net_revenue", dims: []string{"severity"}, tr: "last_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				invoicesFor(acme, lmStart, lmEnd, func(inv, acct []any) {
					for _, sev := range ticketSeverities(r.get("accounts", acct, "id")) {
						addNet(g.at(sev), inv)
					}
				})
				return g.rows(sumValue, 100)
			},
		},
		{
			// tickets reach plans through accounts -> subscriptions (one to
			// many): a ticket counts once per distinct plan of its account,
			// and tickets of accounts without subscriptions drop out
			name: "ticket_count by plan (fan-out and inner join)", metric: "ticket_count", dims: []string{"plan"}, tr: "last_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				ticketsFor(acme, lmStart, lmEnd, func(tk, acct []any) {
					for _, sub := range st.Table("subscriptions").Rows {
						if r.get("subscriptions", sub, "account_id") == r.get("accounts", acct, "id") {
							g.at(r.get("subscriptions", sub, "plan").(string)).seen[r.get("support_tickets", tk, "id")] = true
						}
					}
				})
				return g.rows(countValue, 100)
			},
		},
		{
			name: "net_revenue by region filtered on plan enterprise", metric: "net_revenue", dims: []string{"region"}, filters: map[string]string{"plan": "enterprise"}, tr: "last_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				invoicesFor(acme, lmStart, lmEnd, func(inv, acct []any) {
					sub := r.byID("subscriptions", r.get("invoices", inv, "subscription_id"))
					if r.get("subscriptions", sub, "plan") == "enterprise" {
						addNet(g.at(r.get("accounts", acct, "region").(string)), inv)
					}
				})
				return g.rows(sumValue, 100)
			},
		},
		{
			name: "net_revenue filtered through the ticket fan-out", metric: "net_revenue", filters: map[string]string{"severity": "high"}, tr: "last_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				invoicesFor(acme, lmStart, lmEnd, func(inv, acct []any) {
					if contains(ticketSeverities(r.get("accounts", acct, "id")), "high") {
						addNet(g.at(), inv)
					}
				})
				return [][]string{{sumValue(g.at())}}
			},
		},
		{
			name: "ticket_count by region and severity, two tenants, limit 5", metric: "ticket_count", dims: []string{"region", "severity"}, tr: "last_month", limit: 5, tenants: []string{"acme", "beta"},
			want: func() [][]string {
				g := groups{}
				ticketsFor([]string{"acme", "beta"}, lmStart, lmEnd, func(tk, acct []any) {
					g.at(r.get("accounts", acct, "region").(string), r.get("support_tickets", tk, "severity").(string)).seen[r.get("support_tickets", tk, "id")] = true
				})
				return g.rows(countValue, 5)
			},
		},
		{
			name: "gross_revenue by month over the fiscal year", metric: "gross_revenue", dims: []string{"month"}, tr: "fiscal_ytd", tenants: acme,
			want: func() [][]string {
				g := groups{}
				invoicesFor(acme, "2026-01-26", "2026-06-16", func(inv, _ []any) {
					x := g.at(r.get("invoices", inv, "invoice_date").(time.Time).Format("2006-01") + "-01")
					x.sum += r.get("invoices", inv, "gross_amount_cents").(int64)
					x.n++
				})
				return g.rows(sumValue, 100)
			},
		},
		{
			name: "net_revenue by plan over the last fiscal month", metric: "net_revenue", dims: []string{"plan"}, tr: "last_fiscal_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				invoicesFor(acme, "2026-04-26", "2026-05-26", func(inv, _ []any) {
					sub := r.byID("subscriptions", r.get("invoices", inv, "subscription_id"))
					addNet(g.at(r.get("subscriptions", sub, "plan").(string)), inv)
				})
				return g.rows(sumValue, 100)
			},
		},
		{
			name: "ticket_count by customer_email", metric: "ticket_count", dims: []string{"customer_email"}, tr: "last_month", tenants: acme,
			want: func() [][]string {
				g := groups{}
				ticketsFor(acme, lmStart, lmEnd, func(tk, acct []any) {
					g.at(r.get("accounts", acct, "customer_email").(string)).seen[r.get("support_tickets", tk, "id")] = true
				})
				return g.rows(countValue, 100)
			},
		},
		{
			name: "net_revenue by tenant_id, all tenants", metric: "net_revenue", dims: []string{"tenant_id"}, tr: "last_month", tenants: []string{"acme", "beta", "gamma", "delta"},
			want: func() [][]string {
				g := groups{}
				invoicesFor([]string{"acme", "beta", "gamma", "delta"}, lmStart, lmEnd, func(inv, acct []any) { addNet(g.at(r.tenantOf(acct)), inv) })
				return g.rows(sumValue, 100)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = 100
			}
			q := query(tt.metric, tt.dims, tt.filters, tt.tr, limit)
			got, err := o.Reference(tt.metric, q, tt.tenants)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want()
			if len(tt.dims) > 0 && len(want) < 2 {
				t.Fatalf("independent answer has %d rows; the case does not exercise grouping: %q", len(want), want)
			}
			if !reflect.DeepEqual(got.Rows, want) {
				t.Errorf("Reference(%s, %v):\n got %q\nwant %q", q.Key(), tt.tenants, got.Rows, want)
			}
			if wantCols := append(append([]string{}, tt.dims...), "value"); !reflect.DeepEqual(got.Columns, wantCols) {
				t.Errorf("columns = %v, want %v", got.Columns, wantCols)
			}
		})
	}

	t.Run("fan-out changes the answer", func(t *testing.T) {
		// the fixture is built so that joining tickets changes sums: the
		// per-severity revenue adds up to more than the total
		total, _ := o.Reference("net_revenue", query("net_revenue", nil, nil, "last_month", 100), acme)
		bySev, _ := o.Reference("net_revenue", query("net_revenue", []string{"severity"}, nil, "last_month", 100), acme)
		t0, _ := strconv.ParseInt(total.Rows[0][0], 10, 64)
		var s int64
		for _, row := range bySev.Rows {
			v, _ := strconv.ParseInt(row[1], 10, 64)
			s += v
		}
		if s <= t0 {
			t.Errorf("per-severity revenue %d does not exceed the total %d", s, t0)
		}
	})
	t.Run("tenant scope changes the answer", func(t *testing.T) {
		a, _ := o.Reference("ticket_count", query("ticket_count", []string{"region"}, nil, "last_month", 100), acme)
		all, _ := o.Reference("ticket_count", query("ticket_count", []string{"region"}, nil, "last_month", 100), []string{"acme", "beta", "gamma", "delta"})
		if reflect.DeepEqual(a.Rows, all.Rows) {
			t.Errorf("acme's breakdown equals the all-tenant one: %q", a.Rows)
		}
	})
	t.Run("fiscal and calendar months differ", func(t *testing.T) {
		cal, _ := o.Reference("net_revenue", query("net_revenue", []string{"plan"}, nil, "last_month", 100), acme)
		fis, _ := o.Reference("net_revenue", query("net_revenue", []string{"plan"}, nil, "last_fiscal_month", 100), acme)
		if reflect.DeepEqual(cal.Rows, fis.Rows) {
			t.Errorf("last_month and last_fiscal_month agree: %q", cal.Rows)
		}
	})
}
