package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
)

// manifest: the advertised names must be exactly the canonical capabilities.
func (c *checker) manifest() {
	m := c.obs.Layers.Manifest
	if m == nil {
		return
	}
	caps := c.obs.Verdict.Capabilities
	canon := caps.Names()
	for _, n := range m.Names() {
		if !slices.Contains(canon, n) {
			c.add("manifest", OverPermissive, fmt.Sprintf("manifest advertises metric %q, which the canonical policy does not grant %s", n, c.obs.Principal))
		}
	}
	for _, d := range m.Dimensions {
		if !slices.Contains(caps.Dimensions, d) {
			c.add("manifest", OverPermissive, fmt.Sprintf("manifest advertises dimension %q, which the canonical policy does not grant %s", d, c.obs.Principal))
		}
	}
	for _, t := range m.TimeRanges {
		if !slices.Contains(caps.TimeRanges, t) {
			c.add("manifest", OverPermissive, fmt.Sprintf("manifest advertises time range %q beyond the canonical policy", t))
		}
	}
	adv := m.Names()
	for _, n := range canon {
		if !slices.Contains(adv, n) {
			c.add("manifest", OverRestrictive, fmt.Sprintf("manifest omits granted metric %q", n))
		}
	}
	for _, d := range caps.Dimensions {
		if !slices.Contains(m.Dimensions, d) {
			c.add("manifest", OverRestrictive, fmt.Sprintf("manifest omits granted dimension %q", d))
		}
	}
}

// grammar: the intent language it advertises must stay inside the manifest
// it accepts (capability_scope), and it must hand the untrusted intent to the
// validator unchanged.
func (c *checker) grammar() {
	g, m := c.obs.Layers.Grammar, c.obs.Layers.Manifest
	if g == nil || m == nil {
		return
	}
	if c.on(PartTransitionObligations) {
		c.capabilityScope(g, m)
	}
	want := c.obs.Intent.Normalized()
	switch {
	case !g.Accepted && want.Metric != "" && want.Limit > 0:
		c.add("grammar", OverRestrictive, "grammar rejected a well-formed intent: "+g.Error)
	case g.Accepted && g.Query != nil && g.Query.Key() != want.Key() && c.on(PartTransitionObligations):
		c.add("grammar", SemanticDrift, fmt.Sprintf("grammar changed the intent: parsed %s, asked %s", g.Query.Key(), want.Key()))
	}
}

// capabilityScope: the grammar advertises exactly the manifest's names
// (the capability_scope obligation).
func (c *checker) capabilityScope(g *observe.Grammar, m *observe.Manifest) {
	names := m.Names()
	for _, n := range g.Schema.Metrics {
		if !slices.Contains(names, n) {
			c.add("grammar", OverPermissive, fmt.Sprintf("grammar advertises metric %q outside the manifest's capability scope", n))
		}
	}
	for _, d := range g.Schema.Dimensions {
		if !slices.Contains(m.Dimensions, d) {
			c.add("grammar", OverPermissive, fmt.Sprintf("grammar advertises dimension %q outside the manifest's capability scope", d))
		}
	}
	for _, t := range g.Schema.TimeRanges {
		if !slices.Contains(m.TimeRanges, t) {
			c.add("grammar", OverPermissive, fmt.Sprintf("grammar advertises time range %q outside the manifest's capability scope", t))
		}
	}
	for _, n := range names {
		if !slices.Contains(g.Schema.Metrics, n) {
			c.add("grammar", OverRestrictive, fmt.Sprintf("grammar omits metric %q the manifest advertises", n))
		}
	}
}

