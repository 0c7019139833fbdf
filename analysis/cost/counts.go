package cost

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/table"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// CountRow is one run's deterministic cost counts.
type CountRow struct {
	Run       string `json:"run"`
	Tasks     int    `json:"tasks"`
	Witnesses int    `json:"witnesses"`
	// Replays sums the minimizer's replays (query and state attempts).
	Replays int `json:"minimization_replays"`
	// SearchEquivalents are the equivalents proven by exhausting the
	// distinguishing-state search, SearchStates the states they tried
	// beyond the suite's own; Survivors stopped the search at a killing
	// state.
	SearchEquivalents int `json:"search_equivalents"`
	SearchStates      int `json:"search_states_tried"`
	Survivors         int `json:"survivors"`
	// TraceBytes is the size of the run's Parquet traces (0 for shards).
	TraceBytes int64 `json:"trace_bytes"`
}

// Counts computes every run's counts from its traces, in input order.
func Counts(ctx context.Context, set *dataset.Set) ([]CountRow, error) {
	by := map[string]*CountRow{}
	var out []*CountRow
	for _, in := range set.Inputs {
		r := &CountRow{Run: in.Name}
		by[in.Name] = r
		out = append(out, r)
		if dir := set.Dirs[in.Name]; dir != "" {
			if st, err := os.Stat(filepath.Join(dir, "traces.parquet")); err == nil {
				r.TraceBytes = st.Size()
			}
		}
	}
	err := set.EachJSON(ctx, "", func(run string, line []byte) error {
		var t struct {
			Status string                  `json:"accounting_status"`
			Min    *trace.Minimization     `json:"minimization"`
			Proof  *trace.EquivalenceProof `json:"equivalence_proof"`
		}
		if err := json.Unmarshal(line, &t); err != nil {
			return fmt.Errorf("%s: decode trace: %w", run, err)
		}
		r := by[run]
		r.Tasks++
		if t.Min != nil {
			r.Witnesses++
			r.Replays += t.Min.Attempts
		}
		switch {
		case t.Status == trace.Survived:
			r.Survivors++
		case t.Proof != nil && t.Proof.Kind == trace.ProofSearchExhausted:
			r.SearchEquivalents++
			r.SearchStates += max(0, len(t.Proof.StatesTried)-1)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cost counts: %w", err)
	}
	rows := make([]CountRow, len(out))
	for i, r := range out {
		rows[i] = *r
	}
	return rows, nil
}

func per(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(a)/float64(b))
}

// CountsTable renders the counts.
func CountsTable(rows []CountRow) table.Table {
	t := table.Table{Name: "cost_counts", Caption: "Cost in counts (deterministic)", Align: "lrrrrrrr",
		Header: []string{"Run", "Tasks", "Witnesses", "Minimization replays", "Replays per witness", "Search-proven equivalents", "Search states tried", "Trace bytes per task"},
		Notes:  "Counted from the traces: the minimizer's replays (query and state attempts), the states the distinguishing-state search tried beyond the suite's own before proving a mutant equivalent, and the Parquet trace bytes. Wall time and memory are measured separately (policystrata cost), outside the compared evidence."}
	for _, r := range rows {
		tb := "-"
		if r.TraceBytes > 0 && r.Tasks > 0 {
			tb = fmt.Sprint(r.TraceBytes / int64(r.Tasks))
		}
		t.Rows = append(t.Rows, []string{r.Run, fmt.Sprint(r.Tasks), fmt.Sprint(r.Witnesses), fmt.Sprint(r.Replays), per(r.Replays, r.Witnesses),
			fmt.Sprint(r.SearchEquivalents), fmt.Sprint(r.SearchStates), tb})
	}
	return t
}
