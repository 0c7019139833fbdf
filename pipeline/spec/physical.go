package spec

// Distributed describes a table sharded across a cluster and read through a
// distributed table: a row lives on shard ShardingKey mod Shards, and the
// application's own server holds shard 0.
type Distributed struct {
	// Shards is the number of shards (at least 2).
	Shards int `yaml:"shards"`
	// ShardingKey is the integer column that places a row on a shard.
	ShardingKey string `yaml:"sharding_key"`
}

// MaterializedView describes a table filled by a materialized view over
// another table: one row per group of the source's rows, holding the
// group's keys and aggregates. Like a ClickHouse materialized view created
// without POPULATE, it holds only the source rows inserted after it was
// created (approximated by the source's time column).
type MaterializedView struct {
	// From is the source table.
	From string `yaml:"from"`
	// TimeColumn is the qualified source column compared with CreatedAt.
	TimeColumn string `yaml:"time_column"`
	// CreatedAt (YYYY-MM-DD or RFC 3339) is when the view was created:
	// earlier source rows are missing. Empty means the view was populated.
	CreatedAt string `yaml:"created_at"`
	// GroupBy are the view's key columns.
	GroupBy []*ViewKey `yaml:"group_by"`
	// Aggregates are the view's aggregate columns.
	Aggregates []*ViewAggregate `yaml:"aggregates"`
}

// ViewKey is one key column of a materialized view: a source column, or
// the UTC day or month bucket of a source time column.
type ViewKey struct {
	Column string `yaml:"column"`
	// Source is the qualified source column.
	Source string `yaml:"source"`
	// Bucket is "", "day" or "month" (UTC, as the server's toDate would).
	Bucket string `yaml:"bucket"`
}

// ViewAggregate is one aggregate column of a materialized view.
type ViewAggregate struct {
	Column string `yaml:"column"`
	// Aggregate is count, count_distinct or sum.
	Aggregate string `yaml:"aggregate"`
	// Source is the qualified source column aggregated.
	Source string `yaml:"source"`
}

// Key returns the view's key column reading source with bucket, or nil.
func (v *MaterializedView) Key(source, bucket string) *ViewKey {
	for _, k := range v.GroupBy {
		if k.Source == source && k.Bucket == bucket {
			return k
		}
	}
	return nil
}

// Aggregate returns the view's aggregate column of kind over source, or nil.
func (v *MaterializedView) Aggregate(kind, source string) *ViewAggregate {
	for _, a := range v.Aggregates {
		if a.Aggregate == kind && a.Source == source {
			return a
		}
	}
	return nil
}

// MaterializedViews lists the schema's materialized-view tables over
// table, in schema order.
func (s *Schema) MaterializedViews(table string) []*Table {
	var out []*Table
	for _, t := range s.Tables {
		if t.MaterializedView != nil && t.MaterializedView.From == table {
			out = append(out, t)
		}
	}
	return out
}

// DirectlyOwned reports whether table carries its tenant id itself: its
// owner_via foreign key references the tenancy table.
func (s *Schema) DirectlyOwned(table, tenancyTable string) bool {
	t := s.Table(table)
	if t == nil || t.Name == tenancyTable {
		return false
	}
	fk := t.FK(t.OwnerVia)
	if fk == nil {
		return false
	}
	rt, _, _ := SplitQualified(fk.References)
	return rt == tenancyTable
}
