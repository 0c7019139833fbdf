package catalog

import "github.com/policystrata/policystrata/pipeline/layers"

// clickHouseOperators are the reference's eight operators of a
// ClickHouse-backed analytics stack (the analytics_clickhouse domain), each
// a real fault of one layer variant. Each is gated on the domain feature its
// fault acts on (a minimum cohort, a tenant time zone, a materialized view,
// a sampled metric, ...), not on the dialect: a DuckDB domain that declares
// a minimum cohort gets aggregate_small_cohort_release. Only the two
// row-policy operators need the ClickHouse row-policy model itself (policies
// granted TO a role, with a catch-all for the others), which a domain
// declares with dialect: clickhouse. The version labels follow the
// reference's analytics numbering (v1 correct, v0 faulty).
var clickHouseOperators = []Operator{
	{ID: "clickhouse_row_policy_missing_project_filter", Surface: "database", Variant: layers.DatabasePolicyWithoutTenant, Version: "v0", Origin: "reference", Family: "database_containment", Requires: []string{FeatureClickHouseRowPolicies},
		Description:   "The row policies on the tables that carry project_id themselves (events, sessions, the daily rollup) were created without the project predicate (USING 1 TO the read-only role), so a session sees every project's rows; the compiler's project predicate still scopes the answer.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: "compiler"},
	{ID: "clickhouse_row_policy_readonly_assumption_violation", Surface: "database", Variant: layers.DatabaseNonReadonlyRole, Version: "v0", Origin: "reference", Family: "database_containment", Requires: []string{FeatureClickHouseRowPolicies},
		Description:   "Row policies are written for the read-only role only (ClickHouse's documented assumption), with a catch-all USING 1 for every other role; after an execution-mode change the application connects as a read-write role, to which no project policy applies and which holds table-level grants.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: "compiler"},
	{ID: "aggregate_small_cohort_release", Surface: "release", Variant: layers.ReleaseIgnoreCohort, Version: "v0", Origin: "reference", Hint: Hint{Cohort: true, Authorized: true}, Family: "output_release", Requires: []string{FeatureMinCohort},
		Description:   "The release gate ignores the validator's release threshold: aggregates of groups with fewer distinct users than the role's minimum cohort size (a small cohort, a rare country) leave with the rest.",
		ExpectedClass: "unsafe_release", ExpectedSurface: "release", ExpectedContainment: ""},
	{ID: "materialized_view_lineage_drop", Surface: "compiler", Variant: layers.CompilerRollup, Version: "v0", Origin: "reference", Hint: Hint{Rollup: true}, Family: "lineage", Requires: []string{FeatureMaterializedView},
		Description:   "The compiler answers from the daily materialized view over events whenever it holds the query's keys, summing its pre-aggregated column: per-day unique users add up, days are the server's UTC days, and events inserted before the view was created (it was not populated) are missing. The view's target table is not granted to application roles, so the database refuses the query.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: "database"},
	{ID: "timezone_bucket_drift", Surface: "compiler", Variant: layers.CompilerUTCBuckets, Version: "v0", Origin: "reference", Hint: Hint{Day: true}, Family: "time_semantics", Requires: []string{FeatureTenantTimezone},
		Description:   "The compiler lowers day buckets in the server's time zone (toDate(event_time, 'UTC')) instead of the project's (toDate(event_time, projects.timezone)), so a Los Angeles project's evening events land on the next day.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "uniq_to_count_drift", Surface: "compiler", Variant: layers.CompilerUniqAsCount, Version: "v0", Origin: "reference", Hint: Hint{DistinctCount: true}, Family: "metric_semantics", Requires: []string{FeatureUniqExact},
		Description:   "The compiler translates uniqExact(user_id) as count(user_id) (and uniqExactIf as countIf), so active users and sessions count events instead of distinct users and sessions.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "sample_clause_release_drift", Surface: "release", Variant: layers.ReleaseDropDisclosure, Version: "v0", Origin: "reference", Hint: Hint{Sampled: true, Authorized: true}, Family: "output_release", Requires: []string{FeatureSampledMetric},
		Description:   "A sampled metric is read with SAMPLE 0.1 and scaled by 10, and the compiler hands that lineage to the release gate; the faulty gate formats it from the exact-metric template, so the estimate leaves without disclosure, looking like a count.",
		ExpectedClass: "unsafe_release", ExpectedSurface: "release", ExpectedContainment: ""},
	{ID: "distributed_table_policy_gap", Surface: "database", Variant: layers.DatabaseRemoteShards, Version: "v0", Origin: "reference", Family: "database_containment", Requires: []string{FeatureDistributedTable},
		Description:   "Events are read through a Distributed table over two shards whose remote_servers entry has no inter-server secret: remote shards run the query as the cluster's default user, which no row policy names, so every project's events on the remote shard are visible; only the local shard applies the session's policy.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: "compiler"},
}
