package state_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

func support(t *testing.T) (*spec.Domain, *state.State) {
	t.Helper()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatalf("load domain: %v", err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return d, st
}

func TestGenerateDeterministic(t *testing.T) {
	d, a := support(t)
	b, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two Generate calls with the same seed differ")
	}
	c, err := state.GenerateSeed(d, d.State.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, c) {
		t.Errorf("GenerateSeed(d, d.State.Seed) differs from Generate(d)")
	}
	other, err := state.GenerateSeed(d, d.State.Seed+1)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Table("invoices").Rows, other.Table("invoices").Rows) {
		t.Errorf("a different seed gave the same invoices")
	}
	// explicit rows do not depend on the seed
	if !reflect.DeepEqual(a.Table("tenants"), other.Table("tenants")) {
		t.Errorf("the explicit tenants table depends on the seed")
	}
	// tables are in schema order with schema columns
	for i, tab := range d.Schema.Tables {
		got := a.Tables[i]
		if got.Name != tab.Name || a.Table(tab.Name) != got {
			t.Errorf("table %d is %s, want %s", i, got.Name, tab.Name)
		}
		for j, c := range tab.Columns {
			if got.Columns[j] != c.Name || got.Types[j] != c.Type {
				t.Errorf("%s column %d = %s %s, want %s %s", tab.Name, j, got.Columns[j], got.Types[j], c.Name, c.Type)
			}
		}
		if got.Columns[got.PK] != tab.PrimaryKey {
			t.Errorf("%s PK column = %s, want %s", tab.Name, got.Columns[got.PK], tab.PrimaryKey)
		}
		if len(got.Owner) != len(got.Rows) {
			t.Errorf("%s: %d owners for %d rows", tab.Name, len(got.Owner), len(got.Rows))
		}
	}
	if a.Table("nope") != nil {
		t.Errorf("Table(nope) != nil")
	}
	n := 0
	for _, tab := range a.Tables {
		n += len(tab.Rows)
	}
	if a.RowCount() != n || n == 0 {
		t.Errorf("RowCount() = %d, want %d", a.RowCount(), n)
	}
}

// TestTypesAndKeys checks every value's Go type, primary-key uniqueness and
// ByPK, and that every foreign key resolves.
func TestTypesAndKeys(t *testing.T) {
	d, st := support(t)
	for _, tab := range st.Tables {
		seen := map[any]bool{}
		for i, row := range tab.Rows {
			if len(row) != len(tab.Columns) {
				t.Fatalf("%s row %d has %d values", tab.Name, i, len(row))
			}
			for j, v := range row {
				if !typeOK(v, tab.Types[j]) {
					t.Errorf("%s row %d column %s: %v (%T) is not a %s", tab.Name, i, tab.Columns[j], v, v, tab.Types[j])
				}
			}
			pk := row[tab.PK]
			if pk == nil || seen[pk] {
				t.Errorf("%s row %d: nil or duplicate primary key %v", tab.Name, i, pk)
			}
			seen[pk] = true
			if r, idx, ok := tab.ByPK(pk); !ok || idx != i || !reflect.DeepEqual(r, row) {
				t.Errorf("%s: ByPK(%v) = %v, %d, %v", tab.Name, pk, r, idx, ok)
			}
		}
		if _, idx, ok := tab.ByPK("no such key"); ok || idx != -1 {
			t.Errorf("%s: ByPK of a missing key = %d, %v", tab.Name, idx, ok)
		}
		if tab.Col("no such column") != -1 {
			t.Errorf("%s: Col of a missing column != -1", tab.Name)
		}
	}
	for _, tab := range d.Schema.Tables {
		rows := st.Table(tab.Name)
		for _, fk := range tab.ForeignKeys {
			rt, _, _ := spec.SplitQualified(fk.References)
			ref := st.Table(rt)
			ci := rows.Col(fk.Column)
			for i, row := range rows.Rows {
				if row[ci] == nil {
					// only optional references may be NULL (unassigned tickets)
					if fk.Column == tab.OwnerVia {
						t.Errorf("%s row %d: owner reference %s is NULL", tab.Name, i, fk.Column)
					}
					continue
				}
				if _, _, ok := ref.ByPK(row[ci]); !ok {
					t.Errorf("%s row %d: %s=%v references no %s row", tab.Name, i, fk.Column, row[ci], rt)
				}
			}
		}
	}
}

