// Package minimize shrinks a failing task into a small witness by delta
// debugging over the two things a witness holds: its semantic query (drop a
// dimension, drop a filter, reset the limit, reset the time range to the
// default) and its database state (rows per table, keeping foreign keys
// whole: removing a row removes the rows that reference it). A candidate is
// kept only if replaying it through the real layers preserves the witness
// (Preserves). The package is pure: replays are the caller's Check.
package minimize

import (
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Budgets bound the replays spent on one witness.
const (
	// MaxQueryAttempts bounds the query replays of one reduction.
	MaxQueryAttempts = 64
	// MaxStateAttempts bounds the state replays of one reduction.
	MaxStateAttempts = 600
)

// DefaultTimeRange is the time range a reduced query falls back to (the
// one a query without a time range gets).
const DefaultTimeRange = "last_month"

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

// Check replays query q on the state subset s and reports whether the
// witness is preserved. It must be a pure function of (q, s).
type Check func(q spec.SemanticQuery, s Subset) (bool, error)

// Features counts what a reduction can remove from q: dimensions, filters,
// a non-default limit and a non-default time range.
func Features(q spec.SemanticQuery) int {
	n := len(q.Dimensions) + len(q.Filters)
	if q.Limit != spec.DefaultLimit && q.Limit != 0 {
		n++
	}
	if q.TimeRange != DefaultTimeRange && q.TimeRange != "" {
		n++
	}
	return n
}

// Move is one single-step reduction of a query.
type Move struct {
	Query spec.SemanticQuery
	Kind  string // dimension, filter, limit or time_range
}

// QueryMoves lists the single-step reductions of q, in order: drop each
// dimension, drop each filter (sorted), reset the limit, reset the time
// range.
func QueryMoves(q spec.SemanticQuery) []Move {
	var out []Move
	for i := range q.Dimensions {
		c := q.Normalized()
		c.Dimensions = append(append([]string{}, q.Dimensions[:i]...), q.Dimensions[i+1:]...)
		out = append(out, Move{c, "dimension"})
	}
	for _, k := range spec.SortedKeys(q.Filters) {
		c := q.Normalized()
		delete(c.Filters, k)
		out = append(out, Move{c, "filter"})
	}
	if q.Limit != spec.DefaultLimit && q.Limit != 0 {
		c := q.Normalized()
		c.Limit = spec.DefaultLimit
		out = append(out, Move{c, "limit"})
	}
	if q.TimeRange != DefaultTimeRange && q.TimeRange != "" {
		c := q.Normalized()
		c.TimeRange = DefaultTimeRange
		out = append(out, Move{c, "time_range"})
	}
	return out
}

// Reachable reports whether query moves (QueryMoves, repeated) can turn
// from into to: the same metric and grain, to's dimensions a subsequence of
// from's, its filters a subset of from's with the same values, its limit
// and time range either from's or the defaults.
func Reachable(from, to spec.SemanticQuery) bool {
	f, t := from.Normalized(), to.Normalized()
	if f.Metric != t.Metric || f.Grain != t.Grain {
		return false
	}
	i := 0
	for _, d := range f.Dimensions {
		if i < len(t.Dimensions) && t.Dimensions[i] == d {
			i++
		}
	}
	if i != len(t.Dimensions) {
		return false
	}
	for k, v := range t.Filters {
		if fv, ok := f.Filters[k]; !ok || fv != v {
			return false
		}
	}
	if t.Limit != f.Limit && t.Limit != spec.DefaultLimit {
		return false
	}
	return t.TimeRange == f.TimeRange || t.TimeRange == DefaultTimeRange
}

// bare is q with every feature removed.
func bare(q spec.SemanticQuery) spec.SemanticQuery {
	c := q.Normalized()
	c.Dimensions, c.Filters, c.Limit, c.TimeRange = []string{}, map[string]string{}, spec.DefaultLimit, DefaultTimeRange
	return c
}

// Stats count what a reduction did.
type Stats struct {
	QueryAttempts     int
	StateAttempts     int
	DimensionsRemoved int
	FiltersRemoved    int
	LimitReset        bool
	TimeRangeReset    bool
	// Exhausted is set when a budget ran out before the reduction finished.
	Exhausted bool
}

func (st *Stats) record(kind string) {
	switch kind {
	case "dimension":
		st.DimensionsRemoved++
	case "filter":
		st.FiltersRemoved++
	case "limit":
		st.LimitReset = true
	case "time_range":
		st.TimeRangeReset = true
	}
}

// ReduceQuery shrinks q on the fixed state s: first the bare query (every
// feature removed at once), then single moves until none preserves the
// witness. It returns a query that is 1-minimal for query moves on s unless
// st.Exhausted.
func ReduceQuery(q spec.SemanticQuery, s Subset, check Check, st *Stats) (spec.SemanticQuery, error) {
	return reduceQuery(q, s, nil, check, st, 0)
}

// ReduceQueryOnce is ReduceQuery with one pass over the moves: the query
// it returns may still have a move that preserves the witness (one skipped
// before a later move was accepted). For the reduction on the full state,
// which OneMinimal's ReduceQuery completes on the minimal state. hints are
// reduced queries of earlier witnesses of the same kind: when the bare
// query does not preserve the witness, q cut down to the features of a
// hint (Project) is tried next, and the first that preserves it is the
// answer, with no pass over the moves.
func ReduceQueryOnce(q spec.SemanticQuery, s Subset, hints []spec.SemanticQuery, check Check, st *Stats) (spec.SemanticQuery, error) {
	return reduceQuery(q, s, hints, check, st, 1)
}

// Project is q cut down to the features like has: the dimensions and
// filter keys (with q's values) that like names, the limit and the time
// range when like's are not the defaults. Features the reduced query of
// an earlier witness kept are the ones a witness of the same kind needs,
// whatever their values.
func Project(q, like spec.SemanticQuery) spec.SemanticQuery {
	c := q.Normalized()
	dims := map[string]bool{}
	for _, d := range like.Dimensions {
		dims[d] = true
	}
	c.Dimensions = []string{}
	for _, d := range q.Dimensions {
		if dims[d] {
			c.Dimensions = append(c.Dimensions, d)
		}
	}
	c.Filters = map[string]string{}
	for k, v := range q.Filters {
		if _, ok := like.Filters[k]; ok {
			c.Filters[k] = v
		}
	}
	if like.Limit == spec.DefaultLimit || like.Limit == 0 {
		c.Limit = spec.DefaultLimit
	}
	if like.TimeRange == DefaultTimeRange || like.TimeRange == "" {
		c.TimeRange = DefaultTimeRange
	}
	return c
}

// reduceQuery is ReduceQuery with hints (ReduceQueryOnce) and at most
// passes passes over the moves (0: until a pass accepts nothing).
func reduceQuery(q spec.SemanticQuery, s Subset, hints []spec.SemanticQuery, check Check, st *Stats, passes int) (spec.SemanticQuery, error) {
	q = q.Normalized()
	if Features(q) > 1 {
		b := bare(q)
		ok, err := st.tryQuery(check, b, s)
		if err != nil || ok {
			if ok {
				for _, m := range QueryMoves(q) {
					st.record(m.Kind)
				}
				return b, err
			}
			return q, err
		}
		tried := map[string]bool{b.Key(): true, q.Key(): true}
		for _, h := range hints {
			p := Project(q, h)
			if tried[p.Key()] {
				continue
			}
			tried[p.Key()] = true
			ok, err := st.tryQuery(check, p, s)
			if err != nil {
				return q, err
			}
			if ok {
				st.recordCut(q, p)
				return p, nil
			}
		}
	}
	// passes over the moves, each continuing after an accepted move (a
	// move skipped earlier in the pass is retried in the next), until a
	// whole pass accepts nothing
	for pass := 1; ; pass++ {
		accepted := false
		for i := 0; ; i++ {
			moves := QueryMoves(q)
			if i >= len(moves) {
				break
			}
			if st.QueryAttempts >= MaxQueryAttempts {
				st.Exhausted = true
				return q, nil
			}
			ok, err := st.tryQuery(check, moves[i].Query, s)
			if err != nil {
				return q, err
			}
			if ok {
				st.record(moves[i].Kind)
				q, accepted = moves[i].Query, true
				i-- // the move list shrank by one at i
			}
		}
		if !accepted || pass == passes {
			return q, nil
		}
	}
}

// recordCut records the moves that turn q into its projection p.
func (st *Stats) recordCut(q, p spec.SemanticQuery) {
	st.DimensionsRemoved += len(q.Dimensions) - len(p.Dimensions)
	st.FiltersRemoved += len(q.Filters) - len(p.Filters)
	st.LimitReset = st.LimitReset || p.Limit != q.Limit
	st.TimeRangeReset = st.TimeRangeReset || p.TimeRange != q.TimeRange
}

func (st *Stats) tryQuery(check Check, q spec.SemanticQuery, s Subset) (bool, error) {
	st.QueryAttempts++
	return check(q, s)
}

func (st *Stats) tryState(check Check, q spec.SemanticQuery, s Subset) (bool, error) {
	if st.StateAttempts >= MaxStateAttempts {
		st.Exhausted = true
		return false, nil
	}
	st.StateAttempts++
	return check(q, s)
}
