package evaluate

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

// onlySession hides every interface of a session but db.Session's, so the
// request-shaped state gets an engine of its own.
type onlySession struct{ db.Session }

// requestStateResult is what the search sees of one task on its
// request-shaped state: both stacks' observations, detections and
// whether the fault changed its layer's output.
type requestStateResult struct {
	Faulty, Correct       observe.Observation
	FaultyDet, CorrectDet detect.Detection
	Reached               bool
}

// The request-shaped state taken on the worker's own SQLite session (its
// scratch store brought to the state's rows, db.AnyStater) gives every
// task of a generated suite the observations, detections and reach of an
// engine loaded with that state alone, task after task on one session
// (each state replaces the previous one's rows).
func TestRequestStateOnMainSessionMatchesOwnEngine(t *testing.T) {
	env, ev := supportSQLite(t)
	if _, ok := env.Session.(db.AnyStater); !ok {
		t.Fatal("the SQLite session does not take any state")
	}
	src, err := suites.Open(env.Domain, "generated", 66, 5)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	observeOn := func(main db.Session, task spec.Task) requestStateResult {
		t.Helper()
		var out requestStateResult
		called := false
		err := ev.requestState(ctx, main, task, func(p *Probe, sess db.Session) error {
			called = true
			stack, err := ev.catalog().Stack(task.Mutation)
			if err != nil {
				return err
			}
			op, _ := ev.catalog().Get(task.Mutation)
			pe := &Evaluator{Domain: ev.Domain, Oracle: p.Oracle, Catalog: ev.Catalog, Resolver: ev.Resolver}
			if out.Faulty, err = pe.Observe(ctx, sess, stack, task.Principal, task.SemanticQuery); err != nil {
				return err
			}
			if out.Correct, err = pe.Observe(ctx, sess, layers.CorrectStack(), task.Principal, task.SemanticQuery); err != nil {
				return err
			}
			out.FaultyDet, out.CorrectDet = detect.Detect(out.Faulty), detect.Detect(out.Correct)
			out.Reached, err = pe.faultReached(ctx, sess, op, out.Faulty)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", task.ID, err)
		}
		if !called {
			t.Fatalf("%s: no request-shaped state", task.ID)
		}
		return out
	}
	flagged, n := 0, 0
	for task := range src.Tasks() {
		n++
		want := observeOn(onlySession{env.Session}, task)
		got := observeOn(env.Session, task)
		if diff := cmp.Diff(mustJSON(t, want), mustJSON(t, got)); diff != "" {
			t.Errorf("%s (%s): on the main session differs from an engine of its own (-own +main):\n%s", task.ID, task.Mutation, diff)
		}
		if want.FaultyDet.WitnessClass != detect.Clean {
			flagged++
		}
	}
	// the comparison means something only if the states flag some tasks
	// and leave others clean
	if flagged == 0 || flagged == n {
		t.Errorf("%d of %d tasks flagged on their request-shaped states: the test compares nothing", flagged, n)
	}
}

// supportSQLite is support_saas on an embedded SQLite engine and an
// evaluator over it, without probe states.
func supportSQLite(t *testing.T) (*evaltest.Env, *Evaluator) {
	t.Helper()
	env := evaltest.SetupEngine(t, "support_saas", db.EngineSQLite, db.Options{})
	return env, &Evaluator{Domain: env.Domain, Oracle: env.Oracle, Engine: db.EngineSQLite, State: env.State}
}
