package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/suites"
)

// A minimization replay computes the layers before the database once per
// query (taskReplays.staticFor) and shares their outputs among the
// replays of that query on state after state. Every replay must still
// observe what a replay computing everything afresh observes, on the full
// state, on the empty one and on subsets between, and the shared outputs
// must come out of the replays unchanged.
func TestReplayWithSharedStaticLayersMatchesObserve(t *testing.T) {
	env, ev := supportSQLite(t)
	m, err := NewMinimizer(ev, env.State)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := env.Session.(db.Restricter)
	if !ok {
		t.Fatal("the SQLite session cannot be restricted")
	}
	full := m.space.Full()
	empty := minimize.Subset{}
	for tbl := range full {
		empty[tbl] = []int{}
	}
	roots := m.space.Extensions(empty)
	if len(roots) < 2 {
		t.Fatalf("%d rows reference nothing, want at least 2", len(roots))
	}
	// the empty state, one root row, two, one root with every row below it
	// but one, and the full state
	subsets := []minimize.Subset{empty, roots[0], m.space.Union(roots[0], roots[1]), full}
	if ext := m.space.Extensions(roots[0]); len(ext) > 0 {
		subsets = append(subsets, m.space.Union(ext...))
	}
	src, err := suites.Open(env.Domain, "generated", 44, 11)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fresh := func(tr *taskReplays, q spec.SemanticQuery, s minimize.Subset) observe.Observation {
		t.Helper()
		if s.Rows() == m.total {
			obs, err := ev.Observe(ctx, env.Session, tr.stack, tr.principal, q)
			if err != nil {
				t.Fatal(err)
			}
			return obs
		}
		st, err := state.FromRows(m.ev.Domain, s.Select(m.full))
		if err != nil {
			t.Fatal(err)
		}
		sub := &Evaluator{Domain: ev.Domain, Oracle: ev.Oracle.On(st), Catalog: ev.Catalog, Resolver: ev.Resolver}
		var obs observe.Observation
		if err := r.WithState(ctx, st, func(rs db.Session) error {
			var err error
			obs, err = sub.Observe(ctx, rs, tr.stack, tr.principal, q)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return obs
	}
	n := 0
	for task := range src.Tasks() {
		stack, err := ev.catalog().Stack(task.Mutation)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := newTaskReplays(stack, task.Principal)
		if err != nil {
			t.Fatal(err)
		}
		// the task's query and its first reduction, replayed with one
		// taskReplays as a reduction replays them
		queries := []spec.SemanticQuery{task.SemanticQuery.Normalized()}
		if moves := minimize.QueryMoves(queries[0]); len(moves) > 0 {
			queries = append(queries, moves[0].Query)
		}
		for _, q := range queries {
			for i, s := range subsets {
				got, err := m.replay(ctx, env.Session, tr, q, s, s.Key())
				if err != nil {
					t.Fatalf("%s: %v", task.ID, err)
				}
				if g, w := mustJSON(t, got), mustJSON(t, fresh(tr, q, s)); g != w {
					t.Fatalf("%s, subset %d (%d rows): the replay sharing the static layers observed\n%s\nwant\n%s", task.ID, i, s.Rows(), g, w)
				}
				n++
			}
		}
		for _, q := range queries {
			want, err := ev.Static(stack, task.Principal, q)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := mustJSON(t, tr.static[q.Key()]), mustJSON(t, want); g != w {
				t.Fatalf("%s: the shared static layers changed over the replays:\n%s\nwant\n%s", task.ID, g, w)
			}
		}
	}
	if n < 5*len(subsets) {
		t.Fatalf("%d replays compared, want more", n)
	}
}
