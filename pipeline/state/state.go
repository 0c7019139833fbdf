// Package state generates a domain's seeded database state: typed rows for
// every table of the schema, plus each row's owning tenant derived through the
// schema's owner_via chain. The same settings and seed always give the same
// state; the DuckDB and PostgreSQL engines load it, and the oracle computes
// reference answers over it in Go.
package state

import (
	"fmt"
	"time"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// Table holds one relation's rows in schema column order. Values are int64,
// string, bool, time.Time (UTC; dates at midnight) or nil.
type Table struct {
	Name    string
	Columns []string
	Types   []string
	PK      int
	Rows    [][]any
	// Owner[i] is the tenant that owns Rows[i].
	Owner []string
	index map[any]int
}

// State is a generated database state.
type State struct {
	Tables []*Table
	byName map[string]*Table
}

// Table returns the named table or nil.
func (s *State) Table(name string) *Table { return s.byName[name] }

// Col returns the index of column name, or -1.
func (t *Table) Col(name string) int {
	for i, c := range t.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// ByPK returns the row with primary key v.
func (t *Table) ByPK(v any) ([]any, int, bool) {
	i, ok := t.index[v]
	if !ok {
		return nil, -1, false
	}
	return t.Rows[i], i, true
}

// Rows counts the rows of every table.
func (s *State) RowCount() int {
	n := 0
	for _, t := range s.Tables {
		n += len(t.Rows)
	}
	return n
}

// Date returns midnight UTC of the given civil date.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func newTable(t *spec.Table) *Table {
	out := &Table{Name: t.Name, index: map[any]int{}}
	for i, c := range t.Columns {
		out.Columns = append(out.Columns, c.Name)
		out.Types = append(out.Types, c.Type)
		if c.Name == t.PrimaryKey {
			out.PK = i
		}
	}
	return out
}

func (t *Table) add(row []any, owner string) error {
	pk := row[t.PK]
	if pk == nil {
		return fmt.Errorf("table %s: row without primary key", t.Name)
	}
	if _, dup := t.index[pk]; dup {
		return fmt.Errorf("table %s: duplicate primary key %v", t.Name, pk)
	}
	t.index[pk] = len(t.Rows)
	t.Rows = append(t.Rows, row)
	t.Owner = append(t.Owner, owner)
	return nil
}
