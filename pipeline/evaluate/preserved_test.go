package evaluate

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/suites"
)

// The replay memo keeps preservedPart of each detection; minimize.Preserves
// must answer the same on it as on the whole detection, for every pair of
// detections a generated suite gives (faulty and correct stacks, every
// class and surface) and either database refusal.
func TestPreservesReadsOnlyThePreservedPart(t *testing.T) {
	env, ev := supportSQLite(t)
	src, err := suites.Open(env.Domain, "generated", 66, 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var dets []detect.Detection
	classes := map[string]bool{}
	for task := range src.Tasks() {
		stack, err := ev.catalog().Stack(task.Mutation)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []layers.Stack{stack, layers.CorrectStack()} {
			obs, err := ev.Observe(ctx, env.Session, s, task.Principal, task.SemanticQuery)
			if err != nil {
				t.Fatalf("%s: %v", task.ID, err)
			}
			d := detect.Detect(obs)
			dets = append(dets, d)
			classes[d.WitnessClass+"/"+d.LocalizedSurface] = true
		}
	}
	if len(classes) < 6 {
		t.Fatalf("%d kinds of detection, want a spread", len(classes))
	}
	trimmed := 0
	for _, orig := range dets {
		for _, cand := range dets {
			part := preservedPart(cand)
			if len(part.Findings) != 0 {
				t.Fatal("preservedPart kept findings")
			}
			if len(cand.Findings) > 0 {
				trimmed++
			}
			for _, ob := range []bool{false, true} {
				for _, cb := range []bool{false, true} {
					if got, want := minimize.Preserves(orig, part, ob, cb), minimize.Preserves(orig, cand, ob, cb); got != want {
						t.Fatalf("Preserves(%s/%s, %s/%s, %v, %v) = %v on the preserved part, %v on the detection",
							orig.WitnessClass, orig.LocalizedSurface, cand.WitnessClass, cand.LocalizedSurface, ob, cb, got, want)
					}
				}
			}
		}
	}
	if trimmed == 0 {
		t.Fatal("no detection had findings to drop")
	}
}
