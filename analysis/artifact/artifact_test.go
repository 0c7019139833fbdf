package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/suites"
)

func TestArtifactReportMatchesSummary(t *testing.T) {
	d, err := domains.Load("finance_saas")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, "seeded", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	if _, err := run.Run(context.Background(), run.Config{Domain: d, Source: s, Out: out, Workers: 2, ProbeStates: 2, Minimize: true}); err != nil {
		t.Fatal(err)
	}
	r, err := Build(context.Background(), out, d)
	if err != nil {
		t.Fatal(err)
	}
	var sm struct {
		Total, Killed, Survived, Equivalent int
		Minimized                           int `json:"minimized_witness_count"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	if err := json.Unmarshal(b, &sm); err != nil {
		t.Fatal(err)
	}
	if r.Traces != sm.Total || r.Killed != sm.Killed || r.Survived != sm.Survived || r.MinimizedWitnesses != sm.Minimized {
		t.Errorf("report %+v disagrees with summary %+v", r, sm)
	}
	if r.Domain != "finance_saas" || r.DomainFixtureFiles < 4 || r.DomainFixtureLines == 0 || r.RunArtifactFiles < 5 || r.MedianWitnessBytes == 0 {
		t.Errorf("identity or sizes missing: %+v", r)
	}
	if r.BenchmarkManifestID != nil || r.DetectorFrozen {
		t.Error("an unfrozen run reports a manifest")
	}
	var md bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| benchmark_manifest_id | null |") || !strings.Contains(md.String(), "| killed | 20 |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}
