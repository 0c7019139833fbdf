package state

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// materialize fills materialized-view table t from its source table, as
// the view would have: one row per group of the source rows inserted after
// the view was created (rows whose time column is not before created_at),
// holding the group's keys (UTC buckets for time keys) and aggregates,
// numbered in key order.
func (s *State) materialize(d *spec.Domain, t *spec.Table, total *int) error {
	v := t.MaterializedView
	src := s.Table(v.From)
	out := s.Table(t.Name)
	col := func(q string) int {
		_, c, _ := spec.SplitQualified(q)
		return src.Col(c)
	}
	var since time.Time
	ti := -1
	if v.CreatedAt != "" {
		var err error
		if since, err = spec.ParseInstant(v.CreatedAt); err != nil {
			return fmt.Errorf("materialized view %s: %w", t.Name, err)
		}
		ti = col(v.TimeColumn)
	}
	type group struct {
		keys []any
		rows []int
	}
	groups := map[string]*group{}
	for ri, r := range src.Rows {
		if ti >= 0 {
			ts, ok := r[ti].(time.Time)
			if !ok || ts.Before(since) {
				continue
			}
		}
		keys := make([]any, len(v.GroupBy))
		parts := make([]string, len(keys))
		for i, k := range v.GroupBy {
			keys[i] = bucket(r[col(k.Source)], k.Bucket)
			parts[i] = cell.Format(keys[i])
		}
		id := strings.Join(parts, "\x00")
		if groups[id] == nil {
			groups[id] = &group{keys: keys}
		}
		groups[id].rows = append(groups[id].rows, ri)
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	g := &gen{d: d, s: s, schema: t, t: out}
	for n, id := range ids {
		if *total >= MaxRows {
			return fmt.Errorf("more than %d rows (materialized view %s)", MaxRows, t.Name)
		}
		*total++
		grp := groups[id]
		row := make([]any, len(out.Columns))
		row[out.PK] = int64(n + 1)
		for i, k := range v.GroupBy {
			row[out.Col(k.Column)] = grp.keys[i]
		}
		for _, a := range v.Aggregates {
			row[out.Col(a.Column)] = viewAggregate(a.Aggregate, src, grp.rows, col(a.Source))
		}
		owner, err := g.owner(row)
		if err != nil {
			return err
		}
		if err := out.add(row, owner); err != nil {
			return err
		}
	}
	return nil
}

// bucket truncates a time value to its UTC day or month; other values and
// an empty bucket pass through.
func bucket(v any, b string) any {
	ts, ok := v.(time.Time)
	if !ok {
		return v
	}
	ts = ts.UTC()
	switch b {
	case "day":
		return Date(ts.Year(), ts.Month(), ts.Day())
	case "month":
		return Date(ts.Year(), ts.Month(), 1)
	}
	return v
}

// viewAggregate computes a view aggregate over rows of src (NULLs skipped).
func viewAggregate(kind string, src *Table, rows []int, ci int) int64 {
	var n, sum int64
	distinct := map[string]bool{}
	for _, r := range rows {
		v := src.Rows[r][ci]
		if v == nil {
			continue
		}
		n++
		distinct[cell.Format(v)] = true
		if x, ok := v.(int64); ok {
			sum += x
		}
	}
	switch kind {
	case "count_distinct":
		return int64(len(distinct))
	case "sum":
		return sum
	}
	return n
}
