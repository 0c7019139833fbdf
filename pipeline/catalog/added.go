package catalog

import "github.com/policystrata/policystrata/pipeline/layers"

// addedOperators are real failure modes of text-to-SQL and BI stacks that
// the Python reference does not model, plus the reference's remaining
// relational operators (tenant/account swap, DISTINCT, inner join).
var addedOperators = []Operator{
	{ID: "compiler_swaps_tenant_account_id", Surface: "compiler", Variant: layers.CompilerSwapTenantAccount, Version: "v5", Origin: "reference", Family: "tenant_scope",
		Description:   "The compiler binds the tenant scope to the key of the table that holds the tenant column (accounts.id IN ('acme')) instead of the tenant column: the tenant column is never bound, and the principal's own rows disappear from the answer.",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "compiler_removes_distinct", Surface: "compiler", Variant: layers.CompilerRemoveDistinct, Version: "v6", Origin: "reference", Hint: Hint{FanOut: true}, Family: "join_grain",
		Description:   "The compiler drops DISTINCT from count(distinct ...) and from the per-group de-duplication, so fan-out joins count rows more than once.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "compiler_inner_join_drops_rows", Surface: "compiler", Variant: layers.CompilerInnerJoinOptional, Version: "v6", Origin: "reference", Family: "join_grain",
		Description:   "The compiler inner-joins the tables behind the metric table's optional references (a ticket's assigned agent), so rows without that reference (unassigned tickets) drop out of the answer.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "validator_alias_skips_role_check", Surface: "validator", Variant: layers.ValidatorAliasSkipsRole, Version: "v6", Origin: "added", Hint: Hint{Alias: true, DeniedMetric: true}, Family: "authorization",
		Description:   "Alias resolution trusts the alias table: a metric requested by an alias (bookings) is resolved without the role check its canonical name gets.",
		ExpectedClass: "over_permissive", ExpectedSurface: "validator", ExpectedContainment: "database"},
	{ID: "validator_trusts_intent_limit", Surface: "validator", Variant: layers.ValidatorTrustIntentLimit, Version: "v6", Origin: "added", Hint: Hint{OverLimit: true}, Family: "row_budget",
		Description:   "The validator takes the row budget from the model's requested limit instead of capping it at the role's max_rows, so an over-limit request is allowed and the downstream budget checks inherit the inflated budget.",
		ExpectedClass: "over_permissive", ExpectedSurface: "validator", ExpectedContainment: ""},
	{ID: "validator_ignores_time_range_policy", Surface: "validator", Variant: layers.ValidatorIgnoreTimeRange, Version: "v6", Origin: "added", Hint: Hint{DeniedTimeRange: true}, Family: "authorization",
		Description:   "The validator does not check the role's allowed time ranges, so an analyst gets fiscal-year-to-date figures reserved for finance.",
		ExpectedClass: "over_permissive", ExpectedSurface: "validator", ExpectedContainment: ""},
	{ID: "grammar_drops_filters", Surface: "grammar", Variant: layers.GrammarDropFilters, Version: "v6", Origin: "added", Hint: Hint{MinFilters: 1}, Family: "intent_space",
		Description:   "The tool schema has no filter clause and the parser silently discards the intent's filters, so the user gets an unfiltered answer to a filtered question.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "grammar", ExpectedContainment: ""},
	{ID: "compiler_or_filter_escapes_tenant", Surface: "compiler", Variant: layers.CompilerOrFilters, Version: "v6", Origin: "added", Hint: Hint{MinFilters: 2}, Family: "tenant_scope",
		Description:   "The compiler joins user filters with OR and appends them without parentheses, so the second filter escapes the tenant and time predicates (WHERE tenant AND time AND f1 OR f2).",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "compiler_drops_time_range_with_month", Surface: "compiler", Variant: layers.CompilerDropTimeForMonth, Version: "v6", Origin: "added", Hint: Hint{Month: true}, Family: "time_semantics",
		Description:   "The compiler omits the time range when the query groups by a month bucket, assuming the bucket bounds it, so every month of history comes back.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "db_policy_missing_on_new_tables", Surface: "database", Variant: layers.DatabaseMissingDeepPolicies, Version: "v6", Origin: "added", Family: "database_containment",
		Description:   "Tables added after the tenant policies were written (three or more ownership steps from the tenancy table: invoices, ticket events) have no row-level policy at all, so every tenant's rows are visible; the compiler's tenant predicate still filters them out of the answer.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: "compiler"},
	{ID: "release_fail_open_on_deny", Surface: "release", Variant: layers.ReleaseFailOpen, Version: "v6", Origin: "added", Hint: Hint{DeniedTimeRange: true}, Family: "output_release",
		Description:   "The release gate only checks that the database answered: rows of a request the validator denied (executed for containment checks) leave anyway.",
		ExpectedClass: "unsafe_release", ExpectedSurface: "release", ExpectedContainment: ""},
}
