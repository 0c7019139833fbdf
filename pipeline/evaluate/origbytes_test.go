package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// TestOriginalBytesIsTheUnreducedWitness compares each witness's
// original_bytes, computed from a witness without state and files plus
// their known sizes, with the size of the unreduced witness encoded whole
// (the full state and the domain files inside).
func TestOriginalBytesIsTheUnreducedWitness(t *testing.T) {
	env := evaltest.SetupWith(t, "support_saas", db.Options{Restrictable: true})
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	tasks := seededTasks(t, env)
	ctx := context.Background()
	min, err := NewMinimizer(ev, env.State)
	if err != nil {
		t.Fatal(err)
	}
	full, err := state.EncodeRows(env.Domain, min.full)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, task := range tasks {
		out, err := ev.Evaluate(ctx, env.Session, task)
		if err != nil {
			t.Fatal(err)
		}
		if out.Trace.WitnessClass == "clean" {
			min.Skip(i)
			continue
		}
		_, mn, err := min.Minimize(ctx, env.Session, i, task, out)
		if err != nil {
			t.Fatal(err)
		}
		stack, err := ev.catalog().Stack(task.Mutation)
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
		if checked++; checked == 12 {
			break
		}
	}
	if checked == 0 {
		t.Fatal("no witness checked")
	}
}
