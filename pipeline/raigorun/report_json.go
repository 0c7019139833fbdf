package raigorun

import (
	"encoding/json"
	"io"
	"strings"
)

// jsonReporter renders the raigo testing framework's JSON output: one
// object per suite (an array of them when there are several), with this
// implementation's additions after the documented fields.
type jsonReporter struct{}

// JSONSuite is one suite in the JSON output.
type JSONSuite struct {
	Suite string `json:"suite"`
	// Policy is the policy as written (a chain's paths joined by ", ") and
	// PolicyVersion its version (joined likewise).
	Policy        string       `json:"policy"`
	PolicyVersion string       `json:"policy_version"`
	RunAt         string       `json:"run_at"`
	Total         int          `json:"total"`
	Passed        int          `json:"passed"`
	Failed        int          `json:"failed"`
	Results       []JSONResult `json:"results"`
	// File is the suite file and FreezeHash the run's freeze hash.
	File       string `json:"file"`
	FreezeHash string `json:"freeze_hash"`
	// Policies lists a chain's policies (chains only).
	Policies  []string         `json:"policies,omitempty"`
	Warnings  []string         `json:"warnings,omitempty"`
	Fuzz      *JSONFuzz        `json:"fuzz,omitempty"`
	Snapshots *SnapshotCounts  `json:"snapshots,omitempty"`
	Coverage  []PolicyCoverage `json:"coverage,omitempty"`
}

// JSONResult is one case in the JSON output.
type JSONResult struct {
	ID     string     `json:"id,omitempty"`
	Name   string     `json:"name"`
	Status string     `json:"status"`
	Actual JSONActual `json:"actual"`
	// Expected and Diff are set on failing results.
	Expected *JSONExpected `json:"expected,omitempty"`
	Diff     string        `json:"diff,omitempty"`
	// MinimizedPrompt is the failing prompt shrunk; SnapshotDiff the
	// change against the snapshot.
	MinimizedPrompt string `json:"minimized_prompt,omitempty"`
	SnapshotDiff    string `json:"snapshot_diff,omitempty"`
}

// JSONActual is what the evaluation produced, in test vocabulary.
type JSONActual struct {
	Action          string `json:"action"`
	RuleID          string `json:"rule_id,omitempty"`
	Severity        string `json:"severity,omitempty"`
	ObserveOverride bool   `json:"observeOverride,omitempty"`
	// Policy is the deciding policy of a chain.
	Policy string `json:"policy,omitempty"`
}

// JSONExpected is a case's expect block, its action in test vocabulary.
type JSONExpected struct {
	Action          string   `json:"action"`
	RuleID          *string  `json:"rule_id,omitempty"`
	Severity        *string  `json:"severity,omitempty"`
	ComplianceRefs  []string `json:"compliance_refs,omitempty"`
	MessageContains *string  `json:"message_contains,omitempty"`
	ErrorCode       *string  `json:"error_code,omitempty"`
	ObserveOverride *bool    `json:"observeOverride,omitempty"`
}

// JSONFuzz summarises a suite's fuzz variants and lists those that
// changed the action.
type JSONFuzz struct {
	Variants  int           `json:"variants"`
	Divergent int           `json:"divergent"`
	Findings  []JSONFinding `json:"findings"`
}

// JSONFinding is one fuzz variant whose action differs from its case's.
type JSONFinding struct {
	Case           string   `json:"case"`
	Variant        int      `json:"variant"`
	Mutations      []string `json:"mutations"`
	Prompt         string   `json:"prompt"`
	Action         string   `json:"action"`
	RuleID         string   `json:"rule_id,omitempty"`
	OriginalAction string   `json:"original_action"`
}

// Report implements Reporter.
func (jsonReporter) Report(w io.Writer, rep *Report) error {
	suites := make([]JSONSuite, len(rep.Suites))
	for i := range rep.Suites {
		suites[i] = jsonSuite(rep, &rep.Suites[i])
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if len(suites) == 1 {
		return enc.Encode(suites[0])
	}
	return enc.Encode(suites)
}

func jsonSuite(rep *Report, sr *SuiteReport) JSONSuite {
	js := JSONSuite{Suite: sr.Name, Policy: strings.Join(sr.Policies, ", "),
		PolicyVersion: strings.Join(sr.PolicyVersions, ", "),
		RunAt:         rep.RunAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		Total:         len(sr.Cases), Passed: sr.Passed, Failed: sr.Failed, Results: []JSONResult{},
		File: sr.Path, FreezeHash: rep.Freeze.Hash, Snapshots: sr.Snapshots}
	if len(sr.Policies) > 1 {
		js.Policies = sr.Policies
	}
	for _, d := range sr.Warnings {
		js.Warnings = append(js.Warnings, d.String())
	}
	if rep.Coverage != nil {
		js.Coverage = rep.Coverage.ForPolicies(sr.PolicyPaths)
	}
	if rep.Fuzz > 0 {
		js.Fuzz = &JSONFuzz{Variants: sr.FuzzVariants, Divergent: sr.FuzzDivergent, Findings: []JSONFinding{}}
	}
	for i := range sr.Cases {
		c := &sr.Cases[i]
		js.Results = append(js.Results, jsonResult(c))
		if js.Fuzz != nil {
			for _, v := range c.Divergent {
				js.Fuzz.Findings = append(js.Fuzz.Findings, JSONFinding{Case: c.Label(), Variant: v.Index,
					Mutations: v.Mutations, Prompt: v.Prompt, Action: v.Action, RuleID: v.RuleID,
					OriginalAction: c.Evaluation.Action.TestWord()})
			}
		}
	}
	return js
}

func jsonResult(c *CaseReport) JSONResult {
	ev := &c.Evaluation
	r := JSONResult{ID: c.ID, Name: c.Name, Status: "pass",
		Actual: JSONActual{Action: ev.Action.TestWord(), RuleID: ev.RuleID, Severity: ev.Severity,
			ObserveOverride: ev.ObserveOverride, Policy: ev.DecidingPolicy}}
	if c.Passed() {
		return r
	}
	e := &c.Expect
	r.Status = "fail"
	r.Expected = &JSONExpected{Action: e.Action.TestWord(), RuleID: e.RuleID, Severity: e.Severity,
		ComplianceRefs: e.ComplianceRefs, MessageContains: e.MessageContains, ErrorCode: e.ErrorCode,
		ObserveOverride: e.ObserveOverride}
	r.Diff = diffText(c)
	if m := c.Minimized; m != nil && m.Tokens < m.From {
		r.MinimizedPrompt = m.Prompt
	}
	if hasSnapshotDiff(c) {
		r.SnapshotDiff = c.Snapshot.Diff
	}
	return r
}
