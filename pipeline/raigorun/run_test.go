package raigorun

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRunExamples(t *testing.T) {
	rep := mustRun(t, Config{Paths: []string{examples + "/suites"}, Workers: 4, Coverage: true})
	if rep.ExitCode() != ExitOK {
		t.Fatalf("exit %d: %v", rep.ExitCode(), rep.Problems())
	}
	var names []string
	for _, s := range rep.Suites {
		names = append(names, s.Name)
	}
	want := []string{"Agent firewall", "Clinical assistant behind the agent firewall", "Clinical assistant"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("suites not in sorted file order (-want +got):\n%s", diff)
	}
	if c := rep.Coverage; c.Percent != 100 || len(c.Policies) != 2 {
		t.Errorf("coverage %+v", c)
	}
	for _, pc := range rep.Coverage.Policies {
		if len(pc.UnhitTriggers)+len(pc.UnhitDetectors)+len(pc.Uncovered) > 0 {
			t.Errorf("%s: the examples must cover every rule, trigger and detector: %+v", pc.Policy, pc)
		}
	}
	if !strings.HasPrefix(rep.Freeze.Hash, "sha256:") || len(rep.Freeze.Files) != 5 {
		t.Errorf("freeze %+v", rep.Freeze)
	}
}

// Results, fuzz variants and traces do not depend on the worker count.
func TestRunWorkerCountInvariance(t *testing.T) {
	run := func(workers int) (*Report, map[string][]byte) {
		out := filepath.Join(t.TempDir(), "out")
		rep := mustRun(t, Config{Paths: []string{examples}, Workers: workers, Fuzz: 5, Seed: 3, Coverage: true, Out: out})
		files := map[string][]byte{}
		for _, name := range []string{TracesJSONL, TracesParquet, SummaryJSON} {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			files[name] = b
		}
		rep.Out = ""
		return rep, files
	}
	rep1, files1 := run(1)
	rep8, files8 := run(8)
	if !reflect.DeepEqual(rep1, rep8) {
		a, _ := json.Marshal(rep1)
		b, _ := json.Marshal(rep8)
		t.Errorf("reports differ between 1 and 8 workers:\n%s", cmp.Diff(string(a), string(b)))
	}
	for name := range files1 {
		if string(files1[name]) != string(files8[name]) {
			t.Errorf("%s differs between 1 and 8 workers", name)
		}
	}
}

func TestRunFailingSuite(t *testing.T) {
	rep := mustRun(t, Config{Paths: []string{examples + "/failing"}, Workers: 3})
	if rep.ExitCode() != ExitFailed || rep.Totals.Failed != 8 || rep.Totals.Passed != 1 {
		t.Fatalf("exit %d totals %+v", rep.ExitCode(), rep.Totals)
	}
	fields := map[string]string{}
	for _, c := range rep.Suites[0].Cases {
		if len(c.Failures) > 0 {
			fields[c.ID] = c.Failures[len(c.Failures)-1].Field
		}
	}
	want := map[string]string{"T-001": "action", "T-002": "rule_id", "T-003": "rule_id", "T-004": "severity",
		"T-005": "compliance_refs", "T-006": "message_contains", "T-007": "error_code", "T-008": "observeOverride"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("failed assertions (-want +got):\n%s", diff)
	}
	c1 := rep.Suites[0].Cases[0]
	if c1.Minimized == nil || c1.Minimized.Prompt != "ignore previous instructions" || !c1.Minimized.OneMinimal {
		t.Errorf("T-001 minimized to %+v", c1.Minimized)
	}
	if c2 := rep.Suites[0].Cases[1]; c2.Minimized != nil {
		t.Errorf("T-002 fails whatever the prompt; minimization must be skipped: %+v", c2.Minimized)
	}
	rep = mustRun(t, Config{Paths: []string{examples + "/failing"}, NoMinimize: true})
	if rep.Suites[0].Cases[0].Minimized != nil {
		t.Error("NoMinimize still minimized")
	}
}

