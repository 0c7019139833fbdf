package ablations

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/stats"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Row is one finding ablation's result over the non-equivalent mutants
// and the controls.
type Row struct {
	Name   string         `json:"name"`
	Doc    string         `json:"doc"`
	Killed stats.Interval `json:"killed"`
	// Lost counts mutants the full detector kills and the ablated one
	// does not; Moved those still killed but localized elsewhere.
	Lost           int            `json:"lost"`
	Moved          int            `json:"moved"`
	FalsePositives stats.Interval `json:"false_positives"`
	McNemar        stats.McNemar  `json:"mcnemar_vs_full"`
}

// Records are the search and minimization ablations.
type Records struct {
	// Survivors with a killing state, and equivalents proven by search
	// exhaustion: what the search contributes.
	SurvivorsWithKillingState int `json:"survivors_with_killing_state"`
	SearchProvenEquivalents   int `json:"search_proven_equivalents"`
	// Witnesses and their median sizes with and without minimization.
	Witnesses         int `json:"witnesses"`
	MedianIRBefore    int `json:"median_ir_features_unminimized"`
	MedianIRAfter     int `json:"median_ir_features_minimized"`
	MedianRowsBefore  int `json:"median_state_rows_unminimized"`
	MedianRowsAfter   int `json:"median_state_rows_minimized"`
	MedianBytesBefore int `json:"median_witness_bytes_unminimized"`
	MedianBytesAfter  int `json:"median_witness_bytes_minimized"`
}

// Report is every ablation over a set of runs.
type Report struct {
	Mutants  int            `json:"mutants"`
	Controls int            `json:"controls"`
	Full     Row            `json:"full"`
	Rows     []Row          `json:"ablations"`
	Records  Records        `json:"search_and_minimization"`
	ByRun    map[string]int `json:"-"`
}

type rec struct {
	Status       string                  `json:"accounting_status"`
	Findings     []detect.Finding        `json:"findings"`
	Localized    string                  `json:"localized_surface"`
	WitnessPath  string                  `json:"witness_path"`
	Proof        *trace.EquivalenceProof `json:"equivalence_proof"`
	KillingState *trace.StateRef         `json:"killing_state"`
	Minimization *trace.Minimization     `json:"minimization"`
}

func decode(line []byte) (*rec, error) {
	var r rec
	if err := json.NewDecoder(bytes.NewReader(line)).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode trace: %w", err)
	}
	return &r, nil
}

// Score runs every ablation over set.
func Score(ctx context.Context, set *dataset.Set) (Report, error) {
	var r Report
	n := len(all)
	killed := make([][]bool, n+1) // last: full detector
	fp := make([]int, n+1)
	lost := make([]int, n)
	moved := make([]int, n)
	var irB, irA, rowsB, rowsA, bytesB []int
	bytesA := map[string][]int{}
	err := set.EachJSON(ctx, "", func(run string, line []byte) error {
		t, err := decode(line)
		if err != nil {
			return fmt.Errorf("%s: %w", run, err)
		}
		switch t.Status {
		case trace.Survived:
			if t.KillingState != nil {
				r.Records.SurvivorsWithKillingState++
			}
		case trace.Equivalent:
			if t.Proof != nil && t.Proof.Kind == trace.ProofSearchExhausted {
				r.Records.SearchProvenEquivalents++
			}
		}
		if m := t.Minimization; m != nil && t.WitnessPath != "" {
			r.Records.Witnesses++
			irB, irA = append(irB, m.IRFeaturesBefore), append(irA, m.IRFeaturesAfter)
			rowsB, rowsA = append(rowsB, m.StateRowsBefore), append(rowsA, m.StateRowsAfter)
			bytesB = append(bytesB, m.OriginalBytes)
			if p := set.WitnessFile(run, t.WitnessPath); p != "" {
				if st, err := os.Stat(p); err == nil {
					bytesA[run] = append(bytesA[run], int(st.Size()))
				}
			}
		}
		mutant := t.Status == trace.Killed || t.Status == trace.Survived
		control := t.Status == trace.CleanControl || t.Status == trace.FalsePos
		if !mutant && !control {
			return nil
		}
		if mutant {
			r.Mutants++
		} else {
			r.Controls++
		}
		full := t.Status == trace.Killed || t.Status == trace.FalsePos
		for i := 0; i <= n; i++ {
			caught := full
			if i < n && full {
				class, surface := Redetect(t.Findings, all[i].Drop)
				caught = class != detect.Clean
				if mutant && !caught {
					lost[i]++
				}
				if mutant && caught && surface != t.Localized {
					moved[i]++
				}
			}
			if mutant {
				killed[i] = append(killed[i], caught)
			} else if caught {
				fp[i]++
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	count := func(v []bool) int {
		k := 0
		for _, b := range v {
			if b {
				k++
			}
		}
		return k
	}
	r.Full = Row{Name: "full_detector", Doc: "every check", Killed: stats.Wilson(count(killed[n]), r.Mutants), FalsePositives: stats.Wilson(fp[n], r.Controls)}
	for i, a := range all {
		b, c := stats.Paired(killed[n], killed[i])
		r.Rows = append(r.Rows, Row{Name: a.Name, Doc: a.Doc, Killed: stats.Wilson(count(killed[i]), r.Mutants), Lost: lost[i], Moved: moved[i],
			FalsePositives: stats.Wilson(fp[i], r.Controls), McNemar: stats.McNemarExact(b, c)})
	}
	var after []int
	for _, v := range bytesA {
		after = append(after, v...)
	}
	rc := &r.Records
	rc.MedianIRBefore, rc.MedianIRAfter = median(irB), median(irA)
	rc.MedianRowsBefore, rc.MedianRowsAfter = median(rowsB), median(rowsA)
	rc.MedianBytesBefore, rc.MedianBytesAfter = median(bytesB), median(after)
	return r, nil
}

// median is the lower median of v (0 when empty).
func median(v []int) int {
	if len(v) == 0 {
		return 0
	}
	s := append([]int{}, v...)
	sort.Ints(s)
	return s[(len(s)-1)/2]
}
