package layers

import "github.com/policystrata/policystrata/pipeline/db"

// Database variants.
const (
	// DatabaseLegacyOwnership isolates tenants on the pre-migration ownership
	// column: rows that moved tenants stay visible to their old tenant.
	DatabaseLegacyOwnership = "legacy_ownership"
	// DatabaseTableGrants grants whole tables instead of the role's columns,
	// so the application's deny is the only thing hiding restricted columns.
	DatabaseTableGrants = "table_grants"
	// DatabaseMissingDeepPolicies has no tenant policy on the tables added
	// after the first migration: those three or more ownership steps from the
	// tenancy table (invoices, ticket events).
	DatabaseMissingDeepPolicies = "missing_deep_policies"
	// DatabasePolicyWithoutTenant has row policies on the tables that hold
	// the tenant id themselves, but without the tenant predicate (a
	// catch-all USING 1): every tenant's rows of those tables are visible.
	DatabasePolicyWithoutTenant = "policy_without_tenant"
	// DatabaseNonReadonlyRole runs the application session as a role the
	// row policies do not name (they were written for the read-only role):
	// the catch-all policy for every other role shows all rows, and the
	// role holds table-level grants.
	DatabaseNonReadonlyRole = "non_readonly_role"
	// DatabaseRemoteShards reads distributed tables whose remote shards run
	// the query as the cluster's default user, which no row policy names:
	// only the local shard's rows are isolated.
	DatabaseRemoteShards = "remote_shards_unfiltered"
)

// Containments lists the database layer's variants as engine containment
// settings; engines build one namespace per entry.
func Containments() []db.Containment {
	return []db.Containment{
		{Name: Correct},
		{Name: DatabaseLegacyOwnership, LegacyOwnership: true},
		{Name: DatabaseTableGrants, TableGrants: true},
		{Name: DatabaseMissingDeepPolicies, UnprotectedDepth: 3},
		{Name: DatabasePolicyWithoutTenant, UnprotectedDirect: true},
		{Name: DatabaseNonReadonlyRole, NoRowPolicies: true, TableGrants: true},
		{Name: DatabaseRemoteShards, RemoteShardsUnfiltered: true},
	}
}
