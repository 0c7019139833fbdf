package resolve

import (
	"math"
	"slices"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// MetricByName resolves a metric name or alias. It reports the canonical
// metric name and whether the input was an alias.
func MetricByName(p *spec.Policy, name string) (canonical string, alias bool, ok bool) {
	if _, found := p.Metrics[name]; found {
		return name, false, true
	}
	for _, m := range spec.SortedKeys(p.Metrics) {
		for _, a := range p.Metrics[m].Aliases {
			if a == name {
				return m, true, true
			}
		}
	}
	return "", false, false
}

// SampleFactor is n for a metric sampled at 1/n (1 when not sampled).
func SampleFactor(m *spec.Metric) int64 {
	if m.Sample <= 0 {
		return 1
	}
	return int64(math.Round(1 / m.Sample))
}

// TimeRangeNames is the policy's time-range vocabulary: spec.TimeRanges,
// then the rolling ranges some role grants, in spec.RollingTimeRanges order.
func TimeRangeNames(p *spec.Policy) []string {
	out := append([]string{}, spec.TimeRanges...)
	for _, r := range spec.RollingTimeRanges {
		for _, name := range spec.SortedKeys(p.Roles) {
			if p.Roles[name] != nil && slices.Contains(p.Roles[name].AllowedTimeRanges, r) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// MaterializedViews lists the schema's materialized-view tables over
// table, in schema order.
func MaterializedViews(s *spec.Schema, table string) []*spec.Table {
	var out []*spec.Table
	for _, t := range s.Tables {
		if t.MaterializedView != nil && t.MaterializedView.From == table {
			out = append(out, t)
		}
	}
	return out
}

// ViewKey returns the view's key column reading source with bucket, or nil.
func ViewKey(v *spec.MaterializedView, source, bucket string) *spec.ViewKey {
	for _, k := range v.GroupBy {
		if k.Source == source && k.Bucket == bucket {
			return k
		}
	}
	return nil
}

// ViewAggregate returns the view's aggregate column of kind over source, or
// nil.
func ViewAggregate(v *spec.MaterializedView, kind, source string) *spec.ViewAggregate {
	for _, a := range v.Aggregates {
		if a.Aggregate == kind && a.Source == source {
			return a
		}
	}
	return nil
}
