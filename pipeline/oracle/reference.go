package oracle

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Answer is a reference result: one row per group, dimension columns in
// query order followed by "value" (and CohortColumn under a minimum cohort
// size), sorted by the dimensions, cut to the limit.
type Answer struct {
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

func key(v any) string { return cell.Format(v) }

// CohortColumn is the answer column holding each group's cohort size (the
// distinct cohort keys it aggregates) when the principal's role has a
// minimum cohort size.
const CohortColumn = spec.CohortColumn

// Reference computes the answer to q for tenants, evaluating the metric's
// declared semantics (aggregate, measure, where, sample, time column) over
// the state. Dimensions attach to the metric's rows along the oracle's own
// attribution chains; each metric row counts once in every distinct group
// one of its joined rows belongs to (see the package documentation). A
// dimension with no attribution chain, or more than one, has no reference
// answer: the error says which.
// Time ranges and buckets of timestamp columns are the owning tenant's
// local dates when the policy names a tenancy time zone.
func (o *Oracle) Reference(metric string, q spec.SemanticQuery, tenants []string) (Answer, error) {
	return o.reference(metric, q, tenants, false)
}

// ReferenceFor is the reference answer for a canonical decision: its
// metric and tenants, q's limit capped at the row budget, and the
// CohortColumn when the decision carries a minimum cohort size.
func (o *Oracle) ReferenceFor(dec Decision, q spec.SemanticQuery) (Answer, error) {
	q.Limit = dec.RowBudget
	return o.reference(dec.Metric, q, dec.Tenants, dec.MinCohort > 0)
}

func (o *Oracle) reference(metric string, q spec.SemanticQuery, tenants []string, withCohort bool) (Answer, error) {
	p := o.d.Policy
	m := p.Metrics[metric]
	if m == nil {
		return Answer{}, fmt.Errorf("reference: unknown metric %q", metric)
	}
	win, err := TimeWindow(p.Calendar, q.TimeRange)
	if err != nil {
		return Answer{}, fmt.Errorf("reference: %w", err)
	}
	filterKeys := spec.SortedKeys(q.Filters)
	all := append(append([]string{}, q.Dimensions...), filterKeys...)
	pl, err := o.attribute(m.Table, all)
	if err != nil {
		return Answer{}, fmt.Errorf("reference: %w", err)
	}
	mt := o.st.Table(m.Table)
	agg := o.measureOf(m, mt)
	ti := o.col(mt, m.TimeColumn)
	ci := -1
	if withCohort {
		ci = o.col(mt, p.CohortKey)
	}
	type group struct {
		vals []any
		rows map[int]bool
	}
	groups := map[string]*group{}
	for ri, row := range mt.Rows {
		if !slices.Contains(tenants, mt.Owner[ri]) || !agg.sampled(row) {
			continue
		}
		ts, ok := row[ti].(time.Time)
		if !ok {
			continue
		}
		local, err := o.localTime(m.TimeColumn, mt.Owner[ri], ts)
		if err != nil {
			return Answer{}, fmt.Errorf("reference: %w", err)
		}
		if day := civilDay(local); day.Before(win.Start) || !day.Before(win.End) {
			continue
		}
		for _, rows := range o.joined(pl, ri, tenants) {
			vals := make([]any, len(all))
			for i, dim := range all {
				vals[i] = o.dimValue(pl, p.Dimensions[dim], local, rows)
			}
			keep := true
			for i, f := range filterKeys {
				// SQL equality: a NULL value matches no filter value
				if v := vals[len(q.Dimensions)+i]; v == nil || key(v) != q.Filters[f] {
					keep = false
					break
				}
			}
			if !keep {
				continue
			}
			gv := vals[:len(q.Dimensions)]
			parts := make([]string, len(gv))
			for i, v := range gv {
				parts[i] = key(v)
			}
			k := strings.Join(parts, "\x00")
			g := groups[k]
			if g == nil {
				g = &group{vals: gv, rows: map[int]bool{}}
				groups[k] = g
			}
			g.rows[ri] = true
		}
	}
	ans := Answer{Columns: append(append([]string{}, q.Dimensions...), "value"), Rows: [][]string{}}
	// cells appends a group's value (and cohort size) to row
	cells := func(row []string, rows []int) []string {
		row = append(row, agg.apply(mt, rows))
		if ci >= 0 {
			row = append(row, distinctCount(mt, rows, ci))
		}
		return row
	}
	if ci >= 0 {
		ans.Columns = append(ans.Columns, CohortColumn)
	}
	if len(q.Dimensions) == 0 {
		var rows []int
		if g := groups[""]; g != nil {
			rows = sortedRows(g.rows)
		}
		ans.Rows = append(ans.Rows, cells(nil, rows))
		return ans, nil
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool { return lessValues(list[i].vals, list[j].vals) })
	for _, g := range list {
		if len(ans.Rows) >= q.Limit {
			break
		}
		row := make([]string, 0, len(g.vals)+2)
		for _, v := range g.vals {
			row = append(row, key(v))
		}
		ans.Rows = append(ans.Rows, cells(row, sortedRows(g.rows)))
	}
	return ans, nil
}

func sortedRows(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Ints(out)
	return out
}

// dimValue is a dimension's value on one joined row (a row index per plan
// node); local is the metric row's time (in its tenant's zone when one
// applies), which time buckets read.
func (o *Oracle) dimValue(pl *plan, d *spec.Dimension, local time.Time, rows []int) any {
	switch d.Bucket {
	case "month":
		return time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "day":
		return civilDay(local)
	}
	t, c, _ := spec.SplitQualified(d.Source)
	tab := o.st.Table(t)
	return tab.Rows[rows[pl.at[t]]][tab.Col(c)]
}

// lessValues orders groups by their typed dimension values, as SQL ORDER BY
// does: numbers numerically, times chronologically, text bytewise, NULL last.
func lessValues(a, b []any) bool {
	for i := range a {
		if c := compare(a[i], b[i]); c != 0 {
			return c < 0
		}
	}
	return false
}

func compare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return strings.Compare(key(a), key(b))
}
