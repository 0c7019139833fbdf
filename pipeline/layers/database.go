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
)

// Containments lists the database layer's variants as engine containment
// settings; engines build one namespace per entry.
func Containments() []db.Containment {
	return []db.Containment{
		{Name: Correct},
		{Name: DatabaseLegacyOwnership, LegacyOwnership: true},
		{Name: DatabaseTableGrants, TableGrants: true},
		{Name: DatabaseMissingDeepPolicies, UnprotectedDepth: 3},
	}
}
