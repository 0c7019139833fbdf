package catalog

import "github.com/policystrata/policystrata/pipeline/layers"

// referenceOperators are the Python reference's operators that apply to
// every domain (the ClickHouse-specific ones live with that domain).
var referenceOperators = []Operator{
	{ID: "stale_metric_alias_manifest", Surface: "manifest", Variant: layers.ManifestStaleAliases, Version: "v6", Origin: "reference", Hint: Hint{Alias: true, DeniedMetric: true}, Family: "capability_exposure",
		Description:   "The manifest is built from the pre-restriction alias table and still advertises retired aliases (bookings, gross_bookings) of metrics the role may no longer use.",
		ExpectedClass: "over_permissive", ExpectedSurface: "manifest", ExpectedContainment: "validator"},
	{ID: "grammar_permits_forbidden_dimension", Surface: "grammar", Variant: layers.GrammarAllDimensions, Version: "v6", Origin: "reference", Hint: Hint{Sensitive: true}, Family: "intent_space",
		Description:   "The intent grammar takes its dimension enum from the whole policy instead of the manifest, so the model may ask for sensitive dimensions the manifest hides.",
		ExpectedClass: "over_permissive", ExpectedSurface: "grammar", ExpectedContainment: "validator"},
	{ID: "validator_omits_sensitive_column", Surface: "validator", Variant: layers.ValidatorSkipSensitive, Version: "v6", Origin: "reference", Hint: Hint{Sensitive: true}, Family: "authorization",
		Description:   "The validator skips the role check for sensitive dimensions, leaving it to a downstream step that never runs.",
		ExpectedClass: "over_permissive", ExpectedSurface: "validator", ExpectedContainment: "database"},
	{ID: "compiler_drops_tenant_predicate", Surface: "compiler", Variant: layers.CompilerDropTenant, Version: "v5", Origin: "reference", Hint: Hint{}, Family: "tenant_scope",
		Description:   "The compiler emits SQL without the tenant predicate; only database containment keeps other tenants' rows out.",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: "database"},
	{ID: "compiler_uses_old_tenant_key", Surface: "compiler", Variant: layers.CompilerLegacyTenantKey, Version: "v5", Origin: "reference", Hint: Hint{}, Family: "tenant_scope",
		Description:   "The compiler scopes on the pre-migration tenant column through the tenants' legacy keys, so accounts that moved tenants land on the wrong side: the views drop the moved-away accounts, but nothing restores the moved-in ones, so a wrong answer leaves.",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "db_rls_old_ownership_field", Surface: "database", Variant: layers.DatabaseLegacyOwnership, Version: "v5", Origin: "reference", Hint: Hint{}, Family: "database_containment",
		Description:   "Tenant isolation in the database tests the old ownership column, so rows that moved tenants stay visible to their former tenant and hidden from their new one: the compiler's tenant predicate filters the foreign rows, but the missing own rows change the answer that leaves.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: ""},
	{ID: "gross_net_metric_drift", Surface: "compiler", Variant: layers.CompilerMetricByTable, Version: "v6", Origin: "reference", Hint: Hint{}, Family: "metric_semantics",
		Description:   "The compiler resolves a metric's expression by (table, aggregate) instead of by name, so net revenue lowers to gross revenue. Where the role's column grants hide the gross column the database refuses the query.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: "database"},
	{ID: "fanout_join_drift", Surface: "compiler", Variant: layers.CompilerEagerContextJoin, Version: "v6", Origin: "reference", Hint: Hint{}, Family: "join_grain",
		Description:   "The compiler joins a one-to-many context table (tickets) into every query and drops the per-group de-duplication, so sums fan out.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "fiscal_calendar_mismatch", Surface: "compiler", Variant: layers.CompilerCalendarForFiscal, Version: "v6", Origin: "reference", Hint: Hint{TimeRange: "last_fiscal_month"}, Family: "time_semantics",
		Description:   "The compiler lowers fiscal time ranges with calendar months, moving rows on fiscal-month boundaries in or out.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "cost_estimate_ignores_expansion", Surface: "compiler", Variant: layers.CompilerIgnoreExpansion, Version: "v6", Origin: "reference", Hint: Hint{FanOut: true}, Family: "row_budget",
		Description:   "The compiler's cost estimate ignores the expansion of one-to-many joins, under-pricing fan-out breakdowns. The validator's budget check consumes that estimate, so an over-budget breakdown the validator denies for nothing else is admitted, run and released; one it denies for another reason (a limit over max_rows, as in the seeded tasks) stays contained by the validator.",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: "validator"},
	{ID: "app_deny_missing_db_policy", Surface: "database", Variant: layers.DatabaseTableGrants, Version: "v6", Origin: "reference", Hint: Hint{DeniedMetric: true}, Family: "database_containment",
		Description:   "The database grants whole tables instead of the role's columns: the application's deny is the only thing keeping restricted columns (gross amounts, customer emails) from the role.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: "validator"},
}
