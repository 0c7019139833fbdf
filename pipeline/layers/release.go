package layers

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/observe"
)

// ReleaseFailOpen releases whatever the database returned without
// refusal, whether or not the validator allowed the request.
const ReleaseFailOpen = "fail_open"

// Release decides whether the executed rows leave: only for a query the
// validator allowed, that the database executed without refusal, and whose
// row count is within the validator's row budget.
func Release(variant string, v *observe.Validator, d *observe.Database) observe.Release {
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
	return observe.Release{Allowed: true, Reason: "released", Rows: len(d.Result.Rows)}
}
