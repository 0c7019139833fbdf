package db_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
)

// Containment is real: a live session sees exactly its tenant's rows and
// its role's columns under v7, and the faulty variants really leak.
func TestContainmentVariants(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	runContainment(t, env.Session, containmentCases(env))
}

// containmentCase is one live statement and what containment must do to it.
type containmentCase struct {
	name, containment, role, sql string
	blocked                      bool
	check                        func(t *testing.T, r db.Result)
}

// containmentCases hold for every engine loaded with env's domain and state.
func containmentCases(env *evaltest.Env) []containmentCase {
	owned := env.Oracle.OwnedRows("accounts", []string{"acme"})
	return []containmentCase{
		{"v7 hides other tenants", "v7", "analyst", "SELECT CAST(id AS VARCHAR) FROM accounts ORDER BY id", false, func(t *testing.T, r db.Result) {
			var got []string
			for _, row := range r.Rows {
				got = append(got, row[0])
			}
			slices.Sort(got)
			if !slices.Equal(got, owned) {
				t.Errorf("visible %v, acme owns %v", got, owned)
			}
		}},
		{"v7 hides ungranted columns", "v7", "analyst", "SELECT customer_email FROM accounts", true, nil},
		{"v7 grants finance_admin the email column", "v7", "finance_admin", "SELECT customer_email FROM accounts", false, nil},
		{"v7 cannot reach base tables by name", "v7", "analyst", "SELECT count(*) FROM accounts_base", true, nil},
		{"guard: schema-qualified base table", "v7", "analyst", "SELECT count(*) FROM base.accounts", true, refusedBy("schema-qualified")},
		{"guard: a second statement", "v7", "analyst", "SELECT 1; SELECT count(*) FROM accounts", true, refusedBy("2 statements")},
		{"guard: a non-SELECT statement", "v7", "analyst", "SET search_path = 'base'", true, refusedBy("not a single valid SELECT")},
		{"guard: table function", "v7", "analyst", "SELECT * FROM read_csv('/etc/passwd')", true, refusedBy("table functions")},
		{"guard: rebinding the tenant", "v7", "analyst", "SELECT set_config('app.tenant_id', 'beta', true), count(*) FROM accounts", true, refusedBy("set_config")},
		{"legacy ownership leaks moved accounts", "legacy_ownership", "analyst", "SELECT tenant_id FROM accounts", false, func(t *testing.T, r db.Result) {
			foreign := 0
			for _, row := range r.Rows {
				if row[0] != "acme" {
					foreign++
				}
			}
			if foreign == 0 {
				t.Errorf("legacy-ownership views showed no foreign accounts: %v", r.Rows)
			}
		}},
		{"table grants expose gross amounts", "table_grants", "analyst", "SELECT sum(gross_amount_cents) FROM invoices", false, nil},
		{"child tables follow the owner chain", "v7", "analyst", "SELECT count(*) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id JOIN accounts a ON a.id = s.account_id WHERE a.tenant_id <> 'acme'", false, func(t *testing.T, r db.Result) {
			if r.Rows[0][0] != "0" {
				t.Errorf("%s foreign invoices visible", r.Rows[0][0])
			}
		}},
	}
}

// runContainment runs cases as acme's live sessions on sess.
// refusedBy checks that the session guard refused the statement.
func refusedBy(why string) func(t *testing.T, r db.Result) {
	return func(t *testing.T, r db.Result) {
		if !strings.Contains(r.Error, "application session guard") || !strings.Contains(r.Error, why) {
			t.Errorf("error %q, want a guard refusal mentioning %q", r.Error, why)
		}
	}
}

