package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/aimstate"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// A SQLite session taken to states that are not subsets of its loaded one
// (the generator's states of other seeds, the aimed states, a state derived
// for one request: every table replaced, grown or shrunk) answers every
// namespace and visibility probe exactly as a fresh engine loaded with each,
// in any order with subsets and the full state between them, with the
// result memo on (each call's results stay apart from every other's, the
// same states twice) and off. WithState still refuses such a state.
func TestWithAnyStateMatchesFreshEngine(t *testing.T) {
	ctx := context.Background()
	for _, domain := range []string{"support_saas", "analytics_clickhouse", "finance_saas"} {
		for _, memo := range []bool{true, false} {
			if memo && domain != "support_saas" {
				continue // the memo's tags are the same code on every domain
			}
			t.Run(fmt.Sprintf("%s/memo=%v", domain, memo), func(t *testing.T) {
				env := evaltest.SetupEngine(t, domain, db.EngineSQLite, db.Options{NoResultMemo: !memo})
				d := env.Domain
				tenant := env.State.Tables[0].Rows[0][0].(string)
				role := sortedFirst(d.Policy.Roles)
				var execs []db.Exec
				for _, tab := range d.Schema.Tables {
					q := "SELECT * FROM " + tab.Name + " ORDER BY " + tab.PrimaryKey
					execs = append(execs, db.Exec{Mode: db.Base, SQL: q}, db.Exec{Mode: db.Oracle, Tenants: []string{tenant}, SQL: q},
						db.Exec{Mode: db.Live, Containment: "v7", Role: role, Tenants: []string{tenant}, SQL: "SELECT count(*) FROM " + tab.Name},
						// unordered: the rows come in the storage's order,
						// which must be the fresh engine's too
						db.Exec{Mode: db.Live, Containment: "v7", Role: role, Tenants: []string{tenant}, SQL: "SELECT * FROM " + tab.Name})
				}
				run := func(s db.Session) []db.Result { return runAndProbe(t, s, d, execs, role, tenant) }
				states := anyStates(t, d, env.State, tenant)
				as := env.Session.(db.AnyStater)
				r := env.Session.(db.Restricter)
				rounds := 1
				if memo {
					rounds = 2 // the same states again: no result of the first round's may answer
				}
				for round := 0; round < rounds; round++ {
					for _, named := range states {
						st := named.st
						want := freshResults(t, d, st, run)
						call := as.WithAnyState
						if named.subset {
							call = r.WithState
						}
						if err := call(ctx, st, func(rs db.Session) error {
							if diff := cmp.Diff(want, run(rs)); diff != "" {
								t.Errorf("round %d, %s (%d rows): differs from a fresh engine (-fresh +session):\n%s", round, named.name, st.RowCount(), diff)
							}
							return nil
						}); err != nil {
							t.Fatalf("%s: %v", named.name, err)
						}
						if !named.subset && !named.loaded {
							err := r.WithState(ctx, st, func(db.Session) error { return nil })
							if err == nil || !strings.Contains(err.Error(), "not a subset") {
								t.Errorf("%s: WithState took a state that is not a subset of the loaded one (err %v)", named.name, err)
							}
						}
					}
				}
				if want := freshResults(t, d, env.State, run); !cmp.Equal(want, run(env.Session)) {
					t.Error("the unrestricted session does not see the full state afterwards")
				}
			})
		}
	}
}

// namedState is one state of TestWithAnyStateMatchesFreshEngine's sequence.
type namedState struct {
	name string
	st   *state.State
	// subset: a subset of the loaded state (taken through WithState);
	// loaded: the loaded state itself
	subset, loaded bool
}

// anyStates lists states that are not subsets of base (other seeds, the
// aimed derivations, a request-shaped state) with subsets and base itself
// between them.
func anyStates(t *testing.T, d *spec.Domain, base *state.State, tenant string) []namedState {
	t.Helper()
	var out []namedState
	for _, seed := range []uint64{12, 99} {
		st, err := state.GenerateSeed(d, seed)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, namedState{name: fmt.Sprintf("seed %d", seed), st: st})
	}
	aimed, err := aimstate.Derive(d, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range aimed {
		out = append(out, namedState{name: "aimed " + a.Name, st: a.State})
	}
	var q spec.SemanticQuery
	for name := range d.Policy.Metrics {
		if q.Metric == "" || name < q.Metric {
			q.Metric = name
		}
	}
	q.TimeRange = spec.TimeRanges[0]
	req, err := aimstate.ForRequest(d, base, []string{tenant}, q)
	if err != nil {
		t.Fatal(err)
	}
	if req != nil {
		out = append(out, namedState{name: "request-shaped", st: req})
	}
	rows := base.BaseRows(d)
	sub, err := state.FromRows(d, state.Cascade(d, rows, func(_ string, i int) bool { return i%2 == 0 }))
	if err != nil {
		t.Fatal(err)
	}
	// a subset and the full state between the others, and the first state
	// again after them
	mixed := []namedState{out[0], {name: "even rows", st: sub, subset: true}}
	for _, s := range out[1:] {
		mixed = append(mixed, s, namedState{name: "loaded state", st: base, loaded: true})
	}
	return append(mixed, out[0])
}
