package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/policystrata/policystrata/pipeline/aimstate"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// openSQLite loads env's domain and state into a SQLite engine and opens a
// session on it.
func openSQLite(t *testing.T, env *evaltest.Env) db.Session {
	t.Helper()
	ctx := context.Background()
	eng, err := db.OpenSQLite(ctx, env.Domain, env.State, layers.Containments(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.Session(ctx)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sess.Close()
		eng.Close()
	})
	return sess
}

// SQLite agrees with DuckDB on every statement the seeded and control
// suites of every built-in domain lower to (the correct compiler and every
// faulty one), in every namespace, and on the database layer's whole
// observation (result and visibility probes).
func TestSQLiteAgreesWithDuckDB(t *testing.T) {
	for _, domain := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		t.Run(domain, func(t *testing.T) {
			env := evaltest.Setup(t, domain)
			checkCrossEngineSuites(t, env, openSQLite(t, env), "sqlite", nil)
		})
	}
}

// The same agreement on the aimed search state whose optional references
// are empty, where LEFT JOINs and the ClickHouse functions meet NULL (a
// NULL once made SQLite's date_trunc fail where DuckDB returns NULL).
func TestSQLiteAgreesWithDuckDBOnNulls(t *testing.T) {
	for _, domain := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		t.Run(domain, func(t *testing.T) {
			base := evaltest.Setup(t, domain)
			aimed, err := aimstate.Derive(base.Domain, base.State)
			if err != nil {
				t.Fatal(err)
			}
			var st *state.State
			for _, a := range aimed {
				if a.Name == "null_optional_refs" {
					st = a.State
				}
			}
			if st == nil {
				t.Fatal("no null_optional_refs state")
			}
			env := evaltest.SetupState(t, base.Domain, st)
			checkCrossEngineSuites(t, env, openSQLite(t, env), "sqlite", nil)
		})
	}
}

// Every live SQLite session sees what DuckDB's sees of every table, for
// every principal's tenants and for none.
func TestSQLiteVisibleAgrees(t *testing.T) {
	for _, domain := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		t.Run(domain, func(t *testing.T) {
			env := evaltest.Setup(t, domain)
			var sets [][]string
			for _, p := range spec.SortedKeys(env.Domain.Policy.Principals) {
				sets = append(sets, env.Domain.Policy.Principals[p].TenantIDs)
			}
			checkCrossEngineVisible(t, env, openSQLite(t, env), "sqlite", append(sets, []string{"nobody"}))
		})
	}
}

