package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan"
)

// Markdown renders report.md: Gate, Production Integration, Evidence
// Exercised, Mutants, Findings (a `No findings` row when empty),
// Remediation.
func Markdown(res *scan.Result) string {
	var b strings.Builder
	s := res.Summary
	fmt.Fprintf(&b, "# PolicyStrata Scan\n\n")
	fmt.Fprintf(&b, "## Gate\n\n- Outcome: **%s**\n- Findings: %d (%d high-confidence failures, %d warnings, %d infos)\n", res.Gate.Outcome, s.TotalFindings, s.HighConfidenceFailures, s.Warnings, s.Infos)
	for _, r := range res.Gate.Reasons {
		fmt.Fprintf(&b, "- %s\n", r)
	}
	fmt.Fprintf(&b, "\n## Production Integration\n\nLevel: **%s**\n\n| stage | ready |\n| --- | --- |\n", orDash(s.IntegrationReadiness.Level))
	for _, st := range scan.ReadinessStages {
		fmt.Fprintf(&b, "| %s | %t |\n", st, s.IntegrationReadiness.Stages[st])
	}
	fmt.Fprintf(&b, "\nNext step: %s\n", s.IntegrationReadiness.RecommendedNextStep)
	fmt.Fprintf(&b, "\n## Evidence Exercised\n\n| evidence | count |\n| --- | --- |\n")
	for _, k := range sortedKeys(s.EvidenceExercised) {
		fmt.Fprintf(&b, "| %s | %d |\n", k, s.EvidenceExercised[k])
	}
	if len(s.MutantStatuses) > 0 {
		fmt.Fprintf(&b, "\n## Mutants\n\n| mutation | killed | survived | equivalent | stillborn |\n| --- | --- | --- | --- | --- |\n")
		for _, k := range scan.MutationKinds {
			m := s.Mutations[k]
			if m == nil {
				continue
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", k, m[scan.StatusKilled], m[scan.StatusSurvived], m[scan.StatusEquivalent], m[scan.StatusStillborn])
		}
	}
	fmt.Fprintf(&b, "\n## Findings\n\n| id | severity | confidence | surface | class | title |\n| --- | --- | --- | --- | --- | --- |\n")
	if len(res.Findings) == 0 {
		fmt.Fprintf(&b, "| No findings | | | | | |\n")
	}
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", f.ID, f.Severity, f.Confidence, f.Surface, f.WitnessClass, mdEscape(f.Title))
	}
	fmt.Fprintf(&b, "\n## Remediation\n\n")
	if len(res.Findings) == 0 {
		fmt.Fprintf(&b, "No remediation required.\n")
	}
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "### %s\n\n", f.ID)
		if f.Location != nil && f.Location.File != "" {
			loc := f.Location.File
			if f.Location.Line > 0 {
				loc = fmt.Sprintf("%s:%d", loc, f.Location.Line)
			}
			fmt.Fprintf(&b, "- Where: `%s`\n", loc)
		}
		for _, r := range f.Reasons {
			fmt.Fprintf(&b, "- Reason: %s\n", mdEscape(r))
		}
		fmt.Fprintf(&b, "- Owner: %s\n- What changed: %s\n- Probable fix: %s\n- Witness: `%s`\n- Reproduce: `%s`\n\n", f.Owner, f.WhatChanged, f.ProbableFix, f.WitnessPath, f.ReproducibleCommand)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
