package raigorun

import (
	"context"
	"iter"

	"github.com/policystrata/policystrata/internal/outdir"
	"github.com/policystrata/policystrata/pipeline/pool"
)

// runner holds one run's loaded inputs and its sinks.
type runner struct {
	cfg      Config
	freeze   Freeze
	suites   []*loadedSuite
	policies []*policyFile
	evals    []*evaluator
	snaps    []*suiteSnapshots // nil without snapshots
	traces   *traceSink        // nil without --out
	accs     map[*policyFile]*coverageAcc
	rep      *Report
	done     int // cases collected (progress)
}

// Run loads the suites under cfg.Paths with their policies, freezes them,
// evaluates every case through a bounded worker pool and returns the
// report, writing traces and snapshots as configured. Bad input (an
// unreadable or invalid suite or policy, an impossible option) is an
// *InputError; a failing test is not an error but part of the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, &InputError{Problems: []string{err.Error()}}
	}
	suites, policies, err := load(cfg.Paths)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, freeze: freeze(suites, policies), suites: suites, policies: policies}
	for _, ls := range suites {
		r.evals = append(r.evals, newEvaluator(ls, cfg.Compat))
	}
	if cfg.SnapshotDir != "" {
		if r.snaps, err = loadSnapshots(cfg.SnapshotDir, suites); err != nil {
			return nil, err
		}
	}
	if cfg.Coverage {
		r.accs = map[*policyFile]*coverageAcc{}
		for _, pf := range policies {
			r.accs[pf] = newCoverageAcc(pf)
		}
	}
	r.rep = r.newReport()
	if cfg.Out != "" {
		if r.traces, err = openTraces(cfg.Out, cfg.Force); err != nil {
			return nil, &InputError{Problems: []string{err.Error()}}
		}
	}
	newWorker := func(context.Context) (pool.Worker[job, outcome], error) { return &worker{r: r}, nil }
	cases := 0
	for _, ls := range suites {
		cases += len(ls.suite.Cases)
	}
	cfg.Progress.Start(cases)
	err = pool.Run(ctx, cfg.Workers, r.jobs(), newWorker, r.collect)
	cfg.Progress.Finish()
	if err != nil {
		if r.traces != nil {
			r.traces.abort()
		}
		return nil, err
	}
	return r.finish()
}

// jobs yields every case of every suite, in suite order.
func (r *runner) jobs() iter.Seq[job] {
	return func(yield func(job) bool) {
		for si, ls := range r.suites {
			for ci := range ls.suite.Cases {
				if !yield(job{suite: si, index: ci}) {
					return
				}
			}
		}
	}
}

func (r *runner) newReport() *Report {
	rep := &Report{Freeze: r.freeze, RunAt: r.cfg.Now().UTC(), Strict: r.cfg.Strict, Fuzz: r.cfg.Fuzz,
		Seed: r.cfg.Seed, Snapshots: r.snaps != nil, Suites: make([]SuiteReport, len(r.suites))}
	for i, ls := range r.suites {
		sr := &rep.Suites[i]
		sr.Path, sr.Name, sr.Form = ls.suite.Path, ls.suite.Name, ls.suite.Form
		sr.Policies, sr.Warnings = ls.written, ls.warnings
		sr.Cases = make([]CaseReport, 0, len(ls.suite.Cases))
		for _, pf := range ls.policies {
			sr.PolicyVersions = append(sr.PolicyVersions, pf.policy.Version)
			sr.PolicyPaths = append(sr.PolicyPaths, pf.path)
		}
		if r.snaps != nil {
			sr.Snapshots = &SnapshotCounts{}
		}
	}
	return rep
}

// collect is the pool's sink: it receives outcomes in suite order and
// feeds the traces, snapshots, coverage and the report.
func (r *runner) collect(o outcome) error {
	sr := &r.rep.Suites[o.suite]
	cr := o.report
	cr.Variants = len(o.variants)
	for _, v := range o.variants {
		if v.Diverged {
			cr.Divergent = append(cr.Divergent, v)
		}
	}
	if r.traces != nil {
		if err := r.writeTraces(o, &cr); err != nil {
			return err
		}
	}
	if r.snaps != nil {
		r.snaps[o.suite].record(o.index, cr.Snapshot.Status, o.snapEntry)
		counts := sr.Snapshots
		switch cr.Snapshot.Status {
		case SnapshotMatched:
			counts.Matched++
		case SnapshotWritten:
			counts.Written++
		case SnapshotChanged:
			counts.Changed++
		case SnapshotUpdated:
			counts.Updated++
		}
	}
	if r.accs != nil {
		for i, pf := range r.suites[o.suite].policies {
			r.accs[pf].add(o.hits[i])
		}
	}
	if cr.Passed() {
		sr.Passed++
	} else {
		sr.Failed++
	}
	sr.FuzzVariants += cr.Variants
	sr.FuzzDivergent += len(cr.Divergent)
	sr.Cases = append(sr.Cases, cr)
	r.done++
	r.cfg.Progress.Set(r.done)
	return nil
}

// finish computes totals and coverage and writes snapshots, summary and
// traces.
func (r *runner) finish() (*Report, error) {
	rep := r.rep
	seen := map[string]bool{}
	for i := range rep.Suites {
		sr := &rep.Suites[i]
		t := &rep.Totals
		t.Suites++
		t.Cases += len(sr.Cases)
		t.Passed += sr.Passed
		t.Failed += sr.Failed
		t.FuzzVariants += sr.FuzzVariants
		t.FuzzDivergent += sr.FuzzDivergent
		for _, w := range sr.Warnings {
			if k := w.String(); !seen[k] {
				seen[k] = true
				t.Warnings++
			}
		}
	}
	if r.accs != nil {
		accs := make([]*coverageAcc, len(r.policies))
		for i, pf := range r.policies {
			accs[i] = r.accs[pf]
		}
		rep.Coverage = buildCoverage(accs, r.cfg.MinCoverage)
	}
	for _, ss := range r.snaps {
		if err := ss.write(r.cfg.UpdateSnapshots); err != nil {
			if r.traces != nil {
				r.traces.abort()
			}
			return nil, err
		}
	}
	if r.traces != nil {
		sum := r.summary()
		if err := r.traces.finish(&sum); err != nil {
			if outdir.IsRefused(err) {
				return nil, &InputError{Problems: []string{err.Error()}}
			}
			return nil, err
		}
		rep.Out = r.cfg.Out
	}
	return rep, nil
}

// summary builds summary.json from the finished report.
func (r *runner) summary() Summary {
	rep := r.rep
	s := Summary{Freeze: rep.Freeze, Strict: rep.Strict, Compat: r.cfg.Compat, Fuzz: rep.Fuzz, Seed: rep.Seed,
		Minimize: !r.cfg.NoMinimize, Totals: rep.Totals, Coverage: rep.Coverage, Problems: rep.Problems(),
		ExitCode: rep.ExitCode()}
	if s.Problems == nil {
		s.Problems = []string{}
	}
	for _, sr := range rep.Suites {
		ss := SuiteSummary{Path: sr.Path, Name: sr.Name, Policies: sr.Policies, Total: len(sr.Cases),
			Passed: sr.Passed, Failed: sr.Failed, FuzzVariants: sr.FuzzVariants, FuzzDivergent: sr.FuzzDivergent,
			FailedCases: []string{}}
		for i := range sr.Cases {
			if !sr.Cases[i].Passed() {
				ss.FailedCases = append(ss.FailedCases, sr.Cases[i].Label())
			}
		}
		s.Suites = append(s.Suites, ss)
	}
	return s
}
