package evaluate

import (
	"context"
	"fmt"
	"reflect"

	"github.com/policystrata/policystrata/pipeline/aimstate"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/equiv"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// accounting is a task's accounting status with its evidence.
type accounting struct {
	status, reason string
	reached        *bool
	proof          *trace.EquivalenceProof
	killer         *trace.StateRef
}

func reachedFlag(b bool) *bool { return &b }

// account compares the detection with the task's expectation. A mutant the
// detector flags is killed. Otherwise it is equivalent only on proof:
// state-independent evidence (equiv.Static: identical output, SQL or
// containment definitions, or a fault that cannot fire for this request),
// or an exhausted distinguishing-state search over the evaluator's probe
// states, each of which must also leave the correct stack clean to count.
// A probe state that kills it makes it a survivor: the suite's state was
// too weak, and the trace names the state that kills it.
func (e *Evaluator) account(ctx context.Context, ss Sessions, t spec.Task, stack layers.Stack, obs observe.Observation, det detect.Detection) (accounting, error) {
	if t.Mutation == catalog.None {
		if det.WitnessClass != detect.Clean {
			return accounting{status: trace.FalsePos, reason: fmt.Sprintf("clean control flagged %s at %s", det.WitnessClass, det.LocalizedSurface)}, nil
		}
		return accounting{status: trace.CleanControl, reason: "clean control observed clean"}, nil
	}
	if det.WitnessClass != detect.Clean {
		return accounting{status: trace.Killed, reason: fmt.Sprintf("observed %s localized at %s", det.WitnessClass, det.LocalizedSurface), reached: reachedFlag(true)}, nil
	}
	op, _ := e.catalog().Get(t.Mutation)
	in := equivInput(e.Domain, op, obs)
	in.Resolver = e.Resolver
	proof, err := equiv.Static(in)
	if err != nil {
		return accounting{}, err
	}
	if proof != nil {
		return accounting{status: trace.Equivalent, reason: "equivalent (" + proof.Kind + "): " + proof.Detail, reached: reachedFlag(false), proof: proof}, nil
	}
	reached, err := e.faultReached(ctx, ss.Main, op, obs)
	if err != nil {
		return accounting{}, err
	}
	tried := []string{fmt.Sprintf("suite state (seed %d)", e.StateSeed)}
	var notes []string
	for _, open := range e.searchOrder(ss) {
		var p *Probe
		var res stateResult
		err := open(ctx, t, func(sp *Probe, sess db.Session) error {
			var err error
			p = sp
			res, err = e.tryState(ctx, p, sess, t, stack, op, &reached)
			return err
		})
		if err != nil {
			return accounting{}, err
		}
		if p == nil {
			continue // a state too large to build
		}
		tried = append(tried, p.Ref.Name)
		switch {
		case res.note != "":
			notes = append(notes, res.note)
		case res.killed != nil:
			ref := p.Ref
			return accounting{status: trace.Survived, reached: reachedFlag(true), killer: &ref,
				reason: fmt.Sprintf("the suite's state cannot distinguish the faulty %s, but state %s does: %s at %s: %s",
					op.Surface, p.Ref.Name, res.killed.WitnessClass, res.killed.LocalizedSurface, res.killed.Findings[0].Reason)}, nil
		}
	}
	n := len(tried) - 1
	if n == 0 {
		return accounting{status: trace.Survived, reached: reachedFlag(reached),
			reason: fmt.Sprintf("no state-independent evidence proves the faulty %s equivalent, the suite's state exposes nothing, and no search state was given", op.Surface)}, nil
	}
	proof = &trace.EquivalenceProof{Kind: trace.ProofSearchExhausted, StatesTried: tried, Notes: notes,
		Detail: fmt.Sprintf("no state-independent evidence settles it, and on %d states (the suite's and %d searched) every contract held", len(tried), n)}
	if reached {
		proof.Detail += fmt.Sprintf(" although the faulty %s's output differed from the correct one", op.Surface)
	} else {
		proof.Detail += fmt.Sprintf("; the faulty %s's output equalled the correct one on every state tried", op.Surface)
	}
	return accounting{status: trace.Equivalent, reason: "equivalent (search_exhausted): " + proof.Detail, reached: reachedFlag(reached), proof: proof}, nil
}

// equivInput is the state-independent evidence of obs for operator op.
func equivInput(d *spec.Domain, op catalog.Operator, obs observe.Observation) equiv.Input {
	in := equiv.Input{Domain: d, Principal: obs.Principal, Intent: obs.Intent, Surface: op.Surface, Variant: op.Variant,
		Layers: obs.Layers, Limit: obs.Measured.SQL.Limit}
	if dbo := obs.Layers.Database; dbo != nil {
		for _, p := range dbo.Probes {
			in.Tables = append(in.Tables, p.Table)
		}
	}
	return in
}

// faultReached reports whether the faulty layer's output in obs differs
// from what the correct layer produces from the same inputs on this state
// (for the compiler: a plan header that differs, or SQL whose live result
// differs from the correct SQL's).
func (e *Evaluator) faultReached(ctx context.Context, sess db.Session, op catalog.Operator, obs observe.Observation) (bool, error) {
	l := obs.Layers
	var correct observe.Layers
	switch op.Surface {
	case "database":
		c := l.Compiler
		if c == nil || c.Error != "" {
			return false, nil
		}
		pr := e.Domain.Policy.Principals[obs.Principal]
		d, err := layers.Execute(ctx, sess, e.Domain, layers.Correct, pr.Role, pr.TenantIDs, c.SQL, c.Shadow)
		if err != nil {
			return false, err
		}
		correct.Database = &d
	case "release":
		r := layers.Release(layers.Correct, l.Validator, l.Compiler, l.Database)
		correct.Release = &r
	case "compiler":
		// SQL text that differs but returns the same rows reaches nothing:
		// compare what the two statements return on this state
		correct = equiv.CorrectOutput(e.Domain, e.Resolver, op.Surface, obs.Principal, obs.Intent, l)
		a, b := correct.Compiler, l.Compiler
		if a == nil || b == nil || a.Error != "" || b.Error != "" || l.Database == nil {
			break
		}
		ac, bc := *a, *b
		ac.SQL, bc.SQL = "", ""
		if !reflect.DeepEqual(ac, bc) {
			return true, nil // the plan header differs
		}
		pr := e.Domain.Policy.Principals[obs.Principal]
		d, err := layers.Execute(ctx, sess, e.Domain, layers.Correct, pr.Role, pr.TenantIDs, a.SQL, a.Shadow)
		if err != nil {
			return false, err
		}
		return !reflect.DeepEqual(d.Result, l.Database.Result), nil
	default:
		correct = equiv.CorrectOutput(e.Domain, e.Resolver, op.Surface, obs.Principal, obs.Intent, l)
	}
	return equiv.Fingerprint(correct, op.Surface) != equiv.Fingerprint(l, op.Surface), nil
}

// opener opens one search state for a task and calls try with it and a
// session on it (not at all for a state too large to build), then frees
// what it opened.
type opener func(ctx context.Context, t spec.Task, try func(p *Probe, sess db.Session) error) error

// searchOrder lists the search states in the order they are tried: the
// aimed states, the state derived for the request (when the suite's state
// is known), then the random states.
func (e *Evaluator) searchOrder(ss Sessions) []opener {
	var out []opener
	request := e.State != nil
	reqState := func(ctx context.Context, t spec.Task, try func(*Probe, db.Session) error) error {
		return e.requestState(ctx, ss.Main, t, try)
	}
	for k := 0; k < min(len(e.Probes), len(ss.Probes)); k++ {
		if e.Probes[k].Random && request {
			out, request = append(out, reqState), false
		}
		p, sess := e.Probes[k], ss.Probes[k]
		out = append(out, func(_ context.Context, _ spec.Task, try func(*Probe, db.Session) error) error { return try(p, sess) })
	}
	if request {
		out = append(out, reqState)
	}
	return out
}

// stateResult is one search state's verdict on a mutant.
type stateResult struct {
	// killed is the faulty stack's detection when it distinguishes the fault.
	killed *detect.Detection
	// note says why a state that flagged the mutant distinguishes nothing.
	note string
}

// tryState re-runs the task's faulty stack on search state p; a flag there
// counts only if the correct stack is clean on the same state. reached is
// updated with whether the fault changed its layer's output there.
func (e *Evaluator) tryState(ctx context.Context, p *Probe, sess db.Session, t spec.Task, stack layers.Stack, op catalog.Operator, reached *bool) (stateResult, error) {
	pe := &Evaluator{Domain: e.Domain, Oracle: p.Oracle, Catalog: e.Catalog, Resolver: e.Resolver}
	pobs, err := pe.Observe(ctx, sess, stack, t.Principal, t.SemanticQuery)
	if err != nil {
		return stateResult{}, err
	}
	if !*reached {
		if *reached, err = pe.faultReached(ctx, sess, op, pobs); err != nil {
			return stateResult{}, err
		}
	}
	pd := detect.Detect(pobs)
	if pd.WitnessClass == detect.Clean {
		return stateResult{}, nil
	}
	cobs, err := pe.Observe(ctx, sess, layers.CorrectStack(), t.Principal, t.SemanticQuery)
	if err != nil {
		return stateResult{}, err
	}
	if cd := detect.Detect(cobs); cd.WitnessClass != detect.Clean {
		return stateResult{note: fmt.Sprintf("%s: the correct stack is flagged there too (%s at %s), so it distinguishes nothing", p.Ref.Name, cd.WitnessClass, cd.LocalizedSurface)}, nil
	}
	return stateResult{killed: &pd}, nil
}

// requestCacheEntries bounds the memos of a request-shaped state's engine,
// which serves one task.
const requestCacheEntries = 256

// requestState derives the state aimed at t's request from the suite's
// state and calls try with it: on main itself when main can take any state
// (db.AnyStater: the embedded SQLite engine brings its scratch store to
// the state's rows), else in an embedded engine opened for it alone.
func (e *Evaluator) requestState(ctx context.Context, main db.Session, t spec.Task, try func(*Probe, db.Session) error) error {
	pr := e.Domain.Policy.Principals[t.Principal]
	st, err := aimstate.ForRequest(e.Domain, e.State, pr.TenantIDs, t.SemanticQuery)
	if err != nil || st == nil {
		return err
	}
	p := &Probe{Ref: trace.StateRef{Name: "aimed:request_shaped", Seed: e.StateSeed, Derivation: aimstate.RequestDoc}, Oracle: e.Oracle.On(st)}
	if as, ok := main.(db.AnyStater); ok && e.engine() == db.EngineSQLite {
		return as.WithAnyState(ctx, st, func(sess db.Session) error { return try(p, sess) })
	}
	// only what this task runs: its principal's role, the correct
	// containment and its stack's
	stack, err := e.catalog().Stack(t.Mutation)
	if err != nil {
		return err
	}
	var cs []db.Containment
	for _, c := range layers.Containments() {
		if c.Name == layers.Correct || c.Name == stack.Database {
			cs = append(cs, c)
		}
	}
	eng, err := db.OpenEmbedded(ctx, e.Engine, e.Domain, st, cs, db.Options{Roles: []string{pr.Role}, Stats: e.Stats, CacheEntries: requestCacheEntries, ViewsOnly: true})
	if err != nil {
		return fmt.Errorf("open request state: %w", err)
	}
	defer eng.Close()
	sess, err := eng.Session(ctx)
	if err != nil {
		return fmt.Errorf("open request state: %w", err)
	}
	defer sess.Close()
	return try(p, sess)
}
