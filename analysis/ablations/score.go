package ablations

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/stats"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
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
	Mutants  int `json:"mutants"`
	Controls int `json:"controls"`
	// Rerun counts the traces the detector was re-run on (every trace
	// with observations), Reproduced those whose full re-run gave exactly
	// the stored findings and localization.
	Rerun      int            `json:"rerun"`
	Reproduced int            `json:"reproduced"`
	Full       Row            `json:"full"`
	Rows       []Row          `json:"ablations"`
	Records    Records        `json:"search_and_minimization"`
	ByRun      map[string]int `json:"-"`
}

// Options tune ScoreWith.
type Options struct {
	// Domains are the domains of runs of a --domain-path domain, by name
	// (built-in domains are loaded by name).
	Domains map[string]*spec.Domain
}

// Score re-runs the detector and every ablation over set.
func Score(ctx context.Context, set *dataset.Set) (Report, error) {
	return ScoreWith(ctx, set, Options{})
}

// ScoreWith is Score with options.
func ScoreWith(ctx context.Context, set *dataset.Set, opt Options) (Report, error) {
	var r Report
	n := len(all)
	killed := make([][]bool, n+1) // last: full detector
	fp := make([]int, n+1)
	lost := make([]int, n)
	moved := make([]int, n)
	var irB, irA, rowsB, rowsA, bytesB []int
	bytesA := map[string][]int{}
	orc := &oracles{domains: opt.Domains, byRun: map[string]*oracle.Oracle{}}
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
		if t.Status == trace.Invalid {
			return nil
		}
		if t.Layers == nil {
			return fmt.Errorf("%s: trace %s carries no layer outputs (a --compact run): ablations re-run the detector on the stored observations", run, t.TaskID)
		}
		o, err := orc.forRun(run, set.Dirs[run])
		if err != nil {
			return err
		}
		res := rerun(t, o)
		r.Rerun++
		if res.reproduced {
			r.Reproduced++
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
		for i := 0; i <= n; i++ {
			oc := res.full
			if i < n {
				oc = res.ablated[i]
				if mutant && res.full.caught() && !oc.caught() {
					lost[i]++
				}
				if mutant && res.full.caught() && oc.caught() && oc.surface != res.full.surface {
					moved[i]++
				}
			}
			if mutant {
				killed[i] = append(killed[i], oc.caught())
			} else if oc.caught() {
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
	for _, run := range slices.Sorted(maps.Keys(bytesA)) {
		after = append(after, bytesA[run]...)
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
