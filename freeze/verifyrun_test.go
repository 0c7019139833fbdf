package freeze

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/suites"
)

// TestVerifyRunComparesEveryByte: a small sample of a held-out run whose
// witnesses build on earlier ones of their failure shape verifies with
// nothing masked (the shape's earlier tasks are re-executed with it), and
// an edit of one minimization counter in a sampled witness, which the
// comparison used to mask, fails it.
func TestVerifyRunComparesEveryByte(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	src, err := suites.Open(d, "heldout_v1", 40, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	if _, err := run.Run(context.Background(), run.Config{Domain: d, Source: src, Out: out, Workers: 2, ProbeStates: 2, Minimize: true}); err != nil {
		t.Fatal(err)
	}
	// a seed whose sample holds a witness that reused an earlier one of
	// its shape (the sample is a pure function of the suite and seed)
	reused := func(id string) bool {
		b, err := os.ReadFile(filepath.Join(out, "witnesses", id+".json"))
		var w struct {
			Min struct {
				Reused bool `json:"state_reused"`
			} `json:"minimization"`
		}
		return err == nil && json.Unmarshal(b, &w) == nil && w.Min.Reused
	}
	var target string
	opt := RunOptions{Sample: 4, ProbeStates: 2}
	for seed := uint64(1); seed <= 50 && target == ""; seed++ {
		for _, id := range slices.Sorted(maps.Keys(sampleIDs(src, opt.Sample, seed))) {
			if reused(id) {
				target, opt.Seed = id, seed
				break
			}
		}
	}
	if target == "" {
		t.Fatal("no sample of 4 (seeds 1-50) holds a witness that reused an earlier one")
	}
	rc, err := VerifyRun(context.Background(), out, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Verified || len(rc.HistoryMasked) != 0 || len(rc.Sampled) != 4 || rc.Reexecuted <= len(rc.Sampled) {
		t.Fatalf("verify-run (seed %d, %s reused): %+v", opt.Seed, target, rc)
	}
	wp := filepath.Join(out, "witnesses", target+".json")
	b, _ := os.ReadFile(wp)
	re := regexp.MustCompile(`"attempts": (\d+)`)
	m := re.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no attempts counter", wp)
	}
	n, _ := strconv.Atoi(string(m[1]))
	b = re.ReplaceAll(b, []byte(`"attempts": `+strconv.Itoa(n+1)))
	if err := os.WriteFile(wp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err = VerifyRun(context.Background(), out, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Verified || len(rc.Differing) != 1 || rc.Differing[0] != target {
		t.Errorf("after editing %s's attempts: verified %v, differing %v", target, rc.Verified, rc.Differing)
	}
	// without the history the counters are masked again, and the report
	// says so
	opt.MaxHistory = -1
	if rc, err = VerifyRun(context.Background(), out, opt); err != nil {
		t.Fatal(err)
	}
	t.Logf("without history: differing %v (masked %v)", rc.Differing, rc.HistoryMasked)
	if !slices.Contains(rc.HistoryMasked, target) || rc.Reexecuted != len(rc.Sampled) {
		t.Errorf("without history %s is not masked: %+v", target, rc)
	}
}
