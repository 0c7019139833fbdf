package raigorun

// writeTraces writes the case's record and its variants' records.
func (r *runner) writeTraces(o outcome, cr *CaseReport) error {
	ls := r.suites[o.suite]
	rec := TraceRecord{FreezeHash: r.freeze.Hash, Suite: ls.suite.Name, SuiteFile: ls.suite.Path,
		CaseIndex: o.index, CaseID: cr.ID, CaseName: cr.Name, Kind: TraceCase,
		Prompt: cr.Input.Prompt, Content: cr.Input.Content, Context: cr.Input.Context, EngineMode: cr.EngineMode,
		ExpectedAction: cr.Expect.Action.TestWord(), Status: "pass"}
	rec.fill(&cr.Evaluation)
	if !cr.Passed() {
		rec.Status = "fail"
		for _, f := range cr.Failures {
			rec.Failures = append(rec.Failures, f.Message)
		}
	}
	if cr.Minimized != nil {
		rec.MinimizedPrompt = cr.Minimized.Prompt
	}
	if err := r.traces.write(&rec); err != nil {
		return err
	}
	for i, v := range o.variants {
		vr := TraceRecord{FreezeHash: r.freeze.Hash, Suite: ls.suite.Name, SuiteFile: ls.suite.Path,
			CaseIndex: o.index, CaseID: cr.ID, CaseName: cr.Name, Kind: TraceVariant, Variant: v.Index,
			Mutations: v.Mutations, Prompt: v.Prompt, Content: cr.Input.Content, Context: cr.Input.Context,
			EngineMode: cr.EngineMode, ExpectedAction: cr.Evaluation.Action.TestWord(), Status: "same"}
		vr.fill(&o.varEvals[i])
		if v.Diverged {
			vr.Status = "diverged"
		}
		if err := r.traces.write(&vr); err != nil {
			return err
		}
	}
	return nil
}

// fill copies the evaluation and its headline fields into the record.
func (rec *TraceRecord) fill(e *Evaluation) {
	rec.Evaluation = *e
	rec.Action = e.Action.TestWord()
	rec.RuleID, rec.Severity, rec.DecidingPolicy = e.RuleID, e.Severity, e.DecidingPolicy
}
