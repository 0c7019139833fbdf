package scan

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/policystrata/policystrata/pipeline/scan/source"
)

// Decision is the canonical authorization of a trace's semantic intent.
type Decision struct {
	Allowed bool
	Metric  string
	Reasons []string
	Cost    int
}

// Authorize decides principal's intent as the reference's PolicyOracle
// does: the metric (after alias resolution) and every dimension must be
// known and allowed both by the role and for the role; filters.tenant_id
// must be one of the principal's tenants (a redacted id fails closed); the
// time range must be allowed; the limit must fit max_rows; and the cost —
// the metric's (100 if unknown) plus each dimension's (20 if unknown) plus
// max(1, limit/100) — must fit max_cost. The principal must be known.
func (d *Domain) Authorize(principal string, ir *source.IR) Decision {
	p := d.Policy
	pr := p.Principals[principal]
	if pr == nil || p.Roles[pr.Role] == nil {
		return Decision{Reasons: []string{fmt.Sprintf("unknown principal %q", principal)}}
	}
	role := p.Roles[pr.Role]
	var reasons []string
	cost := 0
	metric, ok := d.ResolveMetric(ir.Metric)
	switch {
	case !ok:
		reasons = append(reasons, fmt.Sprintf("unknown metric %q", ir.Metric))
		cost += 100
	default:
		m := p.Metrics[metric]
		cost += m.Cost
		if !slices.Contains(role.AllowedMetrics, metric) || !slices.Contains(m.AllowedRoles, pr.Role) {
			name := metric
			if metric != ir.Metric {
				name = fmt.Sprintf("%s (alias of %s)", ir.Metric, metric)
			}
			reasons = append(reasons, fmt.Sprintf("metric %s is not allowed for role %s", name, pr.Role))
		}
	}
	for _, dim := range ir.Dimensions {
		dm := p.Dimensions[dim]
		if dm == nil {
			reasons = append(reasons, fmt.Sprintf("unknown dimension %q", dim))
			cost += 20
			continue
		}
		cost += dm.Cost
		if !slices.Contains(role.AllowedDimensions, dim) || !slices.Contains(dm.AllowedRoles, pr.Role) {
			note := ""
			if dm.Sensitive {
				note = " (sensitive)"
			}
			reasons = append(reasons, fmt.Sprintf("dimension %s%s is not allowed for role %s", dim, note, pr.Role))
		}
	}
	if v, ok := ir.Filters["tenant_id"]; ok {
		s := scalarText(v)
		if source.IsRedacted(s) {
			reasons = append(reasons, "filter tenant_id is a redacted hash: denied (fail closed)")
		} else if !slices.Contains(pr.TenantIDs, s) {
			reasons = append(reasons, fmt.Sprintf("filter tenant_id=%s is outside the principal's tenants", s))
		}
	}
	if !slices.Contains(role.AllowedTimeRanges, ir.TimeRange) {
		reasons = append(reasons, fmt.Sprintf("time range %s is not allowed for role %s", ir.TimeRange, pr.Role))
	}
	if ir.Limit > role.MaxRows {
		reasons = append(reasons, fmt.Sprintf("limit %d exceeds max_rows %d", ir.Limit, role.MaxRows))
	}
	cost += max(1, ir.Limit/100)
	if cost > role.MaxCost {
		reasons = append(reasons, fmt.Sprintf("cost %d exceeds max_cost %d", cost, role.MaxCost))
	}
	return Decision{Allowed: len(reasons) == 0, Metric: metric, Reasons: reasons, Cost: cost}
}

// scalarText renders a filter value as text.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return "null"
	default:
		return fmt.Sprint(x)
	}
}

// KnownPrincipal reports whether the principal and its role are defined.
func (d *Domain) KnownPrincipal(principal string) bool {
	pr := d.Policy.Principals[principal]
	return pr != nil && d.Policy.Roles[pr.Role] != nil
}
