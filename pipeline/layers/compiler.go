package layers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Compiler variants.
const (
	// CompilerDropTenant emits no tenant predicate (the scope obligation is lost).
	CompilerDropTenant = "drop_tenant_predicate"
	// CompilerLegacyTenantKey scopes on the pre-migration tenant column via
	// the tenants' legacy keys.
	CompilerLegacyTenantKey = "legacy_tenant_key"
	// CompilerMetricByTable resolves a metric's expression by (table,
	// aggregate) instead of by name, so net revenue lowers to the first
	// sibling metric on its table: gross revenue.
	CompilerMetricByTable = "metric_by_table"
	// CompilerEagerContextJoin joins every query to the first child of the
	// tenancy table for "context" and drops the de-duplication that makes
	// fan-out joins safe.
	CompilerEagerContextJoin = "eager_context_join"
	// CompilerCalendarForFiscal lowers fiscal time ranges with calendar months.
	CompilerCalendarForFiscal = "calendar_for_fiscal"
	// CompilerIgnoreExpansion estimates cost without join expansion.
	CompilerIgnoreExpansion = "ignore_expansion"
	// CompilerSwapTenantAccount binds the tenant scope to the key of the
	// table holding the tenant column (accounts.id IN (<tenant ids>)).
	CompilerSwapTenantAccount = "swap_tenant_account"
	// CompilerRemoveDistinct drops DISTINCT from count(distinct ...) and
	// from the per-group de-duplication.
	CompilerRemoveDistinct = "remove_distinct"
	// CompilerInnerJoinOptional inner-joins the tables behind the metric
	// table's optional foreign keys (e.g. a ticket's assigned agent), so rows
	// without that reference disappear.
	CompilerInnerJoinOptional = "inner_join_optional"
	// CompilerOrFilters joins user filters with OR and appends them without
	// parentheses, so a second filter escapes the tenant and time predicates.
	CompilerOrFilters = "or_filters"
	// CompilerDropTimeForMonth omits the time range when the query groups by
	// a month bucket, assuming the bucket already bounds it.
	CompilerDropTimeForMonth = "drop_time_for_month"
	// CompilerUTCBuckets lowers time buckets in the server's time zone
	// (UTC) instead of the tenant's: {timezone} becomes 'UTC'.
	CompilerUTCBuckets = "utc_buckets"
	// CompilerUniqAsCount lowers uniqExact(x) as count(x) (and
	// uniqExactIf as countIf), counting rows instead of distinct values.
	CompilerUniqAsCount = "uniq_as_count"
	// CompilerRollup answers a query from a materialized view over the
	// metric's table whenever the view has the query's keys and a column of
	// the metric's aggregate, summing the view's pre-aggregated column.
	CompilerRollup = "rollup_lineage"
)

// CompileInput is what the compiler receives from the validator.
type CompileInput struct {
	Query       spec.SemanticQuery
	Metric      string
	Obligations observe.Obligations
	Shadow      bool
	// Resolver resolves join paths; nil means resolve.Standard.
	Resolver resolve.Resolver
}

// resolver is in's Resolver, resolve.Standard when unset.
func (in CompileInput) resolver() resolve.Resolver { return resolve.Or(in.Resolver) }

// Compile lowers an authorized semantic query to SQL for the application's
// session. Column references are qualified by table; the metric's rows are
// de-duplicated per group in a subquery aliased as the metric's table so the
// metric expression reads its own columns and fan-out joins cannot double
// count. A request naming a metric, dimension, filter or time range the
// compiler has no definition for is refused (Unresolved lists the names):
// there is nothing to lower it to.
func Compile(variant string, d *spec.Domain, in CompileInput) observe.Compiler {
	out := observe.Compiler{Shadow: in.Shadow, RowBudget: in.Obligations.RowBudget, TenantScope: append([]string{}, in.Obligations.TenantScope...)}
	if names := unresolved(d, in); len(names) > 0 {
		out.Unresolved = names
		out.Error = "compile: refused: no definition for " + strings.Join(names, ", ")
		return out
	}
	sql, cost, err := lower(variant, d, in)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.SQL, out.EstimatedCost = sql, cost
	// lineage: the SQL reads the metric's SAMPLE
	out.Sample = d.Policy.Metrics[in.Metric].Sample
	return out
}

