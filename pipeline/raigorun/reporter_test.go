package raigorun

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	for _, f := range Formats() {
		if _, err := Get(f, ReportOptions{}); err != nil {
			t.Errorf("Get(%q): %v", f, err)
		}
	}
	if _, err := Get("xml", ReportOptions{}); err == nil || !strings.Contains(err.Error(), "pretty, json, junit, tap") {
		t.Errorf("unknown format: %v", err)
	}
}

func render(t *testing.T, format string, rep *Report, opts ReportOptions) string {
	t.Helper()
	r, err := Get(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Report(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReportersOnFailingSuite(t *testing.T) {
	rep := mustRun(t, Config{Paths: []string{examples + "/failing"}, Fuzz: 2, Strict: true, Coverage: true})
	t.Run("pretty", func(t *testing.T) {
		out := render(t, "pretty", rep, ReportOptions{})
		for _, want := range []string{
			"raigo test — Wrong expectations\nPolicy: ../policies/agent_firewall.raigo (v2.1.0)\n\n  ✗ T-001  ",
			"            Expected: action=allow\n            Got:      action=block, rule_id=AF-01\n",
			"            Got:      action=allow (no deciding rule; directives: AF-06)\n",
			"\nResults: 1 passed, 8 failed (9 total)\n",
			"Coverage: 6/12 rules (50.0%)\n",
			"Unexercised rules: 6 (failures under --strict)\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in\n%s", want, out)
			}
		}
		if strings.Contains(out, "T-009") {
			t.Error("a passing case is shown without --verbose")
		}
		if !strings.Contains(render(t, "pretty", rep, ReportOptions{Verbose: true}), "  ✓ T-009  This one passes\n") {
			t.Error("--verbose must show passing cases")
		}
	})
	t.Run("json", func(t *testing.T) {
		var s JSONSuite
		if err := json.Unmarshal([]byte(render(t, "json", rep, ReportOptions{})), &s); err != nil {
			t.Fatal(err)
		}
		if s.Suite != "Wrong expectations" || s.RunAt != "2026-03-26T10:00:00.000Z" || s.Total != 9 || s.Failed != 8 ||
			s.Results[0].Status != "fail" || s.Results[0].Expected.Action != "allow" || s.Results[0].Actual.Action != "block" ||
			s.Results[0].Diff != "action mismatch: expected 'allow', got 'block'" || s.Results[8].Expected != nil {
			t.Errorf("json %+v", s)
		}
	})
	t.Run("junit", func(t *testing.T) {
		var doc junitSuites
		if err := xml.Unmarshal([]byte(render(t, "junit", rep, ReportOptions{})), &doc); err != nil {
			t.Fatal(err)
		}
		// the cases, their fuzz suite, and the strict and coverage checks
		if doc.Tests != 9+9+2 || len(doc.Suites) != 3 || doc.Suites[0].Failures != 8 {
			t.Errorf("junit tests=%d failures=%d suites=%d", doc.Tests, doc.Failures, len(doc.Suites))
		}
		if f := doc.Suites[0].Cases[0].Failure; f == nil || f.Type != "action" || !strings.Contains(f.Text, "Got:      action=block") {
			t.Errorf("first failure %+v", f)
		}
	})
	t.Run("tap", func(t *testing.T) {
		out := render(t, "tap", rep, ReportOptions{})
		if !strings.HasPrefix(out, "TAP version 13\n1..20\n# Wrong expectations") {
			t.Errorf("tap header:\n%s", out)
		}
		if n := strings.Count(out, "\nnot ok "); n != rep.Totals.Failed+countFuzzFailures(rep)+1 {
			t.Errorf("%d failing points", n)
		}
		if !strings.Contains(out, "not ok 1 - T-001 Expects allow, but the prompt hides an injection\n  ---\n  message: ") {
			t.Errorf("tap point:\n%s", out)
		}
	})
}

func countFuzzFailures(rep *Report) int {
	n := 0
	for _, s := range rep.Suites {
		for _, c := range s.Cases {
			if len(c.Divergent) > 0 {
				n++
			}
		}
	}
	return n
}

func TestJSONSeveralSuitesIsAnArray(t *testing.T) {
	rep := mustRun(t, Config{Paths: []string{examples + "/suites"}})
	var suites []JSONSuite
	if err := json.Unmarshal([]byte(render(t, "json", rep, ReportOptions{})), &suites); err != nil || len(suites) != 3 {
		t.Fatalf("%v %d", err, len(suites))
	}
	if suites[1].Policy != "../policies/clinical_assistant.raigo, ../policies/agent_firewall.raigo" || len(suites[1].Policies) != 2 {
		t.Errorf("chain suite %+v", suites[1])
	}
}

func TestTAPEscape(t *testing.T) {
	if got := tapEscape("T-1 # not a\ndirective"); got != `T-1 \# not a directive` {
		t.Errorf("got %q", got)
	}
}