func typeOK(v any, typ string) bool {
	switch x := v.(type) {
	case nil:
		return true
	case int64:
		return typ == "integer"
	case string:
		return typ == "text"
	case bool:
		return typ == "boolean"
	case time.Time:
		if x.Location() != time.UTC {
			return false
		}
		midnight := x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0
		return typ == "timestamp" || (typ == "date" && midnight)
	}
	return false
}

// TestOwnersFollowOwnerVia walks every row's owner_via chain through the raw
// rows and compares the tenant it reaches with the recorded owner.
func TestOwnersFollowOwnerVia(t *testing.T) {
	d, st := support(t)
	tenancy := d.Policy.Tenancy.Table
	for _, tab := range st.Tables {
		t.Run(tab.Name, func(t *testing.T) {
			chain, err := resolve.OwnerChain(d.Schema, tab.Name, tenancy)
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range tab.Rows {
				cur, curTab := row, tab
				for _, e := range chain {
					next := st.Table(e.To)
					r, _, ok := next.ByPK(cur[curTab.Col(e.FromColumn)])
					if !ok {
						t.Fatalf("row %d: %s.%s=%v has no %s row", i, curTab.Name, e.FromColumn, cur[curTab.Col(e.FromColumn)], e.To)
					}
					cur, curTab = r, next
				}
				want := fmt.Sprint(cur[curTab.PK])
				if tab.Owner[i] != want {
					t.Errorf("row %d (pk %v): owner %q, owner_via chain reaches %q", i, row[tab.PK], tab.Owner[i], want)
				}
			}
		})
	}
	// each tenant owns accounts, tickets and invoices (so every tenant's
	// breakdowns are non-trivial)
	for _, tenant := range []string{"acme", "beta", "gamma", "delta"} {
		for _, table := range []string{"accounts", "subscriptions", "invoices", "agents", "support_tickets", "ticket_events"} {
			n := 0
			for _, o := range st.Table(table).Owner {
				if o == tenant {
					n++
				}
			}
			if n == 0 {
				t.Errorf("tenant %s owns no %s rows", tenant, table)
			}
		}
	}
}

// TestTicketAgentsSameOwner: assigned_agent_id uses ref with same_owner, so a
// ticket is never assigned to another tenant's agent.
func TestTicketAgentsSameOwner(t *testing.T) {
	_, st := support(t)
	tickets, agents := st.Table("support_tickets"), st.Table("agents")
	ai := tickets.Col("assigned_agent_id")
	unassigned := 0
	for i, row := range tickets.Rows {
		if row[ai] == nil {
			unassigned++
			continue
		}
		_, idx, ok := agents.ByPK(row[ai])
		if !ok {
			t.Errorf("ticket %v: agent %v does not exist", row[tickets.PK], row[ai])
			continue
		}
		if agents.Owner[idx] != tickets.Owner[i] {
			t.Errorf("ticket %v of %s is assigned to agent %v of %s", row[tickets.PK], tickets.Owner[i], row[ai], agents.Owner[idx])
		}
	}
	// null_share 0.2: some tickets are unassigned, most are not
	if unassigned == 0 || unassigned*2 > len(tickets.Rows) {
		t.Errorf("%d of %d tickets unassigned, want some but under half", unassigned, len(tickets.Rows))
	}
}