func lower(variant string, d *spec.Domain, in CompileInput) (string, int, error) {
	p := d.Policy
	m := p.Metrics[in.Metric]
	if m == nil {
		return "", 0, fmt.Errorf("compile: unknown metric %q", in.Metric)
	}
	q := in.Query
	if variant == CompilerRollup {
		if sql, ok := lowerRollup(d, in, m); ok {
			return sql, planCost(in.resolver(), variant, d, m, q), nil
		}
	}
	exprMetric := m
	if variant == CompilerMetricByTable {
		exprMetric = firstSibling(p, m)
	}
	ten := p.Tenancy
	tenantTable, _, _ := spec.SplitQualified(ten.Column)
	// the zone time ranges (tz) and time buckets (bucketTZ) are read in
	tz, bucketTZ := timeZoneOf(d, m), ten.Timezone
	if variant == CompilerUTCBuckets && bucketTZ != "" {
		bucketTZ = "'UTC'"
	}

	// join tree: the tenancy table, then the time zone, dimension and
	// filter tables
	j := newJoiner(in.resolver(), d, m.Table)
	if err := j.reach(tenantTable); err != nil {
		return "", 0, err
	}
	if tz != "" || (ten.Timezone != "" && usesTimezone(p, q)) {
		zt, _, _ := spec.SplitQualified(ten.Timezone)
		if err := j.reach(zt); err != nil {
			return "", 0, err
		}
	}
	names := append(append([]string{}, q.Dimensions...), spec.SortedKeys(q.Filters)...)
	for _, name := range names {
		dim := p.Dimensions[name]
		if dim == nil {
			return "", 0, fmt.Errorf("compile: unknown dimension %q", name)
		}
		if dim.Source != "" {
			t, _, _ := spec.SplitQualified(dim.Source)
			if err := j.reach(t); err != nil {
				return "", 0, err
			}
		}
	}
	distinct := "DISTINCT "
	expr := lowerExpr(p, exprMetric.Expression)
	switch variant {
	case CompilerEagerContextJoin:
		for _, c := range resolve.Children(d.Schema, tenantTable) {
			if !j.has(c.To) && c.To != m.Table {
				j.add(c)
				break
			}
		}
		distinct = ""
	case CompilerRemoveDistinct:
		distinct = ""
		expr = removeDistinct(expr)
	case CompilerUniqAsCount:
		expr = uniqAsCount(expr)
	case CompilerInnerJoinOptional:
		mt := d.Schema.Table(m.Table)
		for _, fk := range mt.ForeignKeys {
			rt, rc, _ := spec.SplitQualified(fk.References)
			if fk.Column != mt.OwnerVia && !j.has(rt) {
				j.add(resolve.Edge{From: m.Table, To: rt, FromColumn: fk.Column, ToColumn: rc})
			}
		}
	}

	// inner select: the metric row's key and columns, then dimension values
	mt := d.Schema.Table(m.Table)
	proj := []string{m.Table + "." + mt.PrimaryKey}
	seenCol := map[string]bool{proj[0]: true}
	cohort := in.Obligations.MinCohort > 0 && p.CohortKey != ""
	cols := exprMetric.Columns
	if cohort {
		cols = append(append([]string{}, cols...), p.CohortKey)
	}
	for _, c := range cols {
		if !seenCol[c] {
			proj = append(proj, c)
			seenCol[c] = true
		}
	}
	var groupCols, outer []string
	for _, name := range q.Dimensions {
		alias := "d_" + name
		proj = append(proj, dimExpr(p.Dimensions[name], m, bucketTZ)+" AS "+alias)
		groupCols = append(groupCols, alias)
		outer = append(outer, alias+" AS "+quoteIdent(name))
	}
	var where []string
	switch variant {
	case CompilerDropTenant:
	case CompilerSwapTenantAccount:
		tt := d.Schema.Table(tenantTable)
		where = append(where, fmt.Sprintf("CAST(%s.%s AS VARCHAR) IN (%s)", tenantTable, tt.PrimaryKey, literalList(in.Obligations.TenantScope)))
	case CompilerLegacyTenantKey:
		kt, kc, _ := spec.SplitQualified(ten.LegacyKey)
		pk := d.Schema.Table(kt).PrimaryKey
		where = append(where, fmt.Sprintf("%s IN (SELECT %s.%s FROM %s WHERE %s.%s IN (%s))", ten.LegacyColumn, kt, kc, kt, kt, pk, literalList(in.Obligations.TenantScope)))
	default:
		where = append(where, fmt.Sprintf("%s IN (%s)", ten.Column, literalList(in.Obligations.TenantScope)))
	}
	win, err := compilerWindow(p.Calendar, q.TimeRange, variant == CompilerCalendarForFiscal)
	if err != nil {
		return "", 0, err
	}
	if !(variant == CompilerDropTimeForMonth && hasBucket(p, q.Dimensions)) {
		tc := localTimeExpr(p, m, tz)
		where = append(where,
			fmt.Sprintf("%s >= DATE '%s'", tc, win[0]),
			fmt.Sprintf("%s < DATE '%s'", tc, win[1]))
	}
	if m.Sample > 0 {
		key := m.Table + "." + d.Schema.Table(m.Table).SampleBy
		where = append(where, fmt.Sprintf("inSample(%s, %s)", key, sampleFraction(m.Sample)))
		expr = fmt.Sprintf("(%s) * %d", expr, resolve.SampleFactor(m))
	}
	var filters []string
	for _, name := range spec.SortedKeys(q.Filters) {
		dim := p.Dimensions[name]
		filters = append(filters, filterCond(dimensionType(d, dim), dimExpr(dim, m, bucketTZ), q.Filters[name]))
	}
	cond := strings.Join(append(where, filters...), "\n    AND ")
	if variant == CompilerOrFilters && len(filters) > 1 {
		cond = strings.Join(append(where, strings.Join(filters, "\n    OR ")), "\n    AND ")
	}

	selects := append(outer, expr+" AS value")
	if cohort {
		selects = append(selects, fmt.Sprintf("count(DISTINCT %s) AS %s", p.CohortKey, spec.CohortColumn))
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(selects, ", "))
	b.WriteString("\nFROM (\n  SELECT " + distinct + strings.Join(proj, ", "))
	b.WriteString("\n  FROM " + m.Table)
	for _, e := range j.edges {
		fmt.Fprintf(&b, "\n  JOIN %s ON %s.%s = %s.%s", e.To, e.To, e.ToColumn, e.From, e.FromColumn)
	}
	b.WriteString("\n  WHERE " + cond)
	b.WriteString("\n) AS " + m.Table)
	if len(groupCols) > 0 {
		b.WriteString("\nGROUP BY " + strings.Join(groupCols, ", "))
		b.WriteString("\nORDER BY " + strings.Join(groupCols, ", "))
	}
	fmt.Fprintf(&b, "\nLIMIT %d", min(q.Limit, in.Obligations.RowBudget))

	return b.String(), planCost(in.resolver(), variant, d, m, q), nil
}

