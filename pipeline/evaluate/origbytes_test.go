package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// TestOriginalBytesIsTheUnreducedWitness compares each witness's
// original_bytes, computed from a witness without state and files plus
// their known sizes, with the size of the unreduced witness encoded whole
// (the full state and the domain files inside).
func TestOriginalBytesIsTheUnreducedWitness(t *testing.T) {
	checked := 0
	var full []state.EncodedTable
	seededWitnesses(t, func(env *evaltest.Env, min *Minimizer, task spec.Task, out Outcome, _ trace.Witness, mn *trace.Minimization) bool {
		if full == nil {
			var err error
			if full, err = state.EncodeRows(env.Domain, min.full); err != nil {
				t.Fatal(err)
			}
		}
		stack, err := min.ev.catalog().Stack(task.Mutation)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := trace.CanonicalJSON(min.witness(task, task.SemanticQuery.Normalized(), stack, out.Observation, out.Detection, full, nil))
		if err != nil {
			t.Fatal(err)
		}
		if mn.OriginalBytes != len(whole) {
			t.Fatalf("%s: original_bytes %d, the unreduced witness encoded whole has %d", task.ID, mn.OriginalBytes, len(whole))
		}
		checked++
		return checked < 12
	})
	if checked == 0 {
		t.Fatal("no witness checked")
	}
}

// seededWitnesses evaluates support_saas's seeded suite on SQLite and
// minimizes each non-clean outcome, calling each with the witness until it
// returns false.
func seededWitnesses(t *testing.T, each func(env *evaltest.Env, min *Minimizer, task spec.Task, out Outcome, w trace.Witness, mn *trace.Minimization) bool) {
	t.Helper()
	env := evaltest.SetupWith(t, "support_saas", db.Options{Restrictable: true})
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	ctx := context.Background()
	min, err := NewMinimizer(ev, env.State)
	if err != nil {
		t.Fatal(err)
	}
	for i, task := range seededTasks(t, env) {
		out, err := ev.Evaluate(ctx, env.Session, task)
		if err != nil {
			t.Fatal(err)
		}
		if out.Trace.WitnessClass == "clean" {
			min.Skip(i)
			continue
		}
		w, mn, err := min.Minimize(ctx, env.Session, i, task, out)
		if err != nil {
			t.Fatal(err)
		}
		if !each(env, min, task, out, w, mn) {
			return
		}
	}
}
