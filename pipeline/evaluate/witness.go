package evaluate

import (
	"context"
	"fmt"
	"sort"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Minimize shrinks a non-clean outcome's query with replays through the
// same stack and returns the witness built from the reduced trace.
func (e *Evaluator) Minimize(ctx context.Context, sess db.Session, t spec.Task, out Outcome) (trace.Witness, *trace.Minimization, error) {
	stack, err := e.catalog().Stack(t.Mutation)
	if err != nil {
		return trace.Witness{}, nil, err
	}
	blocked := func(tr trace.Trace) bool { return tr.DBResult.BlockedByDatabase }
	replay := func(q spec.SemanticQuery) (detect.Detection, bool, error) {
		obs, err := e.Observe(ctx, sess, stack, t.Principal, q)
		if err != nil {
			return detect.Detection{}, false, err
		}
		det := detect.Detect(obs)
		return det, obs.Layers.Database != nil && obs.Layers.Database.Result.Blocked, nil
	}
	res, err := minimize.Run(t.SemanticQuery, out.Detection, blocked(out.Trace), replay)
	if err != nil {
		return trace.Witness{}, nil, fmt.Errorf("minimize %s: %w", t.ID, err)
	}
	reduced := out
	if res.Accepted > 0 {
		rt := t
		rt.SemanticQuery = res.Query
		obs, err := e.Observe(ctx, sess, stack, t.Principal, res.Query)
		if err != nil {
			return trace.Witness{}, nil, fmt.Errorf("minimize %s: %w", t.ID, err)
		}
		det := detect.Detect(obs)
		reduced = Outcome{Observation: obs, Detection: det, Trace: e.buildTrace(rt, obs, det)}
	}
	m := &trace.Minimization{
		Attempts: res.Attempts, Accepted: res.Accepted, DimensionsRemoved: res.DimensionsRemoved,
		FiltersRemoved: res.FiltersRemoved, LimitReset: res.LimitReset, OneMinimal: res.OneMinimal, Reduced: res.Query,
	}
	rt := reduced.Trace
	resp := map[string][]string{}
	for s, c := range e.Domain.Surfaces.Contracts {
		resp[s] = c.Responsibilities
	}
	w := trace.Witness{
		TaskID: t.ID, WitnessClass: rt.WitnessClass, LocalizedSurface: rt.LocalizedSurface, ContainmentLayer: rt.ContainmentLayer,
		Principal: t.Principal, Request: t.Request, SemanticIR: sortedIR(res.Query), OriginalSemanticIR: t.SemanticQuery,
		SurfaceVersions: t.SurfaceVersions, SurfaceResponsibilities: resp, ContractDecisions: rt.ContractDecisions,
		TransitionObligations: rt.TransitionObligations, CanonicalDecision: rt.CanonicalDecision, CompiledSQL: rt.CompiledSQL,
		DBResult: rt.DBResult, ReleaseAllowed: rt.ReleaseDecision.Allowed, Reasons: rt.Reasons, Minimization: m,
	}
	return w, m, nil
}

// sortedIR normalizes a query for a witness: dimensions sorted.
func sortedIR(q spec.SemanticQuery) spec.SemanticQuery {
	n := q.Normalized()
	sort.Strings(n.Dimensions)
	return n
}
