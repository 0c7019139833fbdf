package raigorun

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// junitReporter renders JUnit XML (the dialect Jenkins, GitLab, GitHub
// Actions reporters and Azure DevOps read): one <testsuite> per suite,
// one <testcase> per case with a <failure> when it failed, plus a
// "(fuzz)" suite per fuzzed suite and a "raigo checks" suite for the
// strict warnings and the coverage gate.
type junitReporter struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	File       string           `xml:"file,attr,omitempty"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

func (s *junitSuite) add(c junitCase) {
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	s.Cases = append(s.Cases, c)
}

// Report implements Reporter.
func (junitReporter) Report(w io.Writer, rep *Report) error {
	doc := junitSuites{Name: "raigo test"}
	for i := range rep.Suites {
		sr := &rep.Suites[i]
		doc.Suites = append(doc.Suites, junitCases(rep, sr))
		if rep.Fuzz > 0 {
			doc.Suites = append(doc.Suites, junitFuzz(sr))
		}
	}
	if checks := junitChecks(rep); checks.Tests > 0 {
		doc.Suites = append(doc.Suites, checks)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCases(rep *Report, sr *SuiteReport) junitSuite {
	s := junitSuite{Name: sr.Name, File: sr.Path, Properties: &junitProperties{Property: []junitProperty{
		{Name: "policy", Value: strings.Join(sr.Policies, ", ")},
		{Name: "policy_version", Value: strings.Join(sr.PolicyVersions, ", ")},
		{Name: "freeze_hash", Value: rep.Freeze.Hash},
	}}}
	for i := range sr.Cases {
		c := &sr.Cases[i]
		jc := junitCase{Name: caseTitle(c), Classname: sr.Name, File: sr.Path, Line: c.Line}
		if !c.Passed() {
			text := "Expected: " + expectedText(c) + "\nGot:      " + gotText(c) + "\n"
			if m := c.Minimized; m != nil && m.Tokens < m.From {
				text += fmt.Sprintf("Minimal:  %q\n", m.Prompt)
			}
			if hasSnapshotDiff(c) {
				text += "Snapshot diff (- recorded, + now):\n" + c.Snapshot.Diff
			}
			jc.Failure = &junitFailure{Message: diffText(c), Type: c.Failures[0].Field, Text: text}
		}
		s.add(jc)
	}
	return s
}

// caseTitle is "T-001 name", or the name alone when there is no id.
func caseTitle(c *CaseReport) string {
	if c.ID != "" {
		return c.ID + " " + c.Name
	}
	return c.Name
}

func junitFuzz(sr *SuiteReport) junitSuite {
	s := junitSuite{Name: sr.Name + " (fuzz)", File: sr.Path}
	for i := range sr.Cases {
		c := &sr.Cases[i]
		jc := junitCase{Name: fmt.Sprintf("%s fuzz (%d variants)", caseTitle(c), c.Variants), Classname: sr.Name + " (fuzz)",
			File: sr.Path, Line: c.Line}
		if len(c.Divergent) > 0 {
			var b strings.Builder
			for _, v := range c.Divergent {
				fmt.Fprintf(&b, "variant %d (%s): %q → %s, was %s\n", v.Index, strings.Join(v.Mutations, "+"), v.Prompt,
					v.Action, c.Evaluation.Action.TestWord())
			}
			jc.Failure = &junitFailure{Type: "fuzz", Text: b.String(),
				Message: fmt.Sprintf("%d of %d variants changed the action", len(c.Divergent), c.Variants)}
		}
		s.add(jc)
	}
	return s
}

func junitChecks(rep *Report) junitSuite {
	s := junitSuite{Name: "raigo checks"}
	if rep.Strict {
		jc := junitCase{Name: "strict: no warnings", Classname: "raigo checks"}
		var lines []string
		for i := range rep.Suites {
			for _, d := range rep.Suites[i].Warnings {
				lines = append(lines, d.String())
			}
		}
		if len(lines) > 0 {
			jc.Failure = &junitFailure{Type: "strict", Message: fmt.Sprintf("%d warning(s)", rep.Totals.Warnings),
				Text: strings.Join(lines, "\n") + "\n"}
		}
		s.add(jc)
	}
	if c := rep.Coverage; c != nil && (c.Min > 0 || rep.Strict) {
		jc := junitCase{Name: fmt.Sprintf("coverage: %d/%d rules (%.1f%%)", c.Exercised, c.Rules, c.Percent), Classname: "raigo checks"}
		var why []string
		if c.Min > 0 && c.Percent < c.Min {
			why = append(why, fmt.Sprintf("rule coverage %.1f%% is below --min-coverage %g%%", c.Percent, c.Min))
		}
		if rep.Strict && c.Exercised < c.Rules {
			why = append(why, fmt.Sprintf("%d rule(s) not exercised", c.Rules-c.Exercised))
		}
		if len(why) > 0 {
			var b strings.Builder
			for _, pc := range c.Policies {
				if len(pc.Uncovered) > 0 {
					fmt.Fprintf(&b, "%s: rules not exercised: %s\n", pc.Policy, strings.Join(pc.Uncovered, ", "))
				}
			}
			jc.Failure = &junitFailure{Type: "coverage", Message: strings.Join(why, "; "), Text: b.String()}
		}
		s.add(jc)
	}
	return s
}
