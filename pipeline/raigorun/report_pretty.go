package raigorun

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// prettyReporter renders the human output of the raigo testing framework:
// per suite a header, the failing cases (every case with Verbose) with
// their expected and actual outcomes, and the results line; then coverage,
// the run's total and the freeze hash.
type prettyReporter struct{ opts ReportOptions }

const detailIndent = "            "

// Report implements Reporter.
func (p prettyReporter) Report(w io.Writer, rep *Report) error {
	bw := bufio.NewWriter(w)
	for i := range rep.Suites {
		if i > 0 {
			bw.WriteString("\n")
		}
		p.suite(bw, rep, &rep.Suites[i])
	}
	if rep.Coverage != nil {
		bw.WriteString("\n")
		prettyCoverage(bw, rep)
	}
	bw.WriteString("\n")
	t := rep.Totals
	if t.Suites > 1 {
		fmt.Fprintf(bw, "Total: %d passed, %d failed (%d total) in %d suites\n", t.Passed, t.Failed, t.Cases, t.Suites)
	}
	fmt.Fprintf(bw, "Freeze: %s\n", rep.Freeze.Hash)
	if rep.Out != "" {
		fmt.Fprintf(bw, "Traces: %s (%s, %s, %s)\n", rep.Out, SummaryJSON, TracesJSONL, TracesParquet)
	}
	return bw.Flush()
}

func (p prettyReporter) suite(w *bufio.Writer, rep *Report, sr *SuiteReport) {
	fmt.Fprintf(w, "raigo test — %s\n", sr.Name)
	label := "Policy"
	if len(sr.Policies) > 1 {
		label = "Policy chain"
	}
	fmt.Fprintf(w, "%s: %s\n\n", label, policyLine(sr))
	width := 0
	for i := range sr.Cases {
		width = max(width, len(sr.Cases[i].ID))
	}
	shown := 0
	for i := range sr.Cases {
		c := &sr.Cases[i]
		if c.Passed() && !p.opts.Verbose {
			continue
		}
		shown++
		mark := "✓"
		if !c.Passed() {
			mark = "✗"
		}
		if c.ID != "" {
			fmt.Fprintf(w, "  %s %-*s  %s\n", mark, width, c.ID, c.Name)
		} else {
			fmt.Fprintf(w, "  %s %s\n", mark, c.Name)
		}
		if !c.Passed() {
			prettyFailure(w, c)
		}
	}
	if shown > 0 {
		w.WriteString("\n")
	}
	fmt.Fprintf(w, "Results: %d passed, %d failed (%d total)\n", sr.Passed, sr.Failed, len(sr.Cases))
	if rep.Fuzz > 0 {
		fmt.Fprintf(w, "Fuzz: %d of %d variants changed the action\n", sr.FuzzDivergent, sr.FuzzVariants)
		for i := range sr.Cases {
			c := &sr.Cases[i]
			for _, v := range c.Divergent {
				fmt.Fprintf(w, "  ✗ %s variant %d (%s): %q → %s, was %s\n", c.Label(), v.Index,
					strings.Join(v.Mutations, "+"), v.Prompt, v.Action, c.Evaluation.Action.TestWord())
			}
		}
	}
	if n := sr.Snapshots; n != nil {
		fmt.Fprintf(w, "Snapshots: %d matched, %d written, %d changed, %d updated\n", n.Matched, n.Written, n.Changed, n.Updated)
	}
	if len(sr.Warnings) > 0 && (p.opts.Verbose || rep.Strict) {
		if rep.Strict {
			fmt.Fprintf(w, "Warnings: %d (failures under --strict)\n", len(sr.Warnings))
		} else {
			fmt.Fprintf(w, "Warnings: %d\n", len(sr.Warnings))
		}
		for _, d := range sr.Warnings {
			fmt.Fprintf(w, "  ⚠ %s\n", d)
		}
	}
}

// prettyFailure prints the expected and actual outcome of a failing case,
// its minimized prompt and its snapshot diff.
func prettyFailure(w *bufio.Writer, c *CaseReport) {
	fmt.Fprintf(w, "%sExpected: %s\n", detailIndent, expectedText(c))
	fmt.Fprintf(w, "%sGot:      %s\n", detailIndent, gotText(c))
	if m := c.Minimized; m != nil && m.Tokens < m.From {
		fmt.Fprintf(w, "%sMinimal:  %q (%d of %d words)\n", detailIndent, m.Prompt, m.Tokens, m.From)
	}
	if hasSnapshotDiff(c) {
		fmt.Fprintf(w, "%sSnapshot: changed (- recorded, + now)\n", detailIndent)
		for _, line := range strings.Split(strings.TrimSuffix(c.Snapshot.Diff, "\n"), "\n") {
			fmt.Fprintf(w, "%s  %s\n", detailIndent, line)
		}
	}
}

func prettyCoverage(w *bufio.Writer, rep *Report) {
	c := rep.Coverage
	fmt.Fprintf(w, "Coverage: %d/%d rules (%.1f%%)\n", c.Exercised, c.Rules, c.Percent)
	for _, pc := range c.Policies {
		fmt.Fprintf(w, "  %s: %d/%d rules (%.1f%%)\n", pc.Policy, pc.Exercised, pc.Rules, pc.Percent)
		if len(pc.Uncovered) > 0 {
			fmt.Fprintf(w, "    rules not exercised: %s\n", strings.Join(pc.Uncovered, ", "))
		}
		if len(pc.UnhitTriggers) > 0 {
			refs := make([]string, len(pc.UnhitTriggers))
			for i, t := range pc.UnhitTriggers {
				refs[i] = t.Rule + " " + t.Trigger
			}
			fmt.Fprintf(w, "    triggers never hit: %s\n", strings.Join(refs, ", "))
		}
		if len(pc.UnhitDetectors) > 0 {
			fmt.Fprintf(w, "    detectors never hit: %s\n", strings.Join(pc.UnhitDetectors, ", "))
		}
	}
	if c.Min > 0 {
		verdict := "meets"
		if c.Percent < c.Min {
			verdict = "is below"
		}
		fmt.Fprintf(w, "Coverage %.1f%% %s --min-coverage %g%%\n", c.Percent, verdict, c.Min)
	}
	if rep.Strict && c.Exercised < c.Rules {
		fmt.Fprintf(w, "Unexercised rules: %d (failures under --strict)\n", c.Rules-c.Exercised)
	}
}
