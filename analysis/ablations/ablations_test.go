package ablations

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/domains"
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
// survivors. Redetect with nothing dropped reproduces every stored
// localization, so the re-derivation is the detector's own.
func TestNoAblationIsANoOp(t *testing.T) {
	root := t.TempDir()
	var seeded []string
	for _, d := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		seeded = append(seeded, runSuite(t, root, d, "seeded", 0))
	}
	set := open(t, seeded...)
	n := 0
	err := set.EachJSON(context.Background(), "", func(_ string, line []byte) error {
		t0, err := decode(line)
		if err != nil {
			return err
		}
		var labels struct {
			Class string `json:"witness_class"`
		}
		_ = json.Unmarshal(line, &labels)
		class, surface := Redetect(t0.Findings, nil)
		if class != labels.Class || surface != t0.Localized {
			t.Errorf("Redetect = %s at %q, stored %s at %q", class, surface, labels.Class, t0.Localized)
		}
		n++
		return nil
	})
	if err != nil || n != 170 {
		t.Fatalf("read %d traces: %v", n, err)
	}
	r, err := Score(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if r.Full.Killed.K != r.Mutants {
		t.Errorf("full detector kills %d of %d seeded mutants", r.Full.Killed.K, r.Mutants)
	}
	for _, row := range r.Rows {
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
