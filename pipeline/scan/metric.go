package scan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// metricForm is a metric expression parsed once.
type metricForm struct {
	Name  string
	Table string
	// Canon is the canonical text of the expression; Func its outermost
	// function name (lowercased).
	Canon string
	Func  string
	// DupSensitive is true when duplicating input rows changes the value
	// (sum, count, avg without DISTINCT).
	DupSensitive bool
	// TimeColumn is the metric's qualified time column ("" when unknown).
	TimeColumn string
}

func compileMetrics(ctx context.Context, p *sqlast.Parser, d *Domain) (map[string]*metricForm, error) {
	out := map[string]*metricForm{}
	for _, name := range spec.SortedKeys(d.Policy.Metrics) {
		m := d.Policy.Metrics[name]
		n, err := p.ParseExpr(ctx, m.Expression)
		if err != nil {
			return nil, fmt.Errorf("metric %s: expression %q: %v", name, m.Expression, err)
		}
		table := strings.ToLower(m.Table)
		f := &metricForm{Name: name, Table: table, TimeColumn: strings.ToLower(m.TimeColumn)}
		f.Canon = sqlast.Canonical(n, func(names []string) string { return metricColumn(table, names) })
		f.Func = strings.ToLower(sqlast.Str(n, "function_name"))
		distinct, _ := n["distinct"].(bool)
		switch f.Func {
		case "sum", "count", "avg", "count_star", "sumif", "countif":
			f.DupSensitive = !distinct
		}
		out[name] = f
	}
	return out, nil
}

func metricColumn(table string, names []string) string {
	if len(names) == 1 {
		return table + "." + strings.ToLower(names[0])
	}
	return strings.ToLower(names[len(names)-2]) + "." + strings.ToLower(names[len(names)-1])
}

// metricUse is where the statement aggregates the metric's expression.
type metricUse struct {
	Select *sqlast.Select
	Node   sqlast.Node
}

// findMetric returns the first place (in tree order) where the statement
// computes exactly the metric's expression over the metric's columns.
func findMetric(st *sqlast.Statement, f *metricForm) (metricUse, bool) {
	for _, s := range st.Selects() {
		var found sqlast.Node
		s.Expressions(func(n sqlast.Node) {
			if found != nil || sqlast.Class(n) != "FUNCTION" && sqlast.Class(n) != "AGGREGATE" {
				return
			}
			if strings.ToLower(sqlast.Str(n, "function_name")) != f.Func {
				return
			}
			if sqlast.Canonical(n, s.QualifiedColumn) == f.Canon {
				found = n
			}
		})
		if found != nil {
			return metricUse{Select: s, Node: found}, true
		}
	}
	return metricUse{}, false
}

