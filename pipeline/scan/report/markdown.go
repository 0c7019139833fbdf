package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan"
)

// MaxListedFindings bounds the findings report.md lists (in the Findings
// table and the Remediation section): past it, a line counts the rest,
// which findings.jsonl holds.
const MaxListedFindings = 200

// Markdown renders report.md (findings from res.Findings).
func Markdown(res *scan.Result) string {
	var b strings.Builder
	_ = writeMarkdown(&b, res, SliceFindings(res.Findings))
	return b.String()
}

// errListed stops an iteration once MaxListedFindings were listed.
var errListed = errors.New("listed enough findings")

// writeMarkdown writes report.md: Gate, Production Integration, Evidence
// Exercised, Mutants, Findings (a `No findings` row when empty; the first
// MaxListedFindings), Remediation.
func writeMarkdown(w io.Writer, res *scan.Result, src Findings) error {
	b := bufio.NewWriter(w)
	s := res.Summary
	fmt.Fprintf(b, "# PolicyStrata Scan\n\n")
	fmt.Fprintf(b, "## Gate\n\n- Outcome: **%s**\n- Findings: %d (%d high-confidence failures, %d warnings, %d infos)\n", res.Gate.Outcome, s.TotalFindings, s.HighConfidenceFailures, s.Warnings, s.Infos)
	for _, r := range res.Gate.Reasons {
		fmt.Fprintf(b, "- %s\n", r)
	}
	fmt.Fprintf(b, "\n## Production Integration\n\nLevel: **%s**\n\n| stage | ready |\n| --- | --- |\n", orDash(s.IntegrationReadiness.Level))
	for _, st := range scan.ReadinessStages {
		fmt.Fprintf(b, "| %s | %t |\n", st, s.IntegrationReadiness.Stages[st])
	}
	fmt.Fprintf(b, "\nNext step: %s\n", s.IntegrationReadiness.RecommendedNextStep)
	fmt.Fprintf(b, "\n## Evidence Exercised\n\n| evidence | count |\n| --- | --- |\n")
	for _, k := range sortedKeys(s.EvidenceExercised) {
		fmt.Fprintf(b, "| %s | %d |\n", k, s.EvidenceExercised[k])
	}
	if len(s.MutantStatuses) > 0 {
		fmt.Fprintf(b, "\n## Mutants\n\n| mutation | killed | survived | equivalent | stillborn |\n| --- | --- | --- | --- | --- |\n")
		for _, k := range scan.MutationKinds {
			m := s.Mutations[k]
			if m == nil {
				continue
			}
			fmt.Fprintf(b, "| %s | %d | %d | %d | %d |\n", k, m[scan.StatusKilled], m[scan.StatusSurvived], m[scan.StatusEquivalent], m[scan.StatusStillborn])
		}
	}
	listed := func(fn func(f *scan.Finding)) error {
		n := 0
		err := src(func(f *scan.Finding) error {
			if n == MaxListedFindings {
				return errListed
			}
			n++
			fn(f)
			return nil
		})
		if err != nil && !errors.Is(err, errListed) {
			return err
		}
		if more := s.TotalFindings - n; more > 0 {
			fmt.Fprintf(b, "\n%d more findings are not listed here: findings.jsonl holds every finding.\n", more)
		}
		return nil
	}
	fmt.Fprintf(b, "\n## Findings\n\n| id | severity | confidence | surface | class | title |\n| --- | --- | --- | --- | --- | --- |\n")
	if s.TotalFindings == 0 {
		fmt.Fprintf(b, "| No findings | | | | | |\n")
	}
	if err := listed(func(f *scan.Finding) {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", f.ID, f.Severity, f.Confidence, f.Surface, f.WitnessClass, mdEscape(f.Title))
	}); err != nil {
		return err
	}
	fmt.Fprintf(b, "\n## Remediation\n\n")
	if s.TotalFindings == 0 {
		fmt.Fprintf(b, "No remediation required.\n")
	}
	if err := listed(func(f *scan.Finding) {
		fmt.Fprintf(b, "### %s\n\n", f.ID)
		if f.Location != nil && f.Location.File != "" {
			loc := f.Location.File
			if f.Location.Line > 0 {
				loc = fmt.Sprintf("%s:%d", loc, f.Location.Line)
			}
			fmt.Fprintf(b, "- Where: `%s`\n", loc)
		}
		for _, r := range f.Reasons {
			fmt.Fprintf(b, "- Reason: %s\n", mdEscape(r))
		}
		fmt.Fprintf(b, "- Owner: %s\n- What changed: %s\n- Probable fix: %s\n- Witness: `%s`\n- Reproduce: `%s`\n\n", f.Owner, f.WhatChanged, f.ProbableFix, f.WitnessPath, f.ReproducibleCommand)
	}); err != nil {
		return err
	}
	return b.Flush()
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
