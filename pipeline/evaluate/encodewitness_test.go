package evaluate

import (
	"bytes"
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// TestEncodeWitnessIsCanonical compares EncodeWitness, which sets the
// domain files in pre-encoded, with trace.CanonicalJSON of the whole
// witness, on the witnesses of the seeded suite and on witnesses whose
// files are not the minimizer's (other files, none, a file whose text
// looks like the spot the files go in).
func TestEncodeWitnessIsCanonical(t *testing.T) {
	env := evaltest.SetupWith(t, "support_saas", db.Options{Restrictable: true})
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	tasks := seededTasks(t, env)
	ctx := context.Background()
	min, err := NewMinimizer(ev, env.State)
	if err != nil {
		t.Fatal(err)
	}
	same := func(name string, w trace.Witness) {
		t.Helper()
		got, err := min.EncodeWitness(w)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := trace.CanonicalJSON(w)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: EncodeWitness differs from CanonicalJSON (%d vs %d bytes)", name, len(got), len(want))
		}
	}
	checked := 0
	var last trace.Witness
	for i, task := range tasks {
		out, err := ev.Evaluate(ctx, env.Session, task)
		if err != nil {
			t.Fatal(err)
		}
		if out.Trace.WitnessClass == "clean" {
			min.Skip(i)
			continue
		}
		w, _, err := min.Minimize(ctx, env.Session, i, task, out)
		if err != nil {
			t.Fatal(err)
		}
		same(task.ID, w)
		last = w
		checked++
	}
	if checked == 0 {
		t.Fatal("no witness checked")
	}
	other := last
	other.Domain.Files = map[string]string{"policy.yaml": "other"}
	same("other files", other)
	none := last
	none.Domain.Files = map[string]string{}
	same("no files", none)
	tricky := last
	tricky.Domain.Files = map[string]string{}
	for k, v := range last.Domain.Files {
		tricky.Domain.Files[k] = v
	}
	tricky.Domain.Files["policy.yaml"] += "\n  \"domain\": {\n    \"files\": {},\n"
	same("files holding the empty-files text", tricky)
	id := last
	id.TaskID = "\n  \"domain\": {\n    \"files\": {},\n"
	same("task id holding the empty-files text", id)
}
