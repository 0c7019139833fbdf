package evaluate

import (
	"context"
	"sync"

	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// maxChainStates bounds the minimal states a failure shape remembers, and
// maxChainResults the finished reductions (with their observations, which
// later witnesses reuse outright). At 16 results, generated 10,000 filled
// its shapes' chains early: later witnesses could not reuse the results
// past the sixteenth, and 1,436 of them were replayed once more for their
// observation; at 64, 265 full state reductions against 298, 17,524
// replays against 19,260, 214 final replays, 0.93-0.96x the minimizing
// run's time (BenchmarkMinimization at 10,000 tasks) for about 55 MB more
// peak (generated 500 is unchanged: no chain fills).
const (
	maxChainStates  = 8
	maxChainResults = 64
)

// shapeSeq orders the state reductions of one run so that reuse is
// deterministic: every task reports its failure shape (or none) in any
// order; a task's turn comes once every earlier task of its lane (in suite
// order) has reported and the previous task of its shape has finished.
// Each shape's tasks therefore see the minimal states of the earlier ones
// in suite order, whatever the worker count and scheduling. A lane is the
// whole suite, or, once the run announces each task's operator (Announce,
// in suite order, before the task is reported), the tasks of one operator:
// a shape belongs to one operator, so its tasks keep their order, and a
// task waits only for the earlier tasks of its operator to be evaluated,
// not for every earlier task (a worker no longer waits for the other's
// evaluation to finish before it may reduce).
type shapeSeq struct {
	mu sync.Mutex
	// announced is set by the first Announce: lanes are operators
	announced bool
	lanes     map[string]*lane
	// laneOf holds the lane of each announced task not yet turned
	laneOf map[int]string
	last   map[string]*turn
	// turns holds the turn of each task with a shape whose turn came and
	// that has not entered yet
	turns    map[int]*turn
	advanced chan struct{}
}

// lane is one ordered sequence of tasks: the announced tasks of an
// operator, or every task by index when nothing is announced.
type lane struct {
	// order lists the lane's announced tasks not yet turned, in suite
	// order; next is the next index of an unannounced lane
	order   []int
	next    int
	pending map[int]string
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
	return &shapeSeq{lanes: map[string]*lane{}, laneOf: map[int]string{}, last: map[string]*turn{},
		turns: map[int]*turn{}, advanced: make(chan struct{})}
}

// laneFor returns the lane named name, made on first use.
func (q *shapeSeq) laneFor(name string) *lane {
	l := q.lanes[name]
	if l == nil {
		l = &lane{pending: map[int]string{}}
		q.lanes[name] = l
	}
	return l
}

// announce records that task idx belongs to lane op. Tasks must be
// announced in suite order, each before it is reported, and either all
// of a run's tasks or none.
func (q *shapeSeq) announce(idx int, op string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.announced = true
	q.laneOf[idx] = op
	l := q.laneFor(op)
	l.order = append(l.order, idx)
}

// report records task idx's shape ("" for a task without a witness).
func (q *shapeSeq) report(idx int, shape string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	name := ""
	if q.announced {
		name = q.laneOf[idx]
	}
	l := q.laneFor(name)
	l.pending[idx] = shape
	moved := false
	for {
		head := l.next
		if q.announced {
			if len(l.order) == 0 {
				break
			}
			head = l.order[0]
		}
		sh, ok := l.pending[head]
		if !ok {
			break
		}
		delete(l.pending, head)
		if q.announced {
			l.order = l.order[1:]
			delete(q.laneOf, head)
		} else {
			l.next++
		}
		if sh != "" {
			t := &turn{prev: q.last[sh], done: make(chan struct{})}
			if t.prev != nil {
				t.chain = t.prev.chain
			} else {
				t.chain = &chain{}
			}
			q.last[sh] = t
			q.turns[head] = t
		}
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
		if t, ok := q.turns[idx]; ok {
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
