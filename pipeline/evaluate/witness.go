package evaluate

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"sort"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Minimize reduces the non-clean outcome out of task t (index idx in suite
// order) and returns its witness. sess must be a session on the suite's
// state that can be restricted to subsets of it (db.Restricter).
func (m *Minimizer) Minimize(ctx context.Context, sess db.Session, idx int, t spec.Task, out Outcome) (trace.Witness, *trace.Minimization, error) {
	reported := false
	defer func() {
		if !reported {
			m.seq.report(idx, "")
		}
	}()
	stack, err := m.ev.catalog().Stack(t.Mutation)
	if err != nil {
		return trace.Witness{}, nil, err
	}
	orig, origBlocked := out.Detection, out.Trace.DBResult.BlockedByDatabase
	tr, err := newTaskReplays(stack, t.Principal)
	if err != nil {
		return trace.Witness{}, nil, err
	}
	// the observation of the last accepted candidate the memo did not
	// answer: usually the witness itself, which then needs no final replay
	var last struct {
		key string
		obs *observe.Observation
	}
	check := func(q spec.SemanticQuery, s minimize.Subset) (bool, error) {
		r, obs, err := m.detect(ctx, sess, tr, q, s)
		if err != nil {
			return false, err
		}
		ok := minimize.Preserves(orig, r.det, origBlocked, r.blocked)
		if ok && obs != nil {
			last.key, last.obs = q.Key()+"\x00"+s.Key(), obs
		}
		return ok, nil
	}
	var stats minimize.Stats
	full := m.space.Full()
	q0 := t.SemanticQuery.Normalized()
	tn, err := m.seq.enter(ctx, idx, shapeKey(t.Mutation, orig, origBlocked))
	reported = true
	if err != nil {
		return trace.Witness{}, nil, err
	}
	defer tn.finish()
	var (
		q      spec.SemanticQuery
		s      minimize.Subset
		one    bool
		reused bool
		res    *shapeResult
		// given is a measurement's answer (StartFrom), keyed as the
		// replay memo keys it, and its observation when an earlier task
		// had the same answer
		givenKey string
		given    *observe.Observation
	)
	if st, ok := m.starts[t.ID]; ok {
		// a measurement's answer: checked, then certified
		q, s = st.query, st.state
		givenKey = tr.memoKey(q, s.Key())
		if o, ok := m.answers.get(givenKey); ok {
			given = o
		}
		var ok bool
		if ok, err = check(q, s); err == nil && !ok {
			err = fmt.Errorf("the given witness does not reproduce")
		}
		if err == nil {
			q, s, one, err = m.space.OneMinimal(q, s, check, &stats)
			one = one && !stats.Exhausted
		}
	} else {
		q, s, one, reused, res, err = m.reduce(tn.chain, t.Principal, q0, full, check, &stats)
	}
	if err != nil {
		return trace.Witness{}, nil, fmt.Errorf("minimize %s: %w", t.ID, err)
	}
	var obs observe.Observation
	switch {
	case res != nil && res.obs != nil:
		obs = *res.obs
	case given != nil && givenKey == tr.memoKey(q, s.Key()):
		// what a run's reuse of an earlier witness's observation does
		obs = *given
	case last.obs != nil && last.key == q.Key()+"\x00"+s.Key():
		obs = *last.obs
	default:
		if obs, err = m.replay(ctx, sess, tr, q, s, s.Key()); err != nil {
			return trace.Witness{}, nil, fmt.Errorf("minimize %s: %w", t.ID, err)
		}
		m.finalReplays.Add(1)
	}
	if res != nil && res.obs == nil {
		res.obs = &obs
	}
	if givenKey != "" && given == nil {
		m.answers.put(givenKey, &obs)
	}
	tn.finish()
	det := detect.Detect(obs)
	rows := s.Select(m.full)
	enc, err := state.EncodeRows(m.ev.Domain, rows)
	if err != nil {
		return trace.Witness{}, nil, fmt.Errorf("minimize %s: %w", t.ID, err)
	}
	mn := &trace.Minimization{
		Attempts: stats.QueryAttempts + stats.StateAttempts, QueryAttempts: stats.QueryAttempts, StateAttempts: stats.StateAttempts,
		DimensionsRemoved: len(q0.Dimensions) - len(q.Dimensions), FiltersRemoved: len(q0.Filters) - len(q.Filters),
		LimitReset: q0.Limit != q.Limit, TimeRangeReset: q0.TimeRange != q.TimeRange,
		IRFeaturesBefore: minimize.Features(q0), IRFeaturesAfter: minimize.Features(q),
		StateRowsBefore: m.total, StateRowsAfter: s.Rows(), StateReused: reused, OneMinimal: one,
		Reduced: q,
	}
	w := m.witness(t, q, stack, obs, det, enc, mn)
	if mn.OriginalBytes, err = m.originalBytes(t, q0, stack, out); err != nil {
		return trace.Witness{}, nil, fmt.Errorf("minimize %s: %w", t.ID, err)
	}
	return w, mn, nil
}

// originalBytes is the size of the witness file the unreduced task would
// have given: encoded without the full state and the domain files, whose
// sizes inside a witness the minimizer knows (stateJSON, filesJSON).
func (m *Minimizer) originalBytes(t spec.Task, q0 spec.SemanticQuery, stack layers.Stack, out Outcome) (int, error) {
	ow := m.witness(t, q0, stack, out.Observation, out.Detection, []state.EncodedTable{}, nil)
	ow.Domain.Files = map[string]string{}
	ob, err := trace.CanonicalJSON(ow)
	if err != nil {
		return 0, err
	}
	return len(ob) - len("[]") + len(m.stateJSON) + len(m.filesJSON) - len("{}"), nil
}

// reduce minimizes (q0, full) for one task holding its shape's turn, in
// four steps, each tried only when the one before it finds nothing:
//
//  1. An earlier witness of the shape, for the same principal, whose query
//     q0 reduces to (Reachable) is the answer outright: it preserves this
//     witness too, and its 1-minimality was checked by the same replays
//     (verified once more through the memo).
//  2. An earlier witness of the shape (any principal; the same principal
//     and metric first) as a starting point: q0 cut to the features its
//     query kept, on its minimal state (projected), then brought to
//     1-minimality.
//  3. The query is reduced in one pass over the moves (cut at once to the
//     features an earlier witness of the shape kept, when that preserves
//     it) on the union of the shape's minimal states when q0 holds there,
//     else on the full state; the shape's minimal states are tried; else
//     the state is reduced from where the query was.
//  4. The pair is brought to 1-minimality (OneMinimal completes the query
//     reduction on the minimal state) and joins the shape's chain.
//
// Steps 2 and 3's union replace full reductions of a shape's later
// witnesses that differ from earlier ones in their principal or their
// values: generated 500, support_saas, 3,323 replays executed against
// 3,710 with the shape keyed by principal and no step 2; at 10,000 tasks,
// where a shape's witnesses mostly reuse one another already, 19,259
// against 19,344. The chain's entry for the answer is returned too (nil when the
// chain is full), for its observation: the caller fills it in while it
// holds the turn.
func (m *Minimizer) reduce(ch *chain, principal string, q0 spec.SemanticQuery, full minimize.Subset, check minimize.Check, stats *minimize.Stats) (spec.SemanticQuery, minimize.Subset, bool, bool, *shapeResult, error) {
	for _, r := range ch.results {
		if r.principal != principal || !minimize.Reachable(q0, r.query) {
			continue
		}
		ok, err := check(r.query, r.state)
		if err != nil {
			return q0, full, false, false, nil, err
		}
		if ok {
			return r.query, r.state, r.oneMinimal, true, r, nil
		}
	}
	if q, s, ok, err := m.projected(ch, principal, q0, check); err != nil || ok {
		if err != nil {
			return q0, full, false, false, nil, err
		}
		return m.finish(ch, principal, q, s, true, check, stats)
	}
	hints := make([]spec.SemanticQuery, len(ch.results))
	for i, r := range ch.results {
		hints[i] = r.query
	}
	start := full
	if len(ch.states) > 0 {
		u := m.space.Union(ch.states...)
		ok, err := check(q0, u)
		if err != nil {
			return q0, full, false, false, nil, err
		}
		if ok {
			start = u
		}
	}
	q, err := minimize.ReduceQueryOnce(q0, start, hints, check, stats)
	if err != nil {
		return q0, full, false, false, nil, err
	}
	s, reused := full, false
	for _, cand := range ch.states {
		ok, err := check(q, cand)
		if err != nil {
			return q0, full, false, false, nil, err
		}
		if ok {
			s, reused = cand, true
			break
		}
	}
	if !reused {
		if s, err = m.space.ReduceState(q, start, check, stats); err != nil {
			return q0, full, false, false, nil, err
		}
	}
	return m.finish(ch, principal, q, s, reused, check, stats)
}

// finish brings (q, s) to 1-minimality and records the result in the
// shape's chain (s among its states unless it came from there).
func (m *Minimizer) finish(ch *chain, principal string, q spec.SemanticQuery, s minimize.Subset, reused bool, check minimize.Check, stats *minimize.Stats) (spec.SemanticQuery, minimize.Subset, bool, bool, *shapeResult, error) {
	q, s, one, err := m.space.OneMinimal(q, s, check, stats)
	if err != nil {
		return q, s, false, false, nil, err
	}
	one = one && !stats.Exhausted
	if !reused && len(ch.states) < maxChainStates {
		ch.states = append(ch.states, s)
	}
	var res *shapeResult
	if len(ch.results) < maxChainResults {
		res = &shapeResult{principal: principal, query: q, state: s, oneMinimal: one}
		ch.results = append(ch.results, res)
	}
	return q, s, one, reused, res, nil
}

// maxProjectedTries bounds the earlier results of a shape a witness tries
// as its starting point (projected).
const maxProjectedTries = 4

// projected tries the shape's earlier results as a starting point: q0 cut
// down to the features a result's query kept (Project), on the result's
// minimal state, the principal's own results first. The first that
// preserves the witness is returned; the caller brings it to
// 1-minimality. Each try is one replay on a small state, against a query
// reduction on the full state and a state reduction.
func (m *Minimizer) projected(ch *chain, principal string, q0 spec.SemanticQuery, check minimize.Check) (spec.SemanticQuery, minimize.Subset, bool, error) {
	// each result's projection and its score, computed once
	type cand struct {
		r     *shapeResult
		p     spec.SemanticQuery
		score int
	}
	order := make([]cand, len(ch.results))
	for i, r := range ch.results {
		c := cand{r: r, p: minimize.Project(q0, r.query)}
		if r.principal == principal {
			c.score += 4
		}
		if r.query.Metric == q0.Metric {
			c.score += 2
		}
		if minimize.Features(c.p) == minimize.Features(r.query) {
			c.score++
		}
		order[i] = c
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].score > order[j].score })
	tried := map[string]bool{}
	for _, c := range order {
		if len(tried) >= maxProjectedTries {
			break
		}
		k := c.p.Key() + "\x00" + c.r.state.Key()
		if tried[k] {
			continue
		}
		tried[k] = true
		ok, err := check(c.p, c.r.state)
		if err != nil || ok {
			return c.p, c.r.state, ok, err
		}
	}
	return q0, nil, false, nil
}

