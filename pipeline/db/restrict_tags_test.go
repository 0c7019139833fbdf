package db_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Inside WithState, a SQLite statement's memoized result is keyed by the
// rows of the tables it reads (through its namespace's views), not by the
// whole subset: two subsets that differ only in another table share the
// answer (counted as cached), two that differ in a table it reads do not,
// and every answer, memoized or not, equals a fresh engine's on the
// subset. The leaf is the last table of the schema (nothing references
// it); the root table is the first.
func TestWithStateResultTagsByTable(t *testing.T) {
	ctx := context.Background()
	for _, domain := range []string{"support_saas", "finance_saas"} {
		t.Run(domain, func(t *testing.T) {
			stats := &db.Stats{}
			env := evaltest.SetupEngine(t, domain, db.EngineSQLite, db.Options{Stats: stats})
			d := env.Domain
			tables := d.Schema.Tables
			root, leaf := tables[0], tables[len(tables)-1]
			if root.Name == leaf.Name || len(env.State.Table(leaf.Name).Rows) < 3 {
				t.Fatalf("want a root and a leaf table with 3 rows, got %s and %s", root.Name, leaf.Name)
			}
			tenant := env.State.Tables[0].Rows[0][0].(string)
			onRoot := db.Exec{Mode: db.Oracle, Tenants: []string{tenant}, SQL: "SELECT count(*) FROM " + root.Name}
			onLeaf := db.Exec{Mode: db.Base, SQL: "SELECT count(*) FROM " + leaf.Name}
			rows := env.State.BaseRows(d)
			subset := func(dropTable string, drop int) *state.State {
				st, err := state.FromRows(d, state.Cascade(d, rows, func(table string, i int) bool {
					return table != dropTable || i != drop
				}))
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
			cached := func() int64 {
				n := int64(0)
				for _, l := range stats.Lines() {
					if l.Kind == "live" || l.Kind == "base" || l.Kind == "oracle" {
						n += l.Cached
					}
				}
				return n
			}
			r := env.Session.(db.Restricter)
			steps := []struct {
				name       string
				st         *state.State
				exec       db.Exec
				wantCached bool
			}{
				{"leaf row 0 gone: root statement", subset(leaf.Name, 0), onRoot, false},
				{"leaf row 0 gone: leaf statement", subset(leaf.Name, 0), onLeaf, false},
				{"leaf row 1 gone: the root's rows are the same", subset(leaf.Name, 1), onRoot, true},
				{"leaf row 1 gone: the leaf's rows differ", subset(leaf.Name, 1), onLeaf, false},
				{"leaf row 0 gone again", subset(leaf.Name, 0), onLeaf, true},
				{"root row 0 gone: the root's rows differ", subset(root.Name, 0), onRoot, false},
			}
			for _, step := range steps {
				before := cached()
				var got db.Result
				if err := r.WithState(ctx, step.st, func(rs db.Session) error {
					var err error
					got, err = rs.Run(ctx, step.exec)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if hit := cached() > before; hit != step.wantCached {
					t.Errorf("%s: answered by the memo %v, want %v", step.name, hit, step.wantCached)
				}
				want := freshResults(t, d, step.st, func(s db.Session) []db.Result {
					res, err := s.Run(ctx, step.exec)
					if err != nil {
						t.Fatal(err)
					}
					return []db.Result{res}
				})
				if diff := cmp.Diff(want, []db.Result{got}); diff != "" {
					t.Errorf("%s: differs from a fresh engine (-fresh +restricted):\n%s", step.name, diff)
				}
			}
		})
	}
}
