package aimstate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// RequestDoc says what ForRequest builds.
const RequestDoc = "for the request's tenants and one other, copies of the row with the most rows below it (of its first eight) of every table owned straight by the tenancy table, each with all the rows below it, carrying the request's filter values and the smallest value of each grouping column (the first group a LIMIT keeps), dated the day before its time range, its first two days, its middle and last days, and the day after; on each date one plain copy, and on the first and middle days also one with every row below the root duplicated (fan-out, duplicate values) and one with the optional references empty"

// ForRequest derives from base a state aimed at one request: rows that the
// request's filters and time range select, shaped three ways (plain,
// with every child duplicated so joins fan out, with optional references
// left empty), under the request's tenants and one tenant outside them. It
// reaches faults whose effect needs rows that a generated state may hold
// for no combination of the request's filter values.
func ForRequest(d *spec.Domain, base *state.State, tenants []string, q spec.SemanticQuery) (*state.State, error) {
	b := newBuilder(d, base)
	win, err := oracle.TimeWindow(d.Policy.Calendar, q.TimeRange)
	if err != nil {
		// an unknown time range selects nothing; date the rows on the as-of day
		asOf, perr := b.asOf()
		if perr != nil {
			return nil, fmt.Errorf("derive request state: %w", perr)
		}
		win = oracle.Window{Start: asOf, End: asOf.AddDate(0, 0, 1)}
	}
	days := int(win.End.Sub(win.Start).Hours() / 24)
	// asymmetric on purpose: two days just inside the start, one just
	// inside the end, so rows a shifted window gains and loses cannot
	// cancel out in a count
	dates := []time.Time{win.Start.AddDate(0, 0, -1), win.Start, win.Start.AddDate(0, 0, 1), win.Start.AddDate(0, 0, days/2), win.End.AddDate(0, 0, -1), win.End}
	set := b.filterValues(q)
	b.firstGroupValues(q, set)
	targets := map[string]bool{}
	for _, t := range tenants {
		targets[t] = true
	}
	all := b.tenants()
	for _, t := range all {
		if k := cell.Format(t); !targets[k] {
			targets[k] = true // one tenant outside the request's
			break
		}
	}
	for _, t := range b.straightOwned() {
		for ti, idx := range b.firstOwned(t.Name, 8) {
			if !targets[cell.Format(all[ti])] {
				continue
			}
			for _, i := range b.largestTree(t.Name, idx) {
				for shape := 0; shape < 3; shape++ {
					for di, day := range dates {
						if shape > 0 && di != 1 && di != 3 {
							continue // fanned-out and empty-reference copies: first and middle days only
						}
						start := b.mark()
						if err := b.cloneTree(t.Name, i, nil, 0); err != nil {
							return nil, fmt.Errorf("derive request state: %w", err)
						}
						b.shapeSince(start, t.Name, set, day.Add(12*time.Hour), shape)
					}
				}
			}
		}
	}
	if b.rowCount() > state.MaxRows {
		return nil, nil
	}
	st, err := state.FromRows(d, b.rows)
	if err != nil {
		return nil, fmt.Errorf("derive request state: %w", err)
	}
	return st, nil
}

// dimColumn is the table and column dimension name reads (not for time
// buckets or names the policy does not define).
func (b *builder) dimColumn(name string) (table, col string, st *state.Table, ok bool) {
	dim := b.d.Policy.Dimensions[name]
	if dim == nil || dim.Source == "" {
		return "", "", nil, false
	}
	t, c, err := spec.SplitQualified(dim.Source)
	st = b.base.Table(t)
	if err != nil || st == nil || st.Col(c) < 0 {
		return "", "", nil, false
	}
	return t, c, st, true
}

// filterValues maps table -> column -> the typed value the request's
// filters ask of it (dimensions read from a column of some table).
func (b *builder) filterValues(q spec.SemanticQuery) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, val := range q.Filters {
		t, c, st, ok := b.dimColumn(name)
		if !ok {
			continue
		}
		v, ok := parseCell(val, st.Types[st.Col(c)])
		if !ok {
			continue
		}
		if out[t] == nil {
			out[t] = map[string]any{}
		}
		out[t][c] = v
	}
	return out
}