// validator: its decision must equal the canonical decision and its
// obligations must carry the canonical tenant scope, budget and metric.
func (c *checker) validator() {
	v := c.obs.Layers.Validator
	if v == nil {
		return
	}
	dec := c.obs.Verdict.Decision
	switch {
	case v.Allowed && !dec.Allowed && !c.underPricedPlan():
		c.add("validator", OverPermissive, "validator allowed a request the canonical policy denies: "+strings.Join(dec.Reasons, "; "))
	case !v.Allowed && dec.Allowed:
		c.add("validator", OverRestrictive, "validator denied a request the canonical policy allows: "+strings.Join(v.Reasons, "; "))
	}
	if !c.on(PartTransitionObligations) {
		return
	}
	if dec.Metric != "" && v.Metric != "" && v.Metric != dec.Metric {
		c.add("validator", SemanticDrift, fmt.Sprintf("validator resolved metric %s, canonical is %s", v.Metric, dec.Metric))
	}
	if !sameSet(v.Obligations.TenantScope, dec.Tenants) {
		c.add("validator", OverPermissive, fmt.Sprintf("validator bound tenant scope %v, canonical is %v", v.Obligations.TenantScope, dec.Tenants))
	}
	if v.Obligations.RowBudget > dec.RowBudget {
		c.add("validator", OverPermissive, fmt.Sprintf("validator row budget %d exceeds canonical %d", v.Obligations.RowBudget, dec.RowBudget))
	}
	if v.Obligations.MinCohort < dec.MinCohort {
		c.add("validator", OverPermissive, fmt.Sprintf("validator release threshold %d is below the canonical minimum cohort size %d", v.Obligations.MinCohort, dec.MinCohort))
	}
}

// underPricedPlan: the canonical policy denies the request only for its
// cost, and the price the validator checked against the budget is the
// compiler's estimate of the plan, below the canonical cost. The validator
// applied the budget to the price it was given; the mispricing is the
// compiler's, and the compiler's contract check reports it.
func (c *checker) underPricedPlan() bool {
	v, comp, dec := c.obs.Layers.Validator, c.obs.Layers.Compiler, c.obs.Verdict.Decision
	if comp == nil || comp.Error != "" || len(dec.Reasons) == 0 {
		return false
	}
	for _, r := range dec.Reasons {
		if !strings.HasPrefix(r, oracle.ReasonCost+":") {
			return false
		}
	}
	return v.Obligations.Cost == comp.EstimatedCost && comp.EstimatedCost < dec.Cost
}

// compiler: the SQL must parse, keep its result inside the tenant scope,
// compute the reference answer over the tenant's rows, keep the row budget
// and not under-price the query.
func (c *checker) compiler() {
	comp := c.obs.Layers.Compiler
	if comp == nil {
		return
	}
	dec := c.obs.Verdict.Decision
	if comp.Error != "" {
		c.compileRefusal(comp)
		return
	}
	ms := c.obs.Measured
	if c.on(PartSQLAST) {
		if !ms.SQL.Valid {
			c.add("compiler", LoweringViolation, "compiled SQL does not parse: "+ms.SQL.Error)
			return
		}
		c.tenantBinding()
	}
	if ms.Base != nil && ms.Restricted != nil && !ms.Base.Blocked && !ms.Restricted.Blocked && !sameRows(ms.Base, ms.Restricted) {
		c.add("compiler", LoweringViolation, fmt.Sprintf("tenant scope not preserved: over all tenants' rows the SQL returns %s, over %v's rows %s",
			digest(ms.Base.Rows), dec.Tenants, digest(ms.Restricted.Rows)))
	}
	if ms.Restricted != nil && ms.Restricted.Blocked {
		c.add("compiler", LoweringViolation, "compiled SQL fails on the tenant's own rows: "+ms.Restricted.Error)
	} else if ref := c.obs.Verdict.Reference; ref != nil && ms.Restricted != nil && !equalRows(ms.Restricted.Rows, ref.Rows) {
		c.add("compiler", SemanticDrift, fmt.Sprintf("over the tenant's rows the SQL returns %s, the reference answer is %s",
			digest(ms.Restricted.Rows), digest(ref.Rows)))
	}
	if c.on(PartSQLAST) {
		if ms.SQL.Limit < 0 {
			c.add("compiler", LoweringViolation, "compiled SQL has no row limit")
		} else if ms.SQL.Limit > int64(dec.RowBudget) {
			c.add("compiler", LoweringViolation, fmt.Sprintf("compiled LIMIT %d exceeds the row budget %d", ms.SQL.Limit, dec.RowBudget))
		}
	}
	if !c.on(PartTransitionObligations) {
		return
	}
	if dec.Metric != "" && comp.EstimatedCost < dec.Cost {
		c.add("compiler", LoweringViolation, fmt.Sprintf("compiler estimates cost %d, canonical cost with join expansion is %d", comp.EstimatedCost, dec.Cost))
	}
	if !sameSet(comp.TenantScope, dec.Tenants) {
		c.add("compiler", LoweringViolation, fmt.Sprintf("compiler's containment request names tenants %v, canonical is %v", comp.TenantScope, dec.Tenants))
	}
}

