package raigo

import "fmt"

// ChainResult is the outcome of evaluating one input against an ordered
// list of policies. Its embedded Result is the deciding policy's result.
type ChainResult struct {
	Result
	// DecidingPolicy names the policy whose result won (its path, or its
	// policy suite); DecidingIndex is its position in the chain, -1 for an
	// empty chain.
	DecidingPolicy string `json:"deciding_policy"`
	DecidingIndex  int    `json:"deciding_index"`
	// Results holds every policy's own result, in chain order.
	Results []Result `json:"results"`
}

// restrictiveness orders outcomes: DENY over WARN over ALLOW.
func restrictiveness(a Action) int {
	switch a {
	case ActionDeny:
		return 2
	case ActionWarn:
		return 1
	}
	return 0
}

// EvaluateChain evaluates in against every policy in order. The most
// restrictive result wins, compared on the enforced outcome (so that in
// observe mode a downgraded DENY still beats a genuine WARN); ties go to the
// earlier policy. For an empty chain the result is ALLOW.
func EvaluateChain(policies []*Policy, in Input, opts Options) ChainResult {
	out := ChainResult{DecidingIndex: -1, Results: make([]Result, len(policies))}
	for i, p := range policies {
		out.Results[i] = EvaluateWith(p, in, opts)
		if out.DecidingIndex < 0 ||
			restrictiveness(out.Results[i].EnforcedAction) > restrictiveness(out.Results[out.DecidingIndex].EnforcedAction) {
			out.DecidingIndex = i
		}
	}
	if out.DecidingIndex < 0 {
		out.Result = resolve(&Policy{}, nil, opts.Mode)
		return out
	}
	out.Result = out.Results[out.DecidingIndex]
	out.DecidingPolicy = policies[out.DecidingIndex].Name()
	if out.DecidingPolicy == "" {
		out.DecidingPolicy = fmt.Sprintf("policy %d", out.DecidingIndex)
	}
	return out
}
