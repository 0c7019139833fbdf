package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/suites"
)

// BenchmarkReplay measures one minimization replay on SQLite (layers,
// restriction to a small state subset, live, base and oracle statements,
// detection) on states a row or two larger than a witness's minimal state,
// as the end of a state reduction tries them, each new to the statement
// memo until the list of states wraps around (run it with -benchtime at
// most the number of states it logs).
func BenchmarkReplay(b *testing.B) {
	env := evaltest.SetupEngine(b, "support_saas", db.EngineSQLite, db.Options{Restrictable: true})
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle, Engine: db.EngineSQLite}
	m, err := NewMinimizer(ev, env.State)
	if err != nil {
		b.Fatal(err)
	}
	src, err := suites.Open(env.Domain, "generated", 60, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	idx := -1
	for t := range src.Tasks() {
		// every task up to the one minimized reports to the minimizer, in
		// suite order (its turns wait for the earlier tasks)
		idx++
		if t.Mutation != "compiler_inner_join_drops_rows" {
			m.Skip(idx)
			continue
		}
		out, err := ev.Evaluate(ctx, env.Session, t)
		if err != nil {
			b.Fatal(err)
		}
		if out.Trace.WitnessClass == "clean" {
			m.Skip(idx)
			continue
		}
		_, _, err = m.Minimize(ctx, env.Session, idx, t, out)
		if err != nil {
			b.Fatal(err)
		}
		stack, err := ev.catalog().Stack(t.Mutation)
		if err != nil {
			b.Fatal(err)
		}
		ch := m.seq.last[shapeKey(t.Mutation, out.Detection, out.Trace.DBResult.BlockedByDatabase)].chain
		res := ch.results[len(ch.results)-1]
		minimal := res.state
		if minimal.Rows() == 0 {
			continue
		}
		// distinct states (the statement memo answers a repeated one): the
		// minimal state plus one or two rows that hang from it
		ext := m.space.Extensions(minimal)
		states := append([]minimize.Subset{}, ext...)
		for i := range ext {
			for j := i + 1; j < len(ext); j++ {
				states = append(states, m.space.Union(ext[i], ext[j]))
			}
		}
		if len(states) < 2 {
			b.Fatal("no row hangs from the minimal state")
		}
		b.Logf("%d states", len(states))
		tr, err := newTaskReplays(stack, t.Principal)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s := states[i%len(states)]
			if _, err := m.replay(ctx, env.Session, tr, res.query, s, s.Key()); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.Fatal("no witness of compiler_inner_join_drops_rows in the suite")
}