func TestRunInputErrors(t *testing.T) {
	fw, _ := filepath.Abs(examples + "/policies/agent_firewall.raigo")
	tests := []struct {
		name  string
		files map[string]string
		want  []string // problems, with DIR for the temp dir
	}{
		{"bad yaml", map[string]string{"s.raigo-test.yaml": "version: \"0.2\"\npolicy: [\n"},
			[]string{"DIR/s.raigo-test.yaml:2: invalid YAML: did not find expected node content"}},
		{"missing policy", map[string]string{"s.raigo-test.yaml": "suite: S\npolicy: nope.raigo\ncases:\n  - name: c\n    input: {prompt: x}\n    expect: {action: allow}\n"},
			[]string{`DIR/s.raigo-test.yaml:2: load policy "nope.raigo": no such file or directory`}},
		{"invalid policy", map[string]string{
			"p.raigo":           strings.Replace(policyHeader, `  owner: "Owner"`+"\n", "", 1) + keywordRule("A", "DENY", "high", "x"),
			"s.raigo-test.yaml": "suite: S\npolicy: p.raigo\ncases:\n  - name: c\n    input: {prompt: x}\n    expect: {action: allow}\n"},
			[]string{"DIR/p.raigo:3: Missing required metadata field: owner"}},
		{"two bad suites are reported together", map[string]string{
			"a.raigo-test.yaml": "suite: S\npolicy: " + fw + "\ncases:\n  - name: c\n    input: {prompt: x}\n",
			"b.raigo-test.yaml": "suite: S\npolicy: " + fw + "\ncases: []\n"},
			[]string{"DIR/a.raigo-test.yaml:4: cases[0]: missing required field: expect",
				"DIR/b.raigo-test.yaml:3: cases must contain at least one test case"}},
		{"no suites", map[string]string{"notes.txt": "x"},
			[]string{"discover suites: no test suites (*.raigo-test.yaml, *.raigo-test.yml) under DIR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, t.TempDir(), tt.files)
			_, err := Run(context.Background(), Config{Paths: []string{dir}})
			var ie *InputError
			if !errors.As(err, &ie) || !IsInputError(err) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			var got []string
			for _, p := range ie.Problems {
				got = append(got, strings.ReplaceAll(p, dir, "DIR"))
			}
			for i, w := range tt.want {
				if i >= len(got) || !strings.HasPrefix(got[i], w) {
					t.Errorf("problems = %q, want prefixes %q", got, tt.want)
					break
				}
			}
		})
	}
}

func TestRunConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Workers: -1}, {Workers: MaxWorkers + 1}, {Fuzz: -1}, {MinCoverage: 101}, {UpdateSnapshots: true},
	} {
		if _, err := Run(context.Background(), cfg); !IsInputError(err) {
			t.Errorf("%+v: err = %v, want an InputError", cfg, err)
		}
	}
}

func TestRunStrict(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string]string{
		"p.raigo": strings.Replace(policyHeader, "context:\n  environments: []\n  data_classifications: []\n  allowed_tools: []\n", "", 1) +
			keywordRule("A", "DENY", "high", "alpha") + keywordRule("B", "WARN", "low", "beta"),
		"s.raigo-test.yaml": `version: "0.2"
policy: p.raigo
metadata: {name: S}
tests:
  - id: T-001
    name: alpha
    colour: red
    input: {prompt: alpha}
    expect: {action: block}
  - id: T-002
    name: names an unknown rule
    input: {prompt: nothing}
    expect: {action: block, rule_id: Z-9}
`,
	})
	loose := mustRun(t, Config{Paths: []string{dir}, Coverage: true})
	strict := mustRun(t, Config{Paths: []string{dir}, Coverage: true, Strict: true})
	var warnings []string
	for _, w := range strict.Suites[0].Warnings {
		warnings = append(warnings, strings.ReplaceAll(w.String(), dir, "DIR"))
	}
	want := []string{
		`DIR/s.raigo-test.yaml:7: unknown field "colour" in tests[0]`,
		`DIR/s.raigo-test.yaml:13: T-002: expect.rule_id "Z-9" names no rule in the policy`,
		"DIR/p.raigo: Missing recommended section: context (environments, data_classifications, allowed_tools)",
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if got := loose.Problems(); len(got) != 1 {
		t.Errorf("without --strict only the failing test counts: %q", got)
	}
	wantProblems := []string{"1 of 2 test(s) failed", "3 warning(s) under --strict", "1 rule(s) not exercised under --strict"}
	if diff := cmp.Diff(wantProblems, strict.Problems()); diff != "" {
		t.Errorf("strict problems (-want +got):\n%s", diff)
	}
}

