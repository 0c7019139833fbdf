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

// PlanCost prices a request before it runs: the estimated cost of the plan
// the compiler lowers metric and q to (its dry run), or an error when the
// compiler cannot price it.
type PlanCost func(metric string, q spec.SemanticQuery) (int, error)

// Validate is ValidateWith the standard resolver and the correct
// compiler's plan cost.
func Validate(variant string, d *spec.Domain, principal string, q spec.SemanticQuery) observe.Validator {
	return ValidateWith(resolve.Standard{}, variant, d, principal, q, Pricer(resolve.Standard{}, Correct, d))
}

// ValidateWith authorizes q for principal and emits obligations, resolving
// names and joins with r. It denies a dimension or filter whose table the
// metric's table cannot be joined to unambiguously. Its budget check has no
// cost model of its own: it consumes the compiler's estimate of the plan
// (price), checks it against the role's max_cost and hands it on as the
// cost obligation, so a compiler that under-prices a plan gets an
// over-budget request admitted.
func ValidateWith(r resolve.Resolver, variant string, d *spec.Domain, principal string, q spec.SemanticQuery, price PlanCost) observe.Validator {
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
		// a request naming unknown dimensions is denied above; it has no plan to price
		if cost, err := price(metric, q); err == nil {
			out.Obligations.Cost = cost
			if cost > role.MaxCost {
				deny("estimated cost %d exceeds budget %d", cost, role.MaxCost)
			}
		}
	}
	out.Allowed = len(out.Reasons) == 0
	return out
}
