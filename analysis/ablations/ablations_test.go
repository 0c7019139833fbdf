package ablations

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/suites"
)

func runSuite(t *testing.T, root, domain, suite string, count int) string {
	t.Helper()
	d, err := domains.Load(domain)
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, suite, count, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, domain+"-"+suite)
	if _, err := run.Run(context.Background(), run.Config{Domain: d, Source: s, Out: out, Workers: 2, ProbeStates: 2, Minimize: true}); err != nil {
		t.Fatal(err)
	}
	return out
}

func open(t *testing.T, paths ...string) *dataset.Set {
	t.Helper()
	var in []dataset.Input
	for _, p := range paths {
		in = append(in, dataset.Input{Name: filepath.Base(p), Path: p})
	}
	set, err := dataset.Open(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	return set
}

// TestNoAblationIsANoOp: on the seeded suites of the three domains every
// ablation changes the result; the search ablation, which has nothing to
// remove where nothing survives, is checked on a held-out sample with
// survivors. The full detector re-run on the stored observations
// reproduces every stored detection, so the ablations are re-runs of the
// detector's own code.
func TestNoAblationIsANoOp(t *testing.T) {
	root := t.TempDir()
	var seeded []string
	for _, d := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		seeded = append(seeded, runSuite(t, root, d, "seeded", 0))
	}
	set := open(t, seeded...)
	testRerunIgnoresStoredFindings(t, set)
	r, err := Score(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rerun != 170 || r.Reproduced != r.Rerun {
		t.Errorf("the full re-run reproduces %d of %d re-run traces (170 seeded)", r.Reproduced, r.Rerun)
	}
	if r.Full.Killed.K != r.Mutants {
		t.Errorf("full detector kills %d of %d seeded mutants", r.Full.Killed.K, r.Mutants)
	}
	for _, row := range r.Rows {
		t.Logf("%s: killed %d/%d, lost %d, moved %d, fp %d", row.Name, row.Killed.K, row.Killed.N, row.Lost, row.Moved, row.FalsePositives.K)
		if row.Lost == 0 && row.Moved == 0 {
			t.Errorf("%s changes nothing on the seeded suites", row.Name)
		}
		if row.Killed.K+row.Lost != r.Full.Killed.K {
			t.Errorf("%s: killed %d + lost %d != %d", row.Name, row.Killed.K, row.Lost, r.Full.Killed.K)
		}
	}
	rc := r.Records
	if rc.MedianBytesBefore <= rc.MedianBytesAfter || rc.MedianRowsBefore <= rc.MedianRowsAfter {
		t.Errorf("without_minimization changes nothing: %+v", rc)
	}
	held := runSuite(t, root, "support_saas", "heldout_v1", 30)
	hr, err := Score(context.Background(), open(t, held))
	if err != nil {
		t.Fatal(err)
	}
	if hr.Records.SurvivorsWithKillingState+hr.Records.SearchProvenEquivalents == 0 {
		t.Errorf("without_distinguishing_state_search changes nothing on heldout_v1 (30): %+v", hr.Records)
	}
}

// testRerunIgnoresStoredFindings: with the stored findings of every killed
// mutant erased (the probe checks' aside, which traces cannot re-run), the
// re-run still kills it: the verdict comes from the detector, not from the
// stored record.
func testRerunIgnoresStoredFindings(t *testing.T, set *dataset.Set) {
	t.Helper()
	orc := &oracles{byRun: map[string]*oracle.Oracle{}}
	killed := 0
	err := set.EachJSON(context.Background(), "accounting_status = 'killed'", func(run string, line []byte) error {
		tr, err := decode(line)
		if err != nil {
			return err
		}
		o, err := orc.forRun(run, set.Dirs[run])
		if err != nil {
			return err
		}
		var kept []detect.Finding
		for _, f := range tr.Findings {
			if isProbeFinding(f) {
				kept = append(kept, f)
			}
		}
		tr.Findings = kept
		if res := rerun(tr, o); !res.full.caught() {
			t.Errorf("%s: the re-run with the stored findings erased is clean", tr.TaskID)
		}
		killed++
		return nil
	})
	if err != nil || killed == 0 {
		t.Fatalf("re-ran %d killed traces: %v", killed, err)
	}
}
