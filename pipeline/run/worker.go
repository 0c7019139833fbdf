package run

import (
	"context"
	"fmt"
	"time"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// item is what the evaluate/minimize stage hands the sinks.
type item struct {
	trace trace.Trace
	// witness is the witness file's bytes (nil: no witness), encoded by
	// the worker that made it
	witness []byte
	latency time.Duration
	// cross is the cross-engine comparison of the live statement, if any.
	cross *crossResult
	// minimize is the time spent minimizing the witness (0: none).
	minimize time.Duration
	// pos is the task's index in the suite.
	pos int
}

// indexed is a task with its position in the run (idx: the order the
// minimizer sequences) and in the suite (pos; the same unless sharded).
type indexed struct {
	idx  int
	pos  int
	task spec.Task
}

type worker struct {
	sess evaluate.Sessions
	ev   *evaluate.Evaluator
	// min minimizes witnesses (nil: --no-minimize) on minSess, a session
	// that can be restricted to subsets of the state.
	min       *evaluate.Minimizer
	minSess   db.Session
	minEngine db.Engine
	cross     db.Session
	// compact drops the bulky observation fields from traces.
	compact bool
}

func (w *worker) Process(ctx context.Context, in indexed) (*item, error) {
	t := in.task
	start := time.Now()
	out, err := w.ev.EvaluateWith(ctx, w.sess, t)
	if err != nil {
		return nil, err
	}
	it := &item{trace: out.Trace, pos: in.pos}
	if w.cross != nil {
		if err := w.crossCheck(ctx, t, out, it); err != nil {
			return nil, err
		}
	}
	if w.min != nil {
		if out.Trace.WitnessClass != detect.Clean && out.Trace.AccountingStatus != trace.Invalid {
			m0 := time.Now()
			wit, m, err := w.min.Minimize(ctx, w.minSess, in.idx, t, out)
			if err != nil {
				return nil, err
			}
			it.minimize = time.Since(m0)
			if it.witness, err = w.min.EncodeWitness(wit); err != nil {
				return nil, fmt.Errorf("encode witness %s: %w", t.ID, err)
			}
			it.trace.Minimization = m
		} else {
			w.min.Skip(in.idx)
		}
	}
	if w.compact {
		it.trace.Compact()
	}
	it.latency = time.Since(start)
	return it, nil
}

func (w *worker) Close() error {
	err := w.sess.Main.Close()
	if w.minSess != nil {
		if e := w.minSess.Close(); e != nil && err == nil {
			err = e
		}
	}
	if w.minEngine != nil {
		if e := w.minEngine.Close(); e != nil && err == nil {
			err = e
		}
	}
	if w.cross != nil {
		if e := w.cross.Close(); e != nil && err == nil {
			err = e
		}
	}
	for _, p := range w.sess.Probes {
		if e := p.Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// ProbeSeed is the seed of probe state k (1-based) of a suite whose state
// seed is seed.
func ProbeSeed(seed uint64, k int) uint64 { return seed*1_000_003 + uint64(k) }
