package raigorun

import (
	"fmt"
	"time"

	"github.com/policystrata/policystrata/pipeline/raigo"
	"github.com/policystrata/policystrata/suites/raigotest"
)

// Exit codes of `raigo test` (decision 7).
const (
	// ExitOK: every test passed.
	ExitOK = 0
	// ExitFailed: a test failed, or a fuzz variant changed the action, or
	// (with --strict) there were warnings or unexercised rules, or the
	// coverage gate failed.
	ExitFailed = 1
	// ExitBadInput: a suite or policy could not be loaded or is invalid,
	// or the command line is wrong.
	ExitBadInput = 2
)

// CaseReport is the outcome of one test case.
type CaseReport struct {
	ID         string           `json:"id,omitempty"`
	Name       string           `json:"name"`
	Line       int              `json:"line"`
	Input      raigo.Input      `json:"input"`
	EngineMode raigo.Mode       `json:"engine_mode"`
	Expect     raigotest.Expect `json:"expect"`
	// Evaluation is the case's evaluation.
	Evaluation Evaluation `json:"evaluation"`
	// Failures are the failed assertions, then a changed snapshot.
	Failures []raigotest.Failure `json:"failures,omitempty"`
	// Minimized is the failing prompt shrunk (nil when the case passed,
	// minimization is off, or the prompt is not what fails).
	Minimized *Minimized `json:"minimized,omitempty"`
	// Snapshot is the snapshot comparison (nil without snapshots).
	Snapshot *SnapshotCheck `json:"snapshot,omitempty"`
	// Variants counts the fuzz variants evaluated; Divergent lists those
	// whose action differs from the case's.
	Variants  int       `json:"variants,omitempty"`
	Divergent []Variant `json:"divergent,omitempty"`
}

// Label names the case: its id, else its name.
func (c *CaseReport) Label() string {
	if c.ID != "" {
		return c.ID
	}
	return c.Name
}

// Passed reports whether every assertion held and the snapshot (if any)
// matched.
func (c *CaseReport) Passed() bool { return len(c.Failures) == 0 }

// SnapshotCounts counts a suite's snapshot statuses.
type SnapshotCounts struct {
	Matched int `json:"matched"`
	Written int `json:"written"`
	Changed int `json:"changed"`
	Updated int `json:"updated"`
}

// SuiteReport is the outcome of one suite.
type SuiteReport struct {
	Path string         `json:"path"`
	Name string         `json:"name"`
	Form raigotest.Form `json:"form"`
	// Policies are the policy paths as the suite wrote them (several for a
	// chain) and PolicyVersions their metadata versions.
	Policies       []string           `json:"policies"`
	PolicyVersions []string           `json:"policy_versions"`
	Cases          []CaseReport       `json:"cases"`
	Warnings       []raigo.Diagnostic `json:"warnings,omitempty"`
	Passed         int                `json:"passed"`
	Failed         int                `json:"failed"`
	// FuzzVariants and FuzzDivergent count the suite's fuzz variants and
	// those that changed the action.
	FuzzVariants  int             `json:"fuzz_variants,omitempty"`
	FuzzDivergent int             `json:"fuzz_divergent,omitempty"`
	Snapshots     *SnapshotCounts `json:"snapshots,omitempty"`
	// PolicyPaths are the policies as loaded, for looking up coverage.
	PolicyPaths []string `json:"policy_paths"`
}

// Totals sums a run.
type Totals struct {
	Suites int `json:"suites"`
	Cases  int `json:"cases"`
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	// Warnings counts distinct warnings (failures under --strict).
	Warnings      int `json:"warnings"`
	FuzzVariants  int `json:"fuzz_variants"`
	FuzzDivergent int `json:"fuzz_divergent"`
}

// Report is the outcome of a run.
type Report struct {
	Freeze Freeze        `json:"freeze"`
	RunAt  time.Time     `json:"run_at"`
	Suites []SuiteReport `json:"suites"`
	// Coverage is set when coverage was requested.
	Coverage *Coverage `json:"coverage,omitempty"`
	Totals   Totals    `json:"totals"`
	// Strict, Fuzz, Seed and Snapshots echo the options that change what
	// fails.
	Strict    bool   `json:"strict"`
	Fuzz      int    `json:"fuzz"`
	Seed      uint64 `json:"seed"`
	Snapshots bool   `json:"snapshots"`
	// Out is the trace directory written, if any.
	Out string `json:"out,omitempty"`
}

// Problems lists why the run fails, in a fixed order; none means exit 0.
func (r *Report) Problems() []string {
	var out []string
	t := r.Totals
	if t.Failed > 0 {
		out = append(out, fmt.Sprintf("%d of %d test(s) failed", t.Failed, t.Cases))
	}
	if t.FuzzDivergent > 0 {
		out = append(out, fmt.Sprintf("%d of %d fuzz variant(s) changed the action", t.FuzzDivergent, t.FuzzVariants))
	}
	if r.Strict && t.Warnings > 0 {
		out = append(out, fmt.Sprintf("%d warning(s) under --strict", t.Warnings))
	}
	if c := r.Coverage; c != nil {
		if r.Strict && c.Exercised < c.Rules {
			out = append(out, fmt.Sprintf("%d rule(s) not exercised under --strict", c.Rules-c.Exercised))
		}
		if c.Min > 0 && c.Percent < c.Min {
			out = append(out, fmt.Sprintf("rule coverage %.1f%% is below --min-coverage %g%%", c.Percent, c.Min))
		}
	}
	return out
}

// ExitCode is ExitFailed when [Report.Problems] lists anything, else
// ExitOK.
func (r *Report) ExitCode() int {
	if len(r.Problems()) > 0 {
		return ExitFailed
	}
	return ExitOK
}
