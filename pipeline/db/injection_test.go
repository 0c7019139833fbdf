package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// injectionValues are filter values that try to leave their SQL literal:
// by a doubled quote, by a backslash escape (which PostgreSQL honours when
// standard_conforming_strings is off), by a comment and by a semicolon.
var injectionValues = []string{
	`west\' OR 1=1 --`,
	`west' OR '1'='1`,
	`west\\' OR TRUE --`,
	`west'; SELECT 1; --`,
	`west/*`,
	`\`,
}

// A filter value is data on every engine, whatever the session's string
// settings: the live query, the unrestricted measurement and the oracle's
// rows match no region, exactly like a plain unknown value.
func TestFilterValuesCannotLeaveTheirLiteral(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	engines := []struct {
		name string
		sess func(t *testing.T) db.Session
	}{
		{"duckdb", func(*testing.T) db.Session { return env.Session }},
		{"sqlite", func(t *testing.T) db.Session { return openSQLite(t, env) }},
		{"postgres_scs_off", func(t *testing.T) db.Session {
			dsn := db.PGTestDSN(t)
			sep := "?"
			if strings.Contains(dsn, "?") {
				sep = "&"
			}
			_, s := openPGDSN(t, env, dsn+sep+"standard_conforming_strings=off")
			return s
		}},
	}
	d := env.Domain
	pr := d.Policy.Principals["acme_analyst"]
	sqlFor := func(t *testing.T, value string) string {
		q := spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, Filters: map[string]string{"region": value}, TimeRange: "last_month"}.Normalized()
		v := layers.Validate(layers.Correct, d, "acme_analyst", q)
		if !v.Allowed {
			t.Fatalf("validator refused %q: %v", value, v.Reasons)
		}
		return layers.Compile(layers.Correct, d, layers.CompileInput{Query: q, Metric: v.Metric, Obligations: v.Obligations}).SQL
	}
	ctx := context.Background()
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			sess := eng.sess(t)
			run := func(mode db.Mode, sql string) string {
				t.Helper()
				res, err := sess.Run(ctx, db.Exec{Mode: mode, SQL: sql, Containment: layers.Containments()[0].Name, Role: pr.Role, Tenants: pr.TenantIDs})
				if err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				return fmt.Sprint(res.Blocked, res.Error, res.Rows)
			}
			plain := sqlFor(t, "no_such_region")
			for _, value := range injectionValues {
				sql := sqlFor(t, value)
				for _, mode := range []db.Mode{db.Live, db.Base} {
					if got, want := run(mode, sql), run(mode, plain); got != want {
						t.Errorf("mode %d, value %q: got %s, want the unknown value's %s\nSQL: %s", mode, value, got, want, sql)
					}
				}
			}
		})
	}
}

// The measurement modes (base tables, the oracle's rows) go through the
// application session guard like the live query: a statement the live
// session refuses is refused there too, and changes nothing.
func TestEveryModeIsGuarded(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	sessions := map[string]func(t *testing.T) db.Session{
		"duckdb": func(*testing.T) db.Session { return env.Session },
		"sqlite": func(t *testing.T) db.Session { return openSQLite(t, env) },
		"postgres": func(t *testing.T) db.Session {
			_, s := openPG(t, env)
			return s
		},
	}
	ctx := context.Background()
	count := "SELECT count(*) FROM accounts"
	for _, name := range []string{"duckdb", "sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			sess := sessions[name](t)
			before, err := sess.Run(ctx, db.Exec{Mode: db.Base, SQL: count})
			if err != nil {
				t.Fatal(err)
			}
			for _, sql := range []string{"DELETE FROM accounts", "SELECT 1; DELETE FROM accounts", "SELECT * FROM base.accounts", "UPDATE accounts SET region = 'x'"} {
				for _, mode := range []db.Mode{db.Live, db.Base, db.Oracle} {
					res, err := sess.Run(ctx, db.Exec{Mode: mode, SQL: sql, Containment: layers.Correct, Role: "analyst", Tenants: []string{"acme"}})
					if err != nil {
						t.Fatalf("mode %d %q: %v", mode, sql, err)
					}
					if !res.Blocked || !strings.Contains(res.Error, "guard") {
						t.Errorf("mode %d %q: not refused by the guard: %+v", mode, sql, res)
					}
				}
			}
			after, err := sess.Run(ctx, db.Exec{Mode: db.Base, SQL: count + " -- again"})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(after.Rows) != fmt.Sprint(before.Rows) {
				t.Errorf("accounts changed: %v -> %v", before.Rows, after.Rows)
			}
		})
	}
}
