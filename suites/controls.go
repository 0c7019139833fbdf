package suites

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// control builds a clean-control task (the correct stack must come out
// clean whatever the request).
func (g *Generated) control(id, principal, request string, q spec.SemanticQuery, versions map[string]string, i int) spec.Task {
	return spec.Task{
		ID: id, Domain: g.d.Name, Suite: g.name, Principal: principal, Request: request,
		Mutation: catalog.None, SemanticQuery: q.Normalized(), SurfaceVersions: versions,
		ExpectedWitnessClass: "clean", Source: fmt.Sprintf("generator:%s#%d", g.name, i+1),
	}
}

// authorized draws a query the principal's role is granted (metric,
// dimensions, time range), with at most two dimensions.
func (g *Generated) authorized(rng *rand.Rand, principal string) spec.SemanticQuery {
	for {
		q := g.space.query(rng, principal, catalog.Hint{})
		role := g.d.Policy.Principals[principal].Role
		metric, _, _ := resolve.MetricByName(g.d.Policy, q.Metric)
		ok := g.space.metricAllowed(role, metric) && slices.Contains(g.space.role(principal).AllowedTimeRanges, q.TimeRange)
		for _, d := range q.Dimensions {
			ok = ok && g.space.dimAllowed(role, d)
		}
		if ok && len(q.Dimensions) <= 2 {
			q.Limit = min(q.Limit, g.space.role(principal).MaxRows)
			return q
		}
	}
}

// cleanScenarios is the cycle of clean-control scenarios.
var cleanScenarios = []string{"authorized", "denied_metric_alias", "denied_dimension", "row_budget",
	"filter", "unknown_name", "boundary_limit", "boundary_cost"}

// cleanControl cycles principals (drawn at random for the last four) and
// eight scenarios: authorized, a denied
// metric by alias, a denied sensitive dimension, authorized at the row
// budget, a filter on each dimension in turn (time buckets included), a
// metric, dimension, filter or time range the policy does not define, a
// limit of 1, max_rows or max_rows+1, and a cost at or just over the
// role's budget.
func (g *Generated) cleanControl(i, width int) spec.Task {
	rng := g.rngFor(i)
	principals := spec.SortedKeys(g.d.Policy.Principals)
	principal := principals[i%len(principals)]
	role := g.d.Policy.Principals[principal].Role
	q := g.authorized(rng, principal)
	scenario := "authorized"
	turn := i / len(cleanScenarios)
	switch cleanScenarios[i%len(cleanScenarios)] {
	case "denied_metric_alias":
		if denied := filter(g.space.metrics, func(m string) bool { return !g.space.metricAllowed(role, m) }); len(denied) > 0 {
			m := pick(rng, denied)
			q.Metric = m
			if as := g.d.Policy.Metrics[m].Aliases; len(as) > 0 {
				q.Metric = pick(rng, as)
			}
			scenario = "denied metric " + q.Metric
		}
	case "denied_dimension":
		if denied := filter(g.space.dims, func(d string) bool { return !g.space.dimAllowed(role, d) }); len(denied) > 0 {
			d := pick(rng, denied)
			q.Dimensions = append(filter(q.Dimensions, func(x string) bool { return x != d }), d)
			scenario = "denied dimension " + d
		}
	case "row_budget":
		q.Limit = g.space.role(principal).MaxRows
		scenario = "authorized at the row budget"
	case "filter":
		dim, absent := g.filterTurn(turn)
		principal, q, scenario = g.filterControl(rng, dim, absent)
	case "unknown_name":
		principal = pick(rng, principals)
		q, scenario = g.unknownControl(rng, g.authorized(rng, principal), unknownKinds[turn%len(unknownKinds)])
	case "boundary_limit":
		principal = pick(rng, principals)
		q = g.authorized(rng, principal)
		limits := boundaryLimits(g.space.role(principal))
		q.Limit = limits[turn%len(limits)]
		scenario = fmt.Sprintf("limit %d of %d rows", q.Limit, g.space.role(principal).MaxRows)
	case "boundary_cost":
		principal = pick(rng, principals)
		q, scenario = g.costControl(rng, principal, turn%2 == 1)
	}
	return g.control(fmt.Sprintf("clean_control_%0*d", width, i+1), principal, "Clean control ("+scenario+"): "+describe(q), q, g.versions(), i)
}

