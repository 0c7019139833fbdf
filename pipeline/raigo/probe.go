package raigo

import "strings"

// Probing breaks a rule's condition into its independently satisfiable
// parts (its triggers) and tells which of them an input satisfies, so that a
// test runner can report the triggers and detectors no test ever hits.
// Probing never changes an evaluation.

// Trigger is one independently satisfiable part of a rule's condition: a
// docs-format trigger (prompt_contains, tool_invocation, ...), a structured
// condition's trigger, or one alternative of a *_contains trigger
// (keywords, data_classification, environment, pattern). Detectors names
// the built-in detectors the part consults.
type Trigger struct {
	Name      string   `json:"name"`
	Detectors []string `json:"detectors,omitempty"`
}

// conditionLabel names a condition's trigger: the lowercased string
// condition, or the structured trigger (always when absent).
func conditionLabel(c *Condition) string {
	switch {
	case c == nil:
		return ""
	case c.IsText:
		return strings.ToLower(c.Text)
	case c.Structured == nil:
		return ""
	}
	if t := strings.ToLower(c.Structured.Trigger); t != "" {
		return t
	}
	return "always"
}

// parts splits m into labelled matchers that can each fire on their own.
// A matcher that can never fire has no parts.
func (m *matcher) parts() []matcher {
	switch m.kind {
	case matchNever:
		return nil
	case matchAnyOf:
		var out []matcher
		for i := range m.subs {
			out = append(out, m.subs[i].parts()...)
		}
		return out
	case matchContains:
		var out []matcher
		if len(m.keywords) > 0 {
			out = append(out, matcher{kind: matchContains, keywords: m.keywords, all: m.all, label: m.label + ".keywords"})
		}
		if len(m.classes) > 0 {
			out = append(out, matcher{kind: matchContains, classes: m.classes, dets: m.dets, label: m.label + ".data_classification"})
		}
		if m.hasEnv {
			out = append(out, matcher{kind: matchContains, hasEnv: true, envs: m.envs, label: m.label + ".environment"})
		}
		if m.re != nil {
			out = append(out, matcher{kind: matchContains, re: m.re, label: m.label + ".pattern"})
		}
		return out
	}
	return []matcher{*m}
}

// Triggers lists the rule's triggers in condition order. A condition that
// can never match has none.
func (r *Rule) Triggers() []Trigger {
	parts := r.cond.parts()
	out := make([]Trigger, len(parts))
	for i := range parts {
		out[i] = Trigger{Name: parts[i].label, Detectors: parts[i].dets.names()}
	}
	return out
}

// FiredTriggers reports, for each of the rule's [Rule.Triggers] in order,
// whether it matches in. Disabled rules are probed like enabled ones.
func (r *Rule) FiredTriggers(in Input) []bool {
	parts := r.cond.parts()
	out := make([]bool, len(parts))
	s := newState(&in)
	for i := range parts {
		out[i] = parts[i].match(s)
	}
	s.release()
	return out
}

// DetectorNames lists the built-in detectors in a fixed order: pii,
// pii_request, phi, classified, prompt_injection, destructive_action,
// financial_action, external_content_execution.
func DetectorNames() []string {
	return append([]string(nil), detectorNames[:]...)
}

// Detect returns the built-in detectors that match the input's text, in
// [DetectorNames] order. (The PHI detector also matches whatever the PII
// detector matches, as in the reference engine.)
func Detect(in Input) []string {
	s := newState(&in)
	out := []string{}
	for d := detector(0); d < numDetectors; d++ {
		if s.detect(d) {
			out = append(out, detectorNames[d])
		}
	}
	s.release()
	return out
}

// names lists the detectors in the set, in detector order.
func (set detectorSet) names() []string {
	var out []string
	for d := detector(0); d < numDetectors; d++ {
		if set&d.bit() != 0 {
			out = append(out, detectorNames[d])
		}
	}
	return out
}
