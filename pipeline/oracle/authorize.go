package oracle

import (
	"errors"
	"fmt"
	"slices"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// Decision is the canonical authorization of a query.
type Decision struct {
	Allowed bool     `json:"allowed"`
	Reasons []string `json:"reasons"`
	// Metric is the canonical metric the query's metric or alias names.
	Metric string `json:"metric,omitempty"`
	// RowBudget is the most rows the principal may receive for this query.
	RowBudget int `json:"row_budget"`
	// Cost is the canonical cost including join expansion.
	Cost int `json:"cost"`
	// Tenants is the tenant scope the query must be bound to.
	Tenants []string `json:"tenants"`
	// MinCohort is the fewest distinct cohort keys a released group must
	// aggregate (0: no minimum).
	MinCohort int `json:"min_cohort,omitempty"`
	// SampleFraction is the metric's SAMPLE fraction when its answer is a
	// sampled estimate, which must be released as one (0: exact).
	SampleFraction float64 `json:"sample_fraction,omitempty"`
	// Unknown lists the request's names the canonical policy does not
	// define, as kind:name (kinds metric, dimension, filter, time_range),
	// in request order: no layer can lower them, so a layer refusing
	// exactly these names refuses correctly.
	Unknown []string `json:"unknown,omitempty"`
}

// Reason prefixes used in Decision.Reasons.
const (
	ReasonUnknownPrincipal = "unknown_principal"
	ReasonUnknownMetric    = "unknown_metric"
	ReasonMetricDenied     = "metric_denied"
	ReasonUnknownDimension = "unknown_dimension"
	ReasonDimensionDenied  = "dimension_denied"
	ReasonFilterDenied     = "filter_denied"
	ReasonTimeRangeDenied  = "time_range_denied"
	ReasonUnknownTimeRange = "unknown_time_range"
	ReasonRowLimit         = "row_limit_exceeded"
	ReasonInvalidLimit     = "invalid_limit"
	ReasonCost             = "cost_exceeded"
	ReasonTenantScope      = "tenant_scope_violation"
	// ReasonAmbiguousAttribution: a dimension or filter's table is reached
	// from the metric's table by more than one join path of the first rank,
	// so the query has no well-defined reference answer.
	ReasonAmbiguousAttribution = "ambiguous_attribution"
	// ReasonNoAttribution: no join path reaches a dimension or filter's
	// table from the metric's table.
	ReasonNoAttribution = "no_attribution"
)

// Authorize decides whether principal may run q under the canonical policy.
func (o *Oracle) Authorize(principal string, q spec.SemanticQuery) Decision {
	p := o.d.Policy
	pr := p.Principals[principal]
	if pr == nil {
		return Decision{Reasons: []string{fmt.Sprintf("%s: %s", ReasonUnknownPrincipal, principal)}}
	}
	role := p.Roles[pr.Role]
	dec := Decision{Tenants: append([]string{}, pr.TenantIDs...), RowBudget: min(q.Limit, role.MaxRows), MinCohort: role.MinCohortSize}
	var reasons []string
	metric, alias, ok := o.names.lookup(q.Metric)
	if !ok {
		reasons = append(reasons, fmt.Sprintf("%s: %s", ReasonUnknownMetric, q.Metric))
		dec.Unknown = append(dec.Unknown, "metric:"+q.Metric)
	} else {
		dec.Metric = metric
		dec.SampleFraction = p.Metrics[metric].Sample
		if !o.metricAllowed(pr.Role, metric) {
			r := fmt.Sprintf("%s: %s not allowed for role %s", ReasonMetricDenied, metric, pr.Role)
			if alias {
				r = fmt.Sprintf("%s: %s (alias of %s) not allowed for role %s", ReasonMetricDenied, q.Metric, metric, pr.Role)
			}
			reasons = append(reasons, r)
		}
	}
	for _, dim := range q.Dimensions {
		if p.Dimensions[dim] == nil {
			reasons = append(reasons, fmt.Sprintf("%s: %s", ReasonUnknownDimension, dim))
			dec.Unknown = append(dec.Unknown, "dimension:"+dim)
		} else if !o.dimensionAllowed(pr.Role, dim) {
			reasons = append(reasons, fmt.Sprintf("%s: %s%s not allowed for role %s", ReasonDimensionDenied, dim, sensitiveNote(p.Dimensions[dim]), pr.Role))
		}
	}
	for _, f := range spec.SortedKeys(q.Filters) {
		if p.Dimensions[f] == nil {
			reasons = append(reasons, fmt.Sprintf("%s: %s", ReasonUnknownDimension, f))
			dec.Unknown = append(dec.Unknown, "filter:"+f)
			continue
		}
		if !o.dimensionAllowed(pr.Role, f) {
			reasons = append(reasons, fmt.Sprintf("%s: %s%s not allowed for role %s", ReasonFilterDenied, f, sensitiveNote(p.Dimensions[f]), pr.Role))
		}
		if p.Dimensions[f].Source == p.Tenancy.Column && !slices.Contains(pr.TenantIDs, q.Filters[f]) {
			reasons = append(reasons, fmt.Sprintf("%s: filter %s=%s is outside the principal's tenants", ReasonTenantScope, f, q.Filters[f]))
		}
	}
	if _, err := TimeWindow(p.Calendar, q.TimeRange); err != nil {
		reasons = append(reasons, fmt.Sprintf("%s: %s", ReasonUnknownTimeRange, q.TimeRange))
		dec.Unknown = append(dec.Unknown, "time_range:"+q.TimeRange)
	} else if !slices.Contains(role.AllowedTimeRanges, q.TimeRange) {
		reasons = append(reasons, fmt.Sprintf("%s: %s not allowed for role %s", ReasonTimeRangeDenied, q.TimeRange, pr.Role))
	}
	switch {
	case q.Limit < 1:
		reasons = append(reasons, fmt.Sprintf("%s: %d", ReasonInvalidLimit, q.Limit))
	case q.Limit > role.MaxRows:
		reasons = append(reasons, fmt.Sprintf("%s: %d > %d", ReasonRowLimit, q.Limit, role.MaxRows))
	}
	if dec.Metric != "" {
		cost, err := o.Cost(dec.Metric, q)
		var ae *attributionError
		switch {
		case err == nil:
			dec.Cost = cost
			if cost > role.MaxCost {
				reasons = append(reasons, fmt.Sprintf("%s: %d > %d", ReasonCost, cost, role.MaxCost))
			}
		case errors.As(err, &ae):
			reasons = append(reasons, ae.Error())
		}
	}
	dec.Allowed = len(reasons) == 0
	dec.Reasons = reasons
	if dec.Reasons == nil {
		dec.Reasons = []string{}
	}
	return dec
}

func sensitiveNote(d *spec.Dimension) string {
	if d.Sensitive {
		return " (sensitive)"
	}
	return ""
}

func (o *Oracle) metricAllowed(role, metric string) bool {
	return slices.Contains(o.d.Policy.Roles[role].AllowedMetrics, metric) && slices.Contains(o.d.Policy.Metrics[metric].AllowedRoles, role)
}

func (o *Oracle) dimensionAllowed(role, dim string) bool {
	return slices.Contains(o.d.Policy.Roles[role].AllowedDimensions, dim) && slices.Contains(o.d.Policy.Dimensions[dim].AllowedRoles, role)
}

// Cost is the canonical cost of q on metric: the metric's and dimensions'
// costs, multiplied by the expansion factor of every one-to-many step of
// the oracle's attribution plan for the dimensions and filters. A dimension
// without a well-defined attribution makes it an error.
func (o *Oracle) Cost(metric string, q spec.SemanticQuery) (int, error) {
	p := o.d.Policy
	m := p.Metrics[metric]
	if m == nil {
		return 0, fmt.Errorf("cost: unknown metric %q", metric)
	}
	cost := m.Cost
	for _, dim := range q.Dimensions {
		if dd := p.Dimensions[dim]; dd != nil {
			cost += dd.Cost
		}
	}
	pl, err := o.attribute(m.Table, append(append([]string{}, q.Dimensions...), spec.SortedKeys(q.Filters)...))
	if err != nil {
		return 0, err
	}
	return cost * pl.fanOut(), nil
}
