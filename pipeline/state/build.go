package state

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// FromRows builds a state of domain d from explicit rows of its base tables
// (rows[table] in schema column order, values typed as in Table.Rows). It
// derives what generation derives: each row's owner through the owner_via
// chain, and the rows of materialized-view tables. Tables missing from rows
// are empty; rows of a materialized-view table are ignored (they are derived).
// A row whose primary key repeats, or whose owner_via reference names no
// row, is an error: states built here keep foreign keys whole.
func FromRows(d *spec.Domain, rows map[string][][]any) (*State, error) {
	s := &State{byName: map[string]*Table{}}
	for _, t := range d.Schema.Tables {
		nt := newTable(t)
		s.Tables = append(s.Tables, nt)
		s.byName[t.Name] = nt
	}
	for name := range rows {
		if d.Schema.Table(name) == nil {
			return nil, fmt.Errorf("build state: unknown table %q", name)
		}
	}
	order, err := ownerOrder(d)
	if err != nil {
		return nil, fmt.Errorf("build state: %w", err)
	}
	total := 0
	for _, st := range order {
		if st.MaterializedView != nil {
			continue
		}
		t := s.byName[st.Name]
		g := &gen{d: d, s: s, schema: st, t: t}
		for _, r := range rows[st.Name] {
			if len(r) != len(t.Columns) {
				return nil, fmt.Errorf("build state: table %s: row has %d values, want %d", st.Name, len(r), len(t.Columns))
			}
			if total++; total > MaxRows {
				return nil, fmt.Errorf("build state: more than %d rows", MaxRows)
			}
			row := append([]any{}, r...)
			owner, err := g.owner(row)
			if err != nil {
				return nil, fmt.Errorf("build state: %w", err)
			}
			if err := t.add(row, owner); err != nil {
				return nil, fmt.Errorf("build state: %w", err)
			}
		}
	}
	if err := s.materializeViews(d, &total); err != nil {
		return nil, fmt.Errorf("build state: %w", err)
	}
	return s, nil
}

// materializeViews computes every materialized view of d from s's base
// tables, counting its rows into total.
func (s *State) materializeViews(d *spec.Domain, total *int) error {
	for _, t := range d.Schema.Tables {
		if t.MaterializedView == nil {
			continue
		}
		if err := s.materialize(d, t, total); err != nil {
			return err
		}
	}
	return nil
}

// BaseRows returns copies of the rows of every base (not materialized-view)
// table of d, the input FromRows takes.
func (s *State) BaseRows(d *spec.Domain) map[string][][]any {
	out := map[string][][]any{}
	for _, t := range d.Schema.Tables {
		if t.MaterializedView != nil {
			continue
		}
		st := s.Table(t.Name)
		rows := make([][]any, len(st.Rows))
		for i, r := range st.Rows {
			rows[i] = append([]any{}, r...)
		}
		out[t.Name] = rows
	}
	return out
}

// ownerOrder lists d's tables so that every table comes after the table
// its owner_via column references (the tenancy table first).
func ownerOrder(d *spec.Domain) ([]*spec.Table, error) {
	depth := map[string]int{}
	var visit func(name string, n int) (int, error)
	visit = func(name string, n int) (int, error) {
		if v, ok := depth[name]; ok {
			return v, nil
		}
		if n > len(d.Schema.Tables) {
			return 0, fmt.Errorf("owner_via cycle at table %s", name)
		}
		t := d.Schema.Table(name)
		if t == nil {
			return 0, fmt.Errorf("unknown table %s", name)
		}
		if name == d.Policy.Tenancy.Table || t.OwnerVia == "" {
			depth[name] = 0
			return 0, nil
		}
		fk := t.FK(t.OwnerVia)
		if fk == nil {
			return 0, fmt.Errorf("table %s: owner_via %s is not a foreign key", name, t.OwnerVia)
		}
		pt, _, err := spec.SplitQualified(fk.References)
		if err != nil {
			return 0, err
		}
		v, err := visit(pt, n+1)
		if err != nil {
			return 0, err
		}
		depth[name] = v + 1
		return v + 1, nil
	}
	out := append([]*spec.Table{}, d.Schema.Tables...)
	for _, t := range out {
		if _, err := visit(t.Name, 0); err != nil {
			return nil, err
		}
	}
	// stable: schema order within a depth
	sorted := make([]*spec.Table, 0, len(out))
	for lvl := 0; len(sorted) < len(out); lvl++ {
		for _, t := range out {
			if depth[t.Name] == lvl {
				sorted = append(sorted, t)
			}
		}
		if lvl > len(out) {
			return nil, fmt.Errorf("owner_via depth exceeds table count")
		}
	}
	return sorted, nil
}

// Subset returns the state holding, of each base table of d, the rows of
// s that keep lists (increasing indexes into the table's rows; a table
// keep leaves out holds none), with their owners, and every materialized
// view computed again from them. keep must be closed under foreign keys
// (a kept row's referenced rows kept too, as a minimizer's subsets are):
// a row's owner then stays the one s derived. It equals FromRows of the
// same rows (TestSubsetIsFromRows) without deriving owners or copying
// rows: the rows are shared with s and must not be changed.
func (s *State) Subset(d *spec.Domain, keep map[string][]int) (*State, error) {
	out := &State{byName: map[string]*Table{}}
	total := 0
	for _, t := range d.Schema.Tables {
		nt := newTable(t)
		out.Tables = append(out.Tables, nt)
		out.byName[t.Name] = nt
		if t.MaterializedView != nil {
			continue
		}
		src := s.Table(t.Name)
		if src == nil {
			return nil, fmt.Errorf("subset state: no table %s", t.Name)
		}
		ix := keep[t.Name]
		if len(ix) > 0 {
			nt.Rows, nt.Owner = make([][]any, 0, len(ix)), make([]string, 0, len(ix))
		}
		for _, i := range ix {
			if i < 0 || i >= len(src.Rows) {
				return nil, fmt.Errorf("subset state: table %s has no row %d", t.Name, i)
			}
			if err := nt.add(src.Rows[i], src.Owner[i]); err != nil {
				return nil, fmt.Errorf("subset state: %w", err)
			}
		}
		total += len(ix)
	}
	if err := out.materializeViews(d, &total); err != nil {
		return nil, fmt.Errorf("subset state: %w", err)
	}
	return out, nil
}
