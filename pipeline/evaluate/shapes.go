package evaluate

import (
	"context"
	"sync"

	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// maxChainStates bounds the minimal states a failure shape remembers, and
// maxChainResults the finished reductions.
const (
	maxChainStates  = 8
	maxChainResults = 16
)

// shapeSeq orders the state reductions of one run so that reuse is
// deterministic: every task reports its failure shape (or none) in any
// order; a task's turn comes once every earlier task (in suite order) has
// reported and the previous task of its shape has finished. Each shape's
// tasks therefore see the minimal states of the earlier ones in suite
// order, whatever the worker count and scheduling.
type shapeSeq struct {
	mu       sync.Mutex
	next     int
	pending  map[int]string
	last     map[string]*turn
	turns    map[int]*turn
	advanced chan struct{}
}

// turn is one task's place in its shape's sequence.
type turn struct {
	prev  *turn
	done  chan struct{}
	once  sync.Once
	chain *chain
}

// chain is what a shape's tasks share, in suite order: the minimal states
// found by full reductions, and the witnesses (reduced query and state)
// found so far. Only the task holding the turn touches it.
type chain struct {
	states  []minimize.Subset
	results []*shapeResult
}

// shapeResult is one finished reduction of a shape: the replay of
// (query, state) through the shape's stack for its principal preserves
// every witness of the shape for that principal (Preserves depends only on
// what the shape key holds, and the replay on the principal), and its
// 1-minimality was checked with the same replays.
type shapeResult struct {
	// principal is the one the result was found for: it is reused outright
	// only for the same principal (the replay depends on it)
	principal  string
	query      spec.SemanticQuery
	state      minimize.Subset
	oneMinimal bool
	// obs is the replay's observation (a pure function of the shape's
	// stack and principal, query and state), for the witnesses that reuse
	// the result without replaying it again
	obs *observe.Observation
}

func newShapeSeq() *shapeSeq {
	return &shapeSeq{pending: map[int]string{}, last: map[string]*turn{}, turns: map[int]*turn{}, advanced: make(chan struct{})}
}

// report records task idx's shape ("" for a task without a witness).
func (q *shapeSeq) report(idx int, shape string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending[idx] = shape
	moved := false
	for {
		sh, ok := q.pending[q.next]
		if !ok {
			break
		}
		delete(q.pending, q.next)
		if sh != "" {
			t := &turn{prev: q.last[sh], done: make(chan struct{})}
			if t.prev != nil {
				t.chain = t.prev.chain
			} else {
				t.chain = &chain{}
			}
			q.last[sh] = t
			q.turns[q.next] = t
		}
		q.next++
		moved = true
	}
	if moved {
		close(q.advanced)
		q.advanced = make(chan struct{})
	}
}

// enter reports task idx's shape and waits for its turn.
func (q *shapeSeq) enter(ctx context.Context, idx int, shape string) (*turn, error) {
	q.report(idx, shape)
	for {
		q.mu.Lock()
		if q.next > idx {
			t := q.turns[idx]
			delete(q.turns, idx)
			q.mu.Unlock()
			if p := t.prev; p != nil {
				select {
				case <-p.done:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				t.prev = nil // let finished turns be collected
			}
			return t, nil
		}
		ch := q.advanced
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// finish ends t's turn (idempotent).
func (t *turn) finish() { t.once.Do(func() { close(t.done) }) }
