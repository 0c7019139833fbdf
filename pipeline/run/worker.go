package run

import (
	"context"
	"time"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// item is what the evaluate/minimize stage hands the sinks.
type item struct {
	trace   trace.Trace
	witness *trace.Witness
	latency time.Duration
	// cross is the cross-engine comparison of the live statement, if any.
	cross *crossResult
}

type worker struct {
	sess  evaluate.Sessions
	ev    *evaluate.Evaluator
	min   bool
	cross db.Session
	// compact drops the bulky observation fields from traces.
	compact bool
}

func (w *worker) Process(ctx context.Context, t spec.Task) (*item, error) {
	start := time.Now()
	out, err := w.ev.EvaluateWith(ctx, w.sess, t)
	if err != nil {
		return nil, err
	}
	it := &item{trace: out.Trace}
	if w.cross != nil {
		if err := w.crossCheck(ctx, t, out, it); err != nil {
			return nil, err
		}
	}
	if w.min && out.Trace.WitnessClass != detect.Clean && out.Trace.AccountingStatus != trace.Invalid {
		wit, m, err := w.ev.Minimize(ctx, w.sess.Main, t, out)
		if err != nil {
			return nil, err
		}
		it.witness = &wit
		it.trace.Minimization = m
	}
	if w.compact {
		it.trace.Compact()
	}
	it.latency = time.Since(start)
	return it, nil
}

func (w *worker) Close() error {
	err := w.sess.Main.Close()
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