// largestTree returns, of the rows idx of table, the one with the most
// rows below it (the first on ties), as a one-element list (none for none).
func (b *builder) largestTree(table string, idx []int) []int {
	best, size := -1, -1
	for _, i := range idx {
		if n := b.treeSize(table, i, 0); n > size {
			best, size = i, n
		}
	}
	if best < 0 {
		return nil
	}
	return []int{best}
}

// treeSize counts base row i of table and the rows below it.
func (b *builder) treeSize(table string, i, depth int) int {
	if depth > len(b.d.Schema.Tables) {
		return 0
	}
	st := b.base.Table(table)
	key := cell.Format(st.Rows[i][st.PK])
	n := 1
	for _, child := range b.tables() {
		for _, fk := range child.ForeignKeys {
			if rt, rc, _ := spec.SplitQualified(fk.References); rt != table || rc != b.d.Schema.Table(table).PrimaryKey {
				continue
			}
			for _, j := range b.referencing(child.Name, fk.Column, key) {
				n += b.treeSize(child.Name, j, depth+1)
			}
		}
	}
	return n
}

// firstGroupValues sets, for each grouping dimension the filters leave
// free, the smallest value its column holds in the base state, so the
// copies fall in the first group a LIMIT keeps.
func (b *builder) firstGroupValues(q spec.SemanticQuery, set map[string]map[string]any) {
	for _, name := range q.Dimensions {
		t, c, st, ok := b.dimColumn(name)
		if !ok || set[t][c] != nil {
			continue
		}
		ci := st.Col(c)
		var low any
		for _, r := range st.Rows {
			if r[ci] != nil && (low == nil || cell.Format(r[ci]) < cell.Format(low)) {
				low = r[ci]
			}
		}
		if low == nil {
			continue
		}
		if set[t] == nil {
			set[t] = map[string]any{}
		}
		set[t][c] = low
	}
}

// mark records how many rows each table holds, so shapeSince can find the
// rows added after it.
func (b *builder) mark() map[string]int {
	out := map[string]int{}
	for t, rows := range b.rows {
		out[t] = len(rows)
	}
	return out
}

// shapeSince sets the filter values and the date on the rows added since
// start (a subtree cloned under a row of table root), then, by shape,
// duplicates the rows below the root (1) or empties their optional
// references (2).
func (b *builder) shapeSince(start map[string]int, root string, set map[string]map[string]any, at time.Time, shape int) {
	for _, t := range b.tables() {
		st := b.base.Table(t.Name)
		added := b.rows[t.Name][start[t.Name]:]
		for _, r := range added {
			for c, v := range set[t.Name] {
				r[st.Col(c)] = v
			}
			for ci, typ := range st.Types {
				switch typ {
				case "date":
					r[ci] = time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
				case "timestamp":
					r[ci] = at
				}
			}
			if shape == 2 {
				for _, fk := range t.ForeignKeys {
					if fk.Column != t.OwnerVia {
						r[st.Col(fk.Column)] = nil
					}
				}
			}
		}
		if shape == 1 && t.Name != root {
			for _, r := range added {
				c := append([]any{}, r...)
				c[st.PK] = b.freshKey(t.Name, c[st.PK])
				b.rows[t.Name] = append(b.rows[t.Name], c)
			}
		}
	}
}

// parseCell reads a filter value as a value of column type typ.
func parseCell(s, typ string) (any, bool) {
	switch typ {
	case "text":
		return s, true
	case "integer":
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	case "boolean":
		v, err := strconv.ParseBool(strings.ToLower(s))
		return v, err == nil
	case "date":
		v, err := spec.ParseDate(s)
		return v, err == nil
	case "timestamp":
		if v, err := time.Parse(time.RFC3339, s); err == nil {
			return v.UTC(), true
		}
		v, err := spec.ParseDate(s)
		return v, err == nil
	}
	return nil, false
}