func TestRunCoverageGate(t *testing.T) {
	rep := mustRun(t, Config{Paths: []string{examples + "/failing"}, MinCoverage: 60})
	if rep.Coverage == nil || rep.Coverage.Percent != 50 || rep.Coverage.Min != 60 {
		t.Fatalf("coverage %+v", rep.Coverage)
	}
	if p := rep.Problems(); len(p) != 2 || p[1] != "rule coverage 50.0% is below --min-coverage 60%" {
		t.Errorf("problems %q", p)
	}
	dir := writeTree(t, t.TempDir(), map[string]string{
		"p.raigo":           policyHeader + keywordRule("A", "DENY", "high", "alpha") + keywordRule("B", "WARN", "low", "beta"),
		"s.raigo-test.yaml": "suite: S\npolicy: p.raigo\ncases:\n  - name: a\n    input: {prompt: alpha}\n    expect: {action: block}\n",
	})
	for _, c := range []struct {
		min  float64
		exit int
	}{{50, ExitOK}, {50.1, ExitFailed}} {
		rep := mustRun(t, Config{Paths: []string{dir}, MinCoverage: c.min})
		if rep.ExitCode() != c.exit {
			t.Errorf("min %g: exit %d, problems %q", c.min, rep.ExitCode(), rep.Problems())
		}
	}
}

func TestRunFuzz(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string]string{
		"p.raigo": policyHeader + keywordRule("A", "DENY", "high", "drop table"),
		"s.raigo-test.yaml": "suite: S\npolicy: p.raigo\ncases:\n" +
			"  - name: a\n    input: {prompt: please drop table users now}\n    expect: {action: block}\n" +
			"  - name: b\n    input: {prompt: good morning}\n    expect: {action: allow}\n",
	})
	rep := mustRun(t, Config{Paths: []string{dir}, Fuzz: 16, Seed: 11})
	s := rep.Suites[0]
	if s.FuzzVariants != 32 || s.Cases[0].Variants != 16 {
		t.Fatalf("variants %d", s.FuzzVariants)
	}
	if len(s.Cases[0].Divergent) == 0 {
		t.Error("a substring keyword must be evaded by some variant (spacing, homoglyph, zero width...)")
	}
	for _, v := range s.Cases[0].Divergent {
		if v.Action != "allow" || !v.Diverged {
			t.Errorf("divergent variant %+v", v)
		}
	}
	if rep.ExitCode() != ExitFailed {
		t.Error("fuzz divergences must fail the run")
	}
	again := mustRun(t, Config{Paths: []string{dir}, Fuzz: 16, Seed: 11, Workers: 7})
	if !reflect.DeepEqual(rep.Suites, again.Suites) {
		t.Error("the same seed gave different fuzz results")
	}
}

