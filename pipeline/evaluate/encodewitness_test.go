package evaluate

import (
	"bytes"
	"testing"

	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// TestEncodeWitnessIsCanonical compares EncodeWitness, which sets the
// domain files in pre-encoded, with trace.CanonicalJSON of the whole
// witness, on the witnesses of the seeded suite and on witnesses whose
// files are not the minimizer's (other files, none, a file whose text
// looks like the spot the files go in).
func TestEncodeWitnessIsCanonical(t *testing.T) {
	var min *Minimizer
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
	seededWitnesses(t, func(_ *evaltest.Env, m *Minimizer, task spec.Task, _ Outcome, w trace.Witness, _ *trace.Minimization) bool {
		min = m
		same(task.ID, w)
		last = w
		checked++
		return true
	})
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