// tenantBinding: the parsed SQL is one statement whose top-level
// conditions bind a tenant column to constants inside the tenant scope.
func (c *checker) tenantBinding() {
	ms, dec := c.obs.Measured, c.obs.Verdict.Decision
	if ms.SQL.Statements != 1 {
		c.add("compiler", LoweringViolation, fmt.Sprintf("compiled SQL holds %d statements", ms.SQL.Statements))
	}
	col := c.obs.Verdict.TenantColumn
	if col == "" {
		return
	}
	// any column holding the tenant id directly may carry the scope
	bound := false
	for _, tc := range append([]string{col}, c.obs.Verdict.TenantColumns...) {
		vals, ok := ms.SQL.Bindings[tc]
		if !ok {
			continue
		}
		bound = true
		var outside []string
		for _, v := range vals {
			if !slices.Contains(dec.Tenants, v) {
				outside = append(outside, v)
			}
		}
		if len(outside) > 0 {
			c.add("compiler", LoweringViolation, fmt.Sprintf("tenant scope widened: the SQL binds %s to %v, beyond %v", tc, vals, dec.Tenants))
		}
	}
	if !bound {
		c.add("compiler", LoweringViolation, fmt.Sprintf("tenant scope not bound: no top-level condition of the SQL restricts %s to %v", col, dec.Tenants))
	}
}

// compileRefusal: a compiler may refuse to lower a request only for names
// the canonical policy does not define either (there is nothing to lower
// them to); any other failure, or a refusal of a name the canonical policy
// defines, is a lowering violation.
func (c *checker) compileRefusal(comp *observe.Compiler) {
	if len(comp.Unresolved) == 0 {
		c.add("compiler", LoweringViolation, "compiler failed to lower the query: "+comp.Error)
		return
	}
	var defined []string
	for _, n := range comp.Unresolved {
		if !slices.Contains(c.obs.Verdict.Decision.Unknown, n) {
			defined = append(defined, n)
		}
	}
	if len(defined) > 0 {
		c.add("compiler", LoweringViolation, fmt.Sprintf("compiler refused %s, which the canonical policy defines: %s", strings.Join(defined, ", "), comp.Error))
	}
}

// database: a session must see exactly its tenants' rows of every table the
// query touches, must not answer a query reading columns the canonical
// policy withholds from the role, and must not refuse authorized queries.
func (c *checker) database() {
	d := c.obs.Layers.Database
	if d == nil {
		return
	}
	if c.on(PartContainmentProbes) {
		c.probes(d)
	}
	allowed := c.obs.Verdict.AllowedColumns
	var ungranted []string
	if c.on(PartSQLAST) {
		for _, col := range c.obs.Measured.SQL.Columns {
			if !slices.Contains(allowed, col) {
				ungranted = append(ungranted, col)
			}
		}
	}
	if len(ungranted) > 0 && !d.Result.Blocked {
		c.add("database", OverPermissive, fmt.Sprintf("database answered a query reading %s, which the canonical policy withholds from this role", strings.Join(ungranted, ", ")))
	}
	rs := c.obs.Measured.Restricted
	if d.Result.Blocked && len(ungranted) == 0 && c.obs.Verdict.Decision.Allowed && rs != nil && !rs.Blocked {
		c.add("database", OverRestrictive, "database refused an authorized query: "+d.Result.Error)
	}
}

// probes: a live session sees exactly its tenants' rows and the granted
// columns of every table the query touches.
func (c *checker) probes(d *observe.Database) {
	owned := c.obs.Verdict.Owned
	for _, p := range d.Probes {
		extra, missing := diff(p.Visible, owned[p.Table])
		if len(extra) > 0 {
			c.add("database", OverPermissive, fmt.Sprintf("session sees %d %s rows owned by other tenants (keys %s)", len(extra), p.Table, sample(extra)))
		}
		if len(missing) > 0 {
			c.add("database", OverRestrictive, fmt.Sprintf("session cannot see %d of its own %s rows (keys %s)", len(missing), p.Table, sample(missing)))
		}
	}
	allowed := c.obs.Verdict.AllowedColumns
	for _, p := range d.Probes {
		var extra []string
		for _, col := range p.Columns {
			if !slices.Contains(allowed, col) {
				extra = append(extra, col)
			}
		}
		if len(extra) > 0 {
			c.add("database", OverPermissive, fmt.Sprintf("session can read %s, which the canonical policy withholds from this role", strings.Join(extra, ", ")))
		}
	}
}

