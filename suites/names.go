package suites

import (
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Grains are the grains a suite file's semantic query may name.
var Grains = []string{"day", "month"}

// checkNames refuses a semantic query of a suite file that names a metric
// (or alias), dimension, filter or time range the domain's policy does not
// define, or repeats a dimension or names an unknown grain: a typo there would silently turn a task into a denied request
// that measures nothing. (Generated adversarial controls make unknown
// names on purpose; they do not come from files.)
func (s *Suite) checkNames(line int, q spec.SemanticQuery) error {
	p, pol := s.Path, s.domain.Policy
	known := false
	for name, m := range pol.Metrics {
		if name == q.Metric {
			known = true
			break
		}
		for _, a := range m.Aliases {
			known = known || a == q.Metric
		}
	}
	if !known {
		return strictyaml.Errorf(p, line, "semantic_query.metric %q is not a metric or alias of the policy (known: %s)", q.Metric, strings.Join(spec.SortedKeys(pol.Metrics), ", "))
	}
	seen := map[string]bool{}
	for _, d := range q.Dimensions {
		if seen[d] {
			return strictyaml.Errorf(p, line, "semantic_query.dimensions: %q is listed twice", d)
		}
		seen[d] = true
		if pol.Dimensions[d] == nil {
			return strictyaml.Errorf(p, line, "semantic_query.dimensions: %q is not a dimension of the policy (known: %s)", d, strings.Join(spec.SortedKeys(pol.Dimensions), ", "))
		}
	}
	for _, f := range spec.SortedKeys(q.Filters) {
		if pol.Dimensions[f] == nil {
			return strictyaml.Errorf(p, line, "semantic_query.filters: %q is not a dimension of the policy (known: %s)", f, strings.Join(spec.SortedKeys(pol.Dimensions), ", "))
		}
	}
	if q.TimeRange != "" && !spec.KnownTimeRange(q.TimeRange) {
		return strictyaml.Errorf(p, line, "semantic_query.time_range %q is not a known time range", q.TimeRange)
	}
	if q.Grain != "" && !slices.Contains(Grains, q.Grain) {
		return strictyaml.Errorf(p, line, "semantic_query.grain %q is not one of %s", q.Grain, strings.Join(Grains, ", "))
	}
	return nil
}
