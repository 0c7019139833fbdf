package ablations

import (
	"fmt"

	"github.com/policystrata/policystrata/analysis/stats"
	"github.com/policystrata/policystrata/analysis/table"
)

func rate(i stats.Interval) string {
	if i.N == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d = %.3f [%.3f, %.3f]", i.K, i.N, i.Rate, i.Lo, i.Hi)
}

// Tables renders the report: the finding ablations, then the search and
// minimization ablations.
func Tables(r Report) []table.Table {
	t := table.Table{Name: "ablations", Caption: "Ablations: the detector re-run without one part", Align: "llrrll",
		Header: []string{"Ablation", "Killed", "Lost", "Localized elsewhere", "False positives", "McNemar full/ablated, p"},
		Notes: fmt.Sprintf("Over %d injected non-equivalent mutants and %d controls. The detector re-run on each trace's stored observations (oracle verdict re-derived from the domain and seeded state) with the part switched off; the full re-run reproduces the stored detection of %d of %d traces (where a trace cut a result to its first rows, the row counts and digests quoted in reasons are not compared). The probes' key lists are not stored: their findings are carried over as recorded. Wilson 95%% intervals; exact McNemar (b: killed only with the part).",
			r.Mutants, r.Controls, r.Reproduced, r.Rerun)}
	t.Rows = append(t.Rows, []string{r.Full.Name, rate(r.Full.Killed), "0", "0", rate(r.Full.FalsePositives), "-"})
	for _, row := range r.Rows {
		t.Rows = append(t.Rows, []string{row.Name, rate(row.Killed), fmt.Sprint(row.Lost), fmt.Sprint(row.Moved), rate(row.FalsePositives),
			fmt.Sprintf("%d/%d, p = %.3g", row.McNemar.B, row.McNemar.C, row.McNemar.P)})
	}
	rc := r.Records
	s := table.Table{Name: "ablations_search_minimization", Caption: "Ablations of the distinguishing-state search and of minimization", Align: "lll",
		Header: []string{"Ablation", "With the part", "Without"},
		Rows: [][]string{
			{"without_distinguishing_state_search: survivors with a killing state", fmt.Sprint(rc.SurvivorsWithKillingState), "0 (indistinguishable from equivalents)"},
			{"without_distinguishing_state_search: equivalents proven by search", fmt.Sprint(rc.SearchProvenEquivalents), "0 (unproven)"},
			{"without_minimization: median query features", fmt.Sprint(rc.MedianIRAfter), fmt.Sprint(rc.MedianIRBefore)},
			{"without_minimization: median state rows", fmt.Sprint(rc.MedianRowsAfter), fmt.Sprint(rc.MedianRowsBefore)},
			{"without_minimization: median witness bytes", fmt.Sprint(rc.MedianBytesAfter), fmt.Sprint(rc.MedianBytesBefore)},
		},
		Notes: fmt.Sprintf("Over %d witnesses; medians are lower medians.", rc.Witnesses)}
	return []table.Table{t, s}
}
