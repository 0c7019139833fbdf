package layers

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/observe"
)

// ReleaseUnreachable reports, with the reason, whether a faulty release
// variant decides exactly as the correct gate for every database result,
// given the validator's decision v and the compiler's output c (both
// state-independent) and limit, the LIMIT of the compiled SQL (negative:
// none). The release gate's only state-dependent input is the result; when
// its fault cannot fire for this request's shape no database state can
// distinguish it. ok is false when the fault may fire.
func ReleaseUnreachable(variant string, v *observe.Validator, c *observe.Compiler, limit int64) (reason string, ok bool) {
	noSQL := c == nil || c.Error != ""
	switch variant {
	case Correct:
		return "the correct gate", true
	case ReleaseFailOpen:
		switch {
		case v == nil:
			return "the grammar rejected the intent: no release gate sees a validator decision", true
		case noSQL:
			return "no SQL was compiled, so nothing is executed for the gate to let out", true
		case v.Allowed && v.Obligations.MinCohort == 0 && c.Sample == 0 && limit >= 0 && limit <= int64(v.Obligations.RowBudget):
			return fmt.Sprintf("the validator allowed the request, the role has no minimum cohort size, the SQL reads no sample and its LIMIT %d keeps within the row budget %d: failing open changes nothing", limit, v.Obligations.RowBudget), true
		}
	case ReleaseIgnoreCohort:
		switch {
		case v == nil || !v.Allowed:
			return "the validator did not allow the request: no group is released, small or not", true
		case v.Obligations.MinCohort == 0:
			return "the role has no minimum cohort size to ignore", true
		case noSQL:
			return "no SQL was compiled, so no group is released", true
		}
	case ReleaseDropDisclosure:
		switch {
		case v == nil || !v.Allowed:
			return "the validator did not allow the request: nothing is released to disclose", true
		case noSQL || c.Sample == 0:
			return "the SQL reads no sample: the answer is exact and has nothing to disclose", true
		}
	}
	return "", false
}
