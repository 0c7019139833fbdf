package minimize

import (
	"errors"
	"slices"
	"testing"

	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/spec"
)

func det(class, surface string) detect.Detection {
	d := detect.Detection{WitnessClass: class, LocalizedSurface: surface, ContractDecisions: map[string]detect.ContractDecision{}}
	if surface != "" {
		d.ContractDecisions[surface] = detect.ContractDecision{Status: detect.Violated}
	}
	return d
}

func TestRun(t *testing.T) {
	orig := det("semantic_drift", "compiler")
	q := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a", "severity", "b"}, Filters: map[string]string{"x": "1", "y": "2"}, Limit: 500}.Normalized()
	cases := []struct {
		name     string
		keep     func(q spec.SemanticQuery) bool // does the witness survive on q?
		wantDims []string
		wantFilt int
		wantLim  int
	}{
		{"fault needs severity only", func(c spec.SemanticQuery) bool { return slices.Contains(c.Dimensions, "severity") }, []string{"severity"}, 0, 100},
		{"fault needs filter y and the big limit", func(c spec.SemanticQuery) bool { return c.Filters["y"] == "2" && c.Limit == 500 }, []string{}, 1, 500},
		{"fault needs everything", func(c spec.SemanticQuery) bool {
			return len(c.Dimensions) == 3 && len(c.Filters) == 2 && c.Limit == 500
		}, []string{"a", "severity", "b"}, 2, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			replay := func(c spec.SemanticQuery) (detect.Detection, bool, error) {
				if tc.keep(c) {
					return orig, false, nil
				}
				return det("clean", ""), false, nil
			}
			res, err := Run(q, orig, false, replay)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Query.Dimensions, tc.wantDims) || len(res.Query.Filters) != tc.wantFilt || res.Query.Limit != tc.wantLim {
				t.Errorf("reduced to %+v", res.Query)
			}
			if !res.OneMinimal || res.Attempts > MaxAttempts {
				t.Errorf("one-minimal=%v attempts=%d", res.OneMinimal, res.Attempts)
			}
			if !tc.keep(res.Query) {
				t.Errorf("reduced query no longer reproduces the witness")
			}
		})
	}
}

func TestRunStopsAtAttemptBudget(t *testing.T) {
	q := spec.SemanticQuery{Metric: "m", Limit: 7}.Normalized()
	for i := 0; i < 40; i++ {
		q.Dimensions = append(q.Dimensions, string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	orig := det("over_permissive", "database")
	res, err := Run(q, orig, false, func(spec.SemanticQuery) (detect.Detection, bool, error) { return det("clean", ""), false, nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != MaxAttempts || res.OneMinimal {
		t.Errorf("attempts=%d one-minimal=%v", res.Attempts, res.OneMinimal)
	}
}

func TestRunPropagatesReplayErrors(t *testing.T) {
	q := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a"}}.Normalized()
	_, err := Run(q, det("semantic_drift", "compiler"), false, func(spec.SemanticQuery) (detect.Detection, bool, error) {
		return detect.Detection{}, false, errors.New("db gone")
	})
	if err == nil {
		t.Fatal("replay error swallowed")
	}
}

func TestPreserves(t *testing.T) {
	a := det("lowering_violation", "compiler")
	b := det("lowering_violation", "compiler")
	if !Preserves(a, b, false, false) {
		t.Error("identical detections not preserved")
	}
	c := det("lowering_violation", "compiler")
	c.ContainmentLayer = "database"
	if Preserves(a, c, false, false) {
		t.Error("containment change preserved")
	}
	if Preserves(a, b, true, false) {
		t.Error("losing the database refusal preserved")
	}
	d := b
	d.ContractDecisions = map[string]detect.ContractDecision{"compiler": {Status: detect.Satisfied}}
	if Preserves(a, d, false, false) {
		t.Error("localized contract no longer violated but preserved")
	}
}