// fanout reports joins that multiply the metric's input rows in the SELECT
// computing it: a source joined without any equality linking it to the
// rest (a cartesian product), or — when the domain has a schema — a table
// reached from the metric's table by going from a parent to its children
// along a foreign key (a one-to-many step).
func fanout(use metricUse, f *metricForm, schema *spec.Schema) []string {
	s := use.Select
	refs := s.Tables
	if len(refs) < 2 {
		return nil
	}
	idx := map[string]int{}
	for i, t := range refs {
		idx[t.Alias] = i
	}
	type edge struct {
		to int
		// down is true when following the edge goes from a parent row to
		// its child rows (one-to-many).
		down bool
	}
	adj := make([][]edge, len(refs))
	addEq := func(a, b sqlast.Node) {
		ra, ca, oka := s.Resolve(sqlast.ColumnNames(a))
		rb, cb, okb := s.Resolve(sqlast.ColumnNames(b))
		if !oka || !okb || ra.Alias == rb.Alias {
			return
		}
		ia, ib := idx[ra.Alias], idx[rb.Alias]
		downAB, downBA := true, true // unknown cardinality: assume many
		if schema != nil && ra.Base() && rb.Base() {
			downAB = !isKeyOf(schema, rb.Name, cb, ra.Name, ca) // a -> b reaches many b rows unless cb is b's key
			downBA = !isKeyOf(schema, ra.Name, ca, rb.Name, cb)
		}
		adj[ia] = append(adj[ia], edge{ib, downAB})
		adj[ib] = append(adj[ib], edge{ia, downBA})
	}
	for _, rs := range s.Restrictions() {
		e := rs.Expr
		if sqlast.Class(e) == "COMPARISON" && sqlast.Type(e) == "COMPARE_EQUAL" {
			l, r := unwrapCast(sqlast.Child(e, "left")), unwrapCast(sqlast.Child(e, "right"))
			if sqlast.ColumnNames(l) != nil && sqlast.ColumnNames(r) != nil {
				addEq(l, r)
			}
		}
	}
	start := -1
	for i, t := range refs {
		if t.Base() && t.Name == f.Table {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	seen := make([]bool, len(refs))
	seen[start] = true
	queue := []int{start}
	var out []string
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range adj[cur] {
			if seen[e.to] {
				continue
			}
			seen[e.to] = true
			queue = append(queue, e.to)
			if e.down && schema != nil {
				out = append(out, fmt.Sprintf("joining %s to %s is one-to-many: each %s row is repeated per matching %s row under %s", refs[cur].Alias, refs[e.to].Alias, f.Table, refs[e.to].Alias, f.Func))
			}
		}
	}
	for i, t := range refs {
		if !seen[i] {
			name := t.Name
			if name == "" {
				name = t.Alias
			}
			out = append(out, fmt.Sprintf("%s is joined without an equality to the metric's table (a cartesian product repeats every row under %s)", name, f.Func))
		}
	}
	return out
}

// isKeyOf reports whether column col of table t is t's primary key (so a
// row of the other side matches at most one t row).
func isKeyOf(schema *spec.Schema, t, col, _, _ string) bool {
	tb := schema.Table(t)
	return tb != nil && tb.PrimaryKey == col
}

// timeBounds checks the bounds the SELECT computing the metric puts on the
// metric's time column against the window the time range names in the
// domain's calendar. It returns reasons for a mismatch (none when no bound
// on that column is present).
func timeBounds(use metricUse, f *metricForm, cal spec.Calendar, timeRange string) []string {
	if f.TimeColumn == "" || cal.AsOf == "" {
		return nil
	}
	w, err := oracle.TimeWindow(cal, timeRange)
	if err != nil {
		return nil
	}
	var lo, hi *time.Time
	var reasons []string
	for _, rs := range use.Select.Restrictions() {
		e := rs.Expr
		if sqlast.Class(e) != "COMPARISON" {
			continue
		}
		l, r := unwrapCast(sqlast.Child(e, "left")), unwrapCast(sqlast.Child(e, "right"))
		op := sqlast.Type(e)
		if sqlast.ColumnNames(l) == nil {
			l, r = r, l
			op = flip(op)
		}
		if sqlast.ColumnNames(l) == nil || use.Select.QualifiedColumn(sqlast.ColumnNames(l)) != f.TimeColumn {
			continue
		}
		v := sqlast.ValueOf(r)
		if !v.IsConst {
			continue
		}
		txt := strings.TrimSpace(v.Const)
		d, err := time.Parse(time.DateOnly, txt[:min(10, len(txt))])
		if err != nil {
			continue
		}
		switch op {
		case "COMPARE_GREATERTHANOREQUALTO":
			lo = &d
		case "COMPARE_GREATERTHAN":
			n := d.AddDate(0, 0, 1)
			lo = &n
		case "COMPARE_LESSTHAN":
			hi = &d
		case "COMPARE_LESSTHANOREQUALTO":
			n := d.AddDate(0, 0, 1)
			hi = &n
		}
	}
	if lo != nil && !lo.Equal(w.Start) {
		reasons = append(reasons, fmt.Sprintf("%s starts at %s, but %s starts at %s", f.TimeColumn, lo.Format(time.DateOnly), timeRange, w.Start.Format(time.DateOnly)))
	}
	if hi != nil && !hi.Equal(w.End) {
		reasons = append(reasons, fmt.Sprintf("%s ends before %s, but %s ends before %s", f.TimeColumn, hi.Format(time.DateOnly), timeRange, w.End.Format(time.DateOnly)))
	}
	return reasons
}

func flip(op string) string {
	switch op {
	case "COMPARE_GREATERTHANOREQUALTO":
		return "COMPARE_LESSTHANOREQUALTO"
	case "COMPARE_GREATERTHAN":
		return "COMPARE_LESSTHAN"
	case "COMPARE_LESSTHAN":
		return "COMPARE_GREATERTHAN"
	case "COMPARE_LESSTHANOREQUALTO":
		return "COMPARE_GREATERTHANOREQUALTO"
	}
	return op
}