// release: rows may leave only for canonically allowed requests and within
// the canonical row budget; correct answers to allowed requests must leave.
func (c *checker) release() {
	r := c.obs.Layers.Release
	if r == nil || !c.on(PartReleaseRules) {
		return
	}
	dec := c.obs.Verdict.Decision
	if r.Allowed && !dec.Allowed {
		c.add("release", UnsafeRelease, "release let rows out for a request the canonical policy denies: "+strings.Join(dec.Reasons, "; "))
	}
	if r.Allowed && r.Rows > dec.RowBudget {
		c.add("release", UnsafeRelease, fmt.Sprintf("release let %d rows out, the row budget is %d", r.Rows, dec.RowBudget))
	}
	d, ref := c.obs.Layers.Database, c.obs.Verdict.Reference
	if !r.Allowed && dec.Allowed && d != nil && !d.Result.Blocked && ref != nil && equalRows(d.Result.Rows, ref.Rows) &&
		(dec.MinCohort == 0 || len(releasable(ref, dec.MinCohort)) > 0) {
		c.add("release", OverRestrictive, "release withheld the correct answer to an authorized request: "+r.Reason)
	}
	if r.Allowed && d != nil {
		c.releaseThreshold(r, d)
	}
	if r.Allowed && dec.SampleFraction > 0 && r.Disclosure == "" {
		c.add("release", UnsafeRelease, fmt.Sprintf("release let an estimate from a SAMPLE %g out as an exact answer: it discloses nothing", dec.SampleFraction))
	}
}

// releaseThreshold: under a minimum cohort size, the released groups must
// all reach it, and only the groups below it may be withheld.
func (c *checker) releaseThreshold(r *observe.Release, d *observe.Database) {
	k := c.obs.Verdict.Decision.MinCohort
	if k == 0 {
		if len(r.Withheld) > 0 {
			c.add("release", OverRestrictive, fmt.Sprintf("release withheld %d groups although the canonical policy sets no minimum cohort size", len(r.Withheld)))
		}
		return
	}
	sizes, ok := cohortSizes(d.Result)
	if !ok {
		c.add("release", UnsafeRelease, fmt.Sprintf("release let rows out that carry no %s to check the minimum cohort size %d against", oracle.CohortColumn, k))
		return
	}
	small, large := 0, 0
	for i, n := range sizes {
		withheld := slices.Contains(r.Withheld, i)
		switch {
		case n < k && !withheld:
			small++
		case n >= k && withheld:
			large++
		}
	}
	if small > 0 {
		c.add("release", UnsafeRelease, fmt.Sprintf("release let %d groups out below the minimum cohort size %d", small, k))
	}
	if large > 0 {
		c.add("release", OverRestrictive, fmt.Sprintf("release withheld %d groups that reach the minimum cohort size %d", large, k))
	}
}

// semanticDifference: what left differs from what should have left.
func (c *checker) semanticDifference() bool {
	r, d, dec := c.obs.Layers.Release, c.obs.Layers.Database, c.obs.Verdict.Decision
	if r == nil || !r.Allowed {
		return false
	}
	if !dec.Allowed {
		return true
	}
	ref := c.obs.Verdict.Reference
	return d == nil || ref == nil || !equalRows(released(d, r), releasable(ref, dec.MinCohort))
}

// containment names the layer that stopped the damage, or "" if it leaked.
func (c *checker) containment(det Detection) string {
	l := c.obs.Layers
	if det.SemanticDifference {
		return ""
	}
	if !det.ReleaseAllowed {
		switch {
		case l.Grammar != nil && !l.Grammar.Accepted:
			return "grammar"
		case l.Validator != nil && !l.Validator.Allowed:
			return "validator"
		case l.Database != nil && l.Database.Result.Blocked:
			return "database"
		}
		return "release"
	}
	// released the reference answer: who absorbed the fault?
	ms := c.obs.Measured
	switch det.LocalizedSurface {
	case "compiler":
		if ms.Base != nil && !ms.Base.Blocked && ms.Restricted != nil && !ms.Restricted.Blocked && !sameRows(ms.Base, ms.Restricted) {
			return "database"
		}
	case "database":
		return "compiler"
	}
	return ""
}

func sameRows(a, b *db.Result) bool { return equalRows(a.Rows, b.Rows) }
