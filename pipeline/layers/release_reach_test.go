package layers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// TestReleaseUnreachableIsSound: whenever ReleaseUnreachable says a faulty
// gate cannot fire, it decides exactly as the correct gate on every database
// result tried (random results with and without cohort sizes, refused,
// over budget, empty), so "unreachable" is a proof, not a guess. And each
// faulty gate is reachable for some request shape.
func TestReleaseUnreachableIsSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	results := func() []*observe.Database {
		out := []*observe.Database{nil, {Result: db.Result{Blocked: true, Error: "refused"}}}
		for n := 0; n < 40; n++ {
			cols := []string{"severity", "value"}
			withCohort := n%2 == 0
			if withCohort {
				cols = append(cols, spec.CohortColumn)
			}
			res := db.Result{Columns: cols}
			for i := 0; i < rng.IntN(8); i++ {
				row := []string{fmt.Sprint(i), fmt.Sprint(rng.IntN(100))}
				if withCohort {
					row = append(row, fmt.Sprint(rng.IntN(12)))
				}
				res.Rows = append(res.Rows, row)
			}
			out = append(out, &observe.Database{Result: res})
		}
		return out
	}()
	validators := []*observe.Validator{nil}
	for _, allowed := range []bool{true, false} {
		for _, cohort := range []int{0, 5} {
			for _, budget := range []int{3, 100} {
				validators = append(validators, &observe.Validator{Allowed: allowed, Metric: "m", Obligations: observe.Obligations{RowBudget: budget, MinCohort: cohort}})
			}
		}
	}
	compilers := []*observe.Compiler{nil, {Error: "unknown name"}, {SQL: "SELECT 1"}, {SQL: "SELECT 1", Sample: 0.1}}
	limits := []int64{-1, 3, 100}
	for _, variant := range []string{ReleaseFailOpen, ReleaseIgnoreCohort, ReleaseDropDisclosure} {
		reachable := false
		for _, v := range validators {
			for _, c := range compilers {
				for _, limit := range limits {
					reason, ok := ReleaseUnreachable(variant, v, c, limit)
					if !ok {
						reachable = true
						continue
					}
					for _, d := range results {
						if d != nil && (c == nil || c.Error != "") { // no SQL, nothing executed
							continue
						}
						if d != nil && len(d.Result.Rows) > int(limit) && limit >= 0 {
							continue // the SQL's LIMIT bounds what the database returns
						}
						want, got := Release(Correct, v, c, d), Release(variant, v, c, d)
						want.Reason, got.Reason = "", ""
						if diff := cmp.Diff(want, got); diff != "" {
							t.Fatalf("%s called unreachable (%s) but differs for v=%+v c=%+v limit=%d d=%+v (-correct +faulty):\n%s", variant, reason, v, c, limit, d, diff)
						}
					}
				}
			}
		}
		if !reachable {
			t.Errorf("%s is never reachable", variant)
		}
	}
}