// witness assembles the witness file of task t replayed as q on the state
// enc: everything replay needs to rebuild the stack and the database.
func (m *Minimizer) witness(t spec.Task, q spec.SemanticQuery, stack layers.Stack, obs observe.Observation, det detect.Detection,
	enc []state.EncodedTable, mn *trace.Minimization) trace.Witness {
	rt := t
	rt.SemanticQuery = q
	tr := m.ev.buildTrace(rt, obs, det)
	resp := map[string][]string{}
	for s, c := range m.ev.Domain.Surfaces.Contracts {
		resp[s] = c.Responsibilities
	}
	variants := map[string]string{}
	for _, s := range spec.SurfaceOrder {
		variants[s] = stack.Get(s)
	}
	lo := obs.Layers
	return trace.Witness{
		Format: trace.WitnessFormat, TaskID: t.ID, WitnessClass: tr.WitnessClass, LocalizedSurface: tr.LocalizedSurface,
		ContainmentLayer: tr.ContainmentLayer, SemanticDifference: tr.SemanticDifference,
		Principal: t.Principal, Request: t.Request, Mutation: t.Mutation, SemanticIR: q, OriginalSemanticIR: t.SemanticQuery,
		SurfaceVersions: t.SurfaceVersions, LayerVariants: variants, SurfaceResponsibilities: resp, ContractDecisions: tr.ContractDecisions,
		TransitionObligations: tr.TransitionObligations, CanonicalDecision: tr.CanonicalDecision, CompiledSQL: tr.CompiledSQL,
		DBResult: tr.DBResult, ReleaseAllowed: tr.ReleaseDecision.Allowed, Reasons: tr.Reasons, Findings: tr.Findings,
		LayerOutputs: &lo, Domain: trace.WitnessDomain{Name: m.ev.Domain.Name, Files: m.files}, State: enc, Minimization: mn,
		Engine: m.ev.engine(),
	}
}

