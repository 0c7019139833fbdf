// Package minimize shrinks a failing task into a small witness: a greedy
// replay reducer over the semantic IR (drop a dimension, drop a filter, reset
// the limit) that keeps a candidate only if replaying it through the real
// layers preserves the witness.
package minimize

import (
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// MaxAttempts bounds the replays spent on one witness.
const MaxAttempts = 32

// Replay evaluates a candidate query through the same stack.
type Replay func(q spec.SemanticQuery) (detect.Detection, bool, error)

// Result is a minimized query and how it was reached.
type Result struct {
	Query             spec.SemanticQuery
	Detection         detect.Detection
	Attempts          int
	Accepted          int
	DimensionsRemoved int
	FiltersRemoved    int
	LimitReset        bool
	// OneMinimal is true when no single further move preserves the witness.
	OneMinimal bool
}

// Preserves reports whether cand reproduces orig: same class, localized
// surface, containment and release decision, the localized contract still
// violated, and the semantic difference and database refusal kept.
func Preserves(orig, cand detect.Detection, origBlocked, candBlocked bool) bool {
	if orig.WitnessClass != cand.WitnessClass || orig.LocalizedSurface != cand.LocalizedSurface ||
		orig.ContainmentLayer != cand.ContainmentLayer || orig.ReleaseAllowed != cand.ReleaseAllowed {
		return false
	}
	if orig.LocalizedSurface != "" && cand.ContractDecisions[orig.LocalizedSurface].Status != detect.Violated {
		return false
	}
	if orig.SemanticDifference && !cand.SemanticDifference {
		return false
	}
	if origBlocked && !candBlocked {
		return false
	}
	return true
}

// moves lists the single-step reductions of q, in order.
func moves(q spec.SemanticQuery) []spec.SemanticQuery {
	var out []spec.SemanticQuery
	for i := range q.Dimensions {
		c := q.Normalized()
		c.Dimensions = append(append([]string{}, q.Dimensions[:i]...), q.Dimensions[i+1:]...)
		out = append(out, c)
	}
	for _, k := range spec.SortedKeys(q.Filters) {
		c := q.Normalized()
		delete(c.Filters, k)
		out = append(out, c)
	}
	if q.Limit != spec.DefaultLimit {
		c := q.Normalized()
		c.Limit = spec.DefaultLimit
		out = append(out, c)
	}
	return out
}

// Run minimizes q, whose replay gave orig (origBlocked: the database refused it).
func Run(q spec.SemanticQuery, orig detect.Detection, origBlocked bool, replay Replay) (Result, error) {
	res := Result{Query: q.Normalized(), Detection: orig}
	for {
		accepted := false
		for _, cand := range moves(res.Query) {
			if res.Attempts >= MaxAttempts {
				return res, nil
			}
			res.Attempts++
			det, blocked, err := replay(cand)
			if err != nil {
				return res, err
			}
			if !Preserves(orig, det, origBlocked, blocked) {
				continue
			}
			switch {
			case len(cand.Dimensions) < len(res.Query.Dimensions):
				res.DimensionsRemoved++
			case len(cand.Filters) < len(res.Query.Filters):
				res.FiltersRemoved++
			default:
				res.LimitReset = true
			}
			res.Query, res.Detection = cand, det
			res.Accepted++
			accepted = true
			break
		}
		if !accepted {
			res.OneMinimal = true
			return res, nil
		}
	}
}
