package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed CI baseline is the seeded suite's summary today; a change
// that moves the scores must update it (scripts/ci/update-baselines.sh).
func TestCommittedBaselinesCurrent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", "seeded", "--out", out,
		"--fail-on", "survived,false_positive"); code != 0 {
		t.Fatalf("run --fail-on: exit %d: %s", code, stderr)
	}
	base := filepath.Join("..", "..", "..", "scripts", "ci", "baselines", "support_saas-seeded.summary.json")
	want, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale: rerun scripts/ci/update-baselines.sh", base)
	}
	code, stdout, stderr := runCLI(t, "compare", base, out)
	if code != 0 || !strings.Contains(stdout, "PASS") {
		t.Errorf("compare against the baseline: exit %d\n%s%s", code, stdout, stderr)
	}
}

// A planted regression (one killed mutant of an operator turned survivor,
// one false positive) fails compare with exit 1, a Markdown table naming
// both, and a JUnit file with the failures.
func TestComparePlantedRegression(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join("..", "..", "..", "scripts", "ci", "baselines", "support_saas-seeded.summary.json")
	b, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var sm map[string]any
	if err := json.Unmarshal(b, &sm); err != nil {
		t.Fatal(err)
	}
	op := sm["by_operator"].(map[string]any)["fanout_join_drift"].(map[string]any)
	op["killed"] = op["killed"].(float64) - 1
	op["survived"] = op["survived"].(float64) + 1
	sm["killed"] = sm["killed"].(float64) - 1
	sm["survived"] = sm["survived"].(float64) + 1
	sm["false_positives"] = sm["false_positives"].(float64) + 1
	planted, _ := json.Marshal(sm)
	newRun := filepath.Join(dir, "new")
	if err := os.MkdirAll(newRun, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(newRun, "summary.json"), planted, 0o644); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(dir, "compare.xml")
	code, stdout, stderr := runCLI(t, "compare", base, newRun, "--max-drop", "0", "--junit", junit)
	if code != 1 {
		t.Fatalf("compare exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"FAIL (3 of", "kill rate", "| operator fanout_join_drift |", "1 new false positive"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	x, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Suite struct {
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(x, &js); err != nil || js.Suite.Failures != 3 {
		t.Errorf("junit failures = %d (%v), want 3", js.Suite.Failures, err)
	}
	// With a 5% allowance, or by default (the new rate 49/50 stays inside
	// the baseline's Wilson interval), only the operator and the false
	// positive fail.
	for _, extra := range [][]string{{"--max-drop", "0.05"}, nil} {
		code, stdout, _ = runCLI(t, append([]string{"compare", base, newRun}, extra...)...)
		if code != 1 || !strings.Contains(stdout, "FAIL (2 of") || strings.Contains(stdout, "**FAIL**: kill rate") {
			t.Errorf("%v: exit %d\n%s", extra, code, stdout)
		}
	}
}

func TestCompareAndFailOnBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"missing run", []string{"compare", filepath.Join(dir, "nope"), dir}, 2},
		{"not a run", []string{"compare", dir, dir}, 2},
		{"max-drop range", []string{"compare", dir, dir, "--max-drop", "2"}, 2},
		{"one argument", []string{"compare", dir}, 2},
		{"unknown fail-on kind", []string{"run", "--domain", "support_saas", "--out", filepath.Join(dir, "r"), "--fail-on", "survived,nope"}, 2},
		// disagreement without --cross-check: nothing was checked, so the gate fails.
		{"disagreement unchecked", []string{"run", "--domain", "finance_saas", "--out", filepath.Join(dir, "r2"), "--fail-on", "disagreement"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, stdout, stderr)
			}
		})
	}
}
