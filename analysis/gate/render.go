package gate

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown renders r as a Markdown table for a pull-request comment.
func WriteMarkdown(w io.Writer, r Result) error {
	verdict := "PASS"
	if r.Failed() {
		verdict = fmt.Sprintf("FAIL (%d of %d checks)", r.Failures(), len(r.Checks))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### %s: %s\n\n", r.Title, verdict)
	b.WriteString("| check | base | new | result |\n| --- | --- | --- | --- |\n")
	for _, c := range r.Checks {
		res := "pass"
		if !c.Passed {
			res = "**FAIL**"
		}
		if c.Message != "" {
			res += ": " + c.Message
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(c.Name), cell(c.Base), cell(c.New), cell(res))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit renders r as JUnit XML: one test case per check.
func WriteJUnit(w io.Writer, r Result) error {
	s := junitSuite{Name: r.Title, Tests: len(r.Checks), Failures: r.Failures()}
	for _, c := range r.Checks {
		jc := junitCase{Name: c.Name, Classname: "policystrata", SystemOut: fmt.Sprintf("base: %s\nnew: %s", c.Base, c.New)}
		if !c.Passed {
			jc.Failure = &junitFailure{Message: c.Message, Text: fmt.Sprintf("base: %s\nnew: %s\n%s", c.Base, c.New, c.Message)}
		}
		s.Cases = append(s.Cases, jc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
