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
	"github.com/policystrata/policystrata/pipeline/resolve"
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
	// Probes are the oracles of extra database states (other seeds of the
	// same generator) on which a survivor is re-examined before it is
	// accounted: killed on some probe state means the suite's state is too
	// weak (survived); killed on none means equivalent.
	Probes []*Probe
	// Resolver, when set, replaces the name and join resolution of every
	// layer stack the evaluator runs (faulty and correct alike), never the
	// oracle's: a test plants a fault in the layers' shared resolution with
	// it. Nil means each stack's own (resolve.Standard by default).
	Resolver resolve.Resolver
}

// Probe is an extra database state for re-examining survivors.
type Probe struct {
	Seed   uint64
	Oracle *oracle.Oracle
}

// Sessions are one worker's connections: the main engine's and one per
// probe state, in Evaluator.Probes order.
type Sessions struct {
	Main   db.Session
	Probes []db.Session
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
	if e.Resolver != nil {
		stack.Resolver = e.Resolver
	}
	out, err := layers.Run(ctx, sess, e.Domain, stack, principal, layers.IntentJSON(q))
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
	status, reason, err := e.account(ctx, ss, t, obs, det)
	if err != nil {
		return Outcome{}, fmt.Errorf("evaluate %s: %w", t.ID, err)
	}
	tr.AccountingStatus, tr.AccountingReason = status, reason
	return Outcome{Observation: obs, Detection: det, Trace: tr, Stack: stack}, nil
}

// account compares the detection with the task's expectation. A mutant the
// detector calls clean is equivalent on this input when its faulty layer
// produced exactly what the correct layer produces from the same input (no
// database state could tell them apart). Otherwise it is re-run on the probe
// states: killed on one means the suite's state could not distinguish it
// (survived, with the probe that can); killed on none means no generated
// state distinguished it (equivalent, empirically).
func (e *Evaluator) account(ctx context.Context, ss Sessions, t spec.Task, obs observe.Observation, det detect.Detection) (string, string, error) {
	if t.Mutation == catalog.None {
		if det.WitnessClass != detect.Clean {
			return trace.FalsePos, fmt.Sprintf("clean control flagged %s at %s", det.WitnessClass, det.LocalizedSurface), nil
		}
		return trace.CleanControl, "clean control observed clean", nil
	}
	if det.WitnessClass != detect.Clean {
		return trace.Killed, fmt.Sprintf("observed %s localized at %s", det.WitnessClass, det.LocalizedSurface), nil
	}
	op, _ := e.catalog().Get(t.Mutation)
	correct, err := e.correctOutput(ctx, ss.Main, obs, op.Surface)
	if err != nil {
		return "", "", err
	}
	if correct == LayerOutput(obs, op.Surface) {
		return trace.Equivalent, fmt.Sprintf("equivalent on this input: the faulty %s produced exactly the correct %s output, so no database state can distinguish it", op.Surface, op.Surface), nil
	}
	stack, err := e.catalog().Stack(t.Mutation)
	if err != nil {
		return "", "", err
	}
	n := min(len(e.Probes), len(ss.Probes))
	for k := 0; k < n; k++ {
		pe := &Evaluator{Domain: e.Domain, Oracle: e.Probes[k].Oracle, Catalog: e.Catalog, Resolver: e.Resolver}
		pobs, err := pe.Observe(ctx, ss.Probes[k], stack, t.Principal, t.SemanticQuery)
		if err != nil {
			return "", "", err
		}
		if pd := detect.Detect(pobs); pd.WitnessClass != detect.Clean {
			return trace.Survived, fmt.Sprintf("this database state cannot distinguish the faulty %s, but probe state %d (seed %d) does: %s at %s: %s",
				op.Surface, k+1, e.Probes[k].Seed, pd.WitnessClass, pd.LocalizedSurface, pd.Findings[0].Reason), nil
		}
	}
	if n == 0 {
		return trace.Survived, fmt.Sprintf("the faulty %s's output differs from the correct one, but neither this database state nor any contract check exposed it", op.Surface), nil
	}
	return trace.Equivalent, fmt.Sprintf("equivalent on every state tried: the faulty %s's output differs from the correct one, but on the suite's state and %d probe states every contract held", op.Surface, n), nil
}

// correctOutput is the fingerprint of what the correct (v7) layer produces
// from the inputs the faulty layer really received in obs.
func (e *Evaluator) correctOutput(ctx context.Context, sess db.Session, obs observe.Observation, surface string) (string, error) {
	l := obs.Layers
	p := e.Domain.Policy
	out := observe.Observation{}
	switch surface {
	case "manifest":
		m := layers.Manifest(layers.Correct, p, obs.Principal)
		out.Layers.Manifest = &m
	case "grammar":
		if l.Manifest != nil {
			g := layers.Grammar(layers.Correct, p, *l.Manifest, layers.IntentJSON(obs.Intent))
			out.Layers.Grammar = &g
		}
	case "validator":
		if l.Grammar != nil && l.Grammar.Query != nil {
			v := layers.ValidateWith(resolve.Or(e.Resolver), layers.Correct, e.Domain, obs.Principal, *l.Grammar.Query)
			out.Layers.Validator = &v
		}
	case "compiler":
		if v := l.Validator; v != nil && v.Metric != "" && l.Grammar != nil && l.Grammar.Query != nil {
			c := layers.Compile(layers.Correct, e.Domain, layers.CompileInput{Query: *l.Grammar.Query, Metric: v.Metric, Obligations: v.Obligations, Shadow: !v.Allowed, Resolver: e.Resolver})
			out.Layers.Compiler = &c
		}
	case "database":
		if c := l.Compiler; c != nil && c.Error == "" {
			pr := p.Principals[obs.Principal]
			d, err := layers.Execute(ctx, sess, e.Domain, layers.Correct, pr.Role, pr.TenantIDs, c.SQL, c.Shadow)
			if err != nil {
				return "", err
			}
			out.Layers.Database = &d
		}
	case "release":
		r := layers.Release(layers.Correct, l.Validator, l.Compiler, l.Database)
		out.Layers.Release = &r
	}
	return LayerOutput(out, surface), nil
}

// LayerOutput is a canonical fingerprint of one layer's output: its
// document, schema and parse, decision and obligations (not the wording of
// its reasons), SQL and plan, visible rows, columns and result, or release
// decision with the rows it withheld and its disclosure.
func LayerOutput(o observe.Observation, surface string) string {
	var v any
	l := o.Layers
	switch surface {
	case "manifest":
		v = l.Manifest
	case "grammar":
		v = l.Grammar
	case "validator":
		if l.Validator != nil {
			c := *l.Validator
			c.Reasons = nil
			v = c
		}
	case "compiler":
		v = l.Compiler
	case "database":
		v = l.Database
	case "release":
		// the decision and what it withheld or disclosed, not its wording
		if r := l.Release; r != nil {
			v = struct {
				Allowed    bool
				Withheld   []int
				Disclosure string
			}{r.Allowed, r.Withheld, r.Disclosure}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
