package raigo

// Input is what a policy is evaluated against. The matched text is Prompt
// and Content, the non-empty ones joined with one space. Context keys the
// engine reads: language, destination, environment, tool_invocation (or
// tool_invoked) as strings; data_classification and anomaly_types as lists.
type Input struct {
	Prompt  string         `json:"prompt,omitempty"`
	Content string         `json:"content,omitempty"`
	Context map[string]any `json:"context,omitempty"`
}

// Options tunes an evaluation.
type Options struct {
	// Mode is the engine mode; anything but ModeObserve means enforce.
	Mode Mode
	// Compat selects the reference engine's ENFORCE-as-DENY behaviour.
	Compat Compat
}

// Evaluate evaluates p (which must not be nil) against in in the given
// mode, applying this project's decisions (ENFORCE is a directive). It is
// safe for concurrent use. The RuleMatch values and slices of the returned
// Result share the policy's read-only rule data and must not be modified.
func Evaluate(p *Policy, in Input, mode Mode) Result {
	return EvaluateWith(p, in, Options{Mode: mode})
}

// EvaluateWith is [Evaluate] with every option.
func EvaluateWith(p *Policy, in Input, opts Options) Result {
	s := newState(&in)
	compat := opts.Compat == CompatEngine
	var buf [16]*RuleMatch
	matches := buf[:0]
	for _, r := range p.active {
		if r.cond.match(s) {
			if compat {
				matches = append(matches, r.compatHit)
			} else {
				matches = append(matches, r.hit)
			}
		}
	}
	s.release()
	return resolve(p, matches, opts.Mode)
}
