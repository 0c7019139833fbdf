package raigotest

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

// Lint reports expectations that name a rule id none of the policies has
// (a --strict failure, decision 8). The diagnostics point at the rule_id
// lines.
func Lint(s *Suite, policies ...*raigo.Policy) []raigo.Diagnostic {
	var out []raigo.Diagnostic
	for i := range s.Cases {
		c := &s.Cases[i]
		if c.Expect.RuleID == nil || *c.Expect.RuleID == "" {
			continue
		}
		known := false
		for _, p := range policies {
			if p != nil && p.RuleByID(*c.Expect.RuleID) != nil {
				known = true
				break
			}
		}
		if !known {
			line := c.Expect.RuleIDLine
			if line == 0 {
				line = c.Line
			}
			out = append(out, raigo.Diagnostic{Path: s.Path, Line: line,
				Message: fmt.Sprintf("%s: expect.rule_id %q names no rule in the policy", c.Label(), *c.Expect.RuleID)})
		}
	}
	return out
}
