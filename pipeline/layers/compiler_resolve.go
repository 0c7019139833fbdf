package layers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// unresolved lists, as kind:name in request order, the names of in the
// compiler has no definition for: the metric the validator resolved, the
// dimensions, the filters and the time range (the compiler's own calendar
// arithmetic has no window for it).
func unresolved(d *spec.Domain, in CompileInput) []string {
	p := d.Policy
	var out []string
	if p.Metrics[in.Metric] == nil {
		out = append(out, "metric:"+in.Metric)
	}
	for _, name := range in.Query.Dimensions {
		if p.Dimensions[name] == nil {
			out = append(out, "dimension:"+name)
		}
	}
	for _, name := range spec.SortedKeys(in.Query.Filters) {
		if p.Dimensions[name] == nil {
			out = append(out, "filter:"+name)
		}
	}
	if _, err := compilerWindow(p.Calendar, in.Query.TimeRange, false); errors.Is(err, errUnknownRange) {
		out = append(out, "time_range:"+in.Query.TimeRange)
	}
	return out
}

// EstimateCost is variant's dry run: the estimated cost of the plan it
// lowers metric and q to, the same figure Compile reports as the plan's
// EstimatedCost. It fails for a metric, dimension or filter the compiler
// has no definition for (the time range does not change the cost).
func EstimateCost(r resolve.Resolver, variant string, d *spec.Domain, metric string, q spec.SemanticQuery) (int, error) {
	var names []string
	for _, n := range unresolved(d, CompileInput{Query: q, Metric: metric}) {
		if !strings.HasPrefix(n, "time_range:") {
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		return 0, fmt.Errorf("estimate cost: no definition for %s", strings.Join(names, ", "))
	}
	return planCost(resolve.Or(r), variant, d, d.Policy.Metrics[metric], q), nil
}

// Pricer is variant's EstimateCost as the validator consumes it.
func Pricer(r resolve.Resolver, variant string, d *spec.Domain) PlanCost {
	return func(metric string, q spec.SemanticQuery) (int, error) { return EstimateCost(r, variant, d, metric, q) }
}

// planCost is the cost variant estimates for m and q: with the expansion
// of every one-to-many join, except under CompilerIgnoreExpansion.
func planCost(r resolve.Resolver, variant string, d *spec.Domain, m *spec.Metric, q spec.SemanticQuery) int {
	return compilerCost(r, d, m, q, variant != CompilerIgnoreExpansion)
}