// Values of every portable type, the aggregates and functions the layers
// emit, NULL order and text order normalize identically on both engines.
func TestSQLiteNormalization(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	lite := openSQLite(t, env)
	ctx := context.Background()
	cases := []struct{ name, sql string }{
		{"count, sum and avg", "SELECT count(*) AS n, sum(net_amount_cents) AS s, avg(net_amount_cents) AS a, min(invoice_date) AS first FROM invoices"},
		{"avg of integers per group", "SELECT severity, avg(resolution_hours) AS a FROM support_tickets GROUP BY severity ORDER BY severity"},
		{"month buckets of a date", "SELECT date_trunc('month', invoice_date) AS m, count(*) AS n FROM invoices GROUP BY 1 ORDER BY 1"},
		{"month buckets cast to text", "SELECT DISTINCT CAST(date_trunc('month', opened_at) AS VARCHAR) AS m FROM support_tickets ORDER BY 1"},
		{"month buckets of a date cast to text", "SELECT DISTINCT CAST(date_trunc('month', invoice_date) AS VARCHAR) AS m FROM invoices ORDER BY 1"},
		{"typed filter on a bucket", "SELECT count(*) AS n FROM invoices WHERE CAST(date_trunc('month', invoice_date) AS DATE) = DATE '2026-05-01'"},
		{"booleans", "SELECT escalated, CAST(escalated AS VARCHAR) AS e, count(*) AS n FROM support_tickets GROUP BY 1 ORDER BY 1"},
		{"boolean filter as text", "SELECT count(*) AS n FROM support_tickets WHERE CAST(support_tickets.escalated AS VARCHAR) = 'true'"},
		{"timestamps", "SELECT created_at, CAST(created_at AS VARCHAR) AS c FROM ticket_events ORDER BY id LIMIT 20"},
		{"dates", "SELECT opened_at, CAST(opened_at AS VARCHAR) AS c FROM support_tickets ORDER BY id LIMIT 20"},
		{"time window", "SELECT count(*) AS n FROM support_tickets WHERE opened_at >= DATE '2026-05-01' AND opened_at < DATE '2026-06-01'"},
		{"max of a timestamp", "SELECT max(created_at) AS m, min(created_at) AS n FROM ticket_events"},
		{"bytewise text order", "SELECT name FROM accounts ORDER BY name"},
		{"bytewise order of derived text", "SELECT lower(name) AS l, upper(name) AS u FROM accounts ORDER BY upper(name), name"},
		{"empty aggregate is NULL", "SELECT sum(net_amount_cents) AS s, count(*) AS n FROM invoices WHERE id < 0"},
		{"filter clause", "SELECT count(DISTINCT id) FILTER (WHERE escalated) AS e FROM support_tickets"},
		{"division of integers is real", "SELECT sum(net_amount_cents) / count(*) AS a, 7 / 2 AS h, id / 3 AS t FROM invoices GROUP BY id ORDER BY id LIMIT 5"},
		{"PostgreSQL-style casts", "SELECT opened_at::varchar AS c, escalated::varchar AS e, (resolution_hours + 1)::varchar AS r FROM support_tickets ORDER BY id LIMIT 10"},
		{"NULLs sort last", "SELECT CASE WHEN id % 3 = 0 THEN NULL ELSE id END AS x FROM support_tickets ORDER BY x LIMIT 40"},
		{"NULLs sort last descending", "SELECT CASE WHEN id % 3 = 0 THEN NULL ELSE id END AS x FROM support_tickets ORDER BY x DESC LIMIT 40"},
		{"a typed literal inside a string stays", "SELECT 'DATE ''2026-01-01''' AS s, count(*) AS n FROM accounts"},
	}
	checkNormalization(t, ctx, env.Session, lite, "sqlite", cases)
}

// A live SQLite session cannot reach the storage tables, SQLite's catalog
// or the tenants table, and cannot write; nor can one restricted to a
// subset (its scratch connections also hold the loaded image, attached).
func TestSQLiteContainment(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	lite := openSQLite(t, env)
	ctx := context.Background()
	refused := func(s db.Session) {
		for _, sql := range []string{
			`SELECT * FROM __ps_accounts`,
			`SELECT * FROM "__ps_accounts"`,
			`SELECT name FROM sqlite_master`,
			`SELECT * FROM ps_tenants`,
			`SELECT * FROM main.__ps_accounts`,
			`SELECT * FROM ps_loaded.__ps_accounts`,
			`SELECT * FROM "ps_loaded"."__ps_accounts"`,
			`SELECT name FROM ps_loaded.sqlite_master`,
			`SELECT * FROM pragma_table_info('accounts')`,
			`DELETE FROM accounts`,
			`SELECT 1; DELETE FROM accounts`,
			`DETACH DATABASE ps_loaded`,
		} {
			for _, mode := range []db.Mode{db.Live, db.Base, db.Oracle} {
				res, err := s.Run(ctx, db.Exec{Mode: mode, Containment: layers.Correct, Role: "analyst", Tenants: []string{"acme"}, SQL: sql})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Blocked {
					t.Errorf("mode %d: %s: not refused: %v", mode, sql, res.Rows)
				}
			}
		}
	}
	refused(lite)
	rows := env.State.BaseRows(env.Domain)
	sub, err := state.FromRows(env.Domain, state.Cascade(env.Domain, rows, func(_ string, i int) bool { return i%2 == 0 }))
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.(db.Restricter).WithState(ctx, sub, func(rs db.Session) error {
		// bring the scratch connections to the subset first
		if _, err := rs.Run(ctx, db.Exec{Mode: db.Live, Containment: layers.Correct, Role: "analyst", Tenants: []string{"acme"}, SQL: "SELECT count(*) FROM support_tickets"}); err != nil {
			return err
		}
		refused(rs)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	base, err := lite.Run(ctx, db.Exec{Mode: db.Base, SQL: "SELECT count(*) FROM accounts"})
	if err != nil || base.Blocked || slices.Equal(base.Rows[0], []string{"0"}) {
		t.Fatalf("accounts lost: %+v %v", base, err)
	}
}