// TestExplicitRows: the transferred accounts are present, and they are the
// only accounts whose legacy_tenant_id is not their tenant's legacy key.
func TestExplicitRows(t *testing.T) {
	_, st := support(t)
	tenants := st.Table("tenants")
	wantTenants := [][]any{
		{"acme", "Acme Health", "old-acme"},
		{"beta", "Beta Logistics", "old-beta"},
		{"gamma", "Gamma Retail", "old-gamma"},
		{"delta", "Delta Labs", "old-delta"},
	}
	if !reflect.DeepEqual(tenants.Rows, wantTenants) {
		t.Errorf("tenants = %v, want %v", tenants.Rows, wantTenants)
	}
	if !reflect.DeepEqual(tenants.Owner, []string{"acme", "beta", "gamma", "delta"}) {
		t.Errorf("tenant owners = %v", tenants.Owner)
	}
	acc := st.Table("accounts")
	tid, lid, name, region, email := acc.Col("tenant_id"), acc.Col("legacy_tenant_id"), acc.Col("name"), acc.Col("region"), acc.Col("customer_email")
	type moved struct{ tenant, legacy, name, region, email string }
	var got []moved
	for _, row := range acc.Rows {
		tr, _, ok := tenants.ByPK(row[tid])
		if !ok {
			t.Fatalf("account %v: unknown tenant %v", row[acc.PK], row[tid])
		}
		if row[lid] != tr[tenants.Col("legacy_id")] {
			got = append(got, moved{row[tid].(string), row[lid].(string), row[name].(string), row[region].(string), row[email].(string)})
		}
	}
	want := []moved{
		{"beta", "old-acme", "Beta West (ex-Acme)", "west", "west-ops@beta.example"},
		{"acme", "old-beta", "Acme North (ex-Beta)", "north", "north-ops@acme.example"},
		{"acme", "old-gamma", "Acme East (ex-Gamma)", "east", "east-ops@acme.example"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("transferred accounts:\n got %+v\nwant %+v", got, want)
	}
	// explicit rows come after the generated ones and get the next keys
	n := len(acc.Rows)
	for i, w := range want {
		row := acc.Rows[n-3+i]
		if row[name] != w.name || row[acc.PK] != int64(n-2+i) {
			t.Errorf("account row %d = %v, want the explicit %q with id %d", n-3+i, row, w.name, n-2+i)
		}
	}
	// generated accounts use the lookup and templates
	for _, row := range acc.Rows[:n-3] {
		tenant := row[tid].(string)
		if row[lid] != "old-"+tenant {
			t.Errorf("generated account %v: legacy_tenant_id %v", row[acc.PK], row[lid])
		}
		if !strings.HasPrefix(row[name].(string), tenant+" account ") || !strings.HasSuffix(row[email].(string), "@"+tenant+".example") {
			t.Errorf("generated account %v: templates gave %q / %q", row[acc.PK], row[name], row[email])
		}
		switch row[region] {
		case "west", "east", "north", "south":
		default:
			t.Errorf("generated account %v: region %v not a choice", row[acc.PK], row[region])
		}
	}
}

// TestBoundaryDates: invoices and tickets sit on both sides of the calendar
// and fiscal month boundaries (fiscal months start on the 26th), and every
// boundary day state.yaml lists occurs.
func TestBoundaryDates(t *testing.T) {
	d, st := support(t)
	// the last fiscal month is [04-26, 05-26), last_month [05-01, 06-01)
	edges := []string{"2026-04-25", "2026-04-26", "2026-04-30", "2026-05-01", "2026-05-25", "2026-05-26", "2026-05-31", "2026-06-01"}
	for _, c := range []struct{ table, col string }{{"invoices", "invoice_date"}, {"support_tickets", "opened_at"}} {
		t.Run(c.table, func(t *testing.T) {
			tab := st.Table(c.table)
			ci := tab.Col(c.col)
			got := map[string]int{}
			for _, row := range tab.Rows {
				got[row[ci].(time.Time).Format("2006-01-02")]++
			}
			var gen *spec.Generator
			for _, ts := range d.State.Tables {
				if ts.Table == c.table {
					gen = ts.Columns[c.col]
				}
			}
			if gen == nil || len(gen.DateBetween) != 2 {
				t.Fatalf("no date_between generator for %s.%s", c.table, c.col)
			}
			for _, day := range append(append([]string{}, edges...), gen.Boundaries...) {
				if got[day] == 0 {
					t.Errorf("%s.%s: no row on boundary day %s", c.table, c.col, day)
				}
			}
			lo, hi := gen.DateBetween[0], gen.DateBetween[1]
			for day := range got {
				if day < lo || day > hi {
					t.Errorf("%s.%s: %s outside date_between [%s, %s]", c.table, c.col, day, lo, hi)
				}
			}
		})
	}
	// timestamps carry a time of day
	ev := st.Table("ticket_events")
	ci := ev.Col("created_at")
	withTime := 0
	for _, row := range ev.Rows {
		ts := row[ci].(time.Time)
		if ts.Hour() != 0 || ts.Minute() != 0 || ts.Second() != 0 {
			withTime++
		}
		if ts.Before(state.Date(2026, 1, 1)) || !ts.Before(state.Date(2026, 6, 16)) {
			t.Errorf("ticket_events.created_at %v outside its range", ts)
		}
	}
	if withTime == 0 {
		t.Errorf("no ticket_events.created_at has a time of day")
	}
}

// TestPerParentCounts: every parent row gets between min and max generated
// children (explicit rows, appended last, are not counted).
func TestPerParentCounts(t *testing.T) {
	d, st := support(t)
	for _, ts := range d.State.Tables {
		if ts.PerParent == nil {
			continue
		}
		t.Run(ts.Table, func(t *testing.T) {
			tab := st.Table(ts.Table)
			fk := d.Schema.Table(ts.Table).FK(ts.PerParent.Column)
			pt, _, _ := spec.SplitQualified(fk.References)
			parent := st.Table(pt)
			generated := tab.Rows[:len(tab.Rows)-len(ts.Rows)]
			counts := map[any]int{}
			ci := tab.Col(ts.PerParent.Column)
			for _, row := range generated {
				counts[row[ci]]++
			}
			sizes := map[int]bool{}
			for _, prow := range parent.Rows {
				n := counts[prow[parent.PK]]
				sizes[n] = true
				if n < ts.PerParent.Min || n > ts.PerParent.Max {
					t.Errorf("%s %v has %d generated %s rows, want %d..%d", pt, prow[parent.PK], n, ts.Table, ts.PerParent.Min, ts.PerParent.Max)
				}
			}
			if ts.PerParent.Max > ts.PerParent.Min && len(sizes) < 2 {
				t.Errorf("all %s parents got the same number of children: %v", pt, sizes)
			}
			// generated children are grouped by parent in parent order
			last := -1
			for _, row := range generated {
				_, idx, _ := parent.ByPK(row[ci])
				if idx < last {
					t.Errorf("generated %s rows are not in parent order", ts.Table)
					break
				}
				last = idx
			}
		})
	}
	// derived columns: net is a 0.55..0.95 share of gross
	inv := st.Table("invoices")
	gi, ni := inv.Col("gross_amount_cents"), inv.Col("net_amount_cents")
	for _, row := range inv.Rows {
		g, n := row[gi].(int64), row[ni].(int64)
		if g < 1000 || g > 12000 || float64(n) < 0.55*float64(g)-1 || float64(n) > 0.95*float64(g)+1 {
			t.Errorf("invoice %v: gross %d, net %d", row[inv.PK], g, n)
		}
	}
}

// miniFiles is a small valid domain whose state.yaml the tests replace.
func miniFiles(stateYAML string) fstest.MapFS {
	policy := `tenancy: {table: tenants, column: accounts.tenant_id}
calendar: {as_of: "2026-06-15", fiscal_month_start_day: 1, fiscal_year_start_month: 1}
principals:
  p: {id: p, role: r, tenant_ids: [t1]}
roles:
  r: {allowed_metrics: [n], allowed_time_ranges: [last_month], max_rows: 10, max_cost: 10}
metrics:
  n: {expression: count(tickets.id), table: tickets, allowed_roles: [r], cost: 1, aggregate: count, measure: tickets.id, time_column: tickets.opened}
`
	schema := `tables:
  - name: tenants
    primary_key: id
    columns: [{name: id, type: text}]
  - name: accounts
    primary_key: id
    owner_via: tenant_id
    columns: [{name: id, type: integer}, {name: tenant_id, type: text}]
    foreign_keys: [{column: tenant_id, references: tenants.id}]
  - name: tickets
    primary_key: id
    owner_via: account_id
    columns: [{name: id, type: integer}, {name: account_id, type: integer}, {name: opened, type: date}]
    foreign_keys: [{column: account_id, references: accounts.id}]
  - name: events
    primary_key: id
    owner_via: ticket_id
    columns: [{name: id, type: integer}, {name: ticket_id, type: integer}, {name: hours, type: integer}]
    foreign_keys: [{column: ticket_id, references: tickets.id}]
`
	var surfaces strings.Builder
	surfaces.WriteString("versions:\n")
	for _, s := range spec.SurfaceOrder {
		fmt.Fprintf(&surfaces, "  %s: v1\n", s)
	}
	surfaces.WriteString("contracts:\n")
	for _, s := range spec.SurfaceOrder {
		fmt.Fprintf(&surfaces, "  %s: {mode: %s}\n", s, spec.ContractModes[s])
	}
	return fstest.MapFS{
		"policy.yaml":   {Data: []byte(policy)},
		"schema.yaml":   {Data: []byte(schema)},
		"surfaces.yaml": {Data: []byte(surfaces.String())},
		"state.yaml":    {Data: []byte(stateYAML)},
	}
}

func miniDomain(t *testing.T, stateYAML string) *spec.Domain {
	t.Helper()
	d, err := spec.LoadDomain(miniFiles(stateYAML), "mini", "mini")
	if err != nil {
		t.Fatalf("LoadDomain: %v", err)
	}
	return d
}

const miniTenants = `  - table: tenants
    rows: [{id: t1}, {id: t2}]
`

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name, state, want string
	}{
		{
			name: "explicit row references a missing parent",
			state: miniTenants + `  - table: accounts
    rows: [{id: 1, tenant_id: t9}]
`,
			want: "generate state: table accounts: tenant_id=t9 references no tenants row",
		},
		{
			name:  "duplicate primary key",
			state: "  - table: tenants\n    rows: [{id: t1}, {id: t1}]\n",
			want:  "generate state: table tenants: duplicate primary key t1",
		},
		{
			name: "column without generator or value",
			state: miniTenants + `  - table: accounts
    per_parent: {column: tenant_id, min: 1, max: 1}
  - table: tickets
    per_parent: {column: account_id, min: 1, max: 1}
`,
			want: "generate state: table tickets: no generator and no value for column opened",
		},
		{
			name: "explicit value of the wrong type",
			state: miniTenants + `  - table: accounts
    rows: [{id: one, tenant_id: t1}]
`,
			want: "generate state: table accounts column id: value one (string) does not fit column type integer",
		},
		{
			name: "bad explicit date",
			state: miniTenants + `  - table: accounts
    rows: [{id: 1, tenant_id: t1}]
  - table: tickets
    rows: [{id: 1, account_id: 1, opened: "2026-02-30"}]
`,
			want: `generate state: table tickets column opened: invalid date "2026-02-30" (want YYYY-MM-DD)`,
		},
		{
			name: "per_parent before its parent is generated",
			state: `  - table: accounts
    per_parent: {column: tenant_id, min: 1, max: 1}
` + miniTenants + `  - table: tickets
    rows: [{id: 1, account_id: 1, opened: "2026-05-01"}]
`,
			want: "generate state: table tickets: account_id=1 references no accounts row",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := miniDomain(t, "seed: 1\ntables:\n"+tt.state)
			st, err := state.Generate(d)
			if err == nil {
				t.Fatalf("Generate succeeded with %d rows, want error %q", st.RowCount(), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestGenerateMini(t *testing.T) {
	d := miniDomain(t, "seed: 7\ntables:\n"+miniTenants+`  - table: accounts
    per_parent: {column: tenant_id, min: 2, max: 2}
  - table: tickets
    per_parent: {column: account_id, min: 0, max: 3}
    columns:
      opened: {date_between: ["2026-05-01", "2026-05-03"]}
    rows:
      - {account_id: 4, opened: "2026-06-01"}
  - table: events
    per_parent: {column: ticket_id, min: 1, max: 1}
    columns:
      hours: {int_between: [3, 3]}
`)
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	acc := st.Table("accounts")
	want := [][]any{{int64(1), "t1"}, {int64(2), "t1"}, {int64(3), "t2"}, {int64(4), "t2"}}
	if !reflect.DeepEqual(acc.Rows, want) || !reflect.DeepEqual(acc.Owner, []string{"t1", "t1", "t2", "t2"}) {
		t.Errorf("accounts = %v owners %v, want %v", acc.Rows, acc.Owner, want)
	}
	tk := st.Table("tickets")
	last := tk.Rows[len(tk.Rows)-1]
	if last[tk.Col("account_id")] != int64(4) || last[tk.Col("opened")] != state.Date(2026, 6, 1) || last[tk.PK] != int64(len(tk.Rows)) {
		t.Errorf("explicit ticket = %v", last)
	}
	if tk.Owner[len(tk.Rows)-1] != "t2" {
		t.Errorf("explicit ticket owner = %s", tk.Owner[len(tk.Rows)-1])
	}
	ev := st.Table("events")
	if len(ev.Rows) != len(tk.Rows) {
		t.Errorf("%d events for %d tickets (per_parent 1..1)", len(ev.Rows), len(tk.Rows))
	}
	for i, row := range ev.Rows {
		if row[ev.Col("hours")] != int64(3) {
			t.Errorf("event %v: hours %v, want int_between [3, 3] = 3", row[ev.PK], row[ev.Col("hours")])
		}
		_, ti, _ := tk.ByPK(row[ev.Col("ticket_id")])
		if ev.Owner[i] != tk.Owner[ti] {
			t.Errorf("event %v owner %s, ticket owner %s", row[ev.PK], ev.Owner[i], tk.Owner[ti])
		}
	}
	days := map[time.Time]bool{}
	for _, row := range tk.Rows[:len(tk.Rows)-1] {
		days[row[tk.Col("opened")].(time.Time)] = true
	}
	var got []string
	for day := range days {
		got = append(got, day.Format("2006-01-02"))
	}
	sort.Strings(got)
	for _, day := range got {
		if day < "2026-05-01" || day > "2026-05-03" {
			t.Errorf("opened %s outside the inclusive range", day)
		}
	}
}

// TestGenerateMaxRows: a state.yaml generating more than state.MaxRows rows
// is an error. 4 tenants x 1000 accounts x 500 tickets = 2,004,004 rows in
// all, just over the limit.
func TestGenerateMaxRows(t *testing.T) {
	if testing.Short() {
		t.Skip("generates two million rows")
	}
	d := miniDomain(t, `seed: 1
tables:
  - table: tenants
    rows: [{id: t1}, {id: t2}, {id: t3}, {id: t4}]
  - table: accounts
    per_parent: {column: tenant_id, min: 1000, max: 1000}
  - table: tickets
    per_parent: {column: account_id, min: 500, max: 500}
    columns:
      opened: {choice: ["2026-05-01"]}
`)
	st, err := state.Generate(d)
	if err == nil {
		t.Fatalf("Generate succeeded with %d rows (> MaxRows %d)", st.RowCount(), state.MaxRows)
	}
	if want := fmt.Sprintf("generate state: more than %d rows (table tickets); lower the per_parent counts", state.MaxRows); err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

// TestGenerateMaxRowsBoundsMemory: the row limit must stop generation before
// memory runs out. Here the first three tables hold 1,604,004 rows (under
// the limit) and events would get 1000 rows per ticket: 1.6 billion rows.
func TestGenerateMaxRowsBoundsMemory(t *testing.T) {
	d := miniDomain(t, `seed: 1
tables:
  - table: tenants
    rows: [{id: t1}, {id: t2}, {id: t3}, {id: t4}]
  - table: accounts
    per_parent: {column: tenant_id, min: 1000, max: 1000}
  - table: tickets
    per_parent: {column: account_id, min: 400, max: 400}
    columns:
      opened: {choice: ["2026-05-01"]}
  - table: events
    per_parent: {column: ticket_id, min: 1000, max: 1000}
    columns:
      hours: {int_between: [1, 9]}
`)
	if _, err := state.Generate(d); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("Generate error = %v, want the MaxRows error", err)
	}
}
