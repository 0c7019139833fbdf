package catalog

import (
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// Domain features an operator may require (Operator.Requires).
const (
	// FeatureMinCohort: a role has a min_cohort_size (and the policy a
	// cohort_key), so the release gate withholds small groups.
	FeatureMinCohort = "min_cohort_size"
	// FeatureTenantTimezone: the tenancy declares a time zone column.
	FeatureTenantTimezone = "tenant_timezone"
	// FeatureMaterializedView: a table is a materialized view.
	FeatureMaterializedView = "materialized_view"
	// FeatureDistributedTable: a table is distributed over shards.
	FeatureDistributedTable = "distributed_table"
	// FeatureSampledMetric: a metric reads a sample.
	FeatureSampledMetric = "sampled_metric"
	// FeatureUniqExact: a metric expression counts with uniqExact.
	FeatureUniqExact = "uniq_exact_metric"
	// FeatureClickHouseRowPolicies: the database isolates tenants with
	// ClickHouse row policies granted to a role (declared by dialect:
	// clickhouse).
	FeatureClickHouseRowPolicies = "clickhouse_row_policies"
)

// Features lists, in a fixed order, the features domain d declares.
func Features(d *spec.Domain) []string {
	p, s := d.Policy, d.Schema
	var out []string
	add := func(ok bool, f string) {
		if ok {
			out = append(out, f)
		}
	}
	cohort := false
	for _, r := range p.Roles {
		cohort = cohort || r.MinCohortSize > 0
	}
	add(cohort, FeatureMinCohort)
	add(p.Tenancy.Timezone != "", FeatureTenantTimezone)
	mv, dist := false, false
	for _, t := range s.Tables {
		mv = mv || t.MaterializedView != nil
		dist = dist || t.Distributed != nil
	}
	add(mv, FeatureMaterializedView)
	add(dist, FeatureDistributedTable)
	sampled, uniq := false, false
	for _, m := range p.Metrics {
		sampled = sampled || m.Sample > 0
		uniq = uniq || strings.Contains(strings.ToLower(m.Expression), "uniqexact")
	}
	add(sampled, FeatureSampledMetric)
	add(uniq, FeatureUniqExact)
	add(p.SQLDialect() == spec.DialectClickHouse, FeatureClickHouseRowPolicies)
	return out
}
