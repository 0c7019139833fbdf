package suites

import (
	"slices"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// fitsHint reports whether metric m is one a hint asks for: a distinct
// count, a sampled metric, or one a materialized view holds. A hint that
// names no metric kind fits every metric.
func (s *space) fitsHint(m string, hint catalog.Hint) bool {
	mm := s.d.Policy.Metrics[m]
	switch {
	case hint.DistinctCount:
		return mm.Aggregate == "count_distinct"
	case hint.Sampled:
		return mm.Sample > 0
	case hint.Rollup:
		return s.rollupMetric(mm)
	}
	return true
}

// rollupMetric reports whether a materialized view over m's table holds an
// aggregate of m's kind over its measure (and m has no where or sample).
func (s *space) rollupMetric(m *spec.Metric) bool {
	if m.Where != "" || m.Sample > 0 {
		return false
	}
	for _, t := range resolve.MaterializedViews(s.d.Schema, m.Table) {
		if resolve.ViewAggregate(t.MaterializedView, m.Aggregate, m.Measure) != nil {
			return true
		}
	}
	return false
}

// rollupKey reports whether a materialized view over metric's table has a
// key for dimension dim.
func (s *space) rollupKey(metric, dim string) bool {
	m, dd := s.d.Policy.Metrics[metric], s.d.Policy.Dimensions[dim]
	if m == nil || dd == nil {
		return false
	}
	for _, t := range resolve.MaterializedViews(s.d.Schema, m.Table) {
		v := t.MaterializedView
		if (dd.Bucket != "" && resolve.ViewKey(v, m.TimeColumn, dd.Bucket) != nil) || (dd.Bucket == "" && resolve.ViewKey(v, dd.Source, "") != nil) {
			return true
		}
	}
	return false
}

// principalsFor lists, sorted, the principals a hint asks for: those
// granted a sampled metric, or those whose role has a minimum cohort size.
// It is nil for a hint that asks for no kind of principal.
func (s *space) principalsFor(hint catalog.Hint) []string {
	var keep func(role string) bool
	switch {
	case hint.Sampled:
		keep = func(role string) bool {
			return slices.ContainsFunc(s.metrics, func(m string) bool { return s.d.Policy.Metrics[m].Sample > 0 && s.metricAllowed(role, m) })
		}
	case hint.Cohort:
		keep = func(role string) bool { return s.d.Policy.Roles[role].MinCohortSize > 0 }
	default:
		return nil
	}
	var out []string
	for _, p := range spec.SortedKeys(s.d.Policy.Principals) {
		if keep(s.d.Policy.Principals[p].Role) {
			out = append(out, p)
		}
	}
	return out
}
