package layers

import (
	"fmt"
	"slices"

	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Validator variants.
const (
	// ValidatorSkipSensitive leaves sensitive dimensions to a downstream
	// check that never runs: they pass without a role check.
	ValidatorSkipSensitive = "skip_sensitive"
	// ValidatorAliasSkipsRole trusts metric aliases: a request that names a
	// metric by an alias resolves it without the role check.
	ValidatorAliasSkipsRole = "alias_skips_role"
	// ValidatorTrustIntentLimit takes the row budget from the model's
	// requested limit instead of capping it at the role's max_rows.
	ValidatorTrustIntentLimit = "trust_intent_limit"
	// ValidatorIgnoreTimeRange does not check the role's allowed time ranges.
	ValidatorIgnoreTimeRange = "ignore_time_range"
)

// Validate is ValidateWith the standard resolver.
func Validate(variant string, d *spec.Domain, principal string, q spec.SemanticQuery) observe.Validator {
	return ValidateWith(resolve.Standard{}, variant, d, principal, q)
}

// ValidateWith authorizes q for principal and emits obligations, resolving
// names and joins with r. The validator has its own cost model (metric and
// dimension costs times the expansion of each one-to-many join) and denies
// a dimension or filter whose table the metric's table cannot be joined to
// unambiguously.
func ValidateWith(r resolve.Resolver, variant string, d *spec.Domain, principal string, q spec.SemanticQuery) observe.Validator {
	p := d.Policy
	out := observe.Validator{Reasons: []string{}}
	pr := p.Principals[principal]
	if pr == nil {
		out.Reasons = append(out.Reasons, "unknown principal "+principal)
		return out
	}
	role := p.Roles[pr.Role]
	out.Obligations = observe.Obligations{TenantScope: append([]string{}, pr.TenantIDs...), RowBudget: min(q.Limit, role.MaxRows), MinCohort: role.MinCohortSize}
	if variant == ValidatorTrustIntentLimit {
		out.Obligations.RowBudget = q.Limit
	}
	deny := func(format string, args ...any) { out.Reasons = append(out.Reasons, fmt.Sprintf(format, args...)) }
	metric, alias, ok := r.MetricByName(p, q.Metric)
	if !ok {
		deny("unknown metric %s", q.Metric)
	} else {
		out.Metric = metric
		out.Obligations.MetricSemantics = metric
		trusted := variant == ValidatorAliasSkipsRole && alias
		if !trusted && (!slices.Contains(role.AllowedMetrics, metric) || !slices.Contains(p.Metrics[metric].AllowedRoles, pr.Role)) {
			deny("metric %s is not granted to role %s", metric, pr.Role)
		}
	}
	checkDim := func(kind, name string) {
		dim := p.Dimensions[name]
		if dim == nil {
			deny("unknown %s %s", kind, name)
			return
		}
		if variant == ValidatorSkipSensitive && dim.Sensitive {
			return
		}
		if !slices.Contains(role.AllowedDimensions, name) || !slices.Contains(dim.AllowedRoles, pr.Role) {
			deny("%s %s is not granted to role %s", kind, name, pr.Role)
		}
	}
	for _, name := range q.Dimensions {
		checkDim("dimension", name)
	}
	for _, name := range spec.SortedKeys(q.Filters) {
		checkDim("filter", name)
		if dim := p.Dimensions[name]; dim != nil && dim.Source == p.Tenancy.Column && !slices.Contains(pr.TenantIDs, q.Filters[name]) {
			deny("filter %s=%s leaves the principal's tenant scope", name, q.Filters[name])
		}
	}
	if variant != ValidatorIgnoreTimeRange && !slices.Contains(role.AllowedTimeRanges, q.TimeRange) {
		deny("time range %s is not granted to role %s", q.TimeRange, pr.Role)
	}
	if q.Limit < 1 || (q.Limit > role.MaxRows && variant != ValidatorTrustIntentLimit) {
		deny("limit %d is outside 1..%d", q.Limit, role.MaxRows)
	}
	if ok {
		for _, reason := range attributionDenials(r, d, metric, q) {
			deny("%s", reason)
		}
		cost := validatorCost(r, d, metric, q)
		out.Obligations.Cost = cost
		if cost > role.MaxCost {
			deny("estimated cost %d exceeds budget %d", cost, role.MaxCost)
		}
	}
	out.Allowed = len(out.Reasons) == 0
	return out
}

func validatorCost(r resolve.Resolver, d *spec.Domain, metric string, q spec.SemanticQuery) int {
	m := d.Policy.Metrics[metric]
	cost := m.Cost
	seen := map[string]bool{}
	factor := 1
	add := func(name string, priced bool) {
		dim := d.Policy.Dimensions[name]
		if dim == nil {
			return
		}
		if priced {
			cost += dim.Cost
		}
		if dim.Source == "" {
			return
		}
		t, _, _ := spec.SplitQualified(dim.Source)
		path, _ := r.Path(d.Schema, m.Table, t)
		for _, e := range path {
			k := e.From + ">" + e.To
			if e.FanOut && !seen[k] {
				factor *= e.Expansion
			}
			seen[k] = true
		}
	}
	for _, name := range q.Dimensions {
		add(name, true)
	}
	for _, name := range spec.SortedKeys(q.Filters) {
		add(name, false)
	}
	return cost * factor
}
