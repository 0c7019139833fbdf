package layers

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Release variants.
const (
	// ReleaseFailOpen releases whatever the database returned without
	// refusal, whether or not the validator allowed the request.
	ReleaseFailOpen = "fail_open"
	// ReleaseIgnoreCohort releases every group whatever its cohort size:
	// the validator's minimum-cohort obligation is never enforced.
	ReleaseIgnoreCohort = "ignore_min_cohort"
	// ReleaseDropDisclosure formats every answer as exact: the sampling
	// lineage the compiler hands over is dropped, so a scaled estimate
	// leaves looking like a count.
	ReleaseDropDisclosure = "drop_sample_disclosure"
)

// Release decides whether the executed rows leave: only for a query the
// validator allowed, that the database executed without refusal, and whose
// row count is within the validator's row budget. Under a minimum cohort
// size it withholds the groups below it (all of them when the result
// carries no cohort sizes), and it discloses an answer the compiler read
// from a sample as an estimate.
func Release(variant string, v *observe.Validator, c *observe.Compiler, d *observe.Database) observe.Release {
	if variant == ReleaseFailOpen && v != nil && d != nil && !d.Result.Blocked {
		return observe.Release{Allowed: true, Reason: "released: the database answered", Rows: len(d.Result.Rows)}
	}
	switch {
	case v == nil:
		return observe.Release{Reason: "withheld: the intent was rejected before validation"}
	case !v.Allowed:
		return observe.Release{Reason: "withheld: the validator denied the request"}
	case d == nil:
		return observe.Release{Reason: "withheld: nothing was executed"}
	case d.Result.Blocked:
		return observe.Release{Reason: "withheld: the database refused the query"}
	case len(d.Result.Rows) > v.Obligations.RowBudget:
		return observe.Release{Reason: fmt.Sprintf("withheld: %d rows exceed the row budget %d", len(d.Result.Rows), v.Obligations.RowBudget)}
	}
	out := observe.Release{Allowed: true, Reason: "released", Rows: len(d.Result.Rows)}
	if k := v.Obligations.MinCohort; k > 0 && variant != ReleaseIgnoreCohort {
		small, ok := belowCohort(d.Result, k)
		switch {
		case !ok:
			return observe.Release{Reason: fmt.Sprintf("withheld: the result carries no %s to check the minimum cohort size %d against", spec.CohortColumn, k)}
		case len(small) > 0 && len(small) == len(d.Result.Rows):
			return observe.Release{Reason: fmt.Sprintf("withheld: every group is below the minimum cohort size %d", k)}
		case len(small) > 0:
			out.Withheld, out.Rows = small, out.Rows-len(small)
			out.Reason = fmt.Sprintf("released; %d groups below the minimum cohort size %d withheld", len(small), k)
		}
	}
	if c != nil && c.Sample > 0 && variant != ReleaseDropDisclosure {
		out.Disclosure = fmt.Sprintf("estimate: computed from a SAMPLE %s of the rows, scaled by %s",
			strconv.FormatFloat(c.Sample, 'g', -1, 64), strconv.FormatFloat(1/c.Sample, 'g', 6, 64))
	}
	return out
}

// belowCohort lists the rows of res whose cohort size is below k (a NULL
// size counts as 0); ok is false when res has no cohort size column.
func belowCohort(res db.Result, k int) (rows []int, ok bool) {
	ci := slices.Index(res.Columns, spec.CohortColumn)
	if ci < 0 {
		return nil, false
	}
	for i, r := range res.Rows {
		if n, err := strconv.Atoi(r[ci]); err != nil || n < k {
			rows = append(rows, i)
		}
	}
	return rows, true
}