// adversarialArchetypes are the adversarial clean-control scenarios.
var adversarialArchetypes = []string{"authorized", "staged_rollout", "feature_flag", "boundary_budget",
	"service_account_ambient", "correctly_denied_metric", "correctly_denied_dimension",
	"filter_every_dimension", "unknown_name", "boundary_limit", "boundary_cost"}

// adversarialControl cycles eleven archetypes that look like drift but are
// not: version labels of a staged rollout or a feature flag on the correct
// stack, requests exactly at the row budget, the principal with the widest
// tenant scope filtering on one of its own tenants, correct denials, a
// filter on each dimension in turn (time buckets included), names the
// policy does not define, limits of 1, max_rows and max_rows+1, and costs
// at and just over the role's budget.
func (g *Generated) adversarialControl(i, width int) spec.Task {
	rng := g.rngFor(i)
	principals := spec.SortedKeys(g.d.Policy.Principals)
	principal := pick(rng, principals)
	arch := adversarialArchetypes[i%len(adversarialArchetypes)]
	turn := i / len(adversarialArchetypes)
	versions := g.versions()
	q := g.authorized(rng, principal)
	role := g.d.Policy.Principals[principal].Role
	switch arch {
	case "staged_rollout":
		s := pick(rng, spec.SurfaceOrder)
		versions[s] = versions[s] + "-rollout"
	case "feature_flag":
		s := pick(rng, spec.SurfaceOrder)
		versions[s] = versions[s] + "+flag." + pick(rng, []string{"new_planner", "fast_path", "shadow_audit"})
	case "boundary_budget":
		q.Limit = g.space.role(principal).MaxRows
	case "service_account_ambient":
		widest := principals[0]
		for _, p := range principals {
			if len(g.d.Policy.Principals[p].TenantIDs) > len(g.d.Policy.Principals[widest].TenantIDs) {
				widest = p
			}
		}
		principal, role = widest, g.d.Policy.Principals[widest].Role
		q = g.authorized(rng, principal)
		for _, d := range g.space.dims {
			if g.d.Policy.Dimensions[d].Source == g.d.Policy.Tenancy.Column && g.space.dimAllowed(role, d) {
				q.Filters = map[string]string{d: pick(rng, g.d.Policy.Principals[principal].TenantIDs)}
			}
		}
	case "correctly_denied_metric":
		if denied := filter(g.space.metrics, func(m string) bool { return !g.space.metricAllowed(role, m) }); len(denied) > 0 {
			q.Metric = pick(rng, denied)
		}
	case "correctly_denied_dimension":
		if denied := filter(g.space.dims, func(d string) bool { return !g.space.dimAllowed(role, d) }); len(denied) > 0 {
			d := pick(rng, denied)
			q.Dimensions = append(filter(q.Dimensions, func(x string) bool { return x != d }), d)
		}
	case "filter_every_dimension":
		dim, absent := g.filterTurn(turn)
		principal, q, _ = g.filterControl(rng, dim, absent)
	case "unknown_name":
		q, _ = g.unknownControl(rng, q, unknownKinds[turn%len(unknownKinds)])
	case "boundary_limit":
		limits := boundaryLimits(g.space.role(principal))
		q.Limit = limits[turn%len(limits)]
	case "boundary_cost":
		q, _ = g.costControl(rng, principal, turn%2 == 1)
	}
	return g.control(fmt.Sprintf("adversarial_control_%0*d", width, i+1), principal, "Adversarial control ("+arch+"): "+describe(q), q, versions, i)
}
