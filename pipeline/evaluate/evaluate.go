// Package evaluate runs one benchmark task end to end: it builds the layer
// stack that injects the task's mutation (from the catalog), drives the
// request through the real layers on the worker's database session, takes
// the oracle's verdict and the independent measurements, asks the blind
// detector, and accounts the outcome against the catalog's expectations.
package evaluate

import (
	"context"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/measure"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Evaluator evaluates tasks of one domain. It is safe for concurrent use;
// each worker passes its own session.
type Evaluator struct {
	Domain *spec.Domain
	Oracle *oracle.Oracle
	// Catalog maps mutations to faulty stacks; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Probes are the states of the distinguishing-state search, in the
	// order it tries them (aimed states derived from the suite's state,
	// then random states of the same generator): a mutant the suite's
	// state cannot distinguish, and that no state-independent evidence
	// proves equivalent, is re-run on each. Killed on one (while the
	// correct stack stays clean there) means survived; on none, equivalent.
	Probes []*Probe
	// StateSeed is the seed of the suite's own state (for the record of the
	// states a search tried).
	StateSeed uint64
	// State is the suite's own state. When set, the search also tries,
	// after the aimed states and before the random ones, a state derived
	// for the task's request (aimstate.ForRequest), loaded into a DuckDB
	// engine of its own for the attempt.
	State *state.State
	// Resolver, when set, replaces the name and join resolution of every
	// layer stack the evaluator runs (faulty and correct alike), never the
	// oracle's: a test plants a fault in the layers' shared resolution with
	// it. Nil means each stack's own (resolve.Standard by default).
	Resolver resolve.Resolver
	// Engine is the embedded engine ("" for db.DefaultEngine) of the
	// databases the evaluator opens itself (request-shaped states).
	Engine string
	// Stats, when set, counts the database work of those databases.
	Stats *db.Stats
	// Statics, when set, memoizes the static layers' outputs (Static),
	// shared with the run's generator.
	Statics *layers.StaticMemo
}

// Probe is a database state of the distinguishing-state search.
type Probe struct {
	Ref    trace.StateRef
	Oracle *oracle.Oracle
	// Random marks a random state of the suite's generator (tried last).
	Random bool
}

// Sessions are one worker's connections: the main engine's and one per
// probe state, in Evaluator.Probes order.
type Sessions struct {
	Main   db.Session
	Probes []db.Session
}

// engine is the embedded engine the evaluator opens databases on.
func (e *Evaluator) engine() string {
	if e.Engine == "" {
		return db.DefaultEngine
	}
	return e.Engine
}

func (e *Evaluator) catalog() *catalog.Catalog {
	if e.Catalog != nil {
		return e.Catalog
	}
	return catalog.Default()
}

// Outcome is one evaluation: the observation, the detection and the trace.
type Outcome struct {
	Observation observe.Observation
	Detection   detect.Detection
	Trace       trace.Trace
	// Stack is the layer stack the task ran on (never shown to the detector).
	Stack layers.Stack
}

// Observe runs q through stack and measures it.
func (e *Evaluator) Observe(ctx context.Context, sess db.Session, stack layers.Stack, principal string, q spec.SemanticQuery) (observe.Observation, error) {
	static, err := e.Static(stack, principal, q)
	if err != nil {
		return observe.Observation{}, err
	}
	return e.ObserveFrom(ctx, sess, stack, principal, q, static)
}

// Static is the output of the layers that do not read the database
// (layers.RunStatic) for q sent by principal through stack, with the
// evaluator's resolver, for ObserveFrom.
func (e *Evaluator) Static(stack layers.Stack, principal string, q spec.SemanticQuery) (observe.Layers, error) {
	if e.Resolver != nil {
		stack.Resolver = e.Resolver
	}
	return e.Statics.RunStatic(e.Domain, stack, principal, layers.IntentJSON(q))
}

// ObserveFrom is Observe with the static layers' outputs given (Static of
// the same stack, principal and q, which applied the evaluator's resolver:
// the layers after them resolve no names), shared with the observation.
func (e *Evaluator) ObserveFrom(ctx context.Context, sess db.Session, stack layers.Stack, principal string, q spec.SemanticQuery, static observe.Layers) (observe.Observation, error) {
	out, err := layers.RunFrom(ctx, sess, e.Domain, stack, principal, static)
	if err != nil {
		return observe.Observation{}, err
	}
	return measure.Take(ctx, sess, e.Oracle, principal, q, out)
}

// Evaluate runs task on sess without probe states.
func (e *Evaluator) Evaluate(ctx context.Context, sess db.Session, t spec.Task) (Outcome, error) {
	return e.EvaluateWith(ctx, Sessions{Main: sess}, t)
}

// EvaluateWith runs task and builds its trace (without witness minimization).
func (e *Evaluator) EvaluateWith(ctx context.Context, ss Sessions, t spec.Task) (Outcome, error) {
	sess := ss.Main
	stack, err := e.catalog().Stack(t.Mutation)
	if err == nil && t.Mutation != catalog.None {
		// a fault with nothing to act on in this domain is not injected
		op, _ := e.catalog().Get(t.Mutation)
		err = catalog.Applies(op, e.Domain)
	}
	if err != nil {
		tr := e.baseTrace(t)
		tr.AccountingStatus, tr.AccountingReason = trace.Invalid, err.Error()
		tr.WitnessClass = detect.Clean
		return Outcome{Trace: tr}, nil
	}
	obs, err := e.Observe(ctx, sess, stack, t.Principal, t.SemanticQuery)
	if err != nil {
		return Outcome{}, fmt.Errorf("evaluate %s: %w", t.ID, err)
	}
	det := detect.Detect(obs)
	tr := e.buildTrace(t, obs, det)
	acc, err := e.account(ctx, ss, t, stack, obs, det)
	if err != nil {
		return Outcome{}, fmt.Errorf("evaluate %s: %w", t.ID, err)
	}
	tr.AccountingStatus, tr.AccountingReason = acc.status, acc.reason
	tr.FaultReached, tr.EquivalenceProof, tr.KillingState = acc.reached, acc.proof, acc.killer
	return Outcome{Observation: obs, Detection: det, Trace: tr, Stack: stack}, nil
}
