package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
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
	XMLName   xml.Name      `xml:"testcase"`
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// JUnit renders the findings of res.Findings as a JUnit suite.
func JUnit(res *scan.Result) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, res, SliceFindings(res.Findings)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteJUnit writes the findings of src as a JUnit suite: tests =
// max(findings, 1), failures = high or critical findings (each with its
// reasons and fix).
func WriteJUnit(w io.Writer, res *scan.Result, src Findings) error {
	bw := bufio.NewWriter(w)
	s := junitSuite{Name: "policystrata", Tests: max(res.Summary.TotalFindings, 1), Failures: res.Severe}
	head, err := xml.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	// the suite's closing tag comes after the streamed cases
	open, _, _ := bytes.Cut(head, []byte("</testsuite>"))
	bw.WriteString(xml.Header)
	bw.Write(open)
	writeCase := func(c junitCase) error {
		b, err := xml.MarshalIndent(c, "  ", "  ")
		if err != nil {
			return fmt.Errorf("write junit: %w", err)
		}
		bw.WriteString("\n") // MarshalIndent starts with the prefix
		_, err = bw.Write(b)
		return err
	}
	if res.Summary.TotalFindings == 0 {
		if err := writeCase(junitCase{Name: "policystrata_scan", Classname: "policystrata.scan"}); err != nil {
			return err
		}
	}
	err = src(func(f *scan.Finding) error {
		c := junitCase{Name: f.ID, Classname: "policystrata." + f.Surface}
		if f.Severity == scan.SevHigh || f.Severity == scan.SevCritical {
			c.Failure = &junitFailure{Message: strings.Join(f.Reasons, "; "), Type: f.WitnessClass, Body: f.ProbableFix}
		}
		return writeCase(c)
	})
	if err != nil {
		return err
	}
	bw.WriteString("\n</testsuite>\n")
	return bw.Flush()
}
