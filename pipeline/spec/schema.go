package spec

import (
	"fmt"
	"sort"
	"strings"
)

// Schema is a domain's relational schema (schema.yaml), portable across the
// DuckDB and PostgreSQL engines.
type Schema struct {
	Tables []*Table `yaml:"tables"`
	// Grants lists, per role, the qualified columns the database exposes to
	// that role's application sessions. They are authored independently of
	// the policy; disagreement between the two is a real finding.
	Grants map[string][]string `yaml:"grants"`
}

// Table is one relation.
type Table struct {
	Name       string    `yaml:"name"`
	PrimaryKey string    `yaml:"primary_key"`
	Columns    []*Column `yaml:"columns"`
	// OwnerVia names the foreign-key column through which a row's tenant is
	// derived; empty for the tenancy table itself.
	OwnerVia    string        `yaml:"owner_via"`
	ForeignKeys []*ForeignKey `yaml:"foreign_keys"`
	// SampleBy names the integer column a SAMPLE clause hashes (ClickHouse's
	// SAMPLE BY key); metrics with a sample read the table through it.
	SampleBy string `yaml:"sample_by"`
	// Distributed, when set, says the table is sharded across a cluster and
	// read through a distributed table (see Distributed).
	Distributed *Distributed `yaml:"distributed"`
	// MaterializedView, when set, makes the table the target of a
	// materialized view: its rows are derived from another table, not
	// generated (see MaterializedView).
	MaterializedView *MaterializedView `yaml:"materialized_view"`
	Line             int               `yaml:"-"`
}

// Column is a typed column. Type is one of integer, text, boolean, date,
// timestamp.
type Column struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`
}

// ForeignKey is a many-to-one reference from Column to References (table.column).
type ForeignKey struct {
	Column     string `yaml:"column"`
	References string `yaml:"references"`
	// Expansion is the expected number of rows of this table per referenced
	// row; it prices joins that fan out.
	Expansion int `yaml:"expansion"`
}

// ColumnTypes are the portable column types.
var ColumnTypes = map[string]bool{"integer": true, "text": true, "boolean": true, "date": true, "timestamp": true}

// Table returns the named table or nil.
func (s *Schema) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Column returns the named column or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// FK returns the foreign key declared on column, or nil.
func (t *Table) FK(column string) *ForeignKey {
	for _, fk := range t.ForeignKeys {
		if fk.Column == column {
			return fk
		}
	}
	return nil
}

// SplitQualified splits "table.column".
func SplitQualified(q string) (table, column string, err error) {
	t, c, ok := strings.Cut(q, ".")
	if !ok || t == "" || c == "" || strings.Contains(c, ".") {
		return "", "", fmt.Errorf("%q is not a qualified table.column", q)
	}
	return t, c, nil
}

// Edge is one step of a join path.
type Edge struct {
	// From and To are table names; the path walks From -> To.
	From, To string
	// FromColumn = ToColumn is the join condition.
	FromColumn, ToColumn string
	// FanOut is true when the step goes from a referenced row to the rows
	// that reference it (one-to-many).
	FanOut bool
	// Expansion is the foreign key's expansion factor (fan-out steps only).
	Expansion int
}

// Path finds the shortest join path from table `from` to table `to` over the
// foreign-key graph, preferring many-to-one steps, with ties broken by table
// name so the result is deterministic. A nil path with ok=true means from==to.
func (s *Schema) Path(from, to string) ([]Edge, bool) {
	if from == to {
		return nil, true
	}
	type state struct {
		table string
		path  []Edge
		fans  int
	}
	best := map[string]int{from: 0}
	frontier := []state{{table: from}}
	var found *state
	for len(frontier) > 0 && found == nil {
		var next []state
		for _, st := range frontier {
			for _, e := range s.edgesFrom(st.table) {
				fans := st.fans
				if e.FanOut {
					fans++
				}
				if prev, seen := best[e.To]; seen && prev <= fans {
					continue
				}
				best[e.To] = fans
				p := append(append([]Edge{}, st.path...), e)
				next = append(next, state{table: e.To, path: p, fans: fans})
			}
		}
		sort.SliceStable(next, func(i, j int) bool {
			if next[i].fans != next[j].fans {
				return next[i].fans < next[j].fans
			}
			return pathKey(next[i].path) < pathKey(next[j].path)
		})
		for i := range next {
			if next[i].table == to {
				found = &next[i]
				break
			}
		}
		frontier = next
	}
	if found == nil {
		return nil, false
	}
	return found.path, true
}

func pathKey(p []Edge) string {
	var b strings.Builder
	for _, e := range p {
		b.WriteString(e.To)
		b.WriteByte('.')
		b.WriteString(e.ToColumn)
		b.WriteByte('/')
	}
	return b.String()
}

// edgesFrom lists the join steps out of table, sorted deterministically.
func (s *Schema) edgesFrom(table string) []Edge {
	var out []Edge
	if t := s.Table(table); t != nil {
		for _, fk := range t.ForeignKeys {
			rt, rc, _ := SplitQualified(fk.References)
			out = append(out, Edge{From: table, To: rt, FromColumn: fk.Column, ToColumn: rc})
		}
	}
	for _, t := range s.Tables {
		for _, fk := range t.ForeignKeys {
			rt, rc, _ := SplitQualified(fk.References)
			if rt == table {
				exp := fk.Expansion
				if exp < 1 {
					exp = 1
				}
				out = append(out, Edge{From: table, To: t.Name, FromColumn: rc, ToColumn: fk.Column, FanOut: true, Expansion: exp})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].FanOut != out[j].FanOut {
			return !out[i].FanOut
		}
		if out[i].To != out[j].To {
			return out[i].To < out[j].To
		}
		return out[i].ToColumn < out[j].ToColumn
	})
	return out
}

// Children lists the tables holding a foreign key to table, sorted by name.
func (s *Schema) Children(table string) []Edge {
	var out []Edge
	for _, e := range s.edgesFrom(table) {
		if e.FanOut {
			out = append(out, e)
		}
	}
	return out
}

// OwnerChain returns the foreign-key steps from table up to the tenancy
// table following OwnerVia, e.g. invoices -> subscriptions -> accounts -> tenants.
func (s *Schema) OwnerChain(table, tenancyTable string) ([]Edge, error) {
	var chain []Edge
	cur := table
	for i := 0; cur != tenancyTable; i++ {
		if i > len(s.Tables) {
			return nil, fmt.Errorf("owner_via cycle from table %s", table)
		}
		t := s.Table(cur)
		if t == nil {
			return nil, fmt.Errorf("unknown table %s", cur)
		}
		if t.OwnerVia == "" {
			return nil, fmt.Errorf("table %s has no owner_via and is not the tenancy table", cur)
		}
		fk := t.FK(t.OwnerVia)
		if fk == nil {
			return nil, fmt.Errorf("table %s: owner_via %s is not a foreign key", cur, t.OwnerVia)
		}
		rt, rc, _ := SplitQualified(fk.References)
		chain = append(chain, Edge{From: cur, To: rt, FromColumn: fk.Column, ToColumn: rc})
		cur = rt
	}
	return chain, nil
}

// SortedKeys returns a map's keys in sorted order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
