package suites

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// The control inputs below are the requests on which a correct stack is
// easiest to get wrong: a filter on any dimension (time buckets included),
// names the policy does not define, limits and costs on either side of the
// role's budget. Each is a pure function of the task's random stream and
// its turn (its position in the scenario's cycle).

// filterTurn is the dimension a filter control's turn filters on: the
// dimensions in turn, every third pass over them on values no row holds.
func (g *Generated) filterTurn(turn int) (dim string, absent bool) {
	n := len(g.space.dims)
	return g.space.dims[turn%n], (turn/n)%3 == 1
}

// filterControl is a request filtering on dim, by a principal granted it
// (any principal when no role is): an authorized query filtered on a value
// the dimension takes (one of the principal's tenants for the tenancy
// column, a date inside the time range for a time bucket), grouped by dim
// as well every other time; absent, on a value no row holds (the value in a
// form the normalized text never takes).
func (g *Generated) filterControl(rng *rand.Rand, dim string, absent bool) (string, spec.SemanticQuery, string) {
	p := g.d.Policy
	principals := spec.SortedKeys(p.Principals)
	if granted := filter(principals, func(pr string) bool { return g.space.dimAllowed(p.Principals[pr].Role, dim) }); len(granted) > 0 {
		principals = granted
	}
	principal := pick(rng, principals)
	q := g.authorized(rng, principal)
	dd := p.Dimensions[dim]
	var value string
	switch {
	case dd.Bucket != "":
		value = g.bucketValue(rng, dd.Bucket, q.TimeRange)
	case dd.Source == p.Tenancy.Column:
		value = pick(rng, p.Principals[principal].TenantIDs)
	case len(g.space.values[dim]) > 0:
		value = pick(rng, g.space.values[dim])
	default:
		value = "none"
	}
	scenario := "filter on " + dim
	if absent {
		if _, err := time.Parse(time.DateOnly, value); err == nil {
			value += " 00:00:00"
		} else {
			value += " (absent)"
		}
		scenario += ", a value no row holds"
	}
	q.Filters = map[string]string{dim: value}
	if rng.IntN(2) == 0 && !slices.Contains(q.Dimensions, dim) {
		q.Dimensions = append(q.Dimensions, dim)
	}
	return principal, q.Normalized(), scenario
}

// bucketValue is a value of a month or day bucket inside time range tr: the
// date of a day drawn from the range's window (the first of its month for
// a month bucket), as the normalized text writes it.
func (g *Generated) bucketValue(rng *rand.Rand, bucket, tr string) string {
	w, err := oracle.TimeWindow(g.d.Policy.Calendar, tr)
	if err != nil {
		return g.d.Policy.Calendar.AsOf
	}
	days := int(w.End.Sub(w.Start).Hours() / 24)
	day := w.Start.AddDate(0, 0, rng.IntN(max(days, 1)))
	if bucket == "month" {
		day = day.AddDate(0, 0, 1-day.Day())
	}
	return day.Format(time.DateOnly)
}

// unknownKinds are the kinds of name an unknown-name control replaces, in
// cycle order.
var unknownKinds = []string{"metric", "dimension", "filter", "time_range"}

// unknownNames are plausible names a model might invent, per kind.
var unknownNames = map[string][]string{
	"metric":     {"churn_rate", "arr", "lifetime_value"},
	"dimension":  {"zip_code", "industry", "account_manager"},
	"filter":     {"zip_code", "industry", "account_manager"},
	"time_range": {"last_week", "yesterday", "next_quarter"},
}

// unknownControl makes q name one thing of kind the policy does not define
// (the correct stack denies it, and no layer can lower it).
func (g *Generated) unknownControl(rng *rand.Rand, q spec.SemanticQuery, kind string) (spec.SemanticQuery, string) {
	p := g.d.Policy
	name := pick(rng, unknownNames[kind])
	defined := func(n string) bool {
		for _, m := range p.Metrics {
			if slices.Contains(m.Aliases, n) {
				return true
			}
		}
		return p.Metrics[n] != nil || p.Dimensions[n] != nil || slices.Contains(resolve.TimeRangeNames(p), n) || spec.KnownTimeRange(n)
	}
	for defined(name) {
		name += "_unknown"
	}
	switch kind {
	case "metric":
		q.Metric = name
	case "dimension":
		q.Dimensions = append(q.Dimensions, name)
	case "filter":
		q.Filters = map[string]string{name: "x"}
	case "time_range":
		q.TimeRange = name
	}
	return q.Normalized(), "unknown " + kind + " " + name
}

// boundaryLimits are the limits a boundary-limit control cycles through:
// the least, the row budget, one over it.
func boundaryLimits(role *spec.Role) []int { return []int{1, role.MaxRows, role.MaxRows + 1} }

// costControl is a request of principal priced at the role's budget
// (over=false: the costliest granted metric and up to three granted
// dimensions costing at most max_cost, exactly max_cost when some
// combination does) or just over it (over=true: the cheapest such request
// costing more; at the budget when none does). Costs are the correct
// compiler's plan estimates, which the canonical policy must agree with.
func (g *Generated) costControl(rng *rand.Rand, principal string, over bool) (spec.SemanticQuery, string) {
	p := g.d.Policy
	roleName := p.Principals[principal].Role
	role := p.Roles[roleName]
	q := g.authorized(rng, principal)
	q.Filters = nil
	metrics := filter(g.space.metrics, func(m string) bool { return g.space.metricAllowed(roleName, m) })
	dims := filter(g.space.dims, func(d string) bool { return g.space.dimAllowed(roleName, d) })
	type priced struct {
		metric string
		dims   []string
		cost   int
	}
	var below, above []priced
	for _, m := range metrics {
		for _, ds := range subsets(dims, 3) {
			c, err := layers.EstimateCost(resolve.Standard{}, layers.Correct, g.d, m, spec.SemanticQuery{Metric: m, Dimensions: ds})
			if err != nil {
				continue
			}
			x := priced{m, ds, c}
			switch {
			case c <= role.MaxCost && (len(below) == 0 || c > below[0].cost):
				below = []priced{x}
			case c <= role.MaxCost && c == below[0].cost:
				below = append(below, x)
			case c > role.MaxCost && (len(above) == 0 || c < above[0].cost):
				above = []priced{x}
			case c > role.MaxCost && c == above[0].cost:
				above = append(above, x)
			}
		}
	}
	side, scenario := below, "cost at the budget"
	if over && len(above) > 0 {
		side, scenario = above, "cost just over the budget"
	}
	if len(side) == 0 {
		return q, "authorized (no priced request)"
	}
	x := pick(rng, side)
	q.Metric, q.Dimensions = x.metric, x.dims
	return q.Normalized(), fmt.Sprintf("%s: %d of %d", scenario, x.cost, role.MaxCost)
}

// subsets lists the subsets of xs with at most k elements, in a fixed order
// (by size, then lexicographically by position).
func subsets(xs []string, k int) [][]string {
	out := [][]string{{}}
	frontier := [][]int{{}}
	for size := 1; size <= k && size <= len(xs); size++ {
		var next [][]int
		for _, f := range frontier {
			start := 0
			if len(f) > 0 {
				start = f[len(f)-1] + 1
			}
			for i := start; i < len(xs); i++ {
				idx := append(append([]int{}, f...), i)
				next = append(next, idx)
				s := make([]string, len(idx))
				for j, n := range idx {
					s[j] = xs[n]
				}
				out = append(out, s)
			}
		}
		frontier = next
	}
	return out
}
