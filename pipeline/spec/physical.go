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
