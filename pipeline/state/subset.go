package state

import (
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Cascade returns the rows of rows (FromRows's input) that keep says to
// keep, minus every row whose foreign key names a row that is not kept,
// transitively: removing a row removes the rows that reference it, so the
// result keeps foreign keys whole. Rows stay in their order; keep is asked
// about every row of every base table of d, by table and index.
func Cascade(d *spec.Domain, rows map[string][][]any, keep func(table string, i int) bool) map[string][][]any {
	kept := map[string][]bool{}
	for _, t := range d.Schema.Tables {
		if t.MaterializedView != nil {
			continue
		}
		ks := make([]bool, len(rows[t.Name]))
		for i := range ks {
			ks[i] = keep(t.Name, i)
		}
		kept[t.Name] = ks
	}
	// value sets of kept rows per referenced column, rebuilt until stable
	for changed := true; changed; {
		changed = false
		for _, t := range d.Schema.Tables {
			if t.MaterializedView != nil {
				continue
			}
			for _, fk := range t.ForeignKeys {
				rt, rc, err := spec.SplitQualified(fk.References)
				if err != nil || kept[rt] == nil {
					continue
				}
				ci, ri := colIndex(t, fk.Column), colIndex(d.Schema.Table(rt), rc)
				if ci < 0 || ri < 0 {
					continue
				}
				present := map[any]bool{}
				for i, r := range rows[rt] {
					if kept[rt][i] {
						present[r[ri]] = true
					}
				}
				for i, r := range rows[t.Name] {
					if kept[t.Name][i] && r[ci] != nil && !present[r[ci]] {
						kept[t.Name][i] = false
						changed = true
					}
				}
			}
		}
	}
	out := map[string][][]any{}
	for name, ks := range kept {
		sel := [][]any{}
		for i, k := range ks {
			if k {
				sel = append(sel, rows[name][i])
			}
		}
		out[name] = sel
	}
	return out
}

func colIndex(t *spec.Table, name string) int {
	if t == nil {
		return -1
	}
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// WithTable returns a state whose tables are s's, except that t replaces
// the table of the same name. The tables are shared, not copied.
func WithTable(s *State, t *Table) *State {
	out := &State{byName: map[string]*Table{}}
	for _, x := range s.Tables {
		if x.Name == t.Name {
			x = t
		}
		out.Tables = append(out.Tables, x)
		out.byName[x.Name] = x
	}
	return out
}
