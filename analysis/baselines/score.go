package baselines

import (
	"context"
	"fmt"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/stats"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// AdversarialSuite is the suite whose controls are counted apart.
const AdversarialSuite = "adversarial_clean_controls"

// Row is one comparator's scores: its catch rate over every injected,
// non-equivalent mutant (killed or survived by the detector), its false
// positives on the clean and the adversarial controls, and the paired
// comparison with the detector on the same mutants.
type Row struct {
	Name          string         `json:"name"`
	Doc           string         `json:"doc"`
	Caught        stats.Interval `json:"caught"`
	Missed        int            `json:"missed"`
	CleanFP       stats.Interval `json:"clean_false_positives"`
	AdversarialFP stats.Interval `json:"adversarial_false_positives"`
	// McNemar: B counts mutants the detector killed and the baseline
	// missed, C the reverse.
	McNemar stats.McNemar `json:"mcnemar_vs_detector"`
	// Diff is the detector's catch rate minus the baseline's.
	Diff stats.Diff `json:"detector_minus_baseline"`
}

// Report holds the detector's row and every baseline's.
type Report struct {
	Mutants  int   `json:"mutants"`
	Controls int   `json:"controls"`
	Detector Row   `json:"detector"`
	Rows     []Row `json:"baselines"`
	// ByOperator counts, per operator, its non-equivalent mutants and how
	// many each comparator caught ("detector" included).
	ByOperator map[string]map[string]int `json:"by_operator"`
}

// Flags evaluates every baseline on one trace JSON value, in All order.
func Flags(line []byte, cfgs map[string]Config) ([]bool, error) {
	o, err := DecodeObservables(line)
	if err != nil {
		return nil, err
	}
	c, ok := cfgs[o.Domain]
	if !ok {
		c = ConfigFor(o.Domain)
		cfgs[o.Domain] = c
	}
	out := make([]bool, len(all))
	for i, b := range all {
		out[i] = b.Flag(o, c)
	}
	return out, nil
}

type tally struct {
	caught, cleanFP, advFP int
	vec                    []bool
}

// Score runs every baseline over the traces of set.
func Score(ctx context.Context, set *dataset.Set) (Report, error) {
	cfgs := map[string]Config{}
	t := make([]tally, len(all)+1) // last: the detector
	var r Report
	var cleanN, advN int
	r.ByOperator = map[string]map[string]int{}
	err := set.EachJSON(ctx, "", func(run string, line []byte) error {
		a, err := DecodeAccounting(line)
		if err != nil {
			return fmt.Errorf("%s: %w", run, err)
		}
		mutant := a.Status == trace.Killed || a.Status == trace.Survived
		control := a.Status == trace.CleanControl || a.Status == trace.FalsePos
		if !mutant && !control {
			return nil
		}
		flags, err := Flags(line, cfgs)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", run, a.TaskID, err)
		}
		flags = append(flags, a.Status == trace.Killed || a.Status == trace.FalsePos)
		adv := a.Suite == AdversarialSuite
		switch {
		case mutant:
			r.Mutants++
			op := r.ByOperator[a.Mutation]
			if op == nil {
				op = map[string]int{}
				r.ByOperator[a.Mutation] = op
			}
			op["mutants"]++
		case adv:
			advN++
		default:
			cleanN++
		}
		for i, f := range flags {
			switch {
			case mutant:
				t[i].vec = append(t[i].vec, f)
				if f {
					t[i].caught++
					r.ByOperator[a.Mutation][nameAt(i)]++
				}
			case f && adv:
				t[i].advFP++
			case f:
				t[i].cleanFP++
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Controls = cleanN + advN
	det := t[len(all)]
	row := func(name, doc string, x tally) Row {
		b, c := stats.Paired(det.vec, x.vec)
		return Row{Name: name, Doc: doc, Caught: stats.Wilson(x.caught, r.Mutants), Missed: r.Mutants - x.caught,
			CleanFP: stats.Wilson(x.cleanFP, cleanN), AdversarialFP: stats.Wilson(x.advFP, advN),
			McNemar: stats.McNemarExact(b, c), Diff: stats.BootstrapDiff(det.vec, x.vec)}
	}
	r.Detector = row("policystrata", "the blind detector with the independent oracle", det)
	for i, b := range all {
		r.Rows = append(r.Rows, row(b.Name, b.Doc, t[i]))
	}
	return r, nil
}

func nameAt(i int) string {
	if i == len(all) {
		return "detector"
	}
	return all[i].Name
}
