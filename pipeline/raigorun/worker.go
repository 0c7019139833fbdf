package raigorun

import (
	"context"
	"fmt"

	"github.com/policystrata/policystrata/suites/raigotest"
)

// job is one test case of one suite.
type job struct {
	suite, index int
}

// outcome is a worker's answer for one job: the case report, every fuzz
// variant (with its evaluation when traces are written), the snapshot
// entry and the case's coverage contribution.
type outcome struct {
	job
	report    CaseReport
	variants  []Variant
	varEvals  []Evaluation
	snapEntry string
	hits      []policyHits
}

// worker evaluates jobs; it holds no state of its own, since evaluation is
// pure and the policies are shared read-only.
type worker struct{ r *runner }

// Close implements pool.Worker.
func (w *worker) Close() error { return nil }

// Process evaluates a case, checks it, compares its snapshot, minimizes it
// if it failed and evaluates its fuzz variants.
func (w *worker) Process(ctx context.Context, j job) (outcome, error) {
	r := w.r
	ls, ev := r.suites[j.suite], r.evals[j.suite]
	c := &ls.suite.Cases[j.index]
	e := ev.evaluate(c.Input, c.EngineMode)
	out := outcome{job: j, report: CaseReport{ID: c.ID, Name: c.Name, Line: c.Line, Input: c.Input,
		EngineMode: c.EngineMode, Expect: c.Expect, Evaluation: e}}
	fails := raigotest.Check(c.Expect, &e.Result)
	out.report.Failures = fails
	if len(fails) > 0 && !r.cfg.NoMinimize {
		out.report.Minimized = minimizePrompt(ev, c, e, fails)
	}
	if r.snaps != nil {
		check, entry, err := r.snaps[j.suite].check(j.index, c, e, r.cfg.UpdateSnapshots)
		if err != nil {
			return out, err
		}
		out.report.Snapshot, out.snapEntry = &check, entry
		if check.Status == SnapshotChanged {
			out.report.Failures = append(out.report.Failures, raigotest.Failure{Field: "snapshot",
				Expected: "the recorded evaluation", Actual: "a different evaluation",
				Message: fmt.Sprintf("snapshot mismatch: the evaluation differs from %s", r.snaps[j.suite].path)})
		}
	}
	if r.cfg.Coverage {
		out.hits = probeCoverage(ev.policies, c.Input, &e)
	}
	for v := 1; v <= r.cfg.Fuzz; v++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		rnd := variantRand(r.cfg.Seed, ls.suite.Name, j.index, c.Label(), v)
		prompt, muts := FuzzPrompt(rnd, c.Input.Prompt, v)
		in := c.Input
		in.Prompt = prompt
		ve := ev.evaluate(in, c.EngineMode)
		out.variants = append(out.variants, Variant{Index: v, Mutations: muts, Prompt: prompt,
			Action: ve.Action.TestWord(), RuleID: ve.RuleID, Diverged: ve.Action != e.Action})
		if r.traces != nil {
			out.varEvals = append(out.varEvals, ve) // only the traces need them
		}
	}
	return out, nil
}