func runContainment(t *testing.T, sess db.Session, cases []containmentCase) {
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := sess.Run(ctx, db.Exec{Mode: db.Live, Containment: tc.containment, Role: tc.role, Tenants: []string{"acme"}, SQL: tc.sql})
			if err != nil {
				t.Fatal(err)
			}
			if r.Blocked != tc.blocked {
				t.Fatalf("blocked=%v (%s), want %v", r.Blocked, r.Error, tc.blocked)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestModesAndVisible(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	checkModesAndVisible(t, env, env.Session)
}

// checkModesAndVisible checks base, oracle and live namespaces and the live
// visibility probe of sess, an engine loaded with env's domain and state.
func checkModesAndVisible(t *testing.T, env *evaltest.Env, sess db.Session) {
	ctx := context.Background()
	count := func(e db.Exec) string {
		e.SQL = "SELECT count(*) FROM support_tickets"
		r, err := sess.Run(ctx, e)
		if err != nil || r.Blocked {
			t.Fatalf("%v %s", err, r.Error)
		}
		return r.Rows[0][0]
	}
	all := count(db.Exec{Mode: db.Base})
	acme := count(db.Exec{Mode: db.Oracle, Tenants: []string{"acme"}})
	live := count(db.Exec{Mode: db.Live, Containment: "v7", Role: "analyst", Tenants: []string{"acme"}})
	if all == acme || acme != live {
		t.Errorf("base %s, oracle %s, live %s: want oracle == live < base", all, acme, live)
	}
	both := count(db.Exec{Mode: db.Oracle, Tenants: []string{"acme", "beta"}})
	if both == acme || both == all {
		t.Errorf("two tenants see %s (one %s, all %s)", both, acme, all)
	}
	vis, err := sess.Visible(ctx, "v7", "analyst", []string{"acme"}, "support_tickets")
	if err != nil {
		t.Fatal(err)
	}
	if want := env.Oracle.OwnedRows("support_tickets", []string{"acme"}); !slices.Equal(vis.Rows, want) {
		t.Errorf("visible %d tickets, oracle owns %d", len(vis.Rows), len(want))
	}
	if _, err := sess.Run(ctx, db.Exec{Mode: db.Live, Containment: "v7", Role: "analyst", SQL: "SELECT 1"}); err == nil {
		t.Error("a live session without tenants was accepted")
	}
}

func TestInspect(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	checkInspect(t, env.Session)
}

// checkInspect checks sess's SQL parse.
func checkInspect(t *testing.T, sess db.Session) {
	cases := []struct {
		name    string
		sql     string
		valid   bool
		tables  []string
		columns []string
		limit   int64
		stmts   int
	}{
		{"qualified columns through an alias", "SELECT a.region, sum(i.net_amount_cents) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id JOIN accounts a ON a.id = s.account_id GROUP BY 1 LIMIT 7",
			true, []string{"accounts", "invoices", "subscriptions"},
			[]string{"accounts.id", "accounts.region", "invoices.net_amount_cents", "invoices.subscription_id", "subscriptions.account_id", "subscriptions.id"}, 7, 1},
		{"subquery alias named like its table", "SELECT sum(invoices.gross_amount_cents) FROM (SELECT invoices.id, invoices.gross_amount_cents FROM invoices) AS invoices",
			true, []string{"invoices"}, []string{"invoices.gross_amount_cents", "invoices.id"}, -1, 1},
		{"two statements", "SELECT 1; SELECT 2", true, nil, nil, -1, 2},
		{"syntax error", "SELEC 1", false, nil, nil, -1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := sess.Inspect(context.Background(), tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if info.Valid != tc.valid || info.Limit != tc.limit || info.Statements != tc.stmts {
				t.Fatalf("valid=%v limit=%d stmts=%d err=%q", info.Valid, info.Limit, info.Statements, info.Error)
			}
			if !tc.valid {
				if !strings.Contains(info.Error, "syntax error") {
					t.Errorf("error %q", info.Error)
				}
				return
			}
			if !slices.Equal(info.Tables, tc.tables) || !slices.Equal(info.Columns, tc.columns) {
				t.Errorf("tables %v columns %v", info.Tables, info.Columns)
			}
		})
	}
}

// The memo returns the same results as the database and cannot be mutated
// through a returned result.
func TestMemoIsTransparent(t *testing.T) {
	cached := evaltest.Setup(t, "support_saas")
	raw := evaltest.SetupWith(t, "support_saas", db.Options{CacheEntries: -1})
	e := db.Exec{Mode: db.Live, Containment: "v7", Role: "analyst", Tenants: []string{"beta"}, SQL: "SELECT region, count(*) FROM accounts GROUP BY 1 ORDER BY 1"}
	ctx := context.Background()
	a, _ := cached.Session.Run(ctx, e)
	a.Rows[0][0] = "tampered"
	b, _ := cached.Session.Run(ctx, e)
	c, _ := raw.Session.Run(ctx, e)
	if b.Rows[0][0] == "tampered" || !slices.EqualFunc(b.Rows, c.Rows, slices.Equal[[]string]) {
		t.Errorf("memo result %v, database %v", b.Rows, c.Rows)
	}
}
