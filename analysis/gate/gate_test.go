package gate

import (
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/trace"
)

func loadBase(t *testing.T) trace.Summary {
	t.Helper()
	sm, err := LoadSummary("testdata/support_seeded.summary.json")
	if err != nil {
		t.Fatal(err)
	}
	if sm.Killed == 0 {
		t.Fatal("baseline fixture kills nothing")
	}
	return sm
}

// clone deep-copies a summary's counts so a case can plant a change.
func clone(sm trace.Summary) trace.Summary {
	out := sm
	out.ByOperator = map[string]*trace.Counts{}
	for k, c := range sm.ByOperator {
		cc := *c
		out.ByOperator[k] = &cc
	}
	return out
}

// survive turns n killed mutants of op into survivors.
func survive(sm trace.Summary, op string, n int) trace.Summary {
	sm = clone(sm)
	sm.ByOperator[op].Killed -= n
	sm.ByOperator[op].Survived += n
	sm.Killed -= n
	sm.Survived += n
	return sm
}

func TestCompare(t *testing.T) {
	base := loadBase(t)
	op := "fanout_join_drift"
	all := base.ByOperator[op].Killed
	tests := []struct {
		name     string
		cur      trace.Summary
		maxDrop  float64
		failures []string
	}{
		{"identical", base, 0, nil},
		{"identical, interval rule", base, -1, nil},
		{"one survivor, max-drop 0", survive(base, op, 1), 0, []string{"kill rate", "operator " + op}},
		{"one survivor, max-drop 0.05", survive(base, op, 1), 0.05, []string{"operator " + op}},
		{"one survivor, interval rule", survive(base, op, 1), -1, []string{"operator " + op}},
		{"operator wiped out, interval rule", survive(base, op, all), -1, []string{"kill rate", "operator " + op}},
		{"false positive appears", func() trace.Summary {
			s := clone(base)
			s.FalsePositives++
			s.ByOperator["none"] = &trace.Counts{Tasks: 1, FalsePositives: 1}
			return s
		}(), 0, []string{"false positives"}},
		{"operator missing", func() trace.Summary {
			s := clone(base)
			delete(s.ByOperator, op)
			return s
		}(), 0, []string{"operator " + op}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare(base, tc.cur, CompareOptions{MaxDrop: tc.maxDrop})
			var got []string
			for _, c := range r.Checks {
				if !c.Passed {
					got = append(got, c.Name)
					if c.Message == "" {
						t.Errorf("failed check %q has no message", c.Name)
					}
				}
			}
			for i := range got {
				if strings.HasPrefix(got[i], "kill rate") {
					got[i] = "kill rate"
				}
			}
			if strings.Join(got, ";") != strings.Join(tc.failures, ";") {
				t.Errorf("failed checks = %q, want %q", got, tc.failures)
			}
			if r.Failed() != (len(tc.failures) > 0) || r.ExitCode() != map[bool]int{true: 1, false: 0}[len(tc.failures) > 0] {
				t.Errorf("Failed/ExitCode disagree with the checks")
			}
		})
	}
}

// TestCompareIntervalRule: on a large suite the interval rule fails a kill
// rate drop that keeps every operator's survivor count (killed turned
// equivalent) once the drop leaves the baseline's interval.
func TestCompareIntervalRule(t *testing.T) {
	base := trace.Summary{Killed: 1000, ByOperator: map[string]*trace.Counts{"x": {Tasks: 1000, Killed: 1000}}}
	for _, tc := range []struct {
		lost int
		fail bool
	}{{1, false}, {3, false}, {10, true}} {
		cur := clone(base)
		cur.Killed -= tc.lost
		cur.Equivalent += tc.lost
		cur.ByOperator["x"].Killed -= tc.lost
		cur.ByOperator["x"].Equivalent += tc.lost
		r := Compare(base, cur, CompareOptions{MaxDrop: -1})
		if r.Checks[0].Passed == tc.fail {
			t.Errorf("lost %d: kill-rate check passed=%v, want %v (%s)", tc.lost, r.Checks[0].Passed, !tc.fail, r.Checks[0].New)
		}
	}
}

func TestFailOn(t *testing.T) {
	base := loadBase(t)
	bad := survive(base, "fanout_join_drift", 2)
	bad.Survivors = []string{"fanout_join_drift_01", "fanout_join_drift_02"}
	bad.FalsePositives = 1
	tests := []struct {
		name  string
		sm    trace.Summary
		dis   int
		kinds string
		fails int
	}{
		{"clean run, all kinds", base, 0, "survived,false_positive,disagreement", 0},
		{"survivors", bad, 0, "survived", 1},
		{"survivors ignored", bad, 0, "disagreement", 0},
		{"fp", bad, 0, "false_positive", 1},
		{"disagreement", base, 3, "disagreement", 1},
		{"disagreement not checked", base, -1, "disagreement", 1},
		{"all", bad, 2, "survived, false_positive,disagreement,survived", 3},
		{"none", bad, 2, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kinds, err := ParseFailOn(tc.kinds)
			if err != nil {
				t.Fatal(err)
			}
			r := FailOn(tc.sm, tc.dis, kinds)
			if r.Failures() != tc.fails {
				t.Errorf("failures = %d, want %d: %+v", r.Failures(), tc.fails, r.Checks)
			}
		})
	}
	if _, err := ParseFailOn("survived,bogus"); err == nil {
		t.Error("ParseFailOn accepted an unknown kind")
	}
}

func TestRender(t *testing.T) {
	base := loadBase(t)
	r := Compare(base, survive(base, "fanout_join_drift", 1), CompareOptions{})
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "FAIL (2 of") || !strings.Contains(md.String(), "| operator fanout_join_drift |") {
		t.Errorf("markdown lacks the failures:\n%s", md.String())
	}
	var ju bytes.Buffer
	if err := WriteJUnit(&ju, r); err != nil {
		t.Fatal(err)
	}
	var parsed junitSuites
	if err := xml.Unmarshal(ju.Bytes(), &parsed); err != nil {
		t.Fatalf("junit does not parse: %v", err)
	}
	s := parsed.Suites[0]
	if s.Failures != 2 || s.Tests != len(r.Checks) {
		t.Errorf("junit suite tests=%d failures=%d, want %d and 2", s.Tests, s.Failures, len(r.Checks))
	}
}

func TestLoadSummaryErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, body string }{
		{"unknown field", `{"by_operator":{},"bogus":1}`},
		{"no by_operator", `{"total":1}`},
		{"negative", `{"by_operator":{},"killed":-1}`},
		{"negative operator", `{"by_operator":{"x":{"killed":-2}}}`},
		{"not json", `nope`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := dir + "/s.json"
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadSummary(p); err == nil || !strings.HasPrefix(err.Error(), p) {
				t.Errorf("LoadSummary = %v, want a %s: error", err, p)
			}
		})
	}
	if _, err := LoadSummary(dir); err == nil {
		t.Error("a directory without summary.json loaded")
	}
}

func FuzzParseSummary(f *testing.F) {
	b, err := os.ReadFile("testdata/support_seeded.summary.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"by_operator":{"x":null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sm, err := ParseSummary(data)
		if err != nil {
			return
		}
		// A summary that parses compares against itself without failure.
		if r := Compare(sm, sm, CompareOptions{}); r.Failed() {
			t.Errorf("a summary fails against itself: %+v", r.Checks)
		}
		var w bytes.Buffer
		if err := WriteJUnit(&w, r0(sm)); err != nil {
			t.Error(err)
		}
	})
}

func r0(sm trace.Summary) Result { return Compare(sm, sm, CompareOptions{MaxDrop: -1}) }