// removeDistinct strips DISTINCT from aggregate calls.
func removeDistinct(expr string) string {
	out := expr
	for _, k := range []string{"distinct ", "DISTINCT ", "Distinct "} {
		out = strings.ReplaceAll(out, "("+k, "(")
	}
	return out
}

// hasBucket reports whether dims include a time bucket.
func hasBucket(p *spec.Policy, dims []string) bool {
	for _, d := range dims {
		if dd := p.Dimensions[d]; dd != nil && dd.Bucket != "" {
			return true
		}
	}
	return false
}

// firstSibling is the faulty lookup: the alphabetically first metric on the
// same table with the same aggregate.
func firstSibling(p *spec.Policy, m *spec.Metric) *spec.Metric {
	for _, name := range spec.SortedKeys(p.Metrics) {
		s := p.Metrics[name]
		if s.Table == m.Table && s.Aggregate == m.Aggregate {
			return s
		}
	}
	return m
}

// usesTimezone reports whether a dimension or filter of q reads {timezone}.
func usesTimezone(p *spec.Policy, q spec.SemanticQuery) bool {
	for _, name := range append(append([]string{}, q.Dimensions...), spec.SortedKeys(q.Filters)...) {
		if dd := p.Dimensions[name]; dd != nil && strings.Contains(dd.Column, "{timezone}") {
			return true
		}
	}
	return false
}

// compilerCost prices the query: metric and dimension costs, times each
// one-to-many join's expansion when withExpansion is set.
func compilerCost(r resolve.Resolver, d *spec.Domain, m *spec.Metric, q spec.SemanticQuery, withExpansion bool) int {
	cost := m.Cost
	for _, name := range q.Dimensions {
		cost += d.Policy.Dimensions[name].Cost
	}
	if !withExpansion {
		return cost
	}
	j := newJoiner(r, d, m.Table)
	for _, name := range append(append([]string{}, q.Dimensions...), spec.SortedKeys(q.Filters)...) {
		if src := d.Policy.Dimensions[name].Source; src != "" {
			t, _, _ := spec.SplitQualified(src)
			_ = j.reach(t)
		}
	}
	for _, e := range j.edges {
		if e.FanOut {
			cost *= e.Expansion
		}
	}
	return cost
}

// joiner accumulates a join tree rooted at the metric's table.
type joiner struct {
	r       resolve.Resolver
	d       *spec.Domain
	root    string
	edges   []resolve.Edge
	reached map[string]bool
}

func newJoiner(r resolve.Resolver, d *spec.Domain, root string) *joiner {
	return &joiner{r: r, d: d, root: root, reached: map[string]bool{root: true}}
}

func (j *joiner) has(t string) bool { return j.reached[t] }

func (j *joiner) add(e resolve.Edge) {
	j.reached[e.To] = true
	j.edges = append(j.edges, e)
}

func (j *joiner) reach(t string) error {
	path, ok := j.r.Path(j.d.Schema, j.root, t)
	if !ok {
		return fmt.Errorf("compile: no join path from %s to %s", j.root, t)
	}
	for _, e := range path {
		if !j.reached[e.To] {
			j.add(e)
		}
	}
	return nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func literalList(vals []string) string {
	v := append([]string{}, vals...)
	sort.Strings(v)
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = quoteLiteral(s)
	}
	return strings.Join(q, ", ")
}
