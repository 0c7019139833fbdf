package detect

import (
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
)

// TestDetectWithout: each part's switch removes exactly that part's
// finding from an observation that violates it, and leaves the other
// parts' checks running.
func TestDetectWithout(t *testing.T) {
	cases := []struct {
		part   Part
		mutate func(o *observe.Observation)
		// surface is the part's finding's surface
		surface string
	}{
		{PartTransitionObligations, func(o *observe.Observation) { o.Layers.Compiler.TenantScope = []string{"acme", "globex"} }, "compiler"},
		{PartSQLAST, func(o *observe.Observation) { o.Measured.SQL.Limit = 5000 }, "compiler"},
		{PartOracleReference, func(o *observe.Observation) {
			o.Measured.Restricted = &db.Result{Columns: []string{"region", "value"}, Rows: [][]string{{"east", "99"}}}
		}, "compiler"},
		{PartContainmentProbes, func(o *observe.Observation) { o.Layers.Database.Probes[0].Visible = []string{"1", "2", "3"} }, "database"},
		{PartReleaseRules, func(o *observe.Observation) { o.Layers.Release.Rows = 5000 }, "release"},
	}
	if len(cases) != len(Parts()) {
		t.Fatalf("%d cases for %d parts", len(cases), len(Parts()))
	}
	for _, tc := range cases {
		t.Run(string(tc.part), func(t *testing.T) {
			o := baseline()
			tc.mutate(&o)
			if d := Detect(o); d.LocalizedSurface != tc.surface {
				t.Fatalf("full detector localizes %q, want %q (%v)", d.LocalizedSurface, tc.surface, d.Findings)
			}
			if d := DetectWithout(o, tc.part); d.WitnessClass != Clean {
				t.Errorf("without %s: %s at %s (%v)", tc.part, d.WitnessClass, d.LocalizedSurface, d.Findings)
			}
			for _, other := range Parts() {
				if other == tc.part {
					continue
				}
				if d := DetectWithout(o, other); d.LocalizedSurface != tc.surface {
					t.Errorf("without %s the %s finding is lost", other, tc.part)
				}
			}
		})
	}
}
