package oracle

import (
	"cmp"
	"fmt"
	"github.com/policystrata/policystrata/pipeline/state"
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

// treeEdge is one join of the reference's join tree.
type treeEdge = spec.Edge

// joinTree returns, parents first, the edges joining metric m's table to the
// tables of dims (a name may be a dimension or filter key).
func (o *Oracle) joinTree(m *spec.Metric, dims []string) ([]treeEdge, error) {
	var tree []treeEdge
	reached := map[string]bool{m.Table: true}
	for _, dim := range dims {
		dd := o.d.Policy.Dimensions[dim]
		if dd == nil {
			return nil, fmt.Errorf("unknown dimension %q", dim)
		}
		if dd.Bucket != "" {
			continue
		}
		t, _, _ := spec.SplitQualified(dd.Source)
		path, ok := o.d.Schema.Path(m.Table, t)
		if !ok {
			return nil, fmt.Errorf("no join path from %s to %s", m.Table, t)
		}
		for _, e := range path {
			if !reached[e.To] {
				reached[e.To] = true
				tree = append(tree, e)
			}
		}
	}
	return tree, nil
}

// CohortColumn is the answer column holding each group's cohort size (the
// distinct cohort keys it aggregates) when the principal's role has a
// minimum cohort size.
const CohortColumn = spec.CohortColumn

// Reference computes the answer to q for tenants, evaluating the metric's
// declared semantics (aggregate, measure, where, sample, time column) over
// the state. Each metric row counts once per distinct group it joins to.
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
	tree, err := o.joinTree(m, all)
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
		for _, combo := range o.combos(tree, m.Table, ri, tenants) {
			vals := make([]any, len(all))
			for i, dim := range all {
				vals[i] = o.dimValue(p.Dimensions[dim], row, mt, local, combo)
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

// combos enumerates the joined rows (table -> row index) reachable from row
// ri of the root table along tree, keeping only rows the tenants own. A
// missing many-to-one partner or an empty one-to-many side drops the row,
// as an inner join does.
func (o *Oracle) combos(tree []treeEdge, root string, ri int, tenants []string) []map[string]int {
	out := []map[string]int{{root: ri}}
	for _, e := range tree {
		from := o.st.Table(e.From)
		to := o.st.Table(e.To)
		fc := from.Col(e.FromColumn)
		var next []map[string]int
		for _, c := range out {
			v := from.Rows[c[e.From]][fc]
			if v == nil {
				continue
			}
			for _, ti := range o.index[e.To][e.ToColumn][key(v)] {
				if !slices.Contains(tenants, to.Owner[ti]) {
					continue
				}
				nc := make(map[string]int, len(c)+1)
				for k, x := range c {
					nc[k] = x
				}
				nc[e.To] = ti
				next = append(next, nc)
			}
		}
		out = next
	}
	return out
}

// dimValue is a dimension's value for one joined row; local is the metric
// row's time (in its tenant's zone when one applies).
func (o *Oracle) dimValue(d *spec.Dimension, row []any, mt *state.Table, local time.Time, combo map[string]int) any {
	switch d.Bucket {
	case "month":
		return time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "day":
		return civilDay(local)
	}
	t, c, _ := spec.SplitQualified(d.Source)
	tab := o.st.Table(t)
	return tab.Rows[combo[t]][tab.Col(c)]
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
