package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// A session restricted to a subset of the loaded state answers every
// namespace and probe exactly as a fresh engine loaded with that subset
// (materialized views derived again included), while other sessions keep
// seeing the full state, and the full state comes back afterwards.
func TestWithStateMatchesFreshEngine(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		engine                      string
		domain, table, tenant, role string
		masked                      bool
	}{
		{db.EngineDuckDB, "support_saas", "support_tickets", "acme", "analyst", false},
		{db.EngineDuckDB, "support_saas", "support_tickets", "acme", "analyst", true},
		{db.EngineDuckDB, "analytics_clickhouse", "events", "", "", false},
		{db.EngineDuckDB, "analytics_clickhouse", "events", "", "", true},
		{db.EngineSQLite, "support_saas", "support_tickets", "acme", "analyst", false},
		{db.EngineSQLite, "analytics_clickhouse", "events", "", "", false},
		{db.EngineSQLite, "finance_saas", "transactions", "", "", false},
	} {
		t.Run(fmt.Sprintf("%s/%s/masked=%v", tc.engine, tc.domain, tc.masked), func(t *testing.T) {
			env := evaltest.SetupEngine(t, tc.domain, tc.engine, db.Options{Restrictable: tc.masked})
			d := env.Domain
			tenant, role := tc.tenant, tc.role
			if tenant == "" {
				tenant = env.State.Tables[0].Rows[0][0].(string)
				role = sortedFirst(d.Policy.Roles)
			}
			rows := env.State.BaseRows(d)
			sub := state.Cascade(d, rows, func(table string, i int) bool { return i%3 != 1 })
			st, err := state.FromRows(d, sub)
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := db.OpenEmbedded(ctx, tc.engine, d, st, layers.Containments(), db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer fresh.Close()
			fs, err := fresh.Session(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer fs.Close()
			other, err := env.Engine.Session(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			var execs []db.Exec
			for _, tab := range d.Schema.Tables {
				q := "SELECT * FROM " + tab.Name + " ORDER BY " + tab.PrimaryKey
				execs = append(execs, db.Exec{Mode: db.Base, SQL: q}, db.Exec{Mode: db.Oracle, Tenants: []string{tenant}, SQL: q},
					db.Exec{Mode: db.Live, Containment: "v7", Role: role, Tenants: []string{tenant}, SQL: "SELECT count(*) FROM " + tab.Name},
					db.Exec{Mode: db.Live, Containment: layers.DatabaseNonReadonlyRole, Role: role, Tenants: []string{tenant}, SQL: "SELECT count(*) FROM " + tab.Name})
			}
			run := func(s db.Session) []db.Result { return runAndProbe(t, s, d, execs, role, tenant) }
			full := run(env.Session)
			want := run(fs)
			if cmp.Equal(full, want) {
				t.Fatal("the subset is indistinguishable from the full state; the test proves nothing")
			}
			r, ok := env.Session.(db.Restricter)
			if !ok {
				t.Fatalf("a %s session is not a Restricter", tc.engine)
			}
			err = r.WithState(ctx, st, func(s db.Session) error {
				if diff := cmp.Diff(want, run(s)); diff != "" {
					t.Errorf("restricted session differs from a fresh engine (-fresh +restricted):\n%s", diff)
				}
				if diff := cmp.Diff(full, run(other)); diff != "" {
					t.Errorf("another session saw the restriction:\n%s", diff)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(full, run(env.Session)); diff != "" {
				t.Errorf("the full state did not come back:\n%s", diff)
			}
			// twice in a row, a second subset after the first, and a sparse
			// one (SQLite empties a table and inserts the few rows it keeps)
			sub2 := state.Cascade(d, rows, func(table string, i int) bool { return i%2 == 0 })
			st2, err := state.FromRows(d, sub2)
			if err != nil {
				t.Fatal(err)
			}
			sub3 := state.Cascade(d, rows, func(table string, i int) bool { return i%7 == 3 })
			st3, err := state.FromRows(d, sub3)
			if err != nil {
				t.Fatal(err)
			}
			if st3.RowCount()*4 > st.RowCount() {
				t.Fatalf("the sparse subset keeps %d of %d rows", st3.RowCount(), st.RowCount())
			}
			for _, s := range []*state.State{st, st2, st, st3, st2, st3} {
				fresh2, err := db.OpenEmbedded(ctx, tc.engine, d, s, layers.Containments(), db.Options{})
				if err != nil {
					t.Fatal(err)
				}
				fs2, _ := fresh2.Session(ctx)
				want2 := run(fs2)
				fs2.Close()
				fresh2.Close()
				if err := r.WithState(ctx, s, func(rs db.Session) error {
					if diff := cmp.Diff(want2, run(rs)); diff != "" {
						t.Errorf("restricted session differs from a fresh engine on a later subset:\n%s", diff)
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// runAndProbe runs execs on s, then probes every table's visibility to
// role under tenant in the v7 containment (each probe as a result of its
// columns and one row of its visible rows).
func runAndProbe(t *testing.T, s db.Session, d *spec.Domain, execs []db.Exec, role, tenant string) []db.Result {
	t.Helper()
	ctx := context.Background()
	var out []db.Result
	for _, e := range execs {
		r, err := s.Run(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	for _, tab := range d.Schema.Tables {
		v, err := s.Visible(ctx, "v7", role, []string{tenant}, tab.Name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, db.Result{Columns: v.Columns, Rows: [][]string{v.Rows}})
	}
	return out
}

func sortedFirst[V any](m map[string]V) string {
	first := ""
	for k := range m {
		if first == "" || k < first {
			first = k
		}
	}
	return first
}
