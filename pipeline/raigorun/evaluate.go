package raigorun

import (
	"github.com/policystrata/policystrata/pipeline/raigo"
)

// Evaluation is one input's evaluation against a suite's policy or policy
// chain. Policy paths in it are as the suite wrote them, so that it does
// not depend on the directory the run started in.
type Evaluation struct {
	// Result is the deciding result (the only one for a single policy).
	raigo.Result
	// DecidingPolicy names the policy whose result won; chains only.
	DecidingPolicy string `json:"deciding_policy,omitempty"`
	// Chain holds every policy's own result in chain order; chains only.
	Chain []raigo.Result `json:"chain,omitempty"`
}

// perPolicy returns each policy's own result, in chain order.
func (e *Evaluation) perPolicy() []raigo.Result {
	if e.Chain != nil {
		return e.Chain
	}
	return []raigo.Result{e.Result}
}

// evaluator evaluates inputs against one suite's policy chain.
type evaluator struct {
	policies []*raigo.Policy
	written  []string
	compat   raigo.Compat
}

func newEvaluator(ls *loadedSuite, compat raigo.Compat) *evaluator {
	return &evaluator{policies: ls.chain(), written: ls.written, compat: compat}
}

// evaluate evaluates in in the given mode.
func (ev *evaluator) evaluate(in raigo.Input, mode raigo.Mode) Evaluation {
	opts := raigo.Options{Mode: mode, Compat: ev.compat}
	if len(ev.policies) == 1 {
		r := raigo.EvaluateWith(ev.policies[0], in, opts)
		r.Policy = ev.written[0]
		return Evaluation{Result: r}
	}
	cr := raigo.EvaluateChain(ev.policies, in, opts)
	for i := range cr.Results {
		cr.Results[i].Policy = ev.written[i]
	}
	e := Evaluation{Result: cr.Result, Chain: cr.Results}
	if cr.DecidingIndex >= 0 {
		e.Result.Policy = ev.written[cr.DecidingIndex]
		e.DecidingPolicy = ev.written[cr.DecidingIndex]
	}
	return e
}
