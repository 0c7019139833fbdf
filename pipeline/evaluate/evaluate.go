// Package evaluate runs one benchmark task end to end: it builds the layer
// stack that injects the task's mutation (from the catalog), drives the
// request through the real layers on the worker's database session, takes
// the oracle's verdict and the independent measurements, asks the blind
// detector, and accounts the outcome against the catalog's expectations.
package evaluate

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/measure"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Evaluator evaluates tasks of one domain. It is safe for concurrent use;
// each worker passes its own session.
type Evaluator struct {
	Domain *spec.Domain
	Oracle *oracle.Oracle
	// Catalog maps mutations to faulty stacks; nil means catalog.Default().
	Catalog *catalog.Catalog
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
}

// Observe runs q through stack and measures it.
func (e *Evaluator) Observe(ctx context.Context, sess db.Session, stack layers.Stack, principal string, q spec.SemanticQuery) (observe.Observation, error) {
	out, err := layers.Run(ctx, sess, e.Domain, stack, principal, layers.IntentJSON(q))
	if err != nil {
		return observe.Observation{}, err
	}
	return measure.Take(ctx, sess, e.Oracle, principal, q, out)
}

// Evaluate runs task and builds its trace (without witness minimization).
func (e *Evaluator) Evaluate(ctx context.Context, sess db.Session, t spec.Task) (Outcome, error) {
	stack, err := e.catalog().Stack(t.Mutation)
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
	status, reason, err := e.account(ctx, sess, t, obs, det)
	if err != nil {
		return Outcome{}, fmt.Errorf("evaluate %s: %w", t.ID, err)
	}
	tr.AccountingStatus, tr.AccountingReason = status, reason
	return Outcome{Observation: obs, Detection: det, Trace: tr}, nil
}

// account compares the detection with the task's expectation. A mutant the
// detector calls clean is equivalent on this input when the correct stack
// behaves identically (same decisions, same rows everywhere), and survived
// otherwise.
func (e *Evaluator) account(ctx context.Context, sess db.Session, t spec.Task, obs observe.Observation, det detect.Detection) (string, string, error) {
	if t.Mutation == catalog.None {
		if det.WitnessClass != detect.Clean {
			return trace.FalsePos, fmt.Sprintf("clean control flagged %s at %s", det.WitnessClass, det.LocalizedSurface), nil
		}
		return trace.CleanControl, "clean control observed clean", nil
	}
	if det.WitnessClass != detect.Clean {
		return trace.Killed, fmt.Sprintf("observed %s localized at %s", det.WitnessClass, det.LocalizedSurface), nil
	}
	ref, err := e.Observe(ctx, sess, layers.CorrectStack(), t.Principal, t.SemanticQuery)
	if err != nil {
		return "", "", err
	}
	if Behavior(ref) == Behavior(obs) {
		op, _ := e.catalog().Get(t.Mutation)
		return trace.Equivalent, fmt.Sprintf("fault not exercised: with the %s fault the stack behaves exactly as the correct stack on this input", op.Surface), nil
	}
	return trace.Survived, "the faulty stack behaves differently from the correct one, but no contract check caught it", nil
}

// Behavior is a canonical fingerprint of everything a stack did that can be
// observed outside it: decisions, executed rows, exposures, parse results and
// the release, but not the SQL text itself.
func Behavior(o observe.Observation) string {
	type fp struct {
		Manifest   any
		Schema     any
		Accepted   bool
		Validator  any
		Compiled   bool
		Cost       int
		Database   any
		Release    any
		Measured   any
		SQLColumns []string
		Limit      int64
	}
	f := fp{Manifest: o.Layers.Manifest, Validator: o.Layers.Validator, Database: o.Layers.Database, Release: o.Layers.Release}
	if g := o.Layers.Grammar; g != nil {
		f.Schema, f.Accepted = g.Schema, g.Accepted
	}
	if c := o.Layers.Compiler; c != nil {
		f.Compiled, f.Cost = c.Error == "", c.EstimatedCost
	}
	f.Measured = []any{o.Measured.Base, o.Measured.Restricted}
	f.SQLColumns, f.Limit = o.Measured.SQL.Columns, o.Measured.SQL.Limit
	b, _ := json.Marshal(f)
	return string(b)
}
