package raigorun

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// tapReporter renders TAP version 13: one test point per case (then one
// per fuzzed case, the strict check and the coverage gate), each failing
// point with a YAML diagnostic block.
type tapReporter struct{}

// tapPoint is one test point before numbering.
type tapPoint struct {
	ok      bool
	desc    string
	diag    *tapDiag
	comment string // a "# ..." line printed before the point
}

// tapDiag is the YAML block of a failing point.
type tapDiag struct {
	Message      string `yaml:"message"`
	Severity     string `yaml:"severity"`
	File         string `yaml:"file,omitempty"`
	Line         int    `yaml:"line,omitempty"`
	Expected     string `yaml:"expected,omitempty"`
	Got          string `yaml:"got,omitempty"`
	Minimized    string `yaml:"minimized,omitempty"`
	SnapshotDiff string `yaml:"snapshot_diff,omitempty"`
	Details      string `yaml:"details,omitempty"`
}

// Report implements Reporter.
func (tapReporter) Report(w io.Writer, rep *Report) error {
	var points []tapPoint
	for i := range rep.Suites {
		sr := &rep.Suites[i]
		comment := fmt.Sprintf("%s (%s; policy %s)", sr.Name, sr.Path, policyLine(sr))
		for j := range sr.Cases {
			c := &sr.Cases[j]
			p := tapPoint{ok: c.Passed(), desc: caseTitle(c)}
			if j == 0 {
				p.comment = comment
			}
			if !c.Passed() {
				p.diag = &tapDiag{Message: diffText(c), Severity: "fail", File: sr.Path, Line: c.Line,
					Expected: expectedText(c), Got: gotText(c)}
				if m := c.Minimized; m != nil && m.Tokens < m.From {
					p.diag.Minimized = m.Prompt
				}
				if hasSnapshotDiff(c) {
					p.diag.SnapshotDiff = c.Snapshot.Diff
				}
			}
			points = append(points, p)
		}
		if rep.Fuzz > 0 {
			points = append(points, tapFuzz(sr)...)
		}
	}
	for _, jc := range junitChecks(rep).Cases {
		p := tapPoint{ok: jc.Failure == nil, desc: jc.Name}
		if jc.Failure != nil {
			p.diag = &tapDiag{Message: jc.Failure.Message, Severity: "fail", Details: jc.Failure.Text}
		}
		points = append(points, p)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "TAP version 13\n1..%d\n", len(points))
	for i, p := range points {
		if p.comment != "" {
			fmt.Fprintf(bw, "# %s\n", oneLine(p.comment))
		}
		status := "ok"
		if !p.ok {
			status = "not ok"
		}
		fmt.Fprintf(bw, "%s %d - %s\n", status, i+1, tapEscape(p.desc))
		if p.diag != nil {
			if err := writeTAPDiag(bw, p.diag); err != nil {
				return err
			}
		}
	}
	t := rep.Totals
	fmt.Fprintf(bw, "# tests %d, passed %d, failed %d\n", t.Cases, t.Passed, t.Failed)
	fmt.Fprintf(bw, "# freeze %s\n", rep.Freeze.Hash)
	return bw.Flush()
}

func tapFuzz(sr *SuiteReport) []tapPoint {
	var out []tapPoint
	for i := range sr.Cases {
		c := &sr.Cases[i]
		p := tapPoint{ok: len(c.Divergent) == 0, desc: fmt.Sprintf("%s fuzz (%d variants)", caseTitle(c), c.Variants)}
		if !p.ok {
			var b strings.Builder
			for _, v := range c.Divergent {
				fmt.Fprintf(&b, "variant %d (%s): %q → %s, was %s\n", v.Index, strings.Join(v.Mutations, "+"), v.Prompt,
					v.Action, c.Evaluation.Action.TestWord())
			}
			p.diag = &tapDiag{Message: fmt.Sprintf("%d of %d variants changed the action", len(c.Divergent), c.Variants),
				Severity: "fail", File: sr.Path, Line: c.Line, Details: b.String()}
		}
		out = append(out, p)
	}
	return out
}

// writeTAPDiag writes the YAML block, indented two spaces.
func writeTAPDiag(w *bufio.Writer, d *tapDiag) error {
	data, err := yaml.Marshal(d)
	if err != nil {
		return fmt.Errorf("write tap: %w", err)
	}
	w.WriteString("  ---\n")
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		w.WriteString("  " + line + "\n")
	}
	w.WriteString("  ...\n")
	return nil
}

// tapEscape keeps a description on one line and escapes "#", which would
// start a directive.
func tapEscape(s string) string {
	return strings.ReplaceAll(oneLine(s), "#", `\#`)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
