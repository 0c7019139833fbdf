package raigorun

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCoverageOfFailingSuite(t *testing.T) {
	rep := mustRun(t, Config{Paths: []string{examples + "/failing"}, Coverage: true})
	pc := rep.Coverage.Policies[0]
	want := PolicyCoverage{
		Policy: "../../examples/raigo/policies/agent_firewall.raigo", Rules: 12, Exercised: 6, Percent: 50,
		RuleHits: []RuleHit{{"AF-01", 2}, {"AF-02", 0}, {"AF-03", 2}, {"AF-04", 1}, {"AF-05", 1}, {"AF-06", 9},
			{"AF-07", 0}, {"AF-08", 0}, {"AF-09", 0}, {"AF-10", 1}, {"AF-11", 0}, {"AF-12", 0}},
		Uncovered: []string{"AF-02", "AF-07", "AF-08", "AF-09", "AF-11", "AF-12"},
		UnhitTriggers: []TriggerRef{{"AF-02", "prompt_contains.data_classification"}, {"AF-07", "tool_invocation"},
			{"AF-08", "data_transfer"}, {"AF-09", "code_generation"}, {"AF-11", "pattern"},
			{"AF-12", "input_contains.keywords"}, {"AF-12", "input_contains.environment"}},
		UnhitDetectors: []string{"pii", "pii_request", "phi"},
	}
	if diff := cmp.Diff(want, pc); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if got := rep.Coverage.ForPolicies([]string{"nope", pc.Policy}); len(got) != 1 {
		t.Errorf("ForPolicies = %d", len(got))
	}
}

func TestCoverageEmpty(t *testing.T) {
	c := buildCoverage(nil, 0)
	if c.Percent != 100 || c.Rules != 0 {
		t.Errorf("%+v", c)
	}
}
