package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Schema is a domain's relational schema (schema.yaml), portable across the
// DuckDB and PostgreSQL engines.
type Schema struct {
	Tables []*Table `yaml:"tables"`
	// Grants lists, per role, the qualified columns the database exposes to
	// that role's application sessions. They are authored independently of
	// the policy; disagreement between the two is a real finding.
	Grants map[string][]string `yaml:"grants"`
	// GrantsLines locates each role of Grants and each of its columns.
	GrantsLines map[string]strictyaml.EntryLines `yaml:"-"`
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
	// Line locates the column in schema.yaml (for messages).
	Line int `yaml:"-" json:"-"`
}

// ForeignKey is a many-to-one reference from Column to References (table.column).
type ForeignKey struct {
	Column     string `yaml:"column"`
	References string `yaml:"references"`
	// Expansion is the expected number of rows of this table per referenced
	// row; it prices joins that fan out.
	Expansion int `yaml:"expansion"`
	// Line locates the foreign key in schema.yaml (for messages).
	Line int `yaml:"-" json:"-"`
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

// ownerChainError reports why table has no owner_via chain up to the
// tenancy table (a cycle, an unknown table, a missing or dangling owner_via),
// or nil. It is domain validation only: the chain itself is resolved by the
// packages that use it.
func (s *Schema) ownerChainError(table, tenancyTable string) error {
	cur := table
	for i := 0; cur != tenancyTable; i++ {
		if i > len(s.Tables) {
			return fmt.Errorf("owner_via cycle from table %s", table)
		}
		t := s.Table(cur)
		if t == nil {
			return fmt.Errorf("unknown table %s", cur)
		}
		if t.OwnerVia == "" {
			return fmt.Errorf("table %s has no owner_via and is not the tenancy table", cur)
		}
		fk := t.FK(t.OwnerVia)
		if fk == nil {
			return fmt.Errorf("table %s: owner_via %s is not a foreign key", cur, t.OwnerVia)
		}
		cur, _, _ = SplitQualified(fk.References)
	}
	return nil
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
