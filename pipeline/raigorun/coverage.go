package raigorun

import (
	"slices"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

// Coverage reports, per policy, what the suites' cases exercise. Fuzz
// variants and minimization probes do not count: coverage is a property
// of the written tests.
type Coverage struct {
	// Rules and Exercised count enabled rules across all policies, and
	// Percent is their ratio (100 when there are no rules).
	Rules     int     `json:"rules"`
	Exercised int     `json:"exercised"`
	Percent   float64 `json:"percent"`
	// Min is the --min-coverage gate (0: none).
	Min      float64          `json:"min,omitempty"`
	Policies []PolicyCoverage `json:"policies"`
}

// PolicyCoverage is one policy's coverage.
type PolicyCoverage struct {
	// Policy is the policy file as loaded.
	Policy    string  `json:"policy"`
	Rules     int     `json:"rules"`
	Exercised int     `json:"exercised"`
	Percent   float64 `json:"percent"`
	// RuleHits counts, for every enabled rule in file order, the cases
	// whose evaluation matched it.
	RuleHits []RuleHit `json:"rule_hits"`
	// Uncovered lists the enabled rules no case matched.
	Uncovered []string `json:"uncovered"`
	// UnhitTriggers lists the rules' triggers no case satisfied.
	UnhitTriggers []TriggerRef `json:"unhit_triggers"`
	// UnhitDetectors lists the built-in detectors the policy consults that
	// no case's text set off.
	UnhitDetectors []string `json:"unhit_detectors"`
}

// RuleHit counts the cases that matched a rule.
type RuleHit struct {
	Rule  string `json:"rule"`
	Cases int    `json:"cases"`
}

// TriggerRef names one trigger of one rule.
type TriggerRef struct {
	Rule    string `json:"rule"`
	Trigger string `json:"trigger"`
}

// policyHits is what one case contributes to one policy's coverage.
type policyHits struct {
	matched   []int    // rule indexes matched
	triggers  [][]bool // per rule index: fired triggers
	detectors []string // detectors that match the text
}

// probeCoverage computes a case's contribution to each policy of the chain.
func probeCoverage(policies []*raigo.Policy, in raigo.Input, e *Evaluation) []policyHits {
	dets := raigo.Detect(in)
	results := e.perPolicy()
	out := make([]policyHits, len(policies))
	for i, p := range policies {
		h := policyHits{detectors: dets, triggers: make([][]bool, len(p.Rules))}
		for _, m := range results[i].Matches {
			h.matched = append(h.matched, m.Index)
		}
		for _, r := range p.Rules {
			if r.Enabled {
				h.triggers[r.Index] = r.FiredTriggers(in)
			}
		}
		out[i] = h
	}
	return out
}

// coverageAcc accumulates one policy's coverage over the run.
type coverageAcc struct {
	pf       *policyFile
	ruleHits []int
	triggers [][]bool
	dets     map[string]bool
}

func newCoverageAcc(pf *policyFile) *coverageAcc {
	a := &coverageAcc{pf: pf, ruleHits: make([]int, len(pf.policy.Rules)),
		triggers: make([][]bool, len(pf.policy.Rules)), dets: map[string]bool{}}
	for _, r := range pf.policy.Rules {
		a.triggers[r.Index] = make([]bool, len(r.Triggers()))
	}
	return a
}

func (a *coverageAcc) add(h policyHits) {
	for _, idx := range h.matched {
		a.ruleHits[idx]++
	}
	for idx, fired := range h.triggers {
		for t, ok := range fired {
			if ok {
				a.triggers[idx][t] = true
			}
		}
	}
	for _, d := range h.detectors {
		a.dets[d] = true
	}
}

func (a *coverageAcc) report() PolicyCoverage {
	pc := PolicyCoverage{Policy: a.pf.path, RuleHits: []RuleHit{}, Uncovered: []string{},
		UnhitTriggers: []TriggerRef{}, UnhitDetectors: []string{}}
	consulted := map[string]bool{}
	for _, r := range a.pf.policy.Rules {
		if !r.Enabled {
			continue
		}
		pc.Rules++
		pc.RuleHits = append(pc.RuleHits, RuleHit{Rule: r.ID, Cases: a.ruleHits[r.Index]})
		if a.ruleHits[r.Index] > 0 {
			pc.Exercised++
		} else {
			pc.Uncovered = append(pc.Uncovered, r.ID)
		}
		for t, trig := range r.Triggers() {
			if !a.triggers[r.Index][t] {
				pc.UnhitTriggers = append(pc.UnhitTriggers, TriggerRef{Rule: r.ID, Trigger: trig.Name})
			}
			for _, d := range trig.Detectors {
				consulted[d] = true
			}
		}
	}
	for _, d := range raigo.DetectorNames() {
		if consulted[d] && !a.dets[d] {
			pc.UnhitDetectors = append(pc.UnhitDetectors, d)
		}
	}
	pc.Percent = percent(pc.Exercised, pc.Rules)
	return pc
}

func percent(n, of int) float64 {
	if of == 0 {
		return 100
	}
	return float64(n) * 100 / float64(of)
}

// buildCoverage combines the per-policy accumulators, in first-use order.
func buildCoverage(accs []*coverageAcc, min float64) *Coverage {
	c := &Coverage{Min: min, Policies: []PolicyCoverage{}}
	for _, a := range accs {
		pc := a.report()
		c.Rules += pc.Rules
		c.Exercised += pc.Exercised
		c.Policies = append(c.Policies, pc)
	}
	c.Percent = percent(c.Exercised, c.Rules)
	return c
}

// ForPolicies returns the coverage of the named policies (as loaded), in
// the given order.
func (c *Coverage) ForPolicies(paths []string) []PolicyCoverage {
	var out []PolicyCoverage
	for _, p := range paths {
		i := slices.IndexFunc(c.Policies, func(pc PolicyCoverage) bool { return pc.Policy == p })
		if i >= 0 {
			out = append(out, c.Policies[i])
		}
	}
	return out
}
