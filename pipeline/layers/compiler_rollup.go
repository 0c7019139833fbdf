package layers

import (
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// lowerRollup is the fault of CompilerRollup: the query is answered from a
// materialized view over the metric's table instead of the table itself,
// whenever the metric has no where condition or sample and the view has a
// key on the tenant column, a day key on the metric's time column, a key
// for every dimension and filter, and a column of the metric's aggregate
// over its measure. The answer loses its lineage to the governed rows: the
// view's pre-aggregated column is summed (per-day distinct counts add up
// users active on several days), its buckets and time range are the
// server's UTC days, and the rows inserted before the view was created are
// not in it. It reports false when no view fits (the fault is not
// exercised).
func lowerRollup(d *spec.Domain, in CompileInput, m *spec.Metric) (string, bool) {
	p, q := d.Policy, in.Query
	if m.Where != "" || m.Sample > 0 {
		return "", false
	}
	win, err := compilerWindow(p.Calendar, q.TimeRange, false)
	if err != nil {
		return "", false
	}
	for _, vt := range resolve.MaterializedViews(d.Schema, m.Table) {
		v := vt.MaterializedView
		agg, tenant, day := resolve.ViewAggregate(v, m.Aggregate, m.Measure), resolve.ViewKey(v, p.Tenancy.Column, ""), resolve.ViewKey(v, m.TimeColumn, "day")
		if agg == nil || tenant == nil || day == nil {
			continue
		}
		keys := map[string]*spec.ViewKey{}
		covered := true
		for _, name := range append(append([]string{}, q.Dimensions...), spec.SortedKeys(q.Filters)...) {
			dd := p.Dimensions[name]
			var k *spec.ViewKey
			switch {
			case dd == nil:
			case dd.Bucket != "":
				k = resolve.ViewKey(v, m.TimeColumn, dd.Bucket)
			default:
				k = resolve.ViewKey(v, dd.Source, "")
			}
			if k == nil {
				covered = false
				break
			}
			keys[name] = k
		}
		if !covered {
			continue
		}
		col := func(c string) string { return vt.Name + "." + c }
		proj := []string{col(vt.PrimaryKey), col(agg.Column)}
		selects := []string{}
		var groupCols []string
		for _, name := range q.Dimensions {
			alias := "d_" + name
			proj = append(proj, col(keys[name].Column)+" AS "+alias)
			groupCols = append(groupCols, alias)
			selects = append(selects, alias+" AS "+quoteIdent(name))
		}
		selects = append(selects, fmt.Sprintf("sum(%s) AS value", col(agg.Column)))
		if in.Obligations.MinCohort > 0 && p.CohortKey != "" {
			if users := resolve.ViewAggregate(v, "count_distinct", p.CohortKey); users != nil {
				if users != agg {
					proj = append(proj, col(users.Column))
				}
				selects = append(selects, fmt.Sprintf("sum(%s) AS %s", col(users.Column), spec.CohortColumn))
			}
		}
		where := []string{
			fmt.Sprintf("%s IN (%s)", col(tenant.Column), literalList(in.Obligations.TenantScope)),
			fmt.Sprintf("%s >= DATE '%s'", col(day.Column), win[0]),
			fmt.Sprintf("%s < DATE '%s'", col(day.Column), win[1]),
		}
		for _, name := range spec.SortedKeys(q.Filters) {
			where = append(where, filterCond(dimensionType(d, p.Dimensions[name]), col(keys[name].Column), q.Filters[name]))
		}
		var b strings.Builder
		b.WriteString("SELECT " + strings.Join(selects, ", "))
		b.WriteString("\nFROM (\n  SELECT " + strings.Join(proj, ", "))
		b.WriteString("\n  FROM " + vt.Name)
		b.WriteString("\n  WHERE " + strings.Join(where, "\n    AND "))
		b.WriteString("\n) AS " + vt.Name)
		if len(groupCols) > 0 {
			b.WriteString("\nGROUP BY " + strings.Join(groupCols, ", "))
			b.WriteString("\nORDER BY " + strings.Join(groupCols, ", "))
		}
		fmt.Fprintf(&b, "\nLIMIT %d", min(q.Limit, in.Obligations.RowBudget))
		return b.String(), true
	}
	return "", false
}
