package detect

import (
	"slices"
	"strconv"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
)

// cohortSizes reads each row's cohort size from res (a NULL or unreadable
// size counts as 0); ok is false when res has no cohort size column.
func cohortSizes(res db.Result) (sizes []int, ok bool) {
	ci := slices.Index(res.Columns, oracle.CohortColumn)
	if ci < 0 {
		return nil, false
	}
	sizes = make([]int, len(res.Rows))
	for i, r := range res.Rows {
		sizes[i], _ = strconv.Atoi(r[ci])
	}
	return sizes, true
}

// released is what the release let out of the executed rows: every row
// but the ones it withheld.
func released(d *observe.Database, r *observe.Release) [][]string {
	if len(r.Withheld) == 0 {
		return d.Result.Rows
	}
	var out [][]string
	for i, row := range d.Result.Rows {
		if !slices.Contains(r.Withheld, i) {
			out = append(out, row)
		}
	}
	return out
}

// releasable is what should leave of the reference answer under a minimum
// cohort size k: the groups that reach it (every group when k is 0).
func releasable(ref *oracle.Answer, k int) [][]string {
	ci := slices.Index(ref.Columns, oracle.CohortColumn)
	if k == 0 || ci < 0 {
		return ref.Rows
	}
	var out [][]string
	for _, row := range ref.Rows {
		if n, err := strconv.Atoi(row[ci]); err == nil && n >= k {
			out = append(out, row)
		}
	}
	return out
}