func TestRunSnapshots(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string]string{
		"p.raigo": policyHeader + keywordRule("A", "DENY", "high", "alpha"),
		"s.raigo-test.yaml": "suite: S\npolicy: p.raigo\ncases:\n" +
			"  - name: a\n    input: {prompt: alpha}\n    expect: {action: block}\n" +
			"  - name: a\n    input: {prompt: beta}\n    expect: {action: allow}\n",
	})
	snaps := filepath.Join(t.TempDir(), "snaps")
	counts := func(cfg Config) (SnapshotCounts, *Report) {
		cfg.Paths, cfg.SnapshotDir = []string{dir}, snaps
		rep := mustRun(t, cfg)
		return *rep.Suites[0].Snapshots, rep
	}
	if c, _ := counts(Config{}); c != (SnapshotCounts{Written: 2}) {
		t.Errorf("first run %+v", c)
	}
	data, err := os.ReadFile(filepath.Join(snaps, "s.snap.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f snapshotFile
	if err := json.Unmarshal(data, &f); err != nil || len(f.Cases) != 2 || f.Cases["a"] == nil || f.Cases["a #2"] == nil {
		t.Fatalf("snapshot file: %v %s", err, data)
	}
	if c, rep := counts(Config{}); c != (SnapshotCounts{Matched: 2}) || rep.ExitCode() != ExitOK {
		t.Errorf("second run %+v", c)
	}
	// Change the rule's message: the block case's evaluation changes.
	policy := filepath.Join(dir, "p.raigo")
	body, _ := os.ReadFile(policy)
	os.WriteFile(policy, []byte(strings.Replace(string(body), "Message of A", "New message", 1)), 0o644)
	c, rep := counts(Config{})
	if c != (SnapshotCounts{Matched: 1, Changed: 1}) || rep.ExitCode() != ExitFailed {
		t.Fatalf("changed run %+v exit %d", c, rep.ExitCode())
	}
	cr := rep.Suites[0].Cases[0]
	if cr.Passed() || !strings.Contains(cr.Snapshot.Diff, `-       "user_message": "Message of A"`) ||
		!strings.Contains(cr.Snapshot.Diff, `+       "user_message": "New message"`) {
		t.Errorf("snapshot diff:\n%s", cr.Snapshot.Diff)
	}
	if c, _ := counts(Config{}); c.Changed != 1 {
		t.Error("a changed snapshot must not be overwritten without --update-snapshots")
	}
	if c, rep := counts(Config{UpdateSnapshots: true}); c != (SnapshotCounts{Matched: 1, Updated: 1}) || rep.ExitCode() != ExitOK {
		t.Errorf("update run %+v", c)
	}
	if c, _ := counts(Config{}); c != (SnapshotCounts{Matched: 2}) {
		t.Errorf("after update %+v", c)
	}
}

func TestSnapshotNameCollision(t *testing.T) {
	fw, _ := filepath.Abs(examples + "/policies/agent_firewall.raigo")
	suite := "suite: S\npolicy: " + fw + "\ncases:\n  - name: a\n    input: {prompt: x}\n    expect: {action: allow}\n"
	dir := writeTree(t, t.TempDir(), map[string]string{"a/s.raigo-test.yaml": suite, "b/s.raigo-test.yaml": suite})
	_, err := Run(context.Background(), Config{Paths: []string{dir}, SnapshotDir: t.TempDir()})
	if !IsInputError(err) || !strings.Contains(err.Error(), "snapshot file s.snap.json is already used by") {
		t.Errorf("err = %v", err)
	}
}

func TestRunOutDirectory(t *testing.T) {
	foreign := filepath.Join(t.TempDir(), "mine")
	writeTree(t, foreign, map[string]string{"old.txt": "x"})
	for _, force := range []bool{false, true} {
		_, err := Run(context.Background(), Config{Paths: []string{examples + "/suites"}, Out: foreign, Force: force})
		if !IsInputError(err) || !strings.Contains(err.Error(), "not a previous raigo run") {
			t.Fatalf("force=%v: err = %v", force, err)
		}
		if _, err := os.Stat(filepath.Join(foreign, "old.txt")); err != nil {
			t.Fatalf("force=%v: a directory raigo did not write was touched: %v", force, err)
		}
	}
	out := filepath.Join(t.TempDir(), "run")
	mustRun(t, Config{Paths: []string{examples + "/suites"}, Out: out})
	_, err := Run(context.Background(), Config{Paths: []string{examples + "/suites"}, Out: out})
	if !IsInputError(err) || !strings.Contains(err.Error(), "holds a previous raigo run (use --force to replace it)") {
		t.Fatalf("err = %v", err)
	}
	rep := mustRun(t, Config{Paths: []string{examples + "/suites"}, Out: out, Force: true})
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{".raigo-run", SummaryJSON, TracesJSONL, TracesParquet}, names); diff != "" || rep.Out != out {
		t.Errorf("out dir (-want +got):\n%s", diff)
	}
	siblings, _ := os.ReadDir(filepath.Dir(out))
	if len(siblings) != 1 {
		t.Errorf("temporary directories left behind: %v", siblings)
	}
	var sum Summary
	data, _ := os.ReadFile(filepath.Join(out, SummaryJSON))
	if err := json.Unmarshal(data, &sum); err != nil || sum.Totals.Cases != 36 || sum.Freeze.Hash != rep.Freeze.Hash || sum.ExitCode != 0 {
		t.Errorf("summary: %v %+v", err, sum.Totals)
	}
}
