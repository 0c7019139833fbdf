package evaluate

import (
	"container/list"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// replayMemoEntries bounds the memo of replay detections, and
// subsetMemoEntries the memo of subset states, which keeps subsets of at
// most subsetMemoRows rows: the minimal states a shape's witnesses start
// from and the states near them are the ones replayed again and again (a
// memo of any subset held up to 64 states of a thousand rows: generated
// 500, peak RSS 29 MiB higher).
const (
	replayMemoEntries = 16384
	subsetMemoEntries = 64
	subsetMemoRows    = 64
)

// subsetState is a subset of the suite's state built as a state, and the
// oracle on it; both are read-only once built.
type subsetState struct {
	st     *state.State
	oracle *oracle.Oracle
}

// Minimizer turns the non-clean outcomes of one run into minimal,
// replayable witnesses: it reduces each task's query on the suite's state,
// then the state (rows per table, foreign keys whole), until no single
// further move preserves the witness. Replays of subsets run on a session
// restricted to the subset (db.Restricter), and every replay goes through
// a memo keyed by (stack, principal, query, state). The state reduction is
// done once per failure shape (operator, class, surface, containment,
// release): later witnesses of the shape, for any principal, start from
// the shape's earlier witnesses and minimal states, in suite order, so
// witnesses are the same for any worker count. It is safe for concurrent
// use.
type Minimizer struct {
	ev *Evaluator
	// st is the suite's state, whose subsets replays build (State.Subset)
	st    *state.State
	full  map[string][][]any
	total int
	space *minimize.Space
	files map[string]string
	// stateJSON is the full state's encoding, indented as inside a witness.
	stateJSON []byte
	// filesJSON is the domain's files encoded as inside a witness's
	// domain object (EncodeWitness sets it in place of "{}", so what the
	// files add to a witness is its length less two, the same in every
	// witness of the run)
	filesJSON []byte
	memo      *memoLRU[replayed]
	// subsets holds the states (and the oracle on each) of recent subsets:
	// a subset is replayed with query after query (a shape's minimal
	// states, the moves of a query reduction)
	subsets *memoLRU[subsetState]
	seq     *shapeSeq
	// starts holds the answers a measurement gave (StartFrom), by task,
	// and answers the observations of the answers replayed so far (a
	// run reuses an earlier witness's observation the same way)
	starts  map[string]start
	answers *memoLRU[*observe.Observation]
	// counters of replays executed and answered by the memo
	executed, memoHits atomic.Int64
	// finalReplays counts witnesses whose observation was replayed once
	// more after the reduction (the memo kept only its detection)
	finalReplays atomic.Int64
}

// Counts reports how many replays were executed and how many the memo
// answered so far, and how many witnesses needed a final replay for their
// layer outputs (not counted in executed).
func (m *Minimizer) Counts() (executed, memoHits, final int64) {
	return m.executed.Load(), m.memoHits.Load(), m.finalReplays.Load()
}

// NewMinimizer prepares minimization for a run of ev on the suite state st.
func NewMinimizer(ev *Evaluator, st *state.State) (*Minimizer, error) {
	d := ev.Domain
	m := &Minimizer{ev: ev, st: st, full: st.BaseRows(d), memo: newMemoLRU[replayed](replayMemoEntries), subsets: newMemoLRU[subsetState](subsetMemoEntries), seq: newShapeSeq(), files: map[string]string{}}
	for _, rows := range m.full {
		m.total += len(rows)
	}
	m.space = minimize.NewSpace(d, m.full)
	if d.FS == nil {
		return nil, fmt.Errorf("minimize: domain %s has no files to embed", d.Name)
	}
	for _, f := range spec.DomainFiles {
		b, err := fs.ReadFile(d.FS, f)
		if err != nil {
			return nil, fmt.Errorf("minimize: read %s: %w", f, err)
		}
		m.files[f] = string(b)
	}
	enc, err := state.EncodeRows(d, m.full)
	if err != nil {
		return nil, fmt.Errorf("minimize: %w", err)
	}
	if m.stateJSON, err = indentedJSON(enc, 1); err != nil {
		return nil, fmt.Errorf("minimize: %w", err)
	}
	if m.filesJSON, err = indentedJSON(m.files, 2); err != nil {
		return nil, fmt.Errorf("minimize: %w", err)
	}
	return m, nil
}

// Announce tells the minimizer that task idx (0-based, suite order) runs
// operator mutation. A run that announces its tasks, each in suite order
// before it is minimized or skipped, lets a task's reduction wait only for
// the earlier tasks of its operator (shapeSeq); one that announces none
// gets the same witnesses, each reduction waiting for every earlier task.
func (m *Minimizer) Announce(idx int, mutation string) { m.seq.announce(idx, mutation) }

// Skip tells the minimizer that task idx (0-based, suite order) has no
// witness. Every task of a run must be either skipped or minimized.
func (m *Minimizer) Skip(idx int) { m.seq.report(idx, "") }

// replayed is one replay's detection.
type replayed struct {
	det     detect.Detection
	blocked bool
}

// taskReplays is what one task's replays share: the stack, its memo key,
// the principal, and the static layers' outputs by query (Static): the
// layers before the database do not read the state, and a state reduction
// replays one query on state after state. It belongs to one Minimize call
// (one goroutine).
type taskReplays struct {
	stack     layers.Stack
	stackKey  string
	principal string
	static    map[string]observe.Layers
}

func newTaskReplays(stack layers.Stack, principal string) (*taskReplays, error) {
	sk, err := json.Marshal(stack)
	if err != nil {
		return nil, fmt.Errorf("minimize: %w", err)
	}
	return &taskReplays{stack: stack, stackKey: string(sk), principal: principal, static: map[string]observe.Layers{}}, nil
}

// memoKey is the replay memo's key for q on the state subset whose Key
// is skey: a replay is a pure function of the stack, the principal, the
// query and the state.
func (tr *taskReplays) memoKey(q spec.SemanticQuery, skey string) string {
	return tr.stackKey + "\x00" + tr.principal + "\x00" + q.Key() + "\x00" + skey
}

// staticFor is the static layers' output for q, computed once per query.
func (tr *taskReplays) staticFor(ev *Evaluator, q spec.SemanticQuery) (observe.Layers, error) {
	k := q.Key()
	if v, ok := tr.static[k]; ok {
		return v, nil
	}
	v, err := ev.Static(tr.stack, tr.principal, q)
	if err != nil {
		return v, err
	}
	tr.static[k] = v
	return v, nil
}

// replay runs q through the task's stack for its principal on the subset
// s of the state, whose Key is skey (the caller's memo key holds it
// already).
func (m *Minimizer) replay(ctx context.Context, sess db.Session, tr *taskReplays, q spec.SemanticQuery, s minimize.Subset, skey string) (observe.Observation, error) {
	static, err := tr.staticFor(m.ev, q)
	if err != nil {
		return observe.Observation{}, err
	}
	if s.Rows() == m.total {
		return m.ev.ObserveFrom(ctx, sess, tr.stack, tr.principal, q, static)
	}
	r, ok := sess.(db.Restricter)
	if !ok {
		return observe.Observation{}, fmt.Errorf("minimize: session cannot be restricted to a state subset")
	}
	sub, ok := m.subsets.get(skey)
	if !ok {
		st, err := m.st.Subset(m.ev.Domain, s)
		if err != nil {
			return observe.Observation{}, fmt.Errorf("minimize: %w", err)
		}
		sub = subsetState{st: st, oracle: m.ev.Oracle.On(st)}
		if s.Rows() <= subsetMemoRows {
			m.subsets.put(skey, sub)
		}
	}
	st := sub.st
	ev := &Evaluator{Domain: m.ev.Domain, Oracle: sub.oracle, Catalog: m.ev.Catalog, Resolver: m.ev.Resolver}
	var obs observe.Observation
	err = r.WithState(ctx, st, func(rs db.Session) error {
		var err error
		obs, err = ev.ObserveFrom(ctx, rs, tr.stack, tr.principal, q, static)
		return err
	})
	return obs, err
}

// detect replays through the memo. It returns the replay's observation
// too when it executed it (nil when the memo answered).
func (m *Minimizer) detect(ctx context.Context, sess db.Session, tr *taskReplays, q spec.SemanticQuery, s minimize.Subset) (replayed, *observe.Observation, error) {
	skey := s.Key()
	key := tr.memoKey(q, skey)
	if v, ok := m.memo.get(key); ok {
		m.memoHits.Add(1)
		return v, nil, nil
	}
	m.executed.Add(1)
	obs, err := m.replay(ctx, sess, tr, q, s, skey)
	if err != nil {
		return replayed{}, nil, err
	}
	r := replayed{det: preservedPart(detect.Detect(obs)), blocked: obs.Layers.Database != nil && obs.Layers.Database.Result.Blocked}
	m.memo.put(key, r)
	return r, &obs, nil
}

// preservedPart is what minimize.Preserves reads of d, as a detection: its
// class, localized surface, containment, release and semantic difference,
// and each contract's status, without findings and reasons. The memo
// holds up to replayMemoEntries replays, and their findings and reasons
// were most of its size (generated 2,000 with defaults: 17 MB of the
// heap's 75 MB at the end).
func preservedPart(d detect.Detection) detect.Detection {
	out := detect.Detection{WitnessClass: d.WitnessClass, LocalizedSurface: d.LocalizedSurface, ContainmentLayer: d.ContainmentLayer,
		SemanticDifference: d.SemanticDifference, ReleaseAllowed: d.ReleaseAllowed, ContractDecisions: make(map[string]detect.ContractDecision, len(d.ContractDecisions))}
	for s, cd := range d.ContractDecisions {
		out.ContractDecisions[s] = detect.ContractDecision{Status: cd.Status}
	}
	return out
}

// shapeKey is the failure shape a witness's state reduction is shared by
// (ShapeKey of the detection).
func shapeKey(mutation string, d detect.Detection, blocked bool) string {
	return ShapeKey(mutation, d.WitnessClass, d.LocalizedSurface, d.ContainmentLayer, d.ReleaseAllowed, d.SemanticDifference, blocked)
}

// ShapeKey is a failure shape: the operator and what Preserves compares
// (class, localized surface, containment layer, release, semantic
// difference, database refusal), not the principal (a minimal state found
// for one principal is a candidate for another, tried like any other and
// kept only if the replay preserves the witness). A witness's minimization
// builds on the earlier witnesses of its shape in suite order, so
// verify-run re-executes them with it.
func ShapeKey(mutation, class, surface, containment string, release, semantic, blocked bool) string {
	return strings.Join([]string{mutation, class, surface, containment,
		fmt.Sprint(release), fmt.Sprint(semantic), fmt.Sprint(blocked)}, "\x00")
}

// memoLRU is a bounded, concurrency-safe LRU. The minimizer keeps pure
// functions of their keys in it (a replay's detection, a subset's state),
// so a memo never changes a result.
type memoLRU[V any] struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[string]*list.Element
}

type memoEntry[V any] struct {
	key string
	val V
}

func newMemoLRU[V any](n int) *memoLRU[V] {
	return &memoLRU[V]{cap: n, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *memoLRU[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*memoEntry[V]).val, true
	}
	var zero V
	return zero, false
}

func (c *memoLRU[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.ll.MoveToFront(e)
		return
	}
	c.items[key] = c.ll.PushFront(&memoEntry[V]{key, v})
	for c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*memoEntry[V]).key)
	}
}
