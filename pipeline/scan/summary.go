package scan

import "sort"

// Summary is summary.json.
type Summary struct {
	TotalFindings          int            `json:"total_findings"`
	Warnings               int            `json:"warnings"`
	Infos                  int            `json:"infos"`
	Gate                   string         `json:"gate"`
	HighConfidenceFailures int            `json:"high_confidence_failures"`
	EvidenceExercised      map[string]int `json:"evidence_exercised"`
	EvidenceLevels         map[string]int `json:"evidence_levels"`
	MutantStatuses         map[string]int `json:"mutant_statuses"`
	RegressionCases        map[string]int `json:"regression_cases"`
	IntegrationReadiness   Readiness      `json:"integration_readiness"`
	// Traces counts the traces scanned; Mutations the mutants per kind and
	// status.
	Traces    int                       `json:"traces"`
	Mutations map[string]map[string]int `json:"mutations"`
	// NotExecuted counts, by reason, the authorised traces the database
	// stage could not run (absent when every one ran).
	NotExecuted map[string]int `json:"not_executed,omitempty"`
}

// Readiness is how far the integration is wired.
type Readiness struct {
	Level               string          `json:"level"`
	Stages              map[string]bool `json:"stages"`
	RecommendedNextStep string          `json:"recommended_next_step"`
	BlockingFindings    []string        `json:"blocking_findings"`
	// BlockingOmitted counts the blocking findings past MaxListedIDs.
	BlockingOmitted int `json:"blocking_findings_omitted,omitempty"`
}

// ReadinessStages in ascending order.
var ReadinessStages = []string{"demo-ready", "fixture-ready", "trace-ready", "db-ready", "ci-gate-ready"}

var nextStep = map[string]string{
	"":              "Load a domain (policy.yaml and surfaces.yaml) and re-run the scan.",
	"demo-ready":    "Validate the domain fixture.",
	"fixture-ready": "Export the SQL your agent runs as JSONL traces (sql_traces.files) and re-run the scan.",
	"trace-ready":   "Require the inputs the gate depends on (gate.required_inputs) and wire the scan into CI.",
	"db-ready":      "Require the inputs the gate depends on (gate.required_inputs) and wire the scan into CI.",
	"ci-gate-ready": "Keep the scan in CI; add traces for new agent tools and a database fixture with RLS checks.",
}

func (s *Summary) count(f *Finding) {
	s.TotalFindings++
	switch f.Severity {
	case SevWarning:
		s.Warnings++
	case SevInfo:
		s.Infos++
	}
	if (f.Severity == SevHigh || f.Severity == SevCritical) && f.Confidence == ConfHigh {
		s.HighConfidenceFailures++
	}
	s.EvidenceLevels[f.EvidenceLevel]++
	s.RegressionCases[f.RegressionCase]++
}

func newSummary() Summary {
	return Summary{
		EvidenceExercised: map[string]int{EvImported: 0, EvProperty: 0, EvRealDB: 0},
		EvidenceLevels:    map[string]int{}, MutantStatuses: map[string]int{}, RegressionCases: map[string]int{},
		Mutations: map[string]map[string]int{},
	}
}

func (s *Summary) readiness(stages map[string]bool, blocking []string, omitted int) {
	level := ""
	for _, st := range ReadinessStages {
		if stages[st] {
			level = st
		}
	}
	b := append([]string{}, blocking...)
	sort.Strings(b)
	s.IntegrationReadiness = Readiness{Level: level, Stages: stages, RecommendedNextStep: nextStep[level], BlockingFindings: b, BlockingOmitted: omitted}
}
