package evaluate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// answerObservations bounds the observations of given answers kept for
// later tasks with the same answer (each holds every layer's output).
const answerObservations = 1024

// start is where one task's reduction begins when the minimizer is given
// its answer (StartFrom).
type start struct {
	query spec.SemanticQuery
	state minimize.Subset
}

// StartFrom makes the reductions of the witnesses' tasks start from each
// witness's reduced query and minimal state, as a search that always
// guessed right would: only the 1-minimality check of the answer is
// replayed. It measures the floor of minimization's cost (the
// minimization benchmark), not a way to run. Every witness must be of
// this run's suite state (its rows the state's rows) and of a distinct
// task; it is called before any task is minimized.
func (m *Minimizer) StartFrom(ws []trace.Witness) error {
	index := map[string]map[string][]int{}
	for t, rows := range m.full {
		byKey := map[string][]int{}
		for i, r := range rows {
			k := rowKey(r)
			byKey[k] = append(byKey[k], i)
		}
		index[t] = byKey
	}
	starts := map[string]start{}
	for _, w := range ws {
		if _, dup := starts[w.TaskID]; dup {
			return fmt.Errorf("start minimization: task %s has two witnesses", w.TaskID)
		}
		rows, err := state.DecodeRows(m.ev.Domain, w.State)
		if err != nil {
			return fmt.Errorf("start minimization: witness of %s: %w", w.TaskID, err)
		}
		sub := minimize.Subset{}
		for t := range m.full {
			sub[t] = []int{}
		}
		for t, rs := range rows {
			byKey, ok := index[t]
			if !ok {
				if len(rs) == 0 {
					continue
				}
				return fmt.Errorf("start minimization: witness of %s: table %s is not a base table of the state", w.TaskID, t)
			}
			used := map[int]bool{}
			for _, r := range rs {
				at := -1
				for _, i := range byKey[rowKey(r)] {
					if !used[i] {
						at = i
						break
					}
				}
				if at < 0 {
					return fmt.Errorf("start minimization: witness of %s: a row of %s is not in the suite's state", w.TaskID, t)
				}
				used[at] = true
				sub[t] = append(sub[t], at)
			}
			// the indexes are distinct (used), so sorted is increasing
			if !slices.IsSorted(sub[t]) {
				return fmt.Errorf("start minimization: witness of %s: the rows of %s are not in the state's order", w.TaskID, t)
			}
		}
		starts[w.TaskID] = start{query: w.SemanticIR.Normalized(), state: sub}
	}
	m.starts = starts
	m.answers = newMemoLRU[*observe.Observation](answerObservations)
	return nil
}

// rowKey is a row's values in the normalized text form, for matching a
// witness's rows with the state's.
func rowKey(r []any) string {
	var b strings.Builder
	for _, v := range r {
		b.WriteString(cell.Format(v))
		b.WriteByte(0)
	}
	return b.String()
}
