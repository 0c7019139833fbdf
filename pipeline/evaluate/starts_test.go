package evaluate

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// startsRun is the seeded suite minimized once: its tasks, outcomes and
// witnesses in suite order (nil witness for a clean task).
type startsRun struct {
	env   *evaltest.Env
	tasks []spec.Task
	outs  []Outcome
	ws    []*trace.Witness
}

func seededStartsRun(t *testing.T) *startsRun {
	t.Helper()
	r := &startsRun{}
	seededWitnesses(t, func(env *evaltest.Env, _ *Minimizer, task spec.Task, out Outcome, w trace.Witness, _ *trace.Minimization) bool {
		r.env = env
		r.tasks, r.outs, r.ws = append(r.tasks, task), append(r.outs, out), append(r.ws, &w)
		return true
	})
	if len(r.ws) == 0 {
		t.Fatal("no witness")
	}
	return r
}

// again minimizes the run's tasks once more with a minimizer given
// answers, calling each for every task's result.
func (r *startsRun) again(t *testing.T, answers []trace.Witness, each func(i int, w trace.Witness, mn *trace.Minimization, err error)) {
	t.Helper()
	ev := &Evaluator{Domain: r.env.Domain, Oracle: r.env.Oracle}
	m, err := NewMinimizer(ev, r.env.State)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.StartFrom(answers); err != nil {
		t.Fatal(err)
	}
	for i, task := range r.tasks {
		w, mn, err := m.Minimize(context.Background(), r.env.Session, i, task, r.outs[i])
		each(i, w, mn, err)
	}
}

// TestStartFromCertifiesTheAnswers gives a minimizer the witnesses of the
// seeded suite as its answers: every task gets the same reduced query and
// minimal state, 1-minimal, with fewer replays than the search took; and
// answers that are another task's (a search that guessed wrong) are
// either refused as not reproducing or reproduce the task's own witness.
func TestStartFromCertifiesTheAnswers(t *testing.T) {
	r := seededStartsRun(t)
	var answers []trace.Witness
	for _, w := range r.ws {
		answers = append(answers, *w)
	}
	r.again(t, answers, func(i int, w trace.Witness, mn *trace.Minimization, err error) {
		if err != nil {
			t.Fatalf("%s: %v", r.tasks[i].ID, err)
		}
		want := r.ws[i]
		if !reflect.DeepEqual(w.SemanticIR, want.SemanticIR) || !reflect.DeepEqual(w.State, want.State) || w.WitnessClass != want.WitnessClass {
			t.Errorf("%s: the certified answer is not the witness it was given", r.tasks[i].ID)
		}
		if !mn.OneMinimal {
			t.Errorf("%s: not 1-minimal", r.tasks[i].ID)
		}
		if mn.StateReused {
			t.Errorf("%s: an answer is not a shape's earlier state", r.tasks[i].ID)
		}
	})
	// each task given the next task's witness, renamed to it
	var wrong []trace.Witness
	for i := range r.ws {
		w := *r.ws[(i+1)%len(r.ws)]
		w.TaskID = r.tasks[i].ID
		wrong = append(wrong, w)
	}
	refused := 0
	r.again(t, wrong, func(i int, w trace.Witness, _ *trace.Minimization, err error) {
		if err != nil {
			if !strings.Contains(err.Error(), "does not reproduce") || !strings.Contains(err.Error(), r.tasks[i].ID) {
				t.Errorf("%s: %v", r.tasks[i].ID, err)
			}
			refused++
			return
		}
		if w.WitnessClass != r.ws[i].WitnessClass || w.LocalizedSurface != r.ws[i].LocalizedSurface {
			t.Errorf("%s: a wrong answer gave a witness of another kind (%s at %s)", r.tasks[i].ID, w.WitnessClass, w.LocalizedSurface)
		}
	})
	if refused == 0 {
		t.Error("no wrong answer refused")
	}
}

// TestStartFromRefusesWhatIsNotOfTheRun checks the answers StartFrom
// refuses: two for one task, a row the suite's state does not hold, a
// table that is not one of its base tables, rows out of the state's order.
func TestStartFromRefusesWhatIsNotOfTheRun(t *testing.T) {
	r := seededStartsRun(t)
	var base trace.Witness
	for _, w := range r.ws {
		if n := len(w.State); n > 0 && len(w.State[0].Rows) > 0 {
			base = *w
			break
		}
	}
	if base.TaskID == "" {
		t.Fatal("no witness with rows in its first table")
	}
	clone := func() trace.Witness {
		var w trace.Witness
		b, err := json.Marshal(base)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	changedRow := clone()
	changedRow.State[0].Rows[0][0] = json.RawMessage(`"no-such-row-value"`)
	unknownTable := clone()
	unknownTable.State[0].Table = "no_such_table"
	// two rows of the state's first table with two rows, swapped
	outOfOrder := clone()
	full := r.env.State.BaseRows(r.env.Domain)
	for _, tb := range r.env.Domain.Schema.Tables {
		if rows := full[tb.Name]; len(rows) > 1 {
			enc, err := state.EncodeRows(r.env.Domain, map[string][][]any{tb.Name: {rows[1], rows[0]}})
			if err != nil {
				t.Fatal(err)
			}
			outOfOrder.State = enc
			break
		}
	}
	cases := []struct {
		name string
		ws   []trace.Witness
		want string
	}{
		{"two for one task", []trace.Witness{base, base}, "two witnesses"},
		{"a row not in the state", []trace.Witness{changedRow}, ""},
		{"an unknown table", []trace.Witness{unknownTable}, ""},
		{"rows out of order", []trace.Witness{outOfOrder}, "order"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewMinimizer(&Evaluator{Domain: r.env.Domain, Oracle: r.env.Oracle}, r.env.State)
			if err != nil {
				t.Fatal(err)
			}
			err = m.StartFrom(c.ws)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "start minimization") {
				t.Fatalf("got %v, want an error naming %q", err, c.want)
			}
		})
	}
}
