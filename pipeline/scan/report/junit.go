package report

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan"
)

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// JUnit renders the findings as a JUnit suite: tests = max(findings, 1),
// failures = high or critical findings (each with its reasons and fix).
func JUnit(res *scan.Result) ([]byte, error) {
	s := junitSuite{Name: "policystrata", Tests: max(len(res.Findings), 1)}
	if len(res.Findings) == 0 {
		s.Cases = append(s.Cases, junitCase{Name: "policystrata_scan", Classname: "policystrata.scan"})
	}
	for _, f := range res.Findings {
		c := junitCase{Name: f.ID, Classname: "policystrata." + f.Surface}
		if f.Severity == scan.SevHigh || f.Severity == scan.SevCritical {
			s.Failures++
			c.Failure = &junitFailure{Message: strings.Join(f.Reasons, "; "), Type: f.WitnessClass, Body: f.ProbableFix}
		}
		s.Cases = append(s.Cases, c)
	}
	out, err := xml.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("write junit: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}
