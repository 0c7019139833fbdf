package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// A SQLite session brought from subset to subset (its scratch connections
// change only the rows that differ from the previous subset, and are never
// rolled back) answers every namespace exactly as a fresh engine loaded
// with each subset, whatever the order: dense and sparse subsets, the
// empty one, one row removed, the full state between them, derived tables
// replaced. No result memo, so every statement executes.
func TestWithStateSequenceMatchesFreshEngine(t *testing.T) {
	ctx := context.Background()
	for _, domain := range []string{"support_saas", "analytics_clickhouse", "finance_saas"} {
		t.Run(domain, func(t *testing.T) {
			env := evaltest.SetupEngine(t, domain, db.EngineSQLite, db.Options{NoResultMemo: true})
			d := env.Domain
			tenant := env.State.Tables[0].Rows[0][0].(string)
			role := sortedFirst(d.Policy.Roles)
			var execs []db.Exec
			for _, tab := range d.Schema.Tables {
				q := "SELECT * FROM " + tab.Name + " ORDER BY " + tab.PrimaryKey
				execs = append(execs, db.Exec{Mode: db.Base, SQL: q}, db.Exec{Mode: db.Oracle, Tenants: []string{tenant}, SQL: q},
					db.Exec{Mode: db.Live, Containment: "v7", Role: role, Tenants: []string{tenant}, SQL: "SELECT count(*) FROM " + tab.Name})
			}
			run := func(s db.Session, only int) []db.Result {
				var out []db.Result
				for i, e := range execs {
					// only >= 0 runs one table's statements: the other
					// tables stay as an earlier subset left them
					if only >= 0 && i/3 != only {
						continue
					}
					r, err := s.Run(ctx, e)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, r)
				}
				return out
			}
			rows := env.State.BaseRows(d)
			rng := rand.New(rand.NewPCG(7, 11))
			subsets := []func(table string, i int) bool{
				func(string, int) bool { return rng.IntN(2) == 0 },
				func(string, int) bool { return rng.IntN(10) == 0 },
				func(string, int) bool { return false },
				func(table string, i int) bool {
					return !(table == d.Schema.Tables[len(d.Schema.Tables)-1].Name && i == 0)
				},
				func(string, int) bool { return rng.IntN(10) != 0 },
				func(string, int) bool { return true },
				func(string, int) bool { return rng.IntN(3) == 0 },
				func(string, int) bool { return rng.IntN(40) == 0 },
				func(string, int) bool { return rng.IntN(2) == 0 },
			}
			r := env.Session.(db.Restricter)
			for round := 0; round < 3; round++ {
				for k, keep := range subsets {
					sub := state.Cascade(d, rows, keep)
					st, err := state.FromRows(d, sub)
					if err != nil {
						t.Fatal(err)
					}
					only := -1
					if round == 1 {
						only = (k * 5) % len(d.Schema.Tables)
					}
					want := freshResults(t, d, st, func(s db.Session) []db.Result { return run(s, only) })
					if err := r.WithState(ctx, st, func(rs db.Session) error {
						if diff := cmp.Diff(want, run(rs, only)); diff != "" {
							t.Errorf("round %d subset %d (%d rows): restricted session differs from a fresh engine (-fresh +restricted):\n%s",
								round, k, st.RowCount(), diff)
						}
						return nil
					}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if want := freshResults(t, d, env.State, func(s db.Session) []db.Result { return run(s, -1) }); !cmp.Equal(want, run(env.Session, -1)) {
				t.Error("the unrestricted session does not see the full state after the restrictions")
			}
		})
	}
}

// freshResults runs fn on a session of a new SQLite engine loaded with st.
func freshResults(t *testing.T, d *spec.Domain, st *state.State, fn func(db.Session) []db.Result) []db.Result {
	t.Helper()
	ctx := context.Background()
	e, err := db.OpenEmbedded(ctx, db.EngineSQLite, d, st, layers.Containments(), db.Options{NoResultMemo: true})
	if err != nil {
		t.Fatal(fmt.Errorf("open fresh engine: %w", err))
	}
	defer e.Close()
	s, err := e.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return fn(s)
}
