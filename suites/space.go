package suites

import (
	"math/rand/v2"
	"slices"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// space is what generated queries are drawn from: the policy's metrics,
// dimensions and time ranges, and the values each dimension really takes in
// the suite's state (so filters select rows).
type space struct {
	d       *spec.Domain
	metrics []string
	dims    []string
	values  map[string][]string
	fanOut  map[string]map[string]bool // metric -> dims reached through a one-to-many join
}

func newSpace(d *spec.Domain, st *state.State) *space {
	s := &space{d: d, metrics: spec.SortedKeys(d.Policy.Metrics), dims: spec.SortedKeys(d.Policy.Dimensions),
		values: map[string][]string{}, fanOut: map[string]map[string]bool{}}
	for _, name := range s.dims {
		dim := d.Policy.Dimensions[name]
		if dim.Source == "" {
			continue
		}
		t, c, _ := spec.SplitQualified(dim.Source)
		tab := st.Table(t)
		ci := tab.Col(c)
		var vals []string
		for _, r := range tab.Rows {
			if r[ci] != nil {
				vals = append(vals, cell.Format(r[ci]))
			}
		}
		s.values[name] = sortedUnique(vals)
	}
	for _, m := range s.metrics {
		s.fanOut[m] = map[string]bool{}
		for _, name := range s.dims {
			src := d.Policy.Dimensions[name].Source
			if src == "" {
				continue
			}
			t, _, _ := spec.SplitQualified(src)
			path, _ := resolve.Path(d.Schema, d.Policy.Metrics[m].Table, t)
			for _, e := range path {
				if e.FanOut {
					s.fanOut[m][name] = true
				}
			}
		}
	}
	return s
}

func (s *space) role(principal string) *spec.Role {
	return s.d.Policy.Roles[s.d.Policy.Principals[principal].Role]
}

func (s *space) metricAllowed(role string, m string) bool {
	r := s.d.Policy.Roles[role]
	return slices.Contains(r.AllowedMetrics, m) && slices.Contains(s.d.Policy.Metrics[m].AllowedRoles, role)
}

func (s *space) dimAllowed(role string, name string) bool {
	r := s.d.Policy.Roles[role]
	return slices.Contains(r.AllowedDimensions, name) && slices.Contains(s.d.Policy.Dimensions[name].AllowedRoles, role)
}

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// query draws a semantic query for principal, honouring hint where the
// domain allows it.
func (s *space) query(rng *rand.Rand, principal string, hint catalog.Hint) spec.SemanticQuery {
	roleName := s.d.Policy.Principals[principal].Role
	role := s.role(principal)
	allowedM := filter(s.metrics, func(m string) bool { return s.metricAllowed(roleName, m) })
	deniedM := filter(s.metrics, func(m string) bool { return !s.metricAllowed(roleName, m) })
	var metric string
	fits := filter(s.metrics, func(m string) bool { return s.fitsHint(m, hint) })
	switch {
	case hint.DeniedMetric && len(deniedM) > 0:
		metric = pick(rng, deniedM)
	case len(fits) > 0 && len(fits) < len(s.metrics):
		if granted := filter(fits, func(m string) bool { return s.metricAllowed(roleName, m) }); len(granted) > 0 {
			fits = granted
		}
		metric = pick(rng, fits)
	case hint.Authorized && len(allowedM) > 0:
		metric = pick(rng, allowedM)
	case len(allowedM) > 0 && rng.IntN(100) < 85:
		metric = pick(rng, allowedM)
	default:
		metric = pick(rng, s.metrics)
	}
	name := metric
	if aliases := s.d.Policy.Metrics[metric].Aliases; len(aliases) > 0 && (hint.Alias || rng.IntN(5) == 0) {
		name = pick(rng, aliases)
	}

	allowedD := filter(s.dims, func(d string) bool { return s.dimAllowed(roleName, d) })
	var dims []string
	add := func(d string) {
		if d != "" && !slices.Contains(dims, d) && len(dims) < 3 {
			dims = append(dims, d)
		}
	}
	if hint.Sensitive {
		add(pickOr(rng, filter(s.dims, func(d string) bool { return s.d.Policy.Dimensions[d].Sensitive })))
	}
	if hint.FanOut {
		add(pickOr(rng, filter(s.dims, func(d string) bool { return s.fanOut[metric][d] })))
	}
	if hint.Month {
		add(pickOr(rng, filter(s.dims, func(d string) bool { return s.d.Policy.Dimensions[d].Bucket != "" })))
	}
	if hint.Day {
		add(pickOr(rng, filter(s.dims, func(d string) bool { return s.d.Policy.Dimensions[d].Bucket == "day" })))
	}
	if hint.Cohort {
		for fine := filter(allowedD, func(d string) bool { return s.d.Policy.Dimensions[d].Bucket == "" }); len(dims) < 2 && len(fine) > len(dims); {
			add(pick(rng, fine))
		}
	}
	for n := rng.IntN(4); len(dims) < n; {
		pool := allowedD
		if len(pool) == 0 || (!hint.Authorized && rng.IntN(5) == 0) {
			pool = s.dims
		}
		before := len(dims)
		add(pick(rng, pool))
		if len(dims) == before && len(pool) <= len(dims) {
			break
		}
	}

	filters := map[string]string{}
	want := []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 2}[rng.IntN(10)]
	want = max(want, hint.MinFilters)
	filterable := filter(allowedD, func(d string) bool { return len(s.values[d]) > 0 && !s.d.Policy.Dimensions[d].Sensitive })
	for tries := 0; len(filters) < want && tries < 8 && len(filterable) > 0; tries++ {
		d := pick(rng, filterable)
		filters[d] = pick(rng, s.values[d])
	}
	if hint.Rollup {
		// keep only what a materialized view of the metric holds
		m, _, _ := resolve.MetricByName(s.d.Policy, name)
		dims = filter(dims, func(d string) bool { return s.rollupKey(m, d) })
		for _, f := range spec.SortedKeys(filters) {
			if !s.rollupKey(m, f) {
				delete(filters, f)
			}
		}
	}

	var tr string
	deniedT := filter(resolve.TimeRangeNames(s.d.Policy), func(t string) bool { return !slices.Contains(role.AllowedTimeRanges, t) })
	switch {
	case hint.TimeRange != "":
		tr = hint.TimeRange
	case hint.Authorized && len(role.AllowedTimeRanges) > 0:
		tr = pick(rng, role.AllowedTimeRanges)
	case hint.DeniedTimeRange && len(deniedT) > 0:
		tr = pick(rng, deniedT)
	case rng.IntN(5) < 4 && len(role.AllowedTimeRanges) > 0:
		tr = pick(rng, role.AllowedTimeRanges)
	default:
		tr = pick(rng, resolve.TimeRangeNames(s.d.Policy))
	}

	limit := pick(rng, []int{1, 5, 10, 100, 100, 100, 1000, role.MaxRows, role.MaxRows + 1})
	if hint.OverLimit {
		limit = role.MaxRows + 1 + rng.IntN(role.MaxRows)
	}
	if hint.Authorized {
		limit = min(limit, role.MaxRows)
	}
	return spec.SemanticQuery{Metric: name, Dimensions: dims, Filters: filters, TimeRange: tr, Grain: "month", Limit: limit}.Normalized()
}

func pickOr(rng *rand.Rand, xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return pick(rng, xs)
}
