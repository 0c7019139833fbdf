package db_test

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
)

// floorQuery is a compiled query of the support_saas seeded suite: a
// metric over a join of three tables with a time window, grouped.
const floorQuery = `SELECT d_region AS "region", count(distinct support_tickets.id) AS value
FROM (
  SELECT DISTINCT support_tickets.id, accounts.region AS d_region
  FROM support_tickets
  JOIN accounts ON accounts.id = support_tickets.account_id
  WHERE accounts.tenant_id IN ('acme')
    AND support_tickets.opened_at >= DATE '2026-05-01'
    AND support_tickets.opened_at < DATE '2026-06-01'
) AS support_tickets
GROUP BY d_region
ORDER BY d_region
LIMIT 1000`

// BenchmarkStatementFloor measures each embedded engine's cost per
// statement on the views a live session reads, with the result memo off
// (every iteration executes; the guard's parse is memoized): the cheapest statement (one row of one view) and a
// compiled query. `make bench` multiplies the floor by the statements a
// task needs (run.json statements_per_task).
func BenchmarkStatementFloor(b *testing.B) {
	for _, engine := range []string{db.EngineSQLite, db.EngineDuckDB} {
		env := evaltest.SetupEngine(b, "support_saas", engine, db.Options{NoResultMemo: true})
		for _, q := range []struct{ name, sql string }{
			{"cheapest", "SELECT 1 AS one FROM accounts LIMIT 1"},
			{"compiled", floorQuery},
		} {
			b.Run(engine+"/"+q.name, func(b *testing.B) {
				ctx := context.Background()
				e := db.Exec{Mode: db.Live, Containment: layers.Correct, Role: "analyst", Tenants: []string{"acme"}, SQL: q.sql}
				if res, err := env.Session.Run(ctx, e); err != nil || res.Blocked || len(res.Rows) == 0 {
					b.Fatalf("%+v %v", res, err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := env.Session.Run(ctx, e); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkOpenSQLite is the cost of opening a SQLite engine on a state
// (building its image), as the search does for every request-shaped state.
func BenchmarkOpenSQLite(b *testing.B) {
	env := evaltest.SetupEngine(b, "support_saas", db.EngineSQLite, db.Options{})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := db.OpenEmbedded(ctx, db.EngineSQLite, env.Domain, env.State, layers.Containments(), db.Options{})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}