// emptyFiles is how a witness's domain files read in its canonical JSON
// when there are none: the domain object is a member of the top level and
// its files the first of its own (keys sorted).
var emptyFiles = []byte("\n  \"domain\": {\n    \"files\": {},\n")

// EncodeWitness is w's canonical JSON (trace.CanonicalJSON) for a witness
// of this run, whose domain files are the minimizer's: they are encoded
// once, when the minimizer is made, and set in place of an empty set, as
// they take most of a witness's bytes and were most of the time spent
// encoding it (TestEncodeWitnessIsCanonical pins the bytes).
func (m *Minimizer) EncodeWitness(w trace.Witness) ([]byte, error) {
	if !maps.Equal(w.Domain.Files, m.files) || len(m.files) == 0 {
		return trace.CanonicalJSON(w)
	}
	w.Domain.Files = map[string]string{}
	b, err := trace.CanonicalJSON(w)
	if err != nil {
		return nil, err
	}
	at := bytes.Index(b, emptyFiles)
	if at < 0 || bytes.Index(b[at+1:], emptyFiles) >= 0 {
		return nil, fmt.Errorf("the domain's files are not where a witness holds them")
	}
	head := at + len(emptyFiles) - len("{},\n")
	out := make([]byte, 0, len(b)+len(m.filesJSON))
	out = append(out, b[:head]...)
	out = append(out, m.filesJSON...)
	return append(out, b[head+len("{}"):]...), nil
}

// indentedJSON is v's canonical JSON as it appears depth levels deep
// inside a canonical document (every line after the first indented two
// spaces per level).
func indentedJSON(v any, depth int) ([]byte, error) {
	b, err := trace.CanonicalJSON(v)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), append([]byte("\n"), bytes.Repeat([]byte("  "), depth)...)), nil
}
