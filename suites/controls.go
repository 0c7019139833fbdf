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

// cleanControl cycles principals and four scenarios: authorized, a denied
// metric by alias, a denied sensitive dimension, authorized at the row budget.
func (g *Generated) cleanControl(i, width int) spec.Task {
	rng := g.rngFor(i)
	principals := spec.SortedKeys(g.d.Policy.Principals)
	principal := principals[i%len(principals)]
	role := g.d.Policy.Principals[principal].Role
	q := g.authorized(rng, principal)
	scenario := "authorized"
	switch i % 4 {
	case 1:
		if denied := filter(g.space.metrics, func(m string) bool { return !g.space.metricAllowed(role, m) }); len(denied) > 0 {
			m := pick(rng, denied)
			q.Metric = m
			if as := g.d.Policy.Metrics[m].Aliases; len(as) > 0 {
				q.Metric = pick(rng, as)
			}
			scenario = "denied metric " + q.Metric
		}
	case 2:
		if denied := filter(g.space.dims, func(d string) bool { return !g.space.dimAllowed(role, d) }); len(denied) > 0 {
			d := pick(rng, denied)
			q.Dimensions = append(filter(q.Dimensions, func(x string) bool { return x != d }), d)
			scenario = "denied dimension " + d
		}
	case 3:
		q.Limit = g.space.role(principal).MaxRows
		scenario = "authorized at the row budget"
	}
	return g.control(fmt.Sprintf("clean_control_%0*d", width, i+1), principal, "Clean control ("+scenario+"): "+describe(q), q, g.versions(), i)
}

// adversarialArchetypes are the adversarial clean-control scenarios.
var adversarialArchetypes = []string{"authorized", "staged_rollout", "feature_flag", "boundary_budget",
	"service_account_ambient", "correctly_denied_metric", "correctly_denied_dimension"}

// adversarialControl cycles seven archetypes that look like drift but are
// not: version labels of a staged rollout or a feature flag on the correct
// stack, requests exactly at the row budget, the principal with the widest
// tenant scope filtering on one of its own tenants, and correct denials.
func (g *Generated) adversarialControl(i, width int) spec.Task {
	rng := g.rngFor(i)
	principals := spec.SortedKeys(g.d.Policy.Principals)
	principal := pick(rng, principals)
	arch := adversarialArchetypes[i%len(adversarialArchetypes)]
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
	}
	return g.control(fmt.Sprintf("adversarial_control_%0*d", width, i+1), principal, "Adversarial control ("+arch+"): "+describe(q), q, versions, i)
}
